"""The generic statements spider: from each source's listing pages, feeds or sitemaps to the
statement pages they link, extracted into ``PageItem``s.

Which pages are statements is decided later, in the pipeline, from the page's own words; the
spider only finds candidate pages, follows pagination, and records every URL that yields no
page (listing, redirect, 304, failure) as a ``FetchItem``.
"""

from __future__ import annotations

import re

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from crawlers.extract import (
    EXTRACTOR_VERSION,
    ExtractionError,
    UnsupportedContent,
    extract_body,
    extract_pdf,
    is_pdf,
)
from crawlers.failures import classify
from crawlers.items import FetchItem, PageItem
from crawlers.navigation import feed_links, looks_like, next_page_links, page_links, sitemap_links
from crawlers.sources import load_sources
from crawlers.urls import canonical_url, same_site
from db.store import Store, stable_id

# Links a statement never lives behind (PDFs are welcome: submissions are often PDFs).
SKIP_LINK = re.compile(
    r"(/tag/|/tags/|/category/|/author/|/search|/login|/signin|/cart|/donate|mailto:|tel:|"
    r"javascript:|\.(?:jpg|jpeg|png|gif|svg|webp|css|js|zip|mp3|mp4|ico|woff2?)(?:\?|$))",
    re.I,
)
MAX_LISTING_PAGES = 50
MAX_SITEMAP_DEPTH = 3
PASSED_META = ("organization_id", "source_id", "source")


class StatementsSpider(scrapy.Spider):
    name = "statements"

    def __init__(self, sources: str | None = None, base_url: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.sources_path = sources
        self.base_url = base_url
        self.organizations: list[dict] = []
        self.validators: dict[str, dict] = {}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        kwargs.setdefault("sources", crawler.settings.get("STANCEMAP_SOURCES"))
        kwargs.setdefault("base_url", crawler.settings.get("STANCEMAP_BASE_URL"))
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.organizations = load_sources(spider.sources_path, base_url=spider.base_url)
        if crawler.settings.getbool("STANCEMAP_CONDITIONAL"):
            with Store(crawler.settings.get("STANCEMAP_DB")) as store:
                spider.validators = store.fetch_validators()
        return spider

    async def start(self):
        callbacks = {
            "listing": self.parse_listing,
            "feed": self.parse_feed,
            "sitemap": self.parse_sitemap,
            "page": self.parse_page,
        }
        for org in self.organizations:
            for source in org["sources"]:
                meta = {
                    "organization_id": org["id"],
                    "source_id": stable_id(org["id"], source["url"]),
                    "source": source,
                    "listing_pages": 0,
                    "sitemap_depth": 0,
                }
                if source["kind"] == "page":
                    yield self._page_request(source["url"], meta)
                    continue
                yield scrapy.Request(
                    source["url"], callback=callbacks[source["kind"]], errback=self.on_error,
                    meta=meta,
                )

    # --- navigation ------------------------------------------------------------------------

    def _allowed(self, url: str, source: dict, *, follow_patterns: bool = True) -> bool:
        if not url.startswith(("http://", "https://")) or SKIP_LINK.search(url):
            return False
        if any(re.search(pattern, url) for pattern in source.get("deny") or []):
            return False
        if not follow_patterns:
            return True
        if not same_site(url, source["url"]) and not any(
            same_site(url, f"http://{domain}") for domain in source.get("allowed_domains") or []
        ):
            return False
        follow = source.get("follow") or []
        return not follow or any(re.search(pattern, url) for pattern in follow)

    def _page_request(self, url: str, meta: dict) -> scrapy.Request:
        meta = {k: meta[k] for k in PASSED_META}
        headers = {}
        known = self.validators.get(url)
        if known:
            # Ask the server to skip the body if the page has not changed since we stored it.
            if known.get("etag"):
                headers["If-None-Match"] = known["etag"]
            if known.get("last_modified"):
                headers["If-Modified-Since"] = known["last_modified"]
            meta["previous"] = known
            meta["handle_httpstatus_list"] = [304]
        # One request per page, whatever tracking tags or fragment the link carried.
        return scrapy.Request(
            canonical_url(url), callback=self.parse_page, errback=self.on_error, meta=meta,
            headers=headers,
        )

    def _recorded(self, response: Response, reason: str) -> FetchItem:
        return FetchItem(
            url=response.url,
            organization_id=response.meta["organization_id"],
            status="listing",
            reason=reason,
            http_status=response.status,
        )

    def parse_listing(self, response: Response):
        kind = looks_like(response)
        if kind == "feed":
            yield from self.parse_feed(response)
            return
        if kind == "sitemap":
            yield from self.parse_sitemap(response)
            return
        if not isinstance(response, TextResponse):
            yield from self.parse_page(response)
            return
        yield self._recorded(response, "listing page")
        source = response.meta["source"]
        next_pages = next_page_links(response)
        seen_pages = response.meta["listing_pages"]
        for url in next_pages:
            if seen_pages < MAX_LISTING_PAGES and self._allowed(url, {**source, "follow": []}):
                yield response.follow(
                    url,
                    callback=self.parse_listing,
                    errback=self.on_error,
                    meta={**{k: response.meta[k] for k in PASSED_META},
                          "listing_pages": seen_pages + 1},
                )
        here = canonical_url(response.url)
        for url in page_links(response):
            if url in next_pages or canonical_url(url) == here:
                continue
            if self._allowed(url, source):
                yield self._page_request(url, response.meta)

    def parse_feed(self, response: Response):
        yield self._recorded(response, "feed")
        source = response.meta["source"]
        try:
            links = feed_links(response)
        except ValueError as error:
            yield self._failure(response, "parse", f"unreadable feed: {error}")
            return
        for url in links:
            # Feed items are the organisation's own posts: follow patterns do not apply.
            if self._allowed(url, source, follow_patterns=False):
                yield self._page_request(url, response.meta)

    def parse_sitemap(self, response: Response):
        yield self._recorded(response, "sitemap")
        source = response.meta["source"]
        try:
            is_index, links = sitemap_links(response)
        except ValueError as error:
            yield self._failure(response, "parse", f"unreadable sitemap: {error}")
            return
        depth = response.meta.get("sitemap_depth", 0)
        for url in links:
            if is_index:
                if depth < MAX_SITEMAP_DEPTH and self._allowed(url, {**source, "follow": []}):
                    yield scrapy.Request(
                        url, callback=self.parse_sitemap, errback=self.on_error,
                        meta={**{k: response.meta[k] for k in PASSED_META},
                              "sitemap_depth": depth + 1},
                    )
            elif self._allowed(url, source):
                yield self._page_request(url, response.meta)

    # --- pages -----------------------------------------------------------------------------

    async def parse_page(self, response: Response):
        for item in self._redirects(response):
            yield item
        if response.status == 304:
            previous = response.meta.get("previous") or {}
            status = previous.get("status")
            yield FetchItem(
                url=response.url,
                organization_id=response.meta["organization_id"],
                status=status if status in ("off_topic", "duplicate") else "unchanged",
                reason="not modified since the last crawl (HTTP 304)",
                http_status=304,
                document_id=previous.get("document_id"),
            )
            return
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        try:
            if is_pdf(response.body, content_type):
                # A child process under time and memory limits; a thread keeps the crawl going.
                extracted = await maybe_deferred_to_future(
                    deferToThread(extract_pdf, response.body, response.url)
                )
            else:
                extracted = extract_body(response.body, content_type, response.url)
        except UnsupportedContent as error:
            yield self._failure(response, "unsupported", str(error), status="skipped")
            return
        except ExtractionError as error:
            yield self._failure(response, "parse", str(error))
            return
        # A page is identified by its own URL (tracking tags and fragments removed). A
        # canonical link or isBasedOn naming another URL only says which page is the original
        # if the two turn out to be copies: trusting it for identity would let a mirror
        # overwrite the statement it copies.
        here = canonical_url(response.url)
        declared = next(
            (canonical_url(link) for link in (extracted.canonical_url, extracted.based_on)
             if link and canonical_url(link) != here),
            None,
        )
        yield PageItem(
            url=response.url,
            canonical_url=here,
            declared_original=declared,
            organization_id=response.meta["organization_id"],
            source_id=response.meta["source_id"],
            title=extracted.title,
            published=extracted.published,
            author=extracted.author,
            text=extracted.text,
            language=extracted.language,
            content_type=extracted.content_type,
            extractor=EXTRACTOR_VERSION,
            http_status=response.status,
            headers={
                k.decode("latin-1"): v[0].decode("latin-1")
                for k, v in response.headers.items()
                if v
            },
            body=response.body,
        )

    def _redirects(self, response: Response):
        """The URLs that redirected here, so the ledger explains where they went."""
        for url in response.meta.get("redirect_urls") or []:
            if url != response.url:
                yield FetchItem(
                    url=url,
                    organization_id=response.meta.get("organization_id"),
                    status="skipped",
                    reason_code="redirect",
                    reason=f"redirected to {response.url}",
                    redirected_to=response.url,
                )

    # --- failures --------------------------------------------------------------------------

    def _failure(self, response: Response, code: str, reason: str, status: str = "failed"):
        return FetchItem(
            url=response.url,
            organization_id=response.meta.get("organization_id"),
            status=status,
            reason_code=code,
            reason=reason,
            http_status=response.status,
        )

    def on_error(self, failure):
        request = failure.request
        found = classify(failure)
        log = self.logger.info if found.status == "skipped" else self.logger.warning
        log("%s %s: %s", found.status, request.url, found.reason)
        yield FetchItem(
            url=request.url,
            organization_id=request.meta.get("organization_id"),
            status=found.status,
            reason_code=found.code,
            reason=found.reason,
            http_status=found.http_status,
        )
