"""Safe in public: the published folder, served the way it is deployed, is immutable and read-only,
cuts off slow SQL and long results, runs no plugin that writes or renders text as HTML, and shows
scraped text escaped on every page."""

from __future__ import annotations

import hashlib
import re
import time
import urllib.parse
import urllib.request

import pytest
from conftest import HOSTILE_ORG

pytestmark = pytest.mark.slow

# Every plugin the public site may run. A new one must be reviewed for writes and for HTML.
ALLOWED_PLUGINS = {
    "datasette-dashboards",
    "datasette-leaflet",
    "stancemap_pages.py",
    "stancemap_feeds.py",
}


def sql_path(site, sql: str) -> str:
    return f"/{site.db_name}.json?" + urllib.parse.urlencode({"sql": sql, "_shape": "objects"})


def file_state(path) -> tuple:
    stat = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), stat.st_size, stat.st_mtime_ns


def test_a_cartesian_join_hits_the_time_limit_within_one_and_a_half_seconds(public_site):
    sql = "select count(*) from sentences a, sentences b, sentences c"
    started = time.monotonic()
    status, payload = public_site.get_json(sql_path(public_site, sql))
    elapsed = time.monotonic() - started
    assert status == 400
    assert "SQL query took too long" in payload["error"]
    assert elapsed < 1.5, f"the time limit answered after {elapsed:.2f}s"


def test_long_results_are_cut_at_the_row_limit(public_site):
    status, payload = public_site.get_json(sql_path(public_site, "select * from sentences"))
    assert status == 200
    assert payload["truncated"] is True
    assert len(payload["rows"]) == 1000


def test_the_database_is_immutable_and_unchanged_by_any_request(public_site):
    db = public_site.folder / "demo.db"
    before = file_state(db)
    status, databases = public_site.get_json("/-/databases.json")
    assert [(d["name"], d["is_mutable"]) for d in databases] == [("demo", False)]
    attempts = [
        "delete from stances",
        "insert into organizations (id, name) values ('x', 'x')",
        "update documents set title = 'changed'",
        "drop table stances",
        "pragma journal_mode = wal",
        "attach database 'elsewhere.db' as other",
        "vacuum",
    ]
    for sql in attempts:
        status, _ = public_site.get(sql_path(public_site, sql))
        assert status == 400, sql
    for path in (
        "/",
        "/-/articles/29",
        "/demo/stances?_facet=stance",
        "/-/dashboards/stances",
        "/demo/stance_by_article.json?article=29&stance=",
        "/-/feeds/statements.atom",
        "/demo.db",
    ):
        status, _ = public_site.get(path)
        assert status == 200, path
    # A canned query is not a write endpoint: a POST is refused (Datasette 0.65 answers a POST to
    # a read-only canned query with a 500 of its own making) and changes nothing.
    request = urllib.request.Request(
        public_site.base_url + "/demo/stance_by_article", data=b"article=29&stance=", method="POST"
    )
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(request, timeout=10)
    assert file_state(db) == before
    assert not [p.name for p in public_site.folder.glob("demo.db-*")], "no journal or WAL"
    assert public_site.get_json("/demo/stances.json?_size=1")[1]["rows"]


def test_public_settings_are_in_force(public_site):
    _, settings = public_site.get_json("/-/settings.json")
    assert settings["sql_time_limit_ms"] == 1000
    assert settings["max_returned_rows"] == 1000


def test_no_plugin_writes_or_renders_text_as_html(public_site):
    _, plugins = public_site.get_json("/-/plugins.json")
    names = {plugin["name"] for plugin in plugins}
    assert names <= ALLOWED_PLUGINS, f"unreviewed plugins: {names - ALLOWED_PLUGINS}"
    assert "stancemap_pages.py" in names and "stancemap_feeds.py" in names
    _, metadata = public_site.get_json("/-/metadata.json")
    queries = metadata["databases"]["demo"]["queries"]
    assert queries and not [name for name, query in queries.items() if query.get("write")]
    # A visitor's own SQL naming a column *_markdown gets text, not rendered HTML.
    sql = "select '<b>bold</b>' as note_markdown"
    status, body = public_site.get(f"/demo?sql={urllib.parse.quote(sql)}")
    assert status == 200 and b"&lt;b&gt;bold&lt;/b&gt;" in body and b"<b>bold</b>" not in body


def hostile_pages(site) -> list[str]:
    return [
        "/-/articles/29",
        f"/-/sentences/{site.hostile_sentence}",
        "/demo/stance_by_article?article=29&stance=",
        "/demo/positions_by_stakeholder?holder=" + HOSTILE_ORG["id"],
        "/demo/evidence_search?q=xss",
        "/demo/holder_article_matrix?holder_type=&article=29",
        "/demo/stances?holder_id=" + HOSTILE_ORG["id"],
        "/demo/documents?organization_id=" + HOSTILE_ORG["id"],
        "/demo/organizations/" + HOSTILE_ORG["id"],
        "/demo/sentences?_search=xss",
        "/-/feeds/article-29.atom",
    ]


@pytest.fixture(scope="module")
def hostile_site(public_site):
    _, found = public_site.get_json(
        sql_path(public_site, "select id from sentences where text like '%__xss_text%'")
    )
    public_site.hostile_sentence = found["rows"][0]["id"]
    return public_site


def test_scraped_markup_is_escaped_on_every_page(hostile_site):
    for path in hostile_pages(hostile_site):
        status, body = hostile_site.get(path)
        assert status == 200, path
        html = body.decode("utf-8")
        assert "window.__xss" in html, f"{path} does not show the hostile statement"
        for payload in ("<script>window.__xss", "<img src=x onerror", '<a href="javascript:'):
            assert payload not in html, f"{path} renders {payload!r} as markup"
        assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", html, re.IGNORECASE), path
