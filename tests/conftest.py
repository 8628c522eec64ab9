"""Shared fixtures: a temporary database, the demo web served on 127.0.0.1, the models loaded
once per session, and a way to run the real CLI in a child process."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from stancemap.config import DEMO_DIR, REPOSITORY
from stancemap.webserver import StaticSite

ARTIFACTS = REPOSITORY / "test-artifacts"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture(scope="session")
def demo_web():
    """The bundled demo web, served over HTTP for the whole session."""
    with StaticSite(DEMO_DIR / "web") as site:
        yield site


def run_cli(
    *args: str,
    input: str | None = None,
    env: dict | None = None,
    timeout: int = 900,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess:
    """Run `stancemap ...` in a child process, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "stancemap", *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})},
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def analyzer():
    """The real analysis pipeline (spaCy + MiniLM), loaded once."""
    from nlp.pipeline import Analyzer

    return Analyzer()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The demo database, built once per session the way `make demo` builds it (`stancemap demo
    --no-serve`: serve the demo web, crawl it over HTTP, analyze, publish). Read-only for tests:
    copy it before writing."""
    folder = tmp_path_factory.mktemp("demo")
    db = folder / "demo.db"
    result = run_cli(
        "demo",
        "--no-serve",
        "--db",
        str(db),
        "--out",
        str(folder / "site"),
        "--web-port",
        str(free_port()),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return db


# --- the published site (tests/test_publish_*.py, tests/browser/) ------------------------------

# A fictional organisation whose statement carries script and javascript: payloads in every field
# people see. The site must show them as text and never run them.
HOSTILE_ORG = {
    "id": "fixture-hostile-watch",
    "name": "Fictional <script>window.__xss_org=1</script> Watch",
    "type": "ngo",
    "aliases": ["FHW"],
}
HOSTILE_SENTENCES = [
    "We oppose Article 29 <script>window.__xss_text=1</script> because it allows real-time "
    "collection of traffic data without a judge.",
    'Details at <a href="javascript:window.__xss_link=1">our site</a> & <img src=x '
    'onerror="window.__xss_img=1"> more.',
]


def add_hostile_statement(db: Path) -> str:
    """Store the hostile statement (through db.store, as the analysis would); returns its id."""
    from db.store import Store, sentence_id, stable_id

    text = " ".join(HOSTILE_SENTENCES)
    with Store(db) as store:
        store.sync_organizations([HOSTILE_ORG], origin="registry")
        saved = store.save_document(
            {
                "url": "javascript:window.__xss_url=1//statement",
                "organization_id": HOSTILE_ORG["id"],
                "title": 'Our <img src=x onerror="window.__xss_title=1"> view of Article 29',
                "published": "2026-06-30",
                "text": text,
                "language": "en",
                "content_type": "text/html",
            }
        )
        doc = next(store.db["documents"].rows_where("id = ?", [saved.document_id]))
        model = "fixture/1"
        sentences, offset = [], 0
        for position, sentence in enumerate(HOSTILE_SENTENCES):
            sentences.append(
                {
                    "id": sentence_id(doc["id"], position),
                    "document_id": doc["id"],
                    "position": position,
                    "start": offset,
                    "end": offset + len(sentence),
                    "text": sentence,
                }
            )
            offset += len(sentence) + 1
        first = sentences[0]
        holder = {
            "holder_id": HOSTILE_ORG["id"],
            "holder_name": HOSTILE_ORG["name"],
            "holder_type": "ngo",
            "model": model,
            "document_id": doc["id"],
        }
        stances = [
            {
                **holder,
                "id": stable_id(doc["id"], "author"),
                "sentence_id": None,
                "target": "convention",
                "article_number": None,
                "stance": "oppose",
                "confidence": 0.9,
                "evidence": None,
                "start": None,
                "end": None,
            },
            {
                **holder,
                "id": stable_id(doc["id"], "article-29"),
                "sentence_id": first["id"],
                "target": "article:29",
                "article_number": 29,
                "stance": "oppose",
                "confidence": 0.99,
                "evidence": first["text"],
                "start": first["start"],
                "end": first["end"],
            },
        ]
        mentions = [
            {
                "id": stable_id(doc["id"], "m29"),
                "document_id": doc["id"],
                "sentence_id": first["id"],
                "surface": "Article 29",
                "start": 10,
                "end": 20,
                "cited_number": "29",
                "text_version": "final",
                "article_number": 29,
                "method": "explicit",
                "confidence": 0.92,
                "model": model,
            }
        ]
        store.save_analysis(doc, model, sentences, mentions, stances)
    return doc["id"]


@pytest.fixture(scope="session")
def published_site(demo_db: Path, tmp_path_factory) -> Path:
    """`stancemap publish` of the demo database plus the hostile statement: the folder that is
    deployed. Read-only for tests."""
    from db.site import publish

    folder = tmp_path_factory.mktemp("published")
    db = folder / "source" / "demo.db"
    db.parent.mkdir()
    shutil.copy(demo_db, db)
    add_hostile_statement(db)
    publish(db, folder / "site")
    return folder / "site"


@pytest.fixture(scope="session")
def public_site(published_site: Path):
    """The published folder served by Datasette on 127.0.0.1 as `datasette serve FOLDER/`."""
    from db.site import DatasetteServer

    with DatasetteServer.for_folder(published_site) as server:
        server.folder = published_site
        server.db_name = "demo"
        yield server
