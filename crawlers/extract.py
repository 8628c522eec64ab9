"""Turn a fetched page (HTML or PDF) into text and metadata.

HTML goes through trafilatura (main text without boilerplate, title, date, author). PDFs are
parsed by pdfminer in a child process with CPU-time and memory limits, so a hostile file costs
a recorded failure, never the crawl.
"""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
from dataclasses import dataclass, field
from urllib.parse import urljoin

import py3langid
import trafilatura
from lxml import html as lxml_html

EXTRACTOR_VERSION = f"trafilatura-{trafilatura.__version__}/pdfminer/1"
PDF_TIMEOUT_SECONDS = 30
PDF_MEMORY_BYTES = 512 * 1024 * 1024
MIN_TEXT_CHARS = 200


class ExtractionError(Exception):
    """The page could not be turned into text; the message says why."""


@dataclass
class Extracted:
    text: str
    title: str | None = None
    published: str | None = None
    author: str | None = None
    language: str | None = None
    canonical_url: str | None = None
    content_type: str = "text/html"
    links: list[str] = field(default_factory=list)


def detect_language(text: str) -> str | None:
    if len(text.strip()) < 20:
        return None
    language, _ = py3langid.classify(text[:5000])
    return language


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
    canonical = None
    try:
        tree = lxml_html.fromstring(markup)
        canonical = canonical_link(tree, url)
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
