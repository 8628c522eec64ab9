"""Reading the pages that lead to statements: listing pages (links and pagination), RSS/Atom
feeds and XML sitemaps (plain or gzipped, and sitemap indexes)."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from scrapy import Selector
from scrapy.http import Response, TextResponse
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

PAGINATION_TEXT = re.compile(
    r"^\s*(next|older|more|load more|previous posts|older posts|older entries|»|›|→)", re.I
)
SITEMAP_MAX_BYTES = 50 * 1024 * 1024  # the sitemaps protocol's own limit, uncompressed
_ROOT = re.compile(rb"<(?:[A-Za-z0-9_-]+:)?(rss|feed|RDF|urlset|sitemapindex)[\s>]")


def looks_like(response: Response) -> str | None:
    """'feed' or 'sitemap' when a URL registered as a listing serves XML of that kind."""
    head = response.body[:2048].lstrip()
    if head[:2] == b"\x1f\x8b":
        return "sitemap"
    if not head.startswith(b"<?xml") and b"<rss" not in head and b"<feed" not in head:
        return None
    match = _ROOT.search(head)
    if not match:
        return None
    return "sitemap" if match.group(1) in (b"urlset", b"sitemapindex") else "feed"


def next_page_links(response: TextResponse) -> set[str]:
    """Links to the next page of a listing: rel=next, or an anchor that says so."""
    found = set(response.css('a[rel~="next"]::attr(href), link[rel~="next"]::attr(href)').getall())
    for anchor in response.css("a[href]"):
        text = " ".join(anchor.css("::text").getall())
        label = anchor.attrib.get("aria-label", "")
        if PAGINATION_TEXT.match(text or "") or PAGINATION_TEXT.match(label):
            found.add(anchor.attrib["href"])
    return {urljoin(response.url, href.strip()) for href in found if href.strip()}


def page_links(response: TextResponse) -> list[str]:
    """Links in a listing's content; the site chrome (nav, header, footer) leads to about
    pages, not statements."""
    links = response.xpath(
        "//a[@href][not(ancestor::nav or ancestor::header or ancestor::footer)]/@href"
    ).getall() or response.css("a[href]::attr(href)").getall()
    seen: dict[str, None] = {}
    for href in links:
        href = href.strip()
        if href and not href.startswith("#"):
            seen.setdefault(urljoin(response.url, href), None)
    return list(seen)


def feed_links(response: Response) -> list[str]:
    """Item links of an RSS 1.0/2.0 or Atom feed, in feed order."""
    selector = Selector(text=response.body.decode("utf-8", "replace").lstrip("\ufeff"), type="xml")
    selector.remove_namespaces()
    root = selector.xpath("name(/*)").get() or ""
    if root not in ("rss", "feed", "RDF"):
        raise ValueError(f"not an RSS or Atom feed (root element {root or 'missing'!r})")
    links = []
    for item in selector.xpath("//item"):
        link = item.xpath("link/text()").get() or item.xpath(
            "guid[not(@isPermaLink='false')]/text()"
        ).get()
        if link:
            links.append(link)
    for entry in selector.xpath("//entry"):
        link = entry.xpath("link[@rel='alternate']/@href").get() or entry.xpath(
            "link[not(@rel)]/@href"
        ).get()
        if link:
            links.append(link)
    return [urljoin(response.url, link.strip()) for link in links if link.strip()]


def sitemap_links(response: Response) -> tuple[bool, list[str]]:
    """(is a sitemap index, the URLs it lists)."""
    body = response.body
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, max_size=SITEMAP_MAX_BYTES)
        except (OSError, ValueError) as error:
            raise ValueError(f"cannot decompress: {error}") from error
    try:
        sitemap = Sitemap(body)
    except Exception as error:  # lxml raises several kinds on broken XML
        raise ValueError(str(error)) from error
    if sitemap.type not in ("urlset", "sitemapindex"):
        raise ValueError(f"root element is {sitemap.type!r}, not urlset or sitemapindex")
    urls = [urljoin(response.url, entry.get("loc", "").strip()) for entry in sitemap]
    return sitemap.type == "sitemapindex", [u for u in urls if u]
