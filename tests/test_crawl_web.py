"""The real spider over HTTP against the crawl fixture web (tests/fixtures/crawl): listing
pagination, RSS and Atom, a gzipped sitemap behind a sitemap index, a PDF, redirects, a dead
link, robots.txt, malformed HTML, wrong or missing encodings, URL variants, mirror copies, and
a second crawl that asks with conditional requests and rewrites nothing."""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path

import pytest
import yaml
from conftest import run_cli
from crawl_server import FIXTURES, CrawlServer

CORPUS = {p["id"]: p for p in yaml.safe_load((FIXTURES / "corpus.yaml").read_text())["pages"]}
FAST = ("--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_ENABLED=False",
        "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "--set", "STANCEMAP_PROGRESS_INTERVAL=1")


def crawl(db: Path, server: CrawlServer, sources: Path = FIXTURES / "sources.yaml", *extra: str):
    result = run_cli("crawl", "--db", str(db), "--sources", str(sources),
                     "--base-url", server.base_url, *FAST, *extra, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def rows(db: Path, sql: str, params=()) -> list[tuple]:
    connection = sqlite3.connect(db)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """One crawl of the fixture web, then a second one against the same database."""
    db = tmp_path_factory.mktemp("crawl") / "crawl.db"
    with CrawlServer() as server:
        first = crawl(db, server)
        snapshot = rows(db, "select * from documents order by id")
        raw = rows(db, "select * from raw_pages order by document_id")
        first_hits = len(server.hits)
        second = crawl(db, server)
        yield {
            "db": db, "server": server, "first": first, "second": second,
            "first_hits": first_hits, "snapshot": snapshot, "raw": raw,
        }


def statuses(db: Path) -> dict[str, str]:
    return {path_of(url): status for url, status in rows(db, "select url, status from fetches")}


def test_every_relevant_page_is_one_statement_and_copies_are_linked(crawled):
    db = crawled["db"]
    originals = rows(db, "select url from documents where duplicate_of is null")
    stored = {path_of(url) for (url,) in originals}
    relevant = {p["path"] for p in CORPUS.values() if p["relevant"] and not p.get("copy_of")}
    assert stored == relevant
    copies = {
        path_of(url): path_of(original)
        for url, original in rows(
            db, "select d.url, o.url from documents d join documents o on o.id = d.duplicate_of"
        )
    }
    assert copies == {
        p["path"]: CORPUS[p["copy_of"]]["path"] for p in CORPUS.values() if p.get("copy_of")
    }
    off_topic = {p["path"] for p in CORPUS.values() if not p["relevant"]}
    assert {path for path, status in statuses(db).items() if status == "off_topic"} == off_topic


def test_listings_feeds_and_sitemaps_are_recorded_and_followed(crawled):
    seen = statuses(crawled["db"])
    for listing in ("/ngo-ashgrove/news/", "/ngo-ashgrove/news/page/2/",
                    "/ngo-ashgrove/news/page/3/", "/academic-kestrel/page/2/",
                    "/press-tidewater/feed.rss",
                    "/industry-brightwater/atom.xml", "/state-estavia/sitemap.xml",
                    "/state-estavia/sitemap-news.xml.gz"):
        assert seen[listing] == "listing", listing
    # Page 3 of the paginated listing, every RSS item (the source's follow pattern does not
    # apply to feeds), every Atom entry and every page of the gzipped sitemap were fetched.
    for page_id in ("ashgrove-donate", "tidewater-plastics", "tidewater-negotiators-deadlock",
                    "brightwater-launch", "estavia-fisheries", "kestrel-working-paper"):
        assert CORPUS[page_id]["path"] in seen, page_id


def test_url_variants_are_fetched_once_under_the_clean_url(crawled):
    server, db = crawled["server"], crawled["db"]
    final = CORPUS["ashgrove-final-session"]["path"]
    ratified = CORPUS["tidewater-ratification"]["path"]
    first_crawl = server.hits[: crawled["first_hits"]]
    assert [h.path for h in first_crawl if h.path.split("?")[0] == final] == [final]
    assert [h.path for h in first_crawl if h.path.split("?")[0] == ratified] == [ratified]
    urls = [url for (url,) in rows(db, "select url from fetches")]
    assert not [url for url in urls if "utm_" in url or "#" in url]


def test_redirects_dead_links_robots_and_broken_pdfs_are_in_the_ledger(crawled):
    db = crawled["db"]
    ledger = {
        path_of(url): (status, code, reason)
        for url, status, code, reason in rows(
            db, "select url, status, reason_code, reason from fetches"
        )
    }
    assert ledger["/ngo-ashgrove/old/zero-draft"][:2] == ("skipped", "redirect")
    assert ledger[CORPUS["ashgrove-zero-draft"]["path"]][0] in ("stored", "unchanged")
    assert ledger["/state-estavia/en/news/removed-page"] == ("failed", "http", "HTTP 404")
    assert ledger["/ngo-ashgrove/private/draft-notes.html"][:2] == ("skipped", "robots")
    assert not crawled["server"].requested("/ngo-ashgrove/private/draft-notes.html")
    status, code, reason = ledger["/ngo-fernhill/broken-upload.pdf"]
    assert (status, code) == ("failed", "parse") and "PDF" in reason
    failures = {path_of(url) for (url,) in rows(db, "select url from crawl_failures")}
    assert {"/state-estavia/en/news/removed-page", "/ngo-fernhill/broken-upload.pdf"} <= failures


def test_pdf_statement_is_extracted_with_its_metadata(crawled):
    page = CORPUS["saltmarsh-submission-pdf"]
    (row,) = rows(
        crawled["db"],
        "select content_type, published, title, text from documents where url like ?",
        ["%" + page["path"]],
    )
    content_type, published, title, text = row
    assert content_type == "application/pdf"
    assert published == str(page["published"])
    assert title == page["title"]
    assert "information and communications technologies" in " ".join(text.split())


def test_malformed_html_and_wrong_encodings_are_read(crawled):
    texts = dict(rows(crawled["db"], "select url, text from documents"))
    by_path = {path_of(url): text for url, text in texts.items()}
    assert "public scorecard" in by_path[CORPUS["fernhill-malformed"]["path"]] or \
        "political act" in by_path[CORPUS["fernhill-malformed"]["path"]]
    cp1252 = by_path[CORPUS["fernhill-windows-1252"]["path"]]  # sent as "utf-8"
    assert "Genève" in cp1252 and "São Paulo" in cp1252 and "“in accordance" in cp1252
    latin1 = by_path[CORPUS["fernhill-latin1-undeclared"]["path"]]  # no charset anywhere
    assert "Zürich" in latin1
    utf8 = by_path[CORPUS["fernhill-utf8-mislabelled"]["path"]]  # labelled iso-8859-1
    assert "Tōkyō" in utf8 and "Île-de-France" in utf8
    assert not any("Ã" in text or "\ufffd" in text for text in texts.values())


def test_documents_keep_raw_pages_hashes_dates_and_language(crawled):
    db = crawled["db"]
    docs = rows(db, "select d.id, d.url, d.content_hash, d.language, d.published, r.body, r.size "
                    "from documents d join raw_pages r on r.document_id = d.id")
    assert len(docs) == rows(db, "select count(*) from documents")[0][0]
    for _, url, text_hash, language, published, body, size in docs:
        assert len(text_hash) == 64 and language == "en" and published, url
        assert len(zlib.decompress(body)) == size > 0
    expected = {p["path"]: str(p["published"]) for p in CORPUS.values()}
    dates = {path_of(url): published for _, url, _, _, published, _, _ in docs}
    assert all(dates[path] == expected[path] for path in dates)
    assert rows(db, "select count(*) from document_signatures")[0][0] == len(docs)


def test_the_bot_names_itself_with_a_contact_url(crawled):
    agents = {hit.headers.get("User-Agent") for hit in crawled["server"].hits}
    assert len(agents) == 1
    (agent,) = agents
    assert agent.startswith("stancemap/") and "+https://" in agent


def test_a_second_crawl_asks_conditionally_and_rewrites_nothing(crawled):
    db, server = crawled["db"], crawled["server"]
    assert rows(db, "select * from documents order by id") == crawled["snapshot"]
    assert rows(db, "select * from raw_pages order by document_id") == crawled["raw"]
    second = server.hits[crawled["first_hits"]:]
    conditional = [h for h in second if "If-None-Match" in h.headers]
    assert len(conditional) >= 30
    (run_stats,) = rows(
        db, "select stats from runs where stage = 'crawl' order by started_at desc, rowid desc"
        " limit 1"
    )
    assert '"stored"' not in run_stats[0] and '"unchanged"' in run_stats[0]
    seen = statuses(db)
    assert seen[CORPUS["ashgrove-final-session"]["path"]] == "unchanged"
    assert seen[CORPUS["lanternwire-syndicated-ashgrove"]["path"]] == "duplicate"
    assert seen[CORPUS["tidewater-plastics"]["path"]] == "off_topic"
    assert "not modified" in rows(db, "select reason from fetches where url like ?",
                                  ["%" + CORPUS["ashgrove-final-session"]["path"]])[0][0]


def test_the_crawl_prints_progress_and_a_summary(crawled):
    stderr = crawled["first"].stderr
    assert "crawl done" in stderr
    assert "crawl finished (finished): 21 stored, 2 duplicate, 11 off-topic" in stderr
    assert "failures and skips by reason:" in stderr and "crawl_failures" in stderr


def test_reextract_redoes_text_from_the_raw_pages_without_fetching(crawled, tmp_path):
    import shutil

    from crawlers.extract import EXTRACTOR_VERSION
    from db.store import content_hash

    copy = tmp_path / "copy.db"
    shutil.copy(crawled["db"], copy)
    original = dict(rows(copy, "select url, text from documents"))
    target = next(url for url in original if url.endswith("final-session-verdict/"))
    worse = original[target] + "\nShare this: Mastodon Email Print"
    connection = sqlite3.connect(copy)
    with connection:
        connection.execute("update documents set extractor = 'an-older-extractor'")
        connection.execute("update documents set text = ?, content_hash = ? where url = ?",
                           [worse, content_hash(worse), target])
    connection.close()
    hits = len(crawled["server"].hits)

    result = run_cli("crawl", "--db", str(copy), "--reextract")

    assert result.returncode == 0, result.stderr[-2000:]
    assert "'updated': 1" in result.stderr
    assert len(crawled["server"].hits) == hits
    assert dict(rows(copy, "select url, text from documents")) == original
    assert {v for (v,) in rows(copy, "select distinct extractor from documents")} == {
        EXTRACTOR_VERSION
    }
