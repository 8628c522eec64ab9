"""End to end: `stancemap demo --no-serve` serves the demo web, crawls it over HTTP with the real
spider, analyzes it with the real models and publishes it; the database must match the demo's
ground truth (demo/expected.yaml), and running the stages again must change nothing."""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from conftest import free_port, run_cli

from stancemap.config import DEMO_DIR
from stancemap.webserver import StaticSite

pytestmark = pytest.mark.slow

EXPECTED = yaml.safe_load((DEMO_DIR / "expected.yaml").read_text(encoding="utf-8"))["pages"]
HOLDER_TYPES = {"ngo", "industry", "press", "un_body", "igo", "state", "academic", "coalition"}
CONTENT_TABLES = ("documents", "sentences", "mentions", "stances", "organizations")


def query(db: Path, sql: str, params=()) -> list[tuple]:
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def snapshot(db: Path) -> dict:
    """Every row of the content tables, to compare two states of a database."""
    return {
        table: sorted(map(repr, query(db, f"select * from {table}"))) for table in CONTENT_TABLES
    }


def test_demo_builds_the_statement_database(demo_db: Path):
    statements = query(
        db=demo_db,
        sql="select d.url, d.organization_id, o.type from documents d "
        "join organizations o on o.id = d.organization_id where d.duplicate_of is null",
    )
    assert len(statements) >= 40
    assert len({org for _, org, _ in statements}) >= 15
    assert {kind for _, _, kind in statements} == HOLDER_TYPES

    stored = {path_of(url) for url, _, _ in statements}
    expected_statements = {
        p["path"] for p in EXPECTED if p.get("statement") and not p.get("duplicate_of")
    }
    off_topic = {p["path"] for p in EXPECTED if not p.get("statement")}
    assert not stored & off_topic, f"off-topic pages stored as statements: {stored & off_topic}"
    assert expected_statements <= stored, f"statements missed: {expected_statements - stored}"


def test_every_statement_has_sentences_and_one_author_position(demo_db: Path):
    rows = query(
        demo_db,
        "select d.id, (select count(*) from sentences s where s.document_id = d.id), "
        "(select count(*) from stances t where t.document_id = d.id and t.sentence_id is null "
        " and t.target = 'convention') from documents d where d.duplicate_of is null",
    )
    assert rows
    for doc_id, sentences, author_positions in rows:
        assert sentences > 0, doc_id
        assert author_positions == 1, doc_id


def test_sentence_offsets_point_into_the_document(demo_db: Path):
    rows = query(
        demo_db,
        "select d.text, s.start, s.end, s.text from sentences s "
        "join documents d on d.id = s.document_id",
    )
    assert rows
    for text, start, end, sentence in rows:
        assert text[start:end] == sentence


def test_mentions_map_draft_numbers_to_the_adopted_text(demo_db: Path):
    mentions = query(
        demo_db,
        "select m.surface, m.cited_number, m.text_version, m.article_number, d.text, "
        "m.start, m.end from mentions m join documents d on d.id = m.document_id",
    )
    assert len(mentions) >= 100
    for surface, _, _, _, text, start, end in mentions:
        assert text[start:end] == surface
    # Zero-draft "Article 5" (respect for human rights) is Article 6 of the adopted text.
    zero_draft_5 = [m for m in mentions if m[2] == "zero" and m[1] == "5"]
    assert zero_draft_5 and all(m[3] == 6 for m in zero_draft_5)
    assert query(demo_db, "select count(*) from articles") == [(68,)]


def test_off_topic_pages_and_robots_are_recorded_not_stored(demo_db: Path):
    statuses = dict(query(demo_db, "select status, count(*) from fetches group by status"))
    assert statuses.get("off_topic", 0) >= 10
    skipped = query(demo_db, "select url, reason from fetches where status = 'skipped'")
    assert any(
        "/ngo-northbridge/internal/" in url and "robots" in reason for url, reason in skipped
    )


def test_crawl_and_analyze_again_change_nothing(demo_db: Path, tmp_path: Path):
    db = tmp_path / "again.db"
    shutil.copy(demo_db, db)
    before = snapshot(db)
    # The same port as the build: the port is part of every page's URL.
    (url,) = query(db, "select url from documents limit 1")[0]
    port = int(url.split("/")[2].split(":")[1])
    with StaticSite(DEMO_DIR / "web", port=port) as site:
        crawl = run_cli(
            "crawl",
            "--db",
            str(db),
            "--sources",
            str(DEMO_DIR / "sources.yaml"),
            "--base-url",
            site.base_url,
            "--set",
            "DOWNLOAD_DELAY=0",
            "--set",
            "AUTOTHROTTLE_ENABLED=False",
            "--set",
            "LOG_LEVEL=WARNING",
        )
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    analyze = run_cli("analyze", "--db", str(db))
    assert analyze.returncode == 0, analyze.stderr[-2000:]
    assert '"documents": 0' in analyze.stderr
    assert snapshot(db) == before


def test_serve_answers_the_stance_by_article_query(demo_db: Path):
    import subprocess
    import sys

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "stancemap", "serve", "--db", str(demo_db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}/{demo_db.stem}/stance_by_article.json?article=6&_shape=objects"
        for _ in range(100):
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    payload = json.load(response)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("Datasette did not answer: " + server.stderr.read1().decode())
        rows = payload["rows"]
        assert rows, "no stance rows on Article 6"
        assert {"holder", "stance", "evidence", "source"} <= set(rows[0])
    finally:
        server.terminate()
        server.wait(timeout=10)
