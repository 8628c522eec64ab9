"""Re-extract stored statements from their raw pages, without fetching anything.

The crawl keeps every statement's raw response (``raw_pages``), so when the extractor improves
(a new trafilatura, better encoding handling) the text can be redone in place: documents whose
``extractor`` differs from the current one (or all, with ``force``) are read again from their
raw bytes. A changed text is saved like any update (the analysis stage then redoes it); the
same text only gets the new extractor version. Documents keep their id, URL and links.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable

from crawlers.dedup import Signature
from crawlers.extract import EXTRACTOR_VERSION, ExtractionError, extract_body
from crawlers.relevance import assess
from db.store import Store, content_hash
from db.treaty import Treaty


def _content_type(headers: str | None) -> str:
    try:
        found = json.loads(headers or "{}")
    except ValueError:
        return ""
    return next((v for k, v in found.items() if k.lower() == "content-type"), "")


def reextract(
    store: Store,
    treaty: Treaty,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Counter:
    """Returns counts: updated (text changed), same (text unchanged), failed, current."""
    counts: Counter[str] = Counter()
    rows = list(store.db.query(
        "select d.id, d.url, d.extractor, r.headers from documents d "
        "join raw_pages r on r.document_id = d.id order by d.id"
    ))
    for row in rows:
        if not force and row["extractor"] == EXTRACTOR_VERSION:
            counts["current"] += 1
            continue
        body = store.raw_body(row["id"]) or b""
        try:
            extracted = extract_body(body, _content_type(row["headers"]), row["url"])
        except ExtractionError as error:
            counts["failed"] += 1
            if progress:
                progress(f"cannot re-extract {row['url']}: {error}")
            continue
        document = store.document(row["id"])
        if content_hash(extracted.text) == document["content_hash"]:
            store.update_document(row["id"], extractor=EXTRACTOR_VERSION)
            counts["same"] += 1
            continue
        relevance = assess(treaty, extracted.title, extracted.text)
        signature = Signature.of(extracted.text)
        with store.transaction():
            store.save_document({
                **document,
                "text": extracted.text,
                "title": extracted.title or document["title"],
                "published": extracted.published or document["published"],
                "author": extracted.author or document["author"],
                "language": extracted.language,
                "relevance": relevance.score,
                "extractor": EXTRACTOR_VERSION,
            })
            store.save_signature(row["id"], len(signature.shingles), signature.to_bytes())
        counts["updated"] += 1
    if progress:
        progress(f"re-extracted {len(rows)} documents: {dict(counts)}")
    return counts
