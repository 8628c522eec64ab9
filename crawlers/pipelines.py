"""The crawl's one pipeline: decide what a page is, then store it through ``db.store``.

Every URL ends in the ``fetches`` ledger with what became of it. Off-topic pages and failures
are recorded with their reason; statements go to ``documents`` (with the raw page and a
near-duplicate signature) together with their ledger row, in one transaction each, so a crawl
killed at any moment leaves whole pages or none. A copy of a stored statement (exact or near)
is linked to its original instead of counted twice.
"""

from __future__ import annotations

import logging
import time
from collections import Counter

from scrapy.exceptions import DropItem

from crawlers.dedup import (
    NEAR_DUPLICATE_RESEMBLANCE,
    NearDuplicateIndex,
    Signature,
    prefer_as_original,
)
from crawlers.dedup import resemblance as shingle_resemblance
from crawlers.dedup import shingles as text_shingles
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
        self.index = NearDuplicateIndex()
        self.started = time.monotonic()

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
        for row in self.store.document_signatures():
            self.index.add(row["document_id"], row["minhash"])
        self.started = time.monotonic()
        # One crawl at a time per database: a crawl still "running" was killed.
        self.store.mark_interrupted_runs("crawl")
        self.run_id = self.store.start_run(
            "crawl", code_version(), organizations=len(organizations)
        )
        if self.crawler is not None:
            self.crawler.stats.set_value("stancemap/run_id", self.run_id)

    def close_spider(self, spider=None) -> None:
        if self.store is None:
            return
        spider = self._spider(spider)
        reason = getattr(spider, "close_reason", None) or "finished"
        # From the ledger, not the counters: a page stored early may have become a copy since.
        stats = self.store.fetch_counts(self.run_id)
        if self.stats.get("updated"):
            stats["updated"] = self.stats["updated"]
        stats["close_reason"] = reason
        stats["seconds"] = round(time.monotonic() - self.started, 2)
        if self.crawler is not None:
            stats["responses"] = self.crawler.stats.get_value("downloader/response_count", 0)
        self.store.finish_run(self.run_id, stats, status="ok" if reason == "finished" else reason)
        log.info("crawl summary: %s", stats)
        self.store.close()
        self.store = None

    def _count(self, status: str) -> None:
        self.stats[status] += 1
        if self.crawler is not None:
            self.crawler.stats.inc_value(f"stancemap/{status}")

    def process_item(self, item, spider=None):
        assert self.store is not None
        if isinstance(item, FetchItem):
            if item["status"] in ("unchanged", "duplicate") and item.get("document_id"):
                # A 304: what the page is now, not what it was when this crawl started (a
                # statement stored earlier may since have turned out to be a copy).
                document = self.store.document(item["document_id"])
                if document is not None:
                    item["status"] = "duplicate" if document["duplicate_of"] else "unchanged"
            self._count(item["status"])
            fields = {k: item.get(k) for k in ("reason", "reason_code", "http_status",
                                               "organization_id", "document_id", "redirected_to")}
            self.store.record_fetch(
                item["url"], item["status"], run_id=self.run_id,
                **{k: v for k, v in fields.items() if v is not None},
            )
            return item
        if isinstance(item, PageItem):
            return self._process_page(item)
        return item

    def _fetch_fields(self, item: PageItem) -> dict:
        headers = {k.lower(): v for k, v in (item.get("headers") or {}).items()}
        return {
            "organization_id": item.get("organization_id"),
            "http_status": item.get("http_status"),
            "run_id": self.run_id,
            "etag": headers.get("etag"),
            "last_modified": headers.get("last-modified"),
            "size": len(item.get("body") or b""),
            "content_type": item.get("content_type"),
            "reason_code": None,
        }

    def _process_page(self, item: PageItem) -> PageItem:
        store = self.store
        fetch = self._fetch_fields(item)
        relevance = assess(self.treaty, item.get("title"), item["text"])
        if not relevance.relevant:
            self._count("off_topic")
            store.record_fetch(item["url"], "off_topic", reason=relevance.reason, **fetch)
            raise DropItem(f"off topic: {item['url']} ({relevance.reason})")

        canonical = item.get("canonical_url") or item["url"]
        doc_id = document_id(canonical)
        text_hash = content_hash(item["text"])
        existing = store.document(doc_id)
        if existing and existing["content_hash"] == text_hash:
            # Not rewritten: the ledger notes the visit, the document stays as it was.
            status = "duplicate" if existing["duplicate_of"] else "unchanged"
            self._count(status)
            store.record_fetch(item["url"], status, reason="text unchanged",
                               document_id=doc_id, **fetch)
            return item

        doc = {
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
            "duplicate_of": None,
            "duplicate_score": None,
            "extractor": item.get("extractor"),
        }
        signature = Signature.of(item["text"])
        original, score = self._original_of(doc, text_hash, signature)
        demoted = None
        if original is not None:
            new = {**doc, "declared_original": item.get("declared_original")}
            if prefer_as_original(new, original):
                demoted = original
            else:
                doc["duplicate_of"], doc["duplicate_score"] = original["id"], score
        with store.transaction():
            result = store.save_document(
                doc,
                raw={
                    "url": item["url"],
                    "status": item.get("http_status"),
                    "headers": item.get("headers"),
                    "body": item.get("body") or b"",
                },
            )
            store.save_signature(doc_id, len(signature.shingles), signature.to_bytes())
            if demoted is not None:
                store.link_duplicate(demoted["id"], doc_id, score)
            if doc["duplicate_of"]:
                status, reason = "duplicate", f"copy of {doc['duplicate_of']} ({score:.2f})"
            else:
                status, reason = "stored", relevance.reason
            store.record_fetch(item["url"], status, reason=reason, document_id=doc_id, **fetch)
        self.index.add(doc_id, signature.minhash)
        self._count(status if result.status != "updated" or status == "duplicate" else "updated")
        return item

    def _original_of(
        self, doc: dict, text_hash: str, signature: Signature
    ) -> tuple[dict | None, float]:
        """The stored statement this text copies (followed to its own original), if any."""
        store = self.store
        exact = store.document_by_hash(text_hash)
        if exact is not None and exact["id"] != doc["id"]:
            return self._root(exact), 1.0
        if not signature.usable:
            return None, 0.0
        best, best_score = None, 0.0
        for candidate_id in self.index.candidates(signature.minhash) - {doc["id"]}:
            candidate = store.document(candidate_id)
            if candidate is None:
                continue
            score = shingle_resemblance(set(signature.shingles), text_shingles(candidate["text"]))
            if score >= NEAR_DUPLICATE_RESEMBLANCE and score > best_score:
                best, best_score = candidate, score
        return (self._root(best), best_score) if best is not None else (None, 0.0)

    def _root(self, doc: dict) -> dict:
        seen = {doc["id"]}
        while doc.get("duplicate_of") and doc["duplicate_of"] not in seen:
            parent = self.store.document(doc["duplicate_of"])
            if parent is None:
                break
            seen.add(parent["id"])
            doc = parent
        return doc
