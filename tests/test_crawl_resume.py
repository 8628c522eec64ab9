"""Kill the crawl with SIGKILL at five random moments, run it again each time, and finally let
it finish: the database must hold exactly the pages of an uninterrupted crawl, each once, and
pass SQLite's integrity check. The seed is printed (and can be set with STANCEMAP_KILL_SEED) so a
failure can be replayed."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from crawl_server import FIXTURES, CrawlServer

pytestmark = pytest.mark.slow
SETTINGS = {
    "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS_PER_DOMAIN": "2",
    "STANCEMAP_PROGRESS_INTERVAL": "0", "LOG_LEVEL": "WARNING",
}


def crawl_command(db: Path, base_url: str) -> list[str]:
    settings = [arg for key, value in SETTINGS.items() for arg in ("--set", f"{key}={value}")]
    return [sys.executable, "-m", "stancemap", "crawl", "--db", str(db),
            "--sources", str(FIXTURES / "sources.yaml"), "--base-url", base_url, *settings]


def query(db: Path, sql: str) -> list[tuple]:
    connection = sqlite3.connect(db)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def page_set(db: Path) -> dict:
    """What a finished crawl leaves, independent of how often it was interrupted."""
    documents = query(db, "select url, content_hash, duplicate_of is not null from documents")
    ledger = query(db, "select url, status from fetches")
    settled = {"stored": "kept", "unchanged": "kept"}
    return {
        "documents": sorted(documents),
        "ledger": sorted((url, settled.get(status, status)) for url, status in ledger),
    }


def test_a_crawl_killed_five_times_ends_with_every_page_once(tmp_path: Path):
    seed = int(os.environ.get("STANCEMAP_KILL_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    with CrawlServer(delay=0.06) as server:
        reference = tmp_path / "reference.db"
        subprocess.run(crawl_command(reference, server.base_url), check=True,
                       capture_output=True, timeout=300)
        requests = len(server.hits)

        # Each kill lands after a random number of the requests a whole crawl makes, plus a
        # random fraction of a second: anywhere from fetching robots.txt to storing the last page.
        db = tmp_path / "killed.db"
        kills = [(rng.randint(1, requests), round(rng.uniform(0, 0.3), 2)) for _ in range(5)]
        print(f"seed {seed}: a whole crawl makes {requests} requests; kills after {kills}")
        for after_requests, extra in kills:
            before = len(server.hits)
            child = subprocess.Popen(crawl_command(db, server.base_url),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 120
            while (len(server.hits) - before < after_requests and child.poll() is None
                   and time.monotonic() < deadline):
                time.sleep(0.01)
            time.sleep(extra)
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
            stored = query(db, "select count(*) from documents")[0][0] if db.exists() else 0
            print(f"  killed after {len(server.hits) - before} requests (exit "
                  f"{child.returncode}): {stored} documents so far")
        final = subprocess.run(crawl_command(db, server.base_url), capture_output=True,
                               text=True, timeout=300)
        assert final.returncode == 0, final.stderr[-3000:]

    assert query(db, "pragma integrity_check") == [("ok",)]
    assert query(db, "pragma foreign_key_check") == []
    got, want = page_set(db), page_set(reference)
    assert got["documents"] == want["documents"]
    assert set(got["ledger"]) ^ set(want["ledger"]) == set()
    documents = query(db, "select count(*) from documents")[0][0]
    assert documents > 20
    assert query(db, "select count(*) from raw_pages")[0][0] == documents
    assert query(db, "select count(*) from document_signatures")[0][0] == documents
    # No statement twice: no two originals with the same text, no URL stored twice.
    assert query(db, "select content_hash from documents where duplicate_of is null "
                     "group by content_hash having count(*) > 1") == []
    assert query(db, "select canonical_url from documents group by 1 having count(*) > 1") == []
    # Killed runs are marked as such (a kill may also land after a run finished).
    statuses = [status for (status,) in query(db, "select status from runs where stage = 'crawl' "
                                                  "order by started_at, rowid")]
    assert statuses[-1] == "ok" and set(statuses) <= {"interrupted", "ok"}
