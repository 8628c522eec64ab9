"""URL identity: the variants of one page (fragment, query order, tracking tags) are one URL."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "mtm_")
TRACKING_KEYS = {
    "fbclid", "gclid", "dclid", "msclkid", "igshid", "ref", "ref_src", "_hsenc", "_hsmi",
    "mkt_tok", "yclid", "twclid", "s_cid", "cmpid",
}


def canonical_url(url: str) -> str:
    parts = urlsplit(url.strip())
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in TRACKING_KEYS and not key.lower().startswith(TRACKING_PREFIXES)
    ]
    cleaned = urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", urlencode(query), "")
    )
    return canonicalize_url(cleaned, keep_fragments=False)


def same_site(url: str, other: str) -> bool:
    """True when both URLs are on one host (a ``www.`` prefix does not count)."""

    def host(value: str) -> str:
        netloc = urlsplit(value).netloc.lower()
        return netloc[4:] if netloc.startswith("www.") else netloc

    return host(url) == host(other)
