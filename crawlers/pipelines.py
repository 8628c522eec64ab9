"""The crawl's one pipeline: decide what a page is, then store it through ``db.store``.

Off-topic pages and failures are recorded in ``fetches`` with their reason; statements go to
``documents`` (with the raw page) in one transaction each; an exact copy of a stored statement
under another URL is linked to the original instead of counted twice.
"""

from __future__ import annotations

import logging
from collections import Counter

from scrapy.exceptions import DropItem

from crawlers.items import FetchItem, PageItem
from crawlers.relevance import assess
from db.store import Store, code_version, content_hash, document_id
from db.treaty import load_treaty

log = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, db_path: str, treaty_id: str, crawler=None) -> None:
        self.crawler = crawler
        self.db_path = db_path
        self.treaty = load_treaty(treaty_id)
        self.store: Store | None = None
        self.stats: Counter[str] = Counter()
        self.run_id = ""

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(settings.get("STANCEMAP_DB"), settings.get("STANCEMAP_TREATY"), crawler)

    def _spider(self, spider):
        return spider or getattr(self.crawler, "spider", None)

    def open_spider(self, spider=None) -> None:
        spider = self._spider(spider)
        self.store = Store(self.db_path)
        self.store.sync_treaty(self.treaty)
        organizations = getattr(spider, "organizations", [])
        self.store.sync_organizations(organizations, origin="sources")
        self.run_id = self.store.start_run(
            "crawl", code_version(), organizations=len(organizations)
        )

    def close_spider(self, spider=None) -> None:
        if self.store is None:
            return
        spider = self._spider(spider)
        reason = getattr(spider, "close_reason", "finished") if spider else "finished"
        self.store.finish_run(self.run_id, dict(self.stats), status="ok")
        log.info("crawl summary: %s (%s)", dict(self.stats), reason)
        self.store.close()

    def process_item(self, item, spider=None):
        assert self.store is not None
        if isinstance(item, FetchItem):
            self.stats[item["status"]] += 1
            self.store.record_fetch(
                item["url"],
                item["status"],
                reason=item.get("reason"),
                http_status=item.get("http_status"),
                organization_id=item.get("organization_id"),
                run_id=self.run_id,
            )
            return item
        if isinstance(item, PageItem):
            return self._process_page(item)
        return item

    def _process_page(self, item: PageItem) -> PageItem:
        store = self.store
        relevance = assess(self.treaty, item.get("title"), item["text"])
        fetch = {
            "organization_id": item.get("organization_id"),
            "http_status": item.get("http_status"),
            "run_id": self.run_id,
        }
        if not relevance.relevant:
            self.stats["off_topic"] += 1
            store.record_fetch(item["url"], "off_topic", reason=relevance.reason, **fetch)
            raise DropItem(f"off topic: {item['url']} ({relevance.reason})")

        canonical = item.get("canonical_url") or item["url"]
        doc_id = document_id(canonical)
        original = store.document_by_hash(content_hash(item["text"]))
        duplicate_of = original["id"] if original and original["id"] != doc_id else None
        result = store.save_document(
            {
                "id": doc_id,
                "url": item["url"],
                "canonical_url": canonical,
                "organization_id": item.get("organization_id"),
                "source_id": item.get("source_id"),
                "title": item.get("title"),
                "author": item.get("author"),
                "published": item.get("published"),
                "text": item["text"],
                "language": item.get("language"),
                "content_type": item.get("content_type"),
                "relevance": relevance.score,
                "duplicate_of": duplicate_of,
                "extractor": item.get("extractor"),
            },
            raw={
                "url": item["url"],
                "status": item.get("http_status"),
                "headers": item.get("headers"),
                "body": item.get("body") or b"",
            },
        )
        status = "duplicate" if duplicate_of else result.status
        self.stats[status] += 1
        store.record_fetch(
            item["url"],
            "duplicate" if duplicate_of else ("unchanged" if result.status == "unchanged" else "stored"),
            reason=f"copy of {duplicate_of}" if duplicate_of else relevance.reason,
            document_id=result.document_id,
            **fetch,
        )
        return item
