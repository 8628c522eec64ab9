"""The generic statements spider: from each source's listing pages, feeds or sitemaps to the
statement pages they link, extracted into ``PageItem``s.

Which pages are statements is decided later, in the pipeline, from the page's own words; the
spider only finds candidate pages and follows pagination.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import Sitemap
from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError

from crawlers.extract import EXTRACTOR_VERSION, ExtractionError, extract_html, extract_pdf
from crawlers.items import FetchItem, PageItem
from crawlers.sources import load_sources
from crawlers.urls import canonical_url, same_site
from db.store import stable_id

PAGINATION_TEXT = re.compile(r"^\s*(next|older|more|previous posts|older posts|»|›|→)", re.I)
# Links a statement never lives behind.
SKIP_LINK = re.compile(
    r"(/tag/|/tags/|/category/|/author/|/search|/login|/signin|/cart|/donate|mailto:|tel:|"
    r"javascript:|\.(?:jpg|jpeg|png|gif|svg|webp|css|js|zip|mp3|mp4|ico|woff2?)(?:\?|$))",
    re.I,
)
MAX_LISTING_PAGES = 50


class StatementsSpider(scrapy.Spider):
    name = "statements"

    def __init__(self, sources: str | None = None, base_url: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.sources_path = sources
        self.base_url = base_url
        self.organizations: list[dict] = []

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        kwargs.setdefault("sources", crawler.settings.get("STANCEMAP_SOURCES"))
        kwargs.setdefault("base_url", crawler.settings.get("STANCEMAP_BASE_URL"))
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.organizations = load_sources(spider.sources_path, base_url=spider.base_url)
        return spider

    async def start(self):
        for org in self.organizations:
            for source in org["sources"]:
                meta = {
                    "organization_id": org["id"],
                    "source_id": stable_id(org["id"], source["url"]),
                    "source": source,
                    "listing_pages": 0,
                }
                callback = {
                    "listing": self.parse_listing,
                    "feed": self.parse_feed,
                    "sitemap": self.parse_sitemap,
                    "page": self.parse_page,
                }[source["kind"]]
                yield scrapy.Request(
                    source["url"], callback=callback, errback=self.on_error, meta=meta
                )

    # --- navigation ------------------------------------------------------------------------

    def _follow_ok(self, url: str, response: Response) -> bool:
        source = response.meta["source"]
        if not url.startswith(("http://", "https://")) or SKIP_LINK.search(url):
            return False
        if not same_site(url, source["url"]) and not any(
            same_site(url, f"http://{d}") for d in source.get("allowed_domains") or []
        ):
            return False
        for pattern in source.get("deny") or []:
            if re.search(pattern, url):
                return False
        follow = source.get("follow") or []
        return not follow or any(re.search(pattern, url) for pattern in follow)

    def _page_request(self, url: str, response: Response) -> scrapy.Request:
        meta = {k: response.meta[k] for k in ("organization_id", "source_id", "source")}
        return scrapy.Request(url, callback=self.parse_page, errback=self.on_error, meta=meta)

    def parse_listing(self, response: Response):
        if not isinstance(response, TextResponse):
            yield from self.parse_page(response)
            return
        yield FetchItem(
            url=response.url,
            organization_id=response.meta["organization_id"],
            status="listing",
            reason="listing page",
            http_status=response.status,
        )
        next_pages = set(response.css('a[rel~="next"]::attr(href), link[rel~="next"]::attr(href)').getall())
        for anchor in response.css("a[href]"):
            text = " ".join(anchor.css("::text").getall())
            if PAGINATION_TEXT.match(text or ""):
                next_pages.add(anchor.attrib["href"])
        seen_pages = response.meta["listing_pages"]
        for href in next_pages:
            url = urljoin(response.url, href)
            if seen_pages < MAX_LISTING_PAGES and self._follow_ok(url, response):
                yield response.follow(
                    url,
                    callback=self.parse_listing,
                    errback=self.on_error,
                    meta={**response.meta, "listing_pages": seen_pages + 1},
                )
        # Links outside the site chrome; navigation leads to about pages, not statements.
        links = response.xpath(
            "//a[@href][not(ancestor::nav or ancestor::header or ancestor::footer)]/@href"
        ).getall() or response.css("a[href]::attr(href)").getall()
        for href in links:
            url = urljoin(response.url, href.strip())
            if url in next_pages or canonical_url(url) == canonical_url(response.url):
                continue
            if self._follow_ok(url, response):
                yield self._page_request(url, response)

    def parse_feed(self, response: Response):
        yield FetchItem(
            url=response.url,
            organization_id=response.meta["organization_id"],
            status="listing",
            reason="feed",
            http_status=response.status,
        )
        selector = scrapy.Selector(response, type="xml")
        selector.remove_namespaces()
        links = selector.xpath("//item/link/text()").getall()
        links += selector.xpath("//entry/link[not(@rel) or @rel='alternate']/@href").getall()
        for link in links:
            url = urljoin(response.url, link.strip())
            if self._follow_ok(url, response):
                yield self._page_request(url, response)

    def parse_sitemap(self, response: Response):
        yield FetchItem(
            url=response.url,
            organization_id=response.meta["organization_id"],
            status="listing",
            reason="sitemap",
            http_status=response.status,
        )
        try:
            sitemap = Sitemap(response.body)
        except Exception as error:  # lxml raises several kinds on broken XML
            yield self._failure(response.url, response, f"unreadable sitemap: {error}")
            return
        for entry in sitemap:
            url = urljoin(response.url, entry.get("loc", "").strip())
            if sitemap.type == "sitemapindex":
                yield response.follow(url, callback=self.parse_sitemap, errback=self.on_error, meta=response.meta)
            elif self._follow_ok(url, response):
                yield self._page_request(url, response)

    # --- pages -----------------------------------------------------------------------------

    def parse_page(self, response: Response):
        content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        try:
            if "pdf" in content_type or response.body[:4] == b"%PDF":
                extracted = extract_pdf(response.body, response.url)
            elif isinstance(response, TextResponse):
                extracted = extract_html(response.text, response.url)
            else:
                yield self._failure(response.url, response, f"unsupported content type {content_type!r}", "skipped")
                return
        except ExtractionError as error:
            yield self._failure(response.url, response, str(error))
            return
        canonical = extracted.canonical_url
        if not canonical or not same_site(canonical, response.url):
            canonical = response.url
        yield PageItem(
            url=response.url,
            canonical_url=canonical_url(canonical),
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
            headers={k.decode("latin-1"): v[0].decode("latin-1") for k, v in response.headers.items() if v},
            body=response.body,
        )

    # --- failures --------------------------------------------------------------------------

    def _failure(self, url: str, response: Response | None, reason: str, status: str = "failed"):
        meta = response.meta if response is not None else {}
        return FetchItem(
            url=url,
            organization_id=meta.get("organization_id"),
            status=status,
            reason=reason,
            http_status=getattr(response, "status", None),
        )

    def on_error(self, failure):
        request = failure.request
        response = getattr(failure.value, "response", None)
        status = "failed"
        if failure.check(IgnoreRequest):
            reason, status = f"not fetched: {failure.getErrorMessage()}", "skipped"
        elif failure.check(HttpError):
            reason = f"HTTP {response.status}"
        elif failure.check(DNSLookupError):
            reason = "DNS lookup failed"
        elif failure.check(TimeoutError, TCPTimedOutError):
            reason = "timed out"
        else:
            reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        self.logger.warning("failed %s: %s", request.url, reason)
        yield FetchItem(
            url=request.url,
            organization_id=request.meta.get("organization_id"),
            status=status,
            reason=reason,
            http_status=response.status if response is not None else None,
        )
