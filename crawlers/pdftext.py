"""Child process for PDF text extraction: PDF bytes on stdin, JSON on stdout.

Run by ``crawlers.extract.extract_pdf`` under CPU and memory limits; never imported by the crawl.
"""

from __future__ import annotations

import io
import json
import re
import sys

from pdfminer.high_level import extract_text
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfparser import PDFParser


def _decode(value: object) -> str | None:
    if isinstance(value, bytes):
        if value.startswith(b"\xfe\xff"):
            return value[2:].decode("utf-16-be", "replace")
        return value.decode("latin-1", "replace")
    return str(value) if value else None


def pdf_date(value: str | None) -> str | None:
    """PDF dates look like D:20240809120000Z; keep the day."""
    match = re.match(r"D?:?(\d{4})(\d{2})(\d{2})", value or "")
    return "-".join(match.groups()) if match else None


def main() -> int:
    body = sys.stdin.buffer.read()
    stream = io.BytesIO(body)
    info: dict = {}
    try:
        document = PDFDocument(PDFParser(stream))
        if document.info:
            info = document.info[0]
    except Exception:  # metadata is optional; the text may still be readable
        info = {}
    text = extract_text(io.BytesIO(body))
    json.dump(
        {
            "text": text,
            "title": _decode(info.get("Title")),
            "author": _decode(info.get("Author")),
            "published": pdf_date(_decode(info.get("CreationDate"))),
        },
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
