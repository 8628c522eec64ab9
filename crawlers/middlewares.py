"""Downloader middlewares that make the crawl polite where Scrapy's defaults are not strict
enough.

- ``RobotsGateMiddleware``: robots.txt as Scrapy reads it, except that a robots.txt answering
  5xx, or not answering at all, means "do not crawl this host" (Scrapy would crawl everything).
  A 4xx robots.txt means there are no rules, as RFC 9309 says.
- ``RetryAfterMiddleware``: Scrapy's retries, plus ``Retry-After`` on 429 and 503: the whole
  host is paused for the time the server asked (or an exponential backoff when it did not say),
  and a URL whose server asks for more than ``RETRY_AFTER_MAX`` seconds is given up and recorded.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from time import monotonic

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import reactor
from twisted.internet.defer import Deferred
from twisted.internet.task import deferLater

from crawlers.failures import HostUnavailable, RetryAfterTooLong

log = logging.getLogger(__name__)
RETRY_AFTER_STATUSES = (429, 503)


class _Unavailable:
    """Stands in for a robots parser when robots.txt could not be read."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


class RobotsGateMiddleware(RobotsTxtMiddleware):
    def process_request_2(self, rp, request) -> None:
        if isinstance(rp, _Unavailable):
            self._stats.inc_value("robotstxt/host_unavailable")
            raise HostUnavailable(rp.reason)
        super().process_request_2(rp, request)

    def _settle(self, netloc: str, parser) -> None:
        waiting = self._parsers[netloc]
        self._parsers[netloc] = parser
        if isinstance(waiting, Deferred):
            waiting.callback(parser)

    async def _parse_robots(self, response, netloc: str, request) -> None:
        if response.status >= 500:
            log.warning("robots.txt of %s: HTTP %s: host not crawled", netloc, response.status)
            self._settle(netloc, _Unavailable(
                f"robots.txt answered HTTP {response.status}: host not crawled"
            ))
            return
        if response.status >= 400:
            response = response.replace(body=b"")  # no robots.txt: no rules
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        log.warning("robots.txt of %s unreachable (%s): host not crawled", netloc, exc)
        self._settle(netloc, _Unavailable(
            f"robots.txt unreachable ({type(exc).__name__}: {exc}): host not crawled"
        ))


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delay-seconds or an HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.max_wait = settings.getfloat("RETRY_AFTER_MAX", 120.0)
        self.backoff = settings.getfloat("RETRY_BACKOFF", 1.0)
        self._paused_until: dict[str, float] = {}

    async def process_request(self, request, spider=None) -> None:
        host = urlparse_cached(request).netloc
        wait = self._paused_until.get(host, 0.0) - monotonic()
        if wait > 0:
            await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))

    def process_response(self, request, response, spider=None):
        if response.status not in RETRY_AFTER_STATUSES or request.meta.get("dont_retry"):
            return super().process_response(request, response)
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        if wait is None:
            wait = self.backoff * 2 ** request.meta.get("retry_times", 0)
        if wait > self.max_wait:
            raise RetryAfterTooLong(
                f"HTTP {response.status} with Retry-After {wait:.0f}s, over the "
                f"{self.max_wait:.0f}s we wait"
            )
        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response
        host = urlparse_cached(request).netloc
        self._paused_until[host] = max(self._paused_until.get(host, 0.0), monotonic() + wait)
        log.info("%s answered %s: pausing the host for %.1fs", host, response.status, wait)
        return retry
