"""Turn a fetched page (HTML or PDF) into text and metadata.

HTML goes through trafilatura (main text without boilerplate, title, date, author). PDFs are
parsed by pdfminer in a child process with CPU-time and memory limits, so a hostile file costs
a recorded failure, never the crawl.
"""

from __future__ import annotations

import codecs
import json
import re
import resource
import subprocess
import sys
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urljoin

import charset_normalizer
import py3langid
import trafilatura
from lxml import html as lxml_html

EXTRACTOR_VERSION = f"trafilatura-{trafilatura.__version__}/pdfminer/1"
PDF_TIMEOUT_SECONDS = 30
PDF_MEMORY_BYTES = 512 * 1024 * 1024
MIN_TEXT_CHARS = 200


class ExtractionError(Exception):
    """The page could not be turned into text; the message says why."""


class UnsupportedContent(ExtractionError):
    """Neither HTML nor PDF: recorded as skipped, not as a failure."""


def is_pdf(body: bytes, content_type: str) -> bool:
    return "pdf" in content_type.lower() or body[:5] == b"%PDF-"


def extract_body(body: bytes, content_type: str, url: str) -> Extracted:
    """A fetched body (HTML or PDF, as the server sent it) to text and metadata."""
    lowered = content_type.lower()
    if is_pdf(body, lowered):
        return extract_pdf(body, url)
    if any(kind in lowered for kind in ("html", "xml", "text/")) or b"<html" in body[:2048].lower():
        return extract_html(decode_html(body, content_type), url)
    raise UnsupportedContent(f"unsupported content type {content_type!r}")


@dataclass
class Extracted:
    text: str
    title: str | None = None
    published: str | None = None
    author: str | None = None
    language: str | None = None
    canonical_url: str | None = None
    based_on: str | None = None  # JSON-LD isBasedOn: the page this one republishes
    content_type: str = "text/html"
    links: list[str] = field(default_factory=list)


def detect_language(text: str) -> str | None:
    if len(text.strip()) < 20:
        return None
    language, _ = py3langid.classify(text[:5000])
    return language


_CHARSET_HEADER = re.compile(r"charset=[\"']?([\w.:-]+)", re.I)
_CHARSET_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.I)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(body: bytes, content_type: str = "") -> str:
    """Bytes to text, trusting a declared encoding only when the bytes agree with it.

    Sites often declare UTF-8 and send Windows-1252 (or the reverse), or declare nothing. Try,
    in order: a byte-order mark, the HTTP charset, the ``<meta>`` charset, UTF-8; the first that
    decodes without error wins. Otherwise guess from the bytes, and as a last resort decode
    Windows-1252, which never fails and is the commonest undeclared encoding on the web.
    """
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return body.decode(codec, "replace").lstrip("\ufeff")
    header = _CHARSET_HEADER.search(content_type or "")
    meta = _CHARSET_META.search(body[:4096])
    declared = [
        _codec(header.group(1)) if header else None,
        _codec(meta.group(1).decode("ascii", "ignore")) if meta else None,
    ]
    for codec in [*declared, "utf-8"]:
        if not codec:
            continue
        if codec in ("ascii", "iso8859-1", "latin-1"):
            codec = "cp1252"  # what browsers do with these labels
        try:
            return body.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    # Undeclared or wrongly declared: a statistical guess when it finds another script
    # (Cyrillic, Greek, CJK, ...); otherwise Windows-1252, the commonest undeclared encoding
    # of Western sites (guesses among Latin code pages are unreliable on short pages).
    western = body.decode("cp1252", "replace")
    best = charset_normalizer.from_bytes(body[:200_000]).best() if len(body) >= 256 else None
    if best is not None and best.encoding:
        guess = body.decode(best.encoding, "replace")
        letters = [c for c in guess[:20_000] if c.isalpha()]
        other_script = sum(1 for c in letters if "LATIN" not in unicodedata.name(c, ""))
        if letters and other_script / len(letters) > 0.3:
            return guess
    return western


def based_on_link(tree, base_url: str) -> str | None:
    """The JSON-LD ``isBasedOn`` of a republished article (aggregators declare their source)."""
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            data = json.loads(script)
        except ValueError:
            continue
        for node in data if isinstance(data, list) else [data]:
            if not isinstance(node, dict):
                continue
            value = node.get("isBasedOn") or node.get("isBasedOnUrl")
            if isinstance(value, dict):
                value = value.get("url") or value.get("@id")
            if isinstance(value, str) and value.strip():
                return urljoin(base_url, value.strip())
    return None


def canonical_link(tree, base_url: str) -> str | None:
    for href in tree.xpath('//link[@rel="canonical"]/@href'):
        href = href.strip()
        if href:
            return urljoin(base_url, href)
    return None


def extract_html(markup: str, url: str) -> Extracted:
    if not markup or not markup.strip():
        raise ExtractionError("empty page")
    try:
        document = trafilatura.bare_extraction(
            markup,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            deduplicate=False,
        )
    except Exception as error:  # trafilatura raises many kinds on broken markup
        raise ExtractionError(f"HTML extraction failed: {type(error).__name__}: {error}") from error
    if document is None or not (document.text or "").strip():
        raise ExtractionError("no main text found")
    canonical = based_on = None
    try:
        tree = lxml_html.fromstring(markup)
        canonical, based_on = canonical_link(tree, url), based_on_link(tree, url)
    except (ValueError, lxml_html.etree.ParserError):
        pass
    text = normalise_text(document.text)
    return Extracted(
        text=text,
        title=(document.title or "").strip() or None,
        published=document.date,
        author=(document.author or "").strip() or None,
        language=detect_language(text),
        canonical_url=canonical,
        based_on=based_on,
        content_type="text/html",
    )


def normalise_text(text: str) -> str:
    """Tidy white space while keeping paragraph breaks (offsets are into this text)."""
    lines = [" ".join(line.split()) for line in text.replace("\r", "\n").split("\n")]
    text = "\n".join(line for line in lines if line)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# --- PDF -------------------------------------------------------------------------------------


def _limit_child() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (PDF_MEMORY_BYTES, PDF_MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (PDF_TIMEOUT_SECONDS, PDF_TIMEOUT_SECONDS + 1))


def extract_pdf(body: bytes, url: str) -> Extracted:
    if not body.startswith(b"%PDF"):
        raise ExtractionError("not a PDF file (no %PDF header)")
    try:
        result = subprocess.run(
            [sys.executable, "-m", "crawlers.pdftext"],
            input=body,
            capture_output=True,
            timeout=PDF_TIMEOUT_SECONDS + 5,
            preexec_fn=_limit_child,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise ExtractionError(f"PDF extraction took longer than {PDF_TIMEOUT_SECONDS}s") from error
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = detail[-1] if detail else f"exit code {result.returncode}"
        if result.returncode < 0:
            reason = f"killed by signal {-result.returncode} (time or memory limit)"
        raise ExtractionError(f"PDF extraction failed: {reason}")
    data = json.loads(result.stdout)
    text = normalise_text(data.get("text") or "")
    if not text:
        raise ExtractionError("PDF has no extractable text")
    return Extracted(
        text=text,
        title=data.get("title") or None,
        published=data.get("published"),
        author=data.get("author") or None,
        language=detect_language(text),
        content_type="application/pdf",
    )
