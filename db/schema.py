"""The database contract: every table, column, key, index and full-text index of stancemap.

Stages meet only here. Table and column names are part of the public contract (DESIGN.md):
extend them with new migrations, never rename. ``migrate(db)`` brings any older database up to
date and is safe to run on every open.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils import Database

migrations = sqlite_utils.Migrations("stancemap")

HOLDER_TYPES = ("ngo", "industry", "press", "un_body", "igo", "state", "academic", "coalition")
STANCES = ("support", "oppose", "mixed", "neutral")
SOURCE_KINDS = ("listing", "feed", "sitemap", "page")
FETCH_STATUSES = ("stored", "unchanged", "off_topic", "duplicate", "listing", "failed", "skipped")


@migrations()
def m001_initial(db: Database) -> None:
    db["organizations"].create(
        {
            "id": str,
            "name": str,
            "type": str,
            "country": str,
            "homepage": str,
            "parent_id": str,  # a person's or a member's organisation
            "origin": str,  # registry | sources | discovered (found in text, awaiting review)
            "reviewed": int,
            "first_seen": str,
        },
        pk="id",
        not_null={"name"},
        foreign_keys=[("parent_id", "organizations", "id")],
    )
    db["organization_aliases"].create(
        {"organization_id": str, "alias": str, "kind": str},
        pk=("organization_id", "alias"),
        foreign_keys=[("organization_id", "organizations", "id")],
    )
    db["sources"].create(
        {"id": str, "organization_id": str, "url": str, "kind": str, "options": str},
        pk="id",
        foreign_keys=[("organization_id", "organizations", "id")],
    )

    # The treaty knowledge base.
    db["chapters"].create({"number": str, "position": int, "title": str}, pk="number")
    db["articles"].create(
        {
            "number": int,
            "title": str,
            "chapter": str,
            "chapter_title": str,
            "title_confirmed": int,
        },
        pk="number",
        foreign_keys=[("chapter", "chapters", "number")],
    )
    db["text_versions"].create(
        {
            "id": str,
            "position": int,
            "symbol": str,
            "names": str,  # JSON list of the names statements use for it
            "date": str,
            "used_from": str,
            "used_until": str,
            "numbering": str,  # known | unknown
            "confidence_note": str,
        },
        pk="id",
    )
    db["article_concordance"].create(
        {"text_version": str, "cited_number": int, "article_number": int, "confidence": str},
        pk=("text_version", "cited_number"),
        foreign_keys=[
            ("text_version", "text_versions", "id"),
            ("article_number", "articles", "number"),
        ],
    )

    # What the crawl brought in.
    db["documents"].create(
        {
            "id": str,
            "url": str,
            "canonical_url": str,
            "organization_id": str,
            "source_id": str,
            "title": str,
            "author": str,
            "published": str,
            "fetched_at": str,
            "text": str,
            "content_hash": str,
            "language": str,
            "content_type": str,
            "relevance": float,
            "duplicate_of": str,
            "extractor": str,
        },
        pk="id",
        foreign_keys=[
            ("organization_id", "organizations", "id"),
            ("source_id", "sources", "id"),
            ("duplicate_of", "documents", "id"),
        ],
    )
    db["raw_pages"].create(
        {
            "document_id": str,
            "url": str,
            "fetched_at": str,
            "status": int,
            "headers": str,
            "body": bytes,  # zlib-compressed response body, kept for re-extraction
            "size": int,
            "raw_hash": str,
        },
        pk="document_id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db["fetches"].create(
        {
            "url": str,
            "organization_id": str,
            "status": str,
            "reason": str,
            "http_status": int,
            "document_id": str,
            "fetched_at": str,
            "run_id": str,
            "etag": str,
            "last_modified": str,
        },
        pk="url",
    )

    # What the analysis found.
    db["sentences"].create(
        {
            "id": str,
            "document_id": str,
            "position": int,
            "start": int,
            "end": int,
            "text": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db["mentions"].create(
        {
            "id": str,
            "document_id": str,
            "sentence_id": str,
            "surface": str,
            "start": int,
            "end": int,
            "cited_number": str,
            "text_version": str,
            "article_number": int,
            "chapter": str,
            "paragraph": str,
            "method": str,
            "confidence": float,
            "model": str,
        },
        pk="id",
        foreign_keys=[
            ("document_id", "documents", "id"),
            ("sentence_id", "sentences", "id"),
            ("article_number", "articles", "number"),
        ],
    )
    db["stances"].create(
        {
            "id": str,
            "document_id": str,
            "sentence_id": str,
            "holder_id": str,
            "holder_name": str,
            "holder_type": str,
            "target": str,
            "article_number": int,
            "stance": str,
            "confidence": float,
            "evidence": str,
            "start": int,
            "end": int,
            "model": str,
        },
        pk="id",
        foreign_keys=[
            ("document_id", "documents", "id"),
            ("sentence_id", "sentences", "id"),
            ("holder_id", "organizations", "id"),
            ("article_number", "articles", "number"),
        ],
    )
    db["analyses"].create(
        {
            "document_id": str,
            "model": str,
            "content_hash": str,
            "analyzed_at": str,
            "sentences": int,
            "mentions": int,
            "stances": int,
        },
        pk="document_id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db["runs"].create(
        {
            "id": str,
            "stage": str,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "code_version": str,
            "model": str,
            "options": str,
            "stats": str,
        },
        pk="id",
    )

    for table, columns in {
        "organization_aliases": [["alias"]],
        "sources": [["organization_id"]],
        "documents": [["organization_id"], ["published"], ["content_hash"], ["canonical_url"]],
        "fetches": [["status"], ["document_id"]],
        "sentences": [["document_id", "position"]],
        "mentions": [["document_id"], ["sentence_id"], ["article_number"]],
        "stances": [
            ["document_id"],
            ["sentence_id"],
            ["holder_id"],
            ["article_number", "stance"],
            ["target", "stance"],
        ],
        "runs": [["stage", "started_at"]],
    }.items():
        for cols in columns:
            db[table].create_index(cols, if_not_exists=True)

    db["documents"].enable_fts(["title", "text"], create_triggers=True, tokenize="porter")
    db["sentences"].enable_fts(["text"], create_triggers=True, tokenize="porter")


@migrations()
def m002_crawl_ledger(db: Database) -> None:
    """The crawl ledger grows a failure code and what was fetched; near-duplicate signatures."""
    fetches = db["fetches"]
    for column, kind in (
        ("reason_code", str),  # http, timeout, too_large, robots, parse, ... (None when fine)
        ("size", int),  # bytes received
        ("content_type", str),
        ("redirected_to", str),
    ):
        if column not in fetches.columns_dict:
            fetches.add_column(column, kind)
    if "duplicate_score" not in db["documents"].columns_dict:
        db["documents"].add_column("duplicate_score", float)
    db["document_signatures"].create(
        {"document_id": str, "shingles": int, "minhash": bytes},
        pk="document_id",
        foreign_keys=[("document_id", "documents", "id")],
        if_not_exists=True,
    )
    db["fetches"].create_index(["reason_code"], if_not_exists=True)
    db.create_view(
        "crawl_failures",
        """select url, organization_id, status, reason_code, reason, http_status, fetched_at, run_id
        from fetches where status in ('failed', 'skipped') order by fetched_at desc""",
        ignore=True,
    )


@migrations()
def m003_publish_indexes(db: Database) -> None:
    """What the public site's queries need at a million sentences (benchmarks/bench_publish.py):
    covering indexes for the holder x article aggregates, article citations and statement dates,
    and a full-text index of stance evidence (ranking every sentence is too slow)."""
    db["stances"].create_index(
        ["holder_id", "article_number", "stance", "holder_type", "document_id"],
        if_not_exists=True,
    )
    db["mentions"].create_index(["article_number", "document_id"], if_not_exists=True)
    db["documents"].create_index(["id", "published"], if_not_exists=True)
    if not db["stances_fts"].exists():
        db["stances"].enable_fts(["evidence"], create_triggers=True, tokenize="porter")


def migrate(db: Database) -> None:
    migrations.apply(db)
