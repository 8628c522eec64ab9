"""How well the crawler reads pages, measured on labelled pages it was not tuned on.

- Extraction: for each page of a corpus (``corpus.yaml`` + its ``site/`` folder: main text,
  publication date and relevance written by hand), the bag-of-words token F1 between the
  extracted main text and the expected one, and whether the publication date is right.
- Relevance: precision and recall of "this page is about the treaty" on the same corpus, and
  on the demo web's ground truth (``demo/expected.yaml``: statements vs off-topic pages).

``python -m crawlers.quality`` prints both for the repository's own corpora; the floors that
tests enforce are in ``tests/fixtures/crawl/floors.yaml``.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from crawlers.extract import Extracted, ExtractionError, extract_body
from crawlers.relevance import assess
from db.treaty import load_treaty

REPOSITORY = Path(__file__).resolve().parent.parent
FIXTURE_CORPUS = REPOSITORY / "tests" / "fixtures" / "crawl"
DEMO = REPOSITORY / "demo"
BASE = "http://fixture.invalid"
TOKEN = re.compile(r"\w+")


def token_f1(predicted: str, expected: str) -> float:
    """Bag-of-words F1 over lower-cased word tokens (the usual main-text extraction measure)."""
    got, want = Counter(TOKEN.findall(predicted.lower())), Counter(TOKEN.findall(expected.lower()))
    overlap = sum((got & want).values())
    if not got or not want or not overlap:
        return 0.0
    precision, recall = overlap / sum(got.values()), overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


@dataclass(frozen=True)
class LabelledPage:
    id: str
    file: Path
    content_type: str
    expected_text: str | None
    published: str | None
    relevant: bool


def _site_file(site: Path, path: str) -> Path:
    target = site / path.lstrip("/").split("?")[0]
    return target / "index.html" if path.endswith("/") else target


def fixture_pages(folder: Path = FIXTURE_CORPUS) -> list[LabelledPage]:
    corpus = yaml.safe_load((folder / "corpus.yaml").read_text(encoding="utf-8"))
    pages = []
    for page in corpus["pages"]:
        text = "\n".join(p.removeprefix("## ") for p in page["paragraphs"])
        is_pdf = page["path"].endswith(".pdf")
        pages.append(LabelledPage(
            id=page["id"],
            file=_site_file(folder / "site", page["path"]),
            content_type=page.get("content_type")
            or ("application/pdf" if is_pdf else "text/html; charset=utf-8"),
            expected_text=text,
            published=str(page["published"]) if page.get("published") else None,
            relevant=bool(page["relevant"]),
        ))
    return pages


def demo_pages(folder: Path = DEMO) -> list[LabelledPage]:
    """Demo statements and off-topic pages (not listings, feeds or home pages)."""
    expected = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))["pages"]
    pages = []
    for page in expected:
        note = page.get("note") or ""
        off_topic = page.get("kind") == "offtopic" or note.startswith("off-topic")
        if page.get("crawled") is False or not (page.get("statement") or off_topic):
            continue
        pages.append(LabelledPage(
            id=page["path"],
            file=_site_file(folder / "web", page["path"]),
            content_type="application/pdf" if page["path"].endswith(".pdf") else "text/html",
            expected_text=None,
            published=str(page["published"]) if page.get("published") else None,
            relevant=bool(page.get("statement")),
        ))
    return pages


def read_page(page: LabelledPage) -> Extracted:
    body = page.file.read_bytes().replace(b"{{base}}", BASE.encode())
    return extract_body(body, page.content_type, BASE + "/" + page.file.name)


def evaluate_extraction(
    pages: list[LabelledPage], reader: Callable[[LabelledPage], Extracted] = read_page
) -> dict:
    rows = []
    for page in pages:
        try:
            extracted = reader(page)
            text, published = extracted.text, extracted.published
        except ExtractionError as error:
            text, published = "", f"error: {error}"
        rows.append({
            "page": page.id,
            "token_f1": round(token_f1(text, page.expected_text or ""), 4),
            "date_ok": (published or "")[:10] == (page.published or ""),
            "published": published,
        })
    scores = [row["token_f1"] for row in rows]
    return {
        "pages": len(rows),
        "mean_token_f1": round(sum(scores) / len(scores), 4) if scores else 0.0,
        "min_token_f1": min(scores) if scores else 0.0,
        "date_accuracy": round(sum(r["date_ok"] for r in rows) / len(rows), 4) if rows else 0.0,
        "per_page": rows,
    }


def evaluate_relevance(pages: list[LabelledPage], treaty_id: str = "un-cybercrime-2024") -> dict:
    treaty = load_treaty(treaty_id)
    outcomes = Counter()
    errors = []
    for page in pages:
        try:
            extracted = read_page(page)
            predicted = assess(treaty, extracted.title, extracted.text).relevant
        except ExtractionError:
            predicted = False
        outcomes[(page.relevant, predicted)] += 1
        if predicted != page.relevant:
            errors.append(page.id)
    tp, fp, fn = outcomes[(True, True)], outcomes[(False, True)], outcomes[(True, False)]
    return {
        "pages": len(pages),
        "relevant": tp + fn,
        "precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 0.0,
        "errors": errors,
    }


def report() -> dict:
    fixtures = fixture_pages()
    return {
        "extraction": evaluate_extraction(fixtures),
        "relevance_fixtures": evaluate_relevance(fixtures),
        "relevance_demo": evaluate_relevance(demo_pages()),
    }


def main(argv: list[str]) -> int:
    result = report()
    if "--json" in argv:
        print(json.dumps(result, indent=2))
        return 0
    extraction = result["extraction"]
    print(f"extraction on {extraction['pages']} fixture pages: mean token F1 "
          f"{extraction['mean_token_f1']:.3f} (min {extraction['min_token_f1']:.3f}), "
          f"publication date right {extraction['date_accuracy']:.1%}")
    for row in extraction["per_page"]:
        if row["token_f1"] < 0.9 or not row["date_ok"]:
            print(f"   {row['page']:<36} F1 {row['token_f1']:.3f}  date {row['published']}")
    for name in ("relevance_fixtures", "relevance_demo"):
        r = result[name]
        print(f"{name.replace('_', ' on ')} ({r['pages']} pages, {r['relevant']} relevant): "
              f"precision {r['precision']:.3f}, recall {r['recall']:.3f}"
              + (f"; wrong: {', '.join(r['errors'])}" if r["errors"] else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
