"""Why a URL was not turned into a page: one classification for the whole crawl.

Every failure lands in the ``fetches`` ledger as ``(status, reason_code, reason)``: ``status``
is ``failed`` (the site or the page is at fault) or ``skipped`` (we chose not to fetch it:
robots.txt, an unreachable robots.txt); ``reason_code`` is a short word to group by; ``reason``
is the sentence a person reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.web._newclient import ResponseNeverReceived

REASON_CODES = (
    "http",  # the server answered with an error status
    "timeout",
    "dns",
    "connection",  # refused, reset, dropped mid-body
    "too_large",  # over DOWNLOAD_MAXSIZE, before or after decompression
    "robots",  # disallowed by robots.txt, or robots.txt unavailable (5xx, unreachable)
    "retry_after",  # the server asked us to come back later than we are willing to wait
    "parse",  # the body could not be turned into text
    "unsupported",  # a content type we do not read
    "other",
)


@dataclass(frozen=True)
class Failure:
    status: str  # failed | skipped
    code: str
    reason: str
    http_status: int | None = None


class HostUnavailable(IgnoreRequest):
    """robots.txt could not be read (5xx or unreachable): the whole host is left alone."""


class RetryAfterTooLong(IgnoreRequest):
    """The server asked for a longer wait than RETRY_AFTER_MAX; the URL is given up."""


def classify(failure) -> Failure:
    """A Twisted ``Failure`` from a request errback, as a ledger entry."""
    error = failure.value
    response = getattr(error, "response", None)
    status = getattr(response, "status", None)
    message = failure.getErrorMessage()
    if failure.check(HttpError):
        detail = getattr(error, "detail", "") or ""
        return Failure("failed", "http", f"HTTP {status}{detail}", status)
    if failure.check(HostUnavailable):
        return Failure("skipped", "robots", message)
    if failure.check(RetryAfterTooLong):
        return Failure("failed", "retry_after", message, status)
    if failure.check(IgnoreRequest):
        if "robots.txt" in message:
            return Failure("skipped", "robots", "disallowed by robots.txt")
        if "DOWNLOAD_MAXSIZE" in message:
            return Failure("failed", "too_large", f"decompressed body over the limit: {message}")
        return Failure("skipped", "other", f"not fetched: {message}")
    if failure.check(DownloadCancelledError):
        # Scrapy cancels a download mid-body only when it outgrows DOWNLOAD_MAXSIZE (the
        # message is empty when the size was not announced in advance).
        return Failure("failed", "too_large", f"body over the size limit: {message or 'cancelled'}")
    if failure.check(DownloadTimeoutError, TimeoutError, TCPTimedOutError):
        return Failure("failed", "timeout", f"timed out: {message}")
    if failure.check(CannotResolveHostError, DNSLookupError):
        return Failure("failed", "dns", f"DNS lookup failed: {message}")
    if failure.check(
        DownloadConnectionRefusedError, ConnectionRefusedError, ResponseDataLossError,
        ResponseNeverReceived, DownloadFailedError,
    ):
        return Failure("failed", "connection", f"{failure.type.__name__}: {message}")
    return Failure("failed", "other", f"{failure.type.__name__}: {message}")
