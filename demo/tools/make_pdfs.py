"""Build the demo web's PDF statements from plain-text sources.

Each ``demo/pdf-src/<path>.txt`` becomes ``demo/web/<path>.pdf``. The text file starts with
header lines ``Title: ...``, ``Author: ...`` and ``Date: YYYY-MM-DD``, then a blank line, then
paragraphs separated by blank lines. The PDFs are committed; rerun this after editing a source.

Needs fpdf2 (a dev dependency): ``python demo/tools/make_pdfs.py``.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

DEMO = Path(__file__).resolve().parent.parent
SOURCES = DEMO / "pdf-src"
WEB = DEMO / "web"


def parse_source(path: Path) -> tuple[dict[str, str], list[str]]:
    head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    meta = {}
    for line in head.splitlines():
        key, _, value = line.partition(":")
        meta[key.strip().lower()] = value.strip()
    paragraphs = [" ".join(p.split()) for p in body.split("\n\n") if p.strip()]
    return meta, paragraphs


def build_pdf(meta: dict[str, str], paragraphs: list[str], out: Path) -> None:
    pdf = FPDF(format="A4")
    pdf.set_title(meta.get("title", ""))
    pdf.set_author(meta.get("author", ""))
    if meta.get("date"):
        # Fixed creation date so that rebuilding gives the same bytes.
        created = datetime.fromisoformat(meta["date"]).replace(tzinfo=UTC)
        pdf.set_creation_date(created)
    pdf.set_margins(22, 20, 22)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 8, meta.get("title", ""))
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 10)
    byline = " - ".join(v for v in (meta.get("author"), meta.get("date")) if v)
    pdf.multi_cell(0, 6, byline)
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 11)
    for paragraph in paragraphs:
        # The core fonts are latin-1; fold the few typographic characters we use.
        text = paragraph.translate(
            str.maketrans(
                {
                    "\u2019": "'",
                    "\u2018": "'",
                    "\u201c": '"',
                    "\u201d": '"',
                    "\u2013": "-",
                    "\u2014": "-",
                }
            )
        )
        pdf.multi_cell(0, 6, text.encode("latin-1", "replace").decode("latin-1"))
        pdf.ln(3)
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out))


def main() -> int:
    sources = sorted(SOURCES.rglob("*.txt"))
    for source in sources:
        out = WEB / source.relative_to(SOURCES).with_suffix(".pdf")
        meta, paragraphs = parse_source(source)
        build_pdf(meta, paragraphs, out)
        print(f"{source.relative_to(DEMO)} -> {out.relative_to(DEMO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
