"""What the crawl is doing, for the person who started it: a progress line on stderr every few
seconds while it runs, and a summary at the end (the CLI prints it)."""

from __future__ import annotations

import logging
import sys
import time

from scrapy import logformatter, signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

LEDGER_STATUSES = (
    "stored", "updated", "unchanged", "duplicate", "off_topic", "listing", "skipped", "failed",
)


class CrawlProgress:
    """Scrapy extension: one line per ``STANCEMAP_PROGRESS_INTERVAL`` seconds."""

    def __init__(self, crawler, interval: float, stream=None) -> None:
        self.crawler = crawler
        self.interval = interval
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler):
        interval = crawler.settings.getfloat("STANCEMAP_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        extension = cls(crawler, interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider=None) -> None:
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.report)
        self.loop.start(self.interval, now=False)

    def spider_closed(self, spider=None, reason=None) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.report(final=True)

    def report(self, final: bool = False) -> None:
        stats = self.crawler.stats.get_stats()
        elapsed = time.monotonic() - self.started
        responses = stats.get("downloader/response_count", 0)
        queued = 0
        engine = getattr(self.crawler, "engine", None)
        scheduler = getattr(getattr(engine, "_slot", None), "scheduler", None)
        if scheduler is not None and hasattr(scheduler, "__len__"):
            queued = len(scheduler)
        counts = "  ".join(
            f"{status} {stats[f'stancemap/{status}']}"
            for status in LEDGER_STATUSES
            if stats.get(f"stancemap/{status}")
        )
        rate = responses / elapsed if elapsed > 0 else 0.0
        label = "crawl done" if final else "crawling"
        tail = "" if final else f"  queued {queued}"
        self.stream.write(
            f"{label} {elapsed:6.0f}s  responses {responses} ({rate:.1f}/s)  {counts}{tail}\n"
        )
        self.stream.flush()


def format_summary(stats: dict, failures: dict[str, int] | None = None) -> str:
    """The run summary as a few readable lines."""
    counts = ", ".join(
        f"{stats[status]} {status.replace('_', '-')}" for status in LEDGER_STATUSES
        if stats.get(status)
    ) or "nothing fetched"
    lines = [f"crawl finished ({stats.get('close_reason', 'finished')}): {counts}"]
    if stats.get("seconds"):
        rate = (stats.get("responses") or 0) / stats["seconds"]
        lines.append(f"  {stats.get('responses', 0)} responses in {stats['seconds']:.1f}s "
                     f"({rate:.1f}/s)")
    if failures:
        detail = ", ".join(f"{count} {code}" for code, count in sorted(failures.items()))
        lines.append(f"  failures and skips by reason: {detail} (see the crawl_failures view)")
    return "\n".join(lines)


class QuietLogFormatter(logformatter.LogFormatter):
    """Scrapy's log lines without the items: a page item carries the whole raw body."""

    def scraped(self, item, response, spider):
        return {"level": logging.DEBUG, "msg": "stored or recorded %(url)s",
                "args": {"url": item.get("url") if hasattr(item, "get") else response}}

    def dropped(self, item, exception, response, spider):
        return {"level": logging.INFO, "msg": "not a statement: %(exception)s",
                "args": {"exception": exception}}
