"""The crawl against servers that misbehave: 503 and 429 with Retry-After, flaky and broken
500s, a Retry-After too long to wait for, oversized bodies (declared and streamed), a gzip
bomb, a slow server, a binary file, an empty page, a 404; and hosts whose robots.txt answers
503 or drops the connection, which must not be crawled at all. Every case ends in the ledger
with its reason, and the crawl finishes."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import run_cli
from crawl_server import CrawlServer

SETTINGS = {
    "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS_PER_DOMAIN": "4",
    "DOWNLOAD_MAXSIZE": "1000000", "DOWNLOAD_WARNSIZE": "500000", "DOWNLOAD_TIMEOUT": "2",
    "RETRY_TIMES": "2", "RETRY_AFTER_MAX": "30", "RETRY_BACKOFF": "0.2",
}


def registry(hostile: str, robots_503: str, robots_drop: str) -> str:
    def org(slug: str, base: str) -> str:
        return (f"- id: {slug}\n  name: {slug.title()} Test Site\n  type: ngo\n  country: null\n"
                f"  sources:\n  - url: '{base}/hostile/'\n    kind: listing\n")
    return "organizations:\n" + org("hostile", hostile) + org("robots-503", robots_503) + org(
        "robots-drop", robots_drop
    )


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    db, sources = folder / "crawl.db", folder / "sources.yaml"
    with CrawlServer() as hostile, CrawlServer(robots="503") as unavailable, \
            CrawlServer(robots="drop") as dropping:
        sources.write_text(registry(hostile.base_url, unavailable.base_url, dropping.base_url))
        settings = [arg for key, value in SETTINGS.items() for arg in ("--set", f"{key}={value}")]
        result = run_cli("crawl", "--db", str(db), "--sources", str(sources), *settings,
                         timeout=300)
        connection = sqlite3.connect(db)
        ledger = {
            url.split("//", 1)[1]: (status, code, reason, http)
            for url, status, code, reason, http in connection.execute(
                "select url, status, reason_code, reason, http_status from fetches"
            )
        }
        documents = {
            url.split("//", 1)[1] for (url,) in connection.execute("select url from documents")
        }
        connection.close()
        host = hostile.base_url.split("//", 1)[1]
        yield {
            "result": result, "hostile": hostile, "unavailable": unavailable, "dropping": dropping,
            # Keyed by path for the hostile host, by host/path for the others.
            "ledger": {k.removeprefix(host + "/"): v for k, v in ledger.items()},
            "documents": {k.removeprefix(host + "/") for k in documents},
        }


def test_the_crawl_finishes(hostile_crawl):
    assert hostile_crawl["result"].returncode == 0, hostile_crawl["result"].stderr[-3000:]


def test_retry_after_is_honoured_on_503_and_429(hostile_crawl):
    server = hostile_crawl["hostile"]
    for page, wait in (("retry-after.html", 2.0), ("rate-limited.html", 1.0)):
        hits = server.requested(f"/hostile/{page}")
        assert len(hits) == 2, page
        assert hits[1].at - hits[0].at >= wait - 0.05, page
        assert f"hostile/{page}" in hostile_crawl["documents"]
        assert hostile_crawl["ledger"][f"hostile/{page}"][0] == "stored"


def test_server_errors_are_retried_then_recorded(hostile_crawl):
    server, ledger = hostile_crawl["hostile"], hostile_crawl["ledger"]
    assert len(server.requested("/hostile/flaky.html")) == 2
    assert ledger["hostile/flaky.html"][0] == "stored"
    assert len(server.requested("/hostile/broken.html")) == 3  # one try and RETRY_TIMES retries
    assert ledger["hostile/broken.html"] == ("failed", "http", "HTTP 500", 500)
    assert ledger["hostile/missing.html"] == ("failed", "http", "HTTP 404", 404)
    assert len(server.requested("/hostile/missing.html")) == 1


def test_a_retry_after_longer_than_the_limit_is_given_up(hostile_crawl):
    status, code, reason, _ = hostile_crawl["ledger"]["hostile/come-back-tomorrow.html"]
    assert (status, code) == ("failed", "retry_after") and "86400" in reason
    assert len(hostile_crawl["hostile"].requested("/hostile/come-back-tomorrow.html")) == 1


@pytest.mark.parametrize("page", ["oversized.html", "oversized-streamed.html", "gzip-bomb.html"])
def test_size_limit_breaches_are_recorded(hostile_crawl, page):
    status, code, reason, _ = hostile_crawl["ledger"][f"hostile/{page}"]
    assert (status, code) == ("failed", "too_large"), reason
    assert f"hostile/{page}" not in hostile_crawl["documents"]


def test_timeouts_binaries_and_empty_pages_are_recorded(hostile_crawl):
    ledger = hostile_crawl["ledger"]
    assert ledger["hostile/slow.html"][:2] == ("failed", "timeout")
    assert ledger["hostile/binary.bin"][:2] == ("skipped", "unsupported")
    assert ledger["hostile/empty.html"][:2] == ("failed", "parse")


@pytest.mark.parametrize(
    "server_name, why", [("unavailable", "HTTP 503"), ("dropping", "unreachable")]
)
def test_a_host_whose_robots_txt_fails_is_not_crawled(hostile_crawl, server_name, why):
    server = hostile_crawl[server_name]
    assert {hit.path for hit in server.hits} == {"/robots.txt"}
    base = server.base_url.split("//", 1)[1]
    skipped = [v for k, v in hostile_crawl["ledger"].items() if k.startswith(base)]
    assert skipped, hostile_crawl["ledger"]
    for status, code, reason, _ in skipped:
        assert (status, code) == ("skipped", "robots") and why in reason


def test_the_summary_counts_failures_by_reason(hostile_crawl):
    summary = hostile_crawl["result"].stderr.split("crawl finished", 1)[1]
    assert "3 too_large" in summary and "1 retry_after" in summary and "2 robots" in summary


def test_polite_defaults_send_one_request_per_host_at_a_time(tmp_path):
    """With the project's own politeness settings (only the delays shortened), a slow server
    never sees two requests from the crawler at once, and robots.txt comes first."""
    from crawl_server import FIXTURES

    with CrawlServer(delay=0.05) as server:
        result = run_cli(
            "crawl", "--db", str(tmp_path / "polite.db"), "--sources",
            str(FIXTURES / "sources.yaml"), "--base-url", server.base_url,
            "--set", "DOWNLOAD_DELAY=0.02", "--set", "AUTOTHROTTLE_START_DELAY=0.02",
            "--set", "AUTOTHROTTLE_MAX_DELAY=0.5", timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert len(server.hits) > 40
        assert server.behaviour.most_active == 1
        assert server.hits[0].path == "/robots.txt"


def test_the_shipped_settings_are_polite(monkeypatch):
    from scrapy.utils.project import get_project_settings

    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "crawlers.settings")
    settings = get_project_settings()
    assert settings.getbool("ROBOTSTXT_OBEY") and settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1.0
    assert "+https://" in settings.get("USER_AGENT") and "stancemap" in settings.get("USER_AGENT")
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["crawlers.middlewares.RobotsGateMiddleware"]
    assert middlewares["crawlers.middlewares.RetryAfterMiddleware"]
    assert 0 < settings.getint("DOWNLOAD_MAXSIZE") <= 50 * 1024 * 1024
