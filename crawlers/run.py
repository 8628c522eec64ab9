"""Run the statements spider in this process and report what it did.

Twisted's reactor starts once per process, so a caller crawls once per process (the CLI does).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

from crawlers.sources import load_sources
from db.store import Store


def crawl_settings(db_path: str | Path, sources: str | Path | None, base_url: str | None, **overrides):
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawlers.settings")
    settings = get_project_settings()
    settings.set("STANCEMAP_DB", str(db_path), priority="cmdline")
    settings.set("STANCEMAP_SOURCES", str(sources) if sources else None, priority="cmdline")
    settings.set("STANCEMAP_BASE_URL", base_url, priority="cmdline")
    for key, value in overrides.items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(
    db_path: str | Path,
    sources: str | Path | None = None,
    base_url: str | None = None,
    **overrides,
) -> dict:
    """Crawl every source in the registry into the database; returns the run's fetch counts."""
    # Validate before starting the reactor: a bad registry is one clear error, not a traceback.
    load_sources(sources, base_url=base_url)
    Store(db_path).close()
    process = CrawlerProcess(crawl_settings(db_path, sources, base_url, **overrides))
    process.crawl("statements")
    process.start()
    with Store(db_path) as store:
        last = list(
            store.db.query("select stats from runs where stage = 'crawl' order by started_at desc limit 1")
        )
    return json.loads(last[0]["stats"]) if last and last[0]["stats"] else {}
