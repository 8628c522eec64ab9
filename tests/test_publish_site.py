"""The site people read: metadata that explains every table, column and label; canned queries
that answer the questions users ask; dashboards; article pages; evidence in context."""

from __future__ import annotations

import re
import sqlite3
import urllib.parse
from pathlib import Path

import pytest
from conftest import HOSTILE_ORG

from db.schema import HOLDER_TYPES, STANCES
from db.site.metadata import canned_queries, dashboard_charts, metadata_for

pytestmark = pytest.mark.slow

# Parameters under which each canned query must return rows from the demo data.
QUERY_EXAMPLES = {
    "stance_by_article": {"article": "29", "stance": ""},
    "positions_by_stakeholder": {"holder": "EFF"},
    "holder_article_matrix": {"holder_type": "", "article": ""},
    "stance_over_time": {"article": "", "holder": "", "holder_type": ""},
    "evidence_search": {"q": "surveillance"},
}


def query_json(site, name: str, params: dict) -> dict:
    path = f"/{site.db_name}/{name}.json?" + urllib.parse.urlencode({**params, "_shape": "objects"})
    status, payload = site.get_json(path)
    assert status == 200, (name, payload)
    return payload


def visible_tables(db: Path, metadata: dict) -> dict[str, list[str]]:
    """Tables and views Datasette lists (not full-text internals, not hidden), with columns."""
    (database,) = metadata["databases"].values()
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        names = connection.execute(
            "select name from sqlite_master where type in ('table', 'view') "
            "and name not like 'sqlite_%' and name not like '%_fts' and name not like '%_fts_%'"
        ).fetchall()
        return {
            name: [
                c for (c,) in connection.execute(f"select name from pragma_table_info('{name}')")
            ]
            for (name,) in names
            if not (database["tables"].get(name) or {}).get("hidden")
        }
    finally:
        connection.close()


def test_every_table_and_column_people_see_is_described(published_site: Path):
    db = published_site / "demo.db"
    metadata = metadata_for(db)
    tables = metadata["databases"]["demo"]["tables"]
    seen = visible_tables(db, metadata)
    assert {"stances", "documents", "sentences", "articles", "mentions"} <= set(seen)
    for table, columns in seen.items():
        described = tables.get(table) or {}
        assert described.get("description"), f"{table}: describe it in db/site/metadata.yaml"
        missing = [c for c in columns if not (described.get("columns") or {}).get(c)]
        assert not missing, f"{table}: describe columns {missing} in db/site/metadata.yaml"
    for key in ("title", "license", "license_url", "source", "source_url"):
        assert metadata.get(key), key
    assert "CC BY 4.0" in metadata["license"]


def test_every_stance_and_holder_type_label_is_explained(published_site: Path):
    metadata = metadata_for(published_site / "demo.db")
    assert set(metadata["labels"]["stance"]) == set(STANCES)
    assert set(metadata["labels"]["holder_type"]) == set(HOLDER_TYPES)
    columns = metadata["databases"]["demo"]["tables"]["stances"]["columns"]
    for label in STANCES:
        assert f"{label} - " in columns["stance"]
    for label in HOLDER_TYPES:
        assert f"{label} - " in columns["holder_type"]


def test_every_canned_query_answers_with_evidence(public_site):
    metadata = metadata_for(public_site.folder / "demo.db")
    queries = canned_queries(metadata)
    assert set(queries) == set(QUERY_EXAMPLES)
    for name, params in QUERY_EXAMPLES.items():
        assert set(queries[name].get("params", [])) == set(params), name
        payload = query_json(public_site, name, params)
        assert payload["rows"], f"{name} returned nothing on the demo data"
    rows = query_json(public_site, "stance_by_article", QUERY_EXAMPLES["stance_by_article"])["rows"]
    assert {
        "holder",
        "stance",
        "evidence",
        "context",
        "date",
        "source",
        "confidence",
        "model",
    } <= set(rows[0])
    assert all(row["article"] == 29 for row in rows)
    opposed = query_json(public_site, "stance_by_article", {"article": "29", "stance": "oppose"})
    assert opposed["rows"] and {row["stance"] for row in opposed["rows"]} == {"oppose"}


def test_positions_by_stakeholder_takes_an_id_a_name_or_an_alias(public_site):
    by_id = query_json(public_site, "positions_by_stakeholder", {"holder": "eff"})["rows"]
    assert by_id
    for holder in ("Electronic Frontier Foundation", "EFF", "electronic frontier foundation"):
        rows = query_json(public_site, "positions_by_stakeholder", {"holder": holder})["rows"]
        assert rows == by_id, holder
    assert {row["holder_id"] for row in by_id} == {"eff"}


def test_evidence_search_finds_stance_sentences_and_tolerates_any_input(public_site):
    rows = query_json(public_site, "evidence_search", {"q": "surveil"})["rows"]
    assert rows and all(re.search(r"surveil", row["evidence"], re.I) for row in rows)
    assert all(row["stances"] for row in rows), "only sentences that carry a stance"
    for odd in ('"unbalanced', "AND OR NOT", "*", "(", ""):
        assert query_json(public_site, "evidence_search", {"q": odd}) is not None


def test_stance_over_time_follows_an_article_and_a_holder(public_site):
    months = query_json(public_site, "stance_over_time", QUERY_EXAMPLES["stance_over_time"])["rows"]
    assert all(re.fullmatch(r"\d{4}-\d{2}", row["month"]) for row in months)
    on_29 = query_json(
        public_site, "stance_over_time", {"article": "29", "holder": "", "holder_type": ""}
    )["rows"]
    assert on_29 and on_29 != months
    eff = query_json(
        public_site, "stance_over_time", {"article": "", "holder": "eff", "holder_type": ""}
    )["rows"]
    assert eff and sum(r["stances"] for r in eff) < sum(r["stances"] for r in months) * 10


def test_dashboards_use_only_vega_lite_and_every_chart_query_runs(public_site):
    metadata = metadata_for(public_site.folder / "demo.db")
    charts = dashboard_charts(metadata)
    assert {
        "stances/heatmap",
        "stances/by-holder-type",
        "stances/over-time",
        "stances/most-cited",
    } <= set(charts)
    from datasette_dashboards import replace_opts_in_query

    for key, chart in charts.items():
        # The plugin's table, metric and map charts write cell values as HTML or load tiles.
        assert chart["library"] == "vega-lite", key
        for options in ({}, {"holder_type": "ngo"}):
            sql = replace_opts_in_query(chart["query"], options)
            path = "/demo.json?" + urllib.parse.urlencode({"sql": sql, **options})
            status, payload = public_site.get_json(path)
            assert status == 200, (key, payload)
            assert payload["rows"] or options, f"{key} has no data on the demo"


def test_article_list_shows_every_article_by_chapter(public_site):
    status, body = public_site.get("/-/articles")
    html = body.decode()
    assert status == 200
    assert len(re.findall(r'href="/-/articles/\d+"', html)) == 68
    assert "Chapter IV" in html


def test_article_page_shows_who_supports_and_opposes_with_evidence(public_site):
    db = public_site.folder / "demo.db"
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    holders = dict(
        connection.execute(
            "select stance, group_concat(distinct holder_name) from stances "
            "where article_number = 29 group by stance"
        ).fetchall()
    )
    (title, chapter) = connection.execute(
        "select title, chapter from articles where number = 29"
    ).fetchone()
    connection.close()
    status, body = public_site.get("/-/articles/29")
    html = body.decode()
    assert status == 200
    assert f"Article 29: {title}" in html and f"Chapter {chapter}" in html
    assert 'id="oppose"' in html and 'id="support"' in html
    for stance, names in holders.items():
        section = html.split(f'id="{stance}"')[1].split("</section>")[0]
        some = names.split(",")[0].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert some in section, (stance, some)
    assert re.search(r'href="/-/sentences/[^"]+">in context</a>', html)
    assert "confidence 0." in html and "model " in html
    assert public_site.get("/-/articles/999")[0] == 404


def test_evidence_in_context_shows_the_sentence_its_neighbours_and_its_stances(public_site):
    rows = query_json(public_site, "stance_by_article", {"article": "29", "stance": ""})["rows"]
    row = next(r for r in rows if r["context"] and r["holder_id"] != HOSTILE_ORG["id"])
    status, body = public_site.get("/-/sentences/" + urllib.parse.quote(row["context"], safe=""))
    html = body.decode()
    assert status == 200
    marked = re.search(r"<mark>(.*?)</mark>", html, re.S).group(1)
    assert marked.strip()
    assert html.count('<p class="meta">') >= 1, "neighbouring sentences are shown"
    assert "Article 29" in html and row["model"] in html
    if row["source"].startswith("http"):
        assert f'href="{row["source"]}"' in html
    assert public_site.get("/-/sentences/no-such-sentence")[0] == 404


def test_stance_tables_link_to_evidence_in_context(public_site):
    _, body = public_site.get("/demo/stances?_size=20&sentence_id__notblank=1")
    assert re.search(r'href="/-/sentences/[^"]+"', body.decode())
    _, body = public_site.get("/demo/stance_by_article?article=29&stance=")
    html = body.decode()
    assert re.search(r'href="/-/sentences/[^"]+">in context</a>', html)
    assert re.search(r'href="/-/articles/29">Article 29</a>', html)
    assert re.search(r'href="/demo/positions_by_stakeholder\?holder=[^"]+"', html)


def test_served_feeds_link_back_to_the_site(public_site):
    status, body = public_site.get("/-/feeds/article-29.atom")
    assert status == 200
    text = body.decode()
    assert f'href="{public_site.base_url}/-/feeds/article-29.atom"' in text
    assert public_site.get("/-/feeds/article-999.atom")[0] == 404
