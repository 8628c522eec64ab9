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


def crawl_settings(
    db_path: str | Path, sources: str | Path | None, base_url: str | None, **overrides
):
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
    """Crawl every source in the registry into the database.

    Returns the run's counts by ledger status (``close_reason`` too) and, under ``failures``,
    the failed or skipped URLs of this run counted by reason code.
    """
    # Validate before starting the reactor: a bad registry is one clear error, not a traceback.
    load_sources(sources, base_url=base_url)
    Store(db_path).close()
    process = CrawlerProcess(crawl_settings(db_path, sources, base_url, **overrides))
    process.crawl("statements")
    process.start()
    return last_run_summary(db_path)


def last_run_summary(db_path: str | Path) -> dict:
    with Store(db_path) as store:
        last = list(store.db.query(
            "select id, stats from runs where stage = 'crawl' order by started_at desc, rowid desc"
            " limit 1"
        ))
        if not last or not last[0]["stats"]:
            return {}
        failures = {
            row["code"]: row["n"]
            for row in store.db.query(
                "select coalesce(reason_code, 'other') as code, count(*) as n from fetches "
                "where run_id = ? and status in ('failed', 'skipped') group by 1",
                [last[0]["id"]],
            )
        }
    return {**json.loads(last[0]["stats"]), "run_id": last[0]["id"], "failures": failures}
