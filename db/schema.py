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


# Stances per holder and article, kept by triggers in the same transaction as the stances
# themselves: the site's holder x article matrix and heat map read these rows instead of
# aggregating every stance (a second at 200,000 stances on a busy server).
HOLDER_ARTICLE_COUNTS = """
insert into holder_article_stances
  (holder_id, article_number, holder_type, support, oppose, mixed, neutral, total)
select holder_id, article_number, max(holder_type),
       sum(stance = 'support'), sum(stance = 'oppose'), sum(stance = 'mixed'),
       sum(stance = 'neutral'), count(*)
from stances
where article_number is not null and holder_id is not null
group by holder_id, article_number
"""
_COUNT_IN = """
  insert into holder_article_stances
    (holder_id, article_number, holder_type, support, oppose, mixed, neutral, total)
  values (new.holder_id, new.article_number, new.holder_type,
          new.stance = 'support', new.stance = 'oppose', new.stance = 'mixed',
          new.stance = 'neutral', 1)
  on conflict (holder_id, article_number) do update set
    support = support + excluded.support, oppose = oppose + excluded.oppose,
    mixed = mixed + excluded.mixed, neutral = neutral + excluded.neutral,
    total = total + 1, holder_type = coalesce(excluded.holder_type, holder_type);
"""
_COUNT_OUT = """
  update holder_article_stances set
    support = support - (old.stance = 'support'), oppose = oppose - (old.stance = 'oppose'),
    mixed = mixed - (old.stance = 'mixed'), neutral = neutral - (old.stance = 'neutral'),
    total = total - 1
  where holder_id = old.holder_id and article_number = old.article_number;
  delete from holder_article_stances
  where holder_id = old.holder_id and article_number = old.article_number and total <= 0;
"""
_COUNTED_NEW = "new.article_number is not null and new.holder_id is not null"
_COUNTED_OLD = "old.article_number is not null and old.holder_id is not null"


@migrations()
def m004_holder_article_counts(db: Database) -> None:
    """holder_article_stances: the holder x article counts, kept current by triggers."""
    db.execute(
        """create table if not exists holder_article_stances (
          holder_id text not null,
          article_number integer not null,
          holder_type text,  -- the holder's type as its latest stance on the article gives it
          support integer not null, oppose integer not null, mixed integer not null,
          neutral integer not null, total integer not null,
          primary key (holder_id, article_number)
        ) without rowid"""
    )
    db.execute(
        "create index if not exists idx_holder_article_stances_total "
        "on holder_article_stances (total desc, holder_id, article_number)"
    )
    for name, event, when, body in (
        ("stances_count_ai", "insert", _COUNTED_NEW, _COUNT_IN),
        ("stances_count_ad", "delete", _COUNTED_OLD, _COUNT_OUT),
        ("stances_count_au_old", "update", _COUNTED_OLD, _COUNT_OUT),
        ("stances_count_au_new", "update", _COUNTED_NEW, _COUNT_IN),
    ):
        db.execute(
            f"create trigger if not exists {name} after {event} on stances "
            f"when {when} begin {body} end"
        )
    db.execute("delete from holder_article_stances")
    db.execute(HOLDER_ARTICLE_COUNTS)


@migrations()
def m005_positions(db: Database) -> None:
    """One position per (document, holder, target): the stances of a holder's sentences in a
    document aggregated (nlp/positions.py), with how many sentences it rests on."""
    db["positions"].create(
        {
            "id": str,
            "document_id": str,
            "holder_id": str,
            "holder_name": str,
            "holder_type": str,
            "target": str,
            "article_number": int,
            "stance": str,
            "confidence": float,
            "sentences": int,
            "model": str,
        },
        pk="id",
        foreign_keys=[
            ("document_id", "documents", "id"),
            ("holder_id", "organizations", "id"),
            ("article_number", "articles", "number"),
        ],
        if_not_exists=True,
    )
    for cols in (["document_id"], ["holder_id", "target"], ["article_number", "stance"]):
        db["positions"].create_index(cols, if_not_exists=True)


def migrate(db: Database) -> None:
    migrations.apply(db)
