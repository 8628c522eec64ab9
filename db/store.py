"""The only writer of the stancemap database.

Every write goes through ``Store``: upserts keyed by stable ids, one transaction per document,
so a run killed at any moment leaves whole documents or none and the next run finishes the job.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import subprocess
import zlib
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from pathlib import Path

from sqlite_utils import Database

from db.schema import migrate, migrations
from db.treaty import Treaty


class StoreError(Exception):
    """The database cannot be opened or written; the message says which file and why."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@cache
def code_version() -> str:
    """The installed stancemap version plus the git commit it runs from, when known."""
    try:
        version = metadata.version("stancemap")
    except metadata.PackageNotFoundError:
        version = "0+unknown"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{version}+g{commit}" if commit else version


def stable_id(*parts: object, length: int = 16) -> str:
    """A short, stable id from natural keys (the same keys always give the same id)."""
    joined = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:length]


def content_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def document_id(canonical_url: str) -> str:
    return stable_id(canonical_url)


def sentence_id(doc_id: str, position: int) -> str:
    return f"{doc_id}-{position:04d}"


@dataclass(frozen=True)
class SaveResult:
    document_id: str
    status: str  # stored (new) | updated (text changed) | unchanged


def upgrade_schema(path: Path) -> list[str]:
    """Apply the migrations a database made by an older stancemap lacks, and name them. An
    up-to-date file is only read (a published copy stays as it was)."""
    probe = Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True))
    try:
        pending = [migration.name for migration in migrations.pending(probe)]
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path}: not a usable SQLite database ({error})") from error
    finally:
        probe.close()
    if pending:
        Store(path, create=False).close()  # opening the store migrates
    return pending


class Store:
    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise StoreError(f"{self.path}: no such database (run `stancemap crawl` first)")
        if self.path.exists() and self.path.is_dir():
            raise StoreError(f"{self.path}: is a directory, not a database file")
        try:
            self.db = Database(self.path)
            self.db.conn.execute("PRAGMA foreign_keys = ON")
            self.db.conn.execute("PRAGMA busy_timeout = 30000")
            if self.db.journal_mode != "wal":
                self.db.enable_wal()
            migrate(self.db)
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{self.path}: not a usable SQLite database ({error})") from error

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- registry and knowledge base -------------------------------------------------------

    def sync_organizations(
        self, organizations: Iterable[dict], origin: str = "registry", replace: bool = True
    ) -> int:
        """Upsert organisations (DESIGN.md registry shape) with their aliases and sources.

        With ``replace=False`` an organisation already stored keeps its fields (new aliases are
        still added): the background registry must not overwrite what a sources file says.
        """
        count = 0
        with self.db.atomic():
            for org in organizations:
                existing = self.db["organizations"].count_where("id = ?", [org["id"]])
                if existing and not replace:
                    self._add_aliases(org)
                    continue
                row = {
                    "id": org["id"],
                    "name": org["name"],
                    "type": org.get("type"),
                    "country": org.get("country"),
                    "homepage": org.get("homepage"),
                    "parent_id": org.get("parent_id"),
                    "origin": origin,
                }
                if not existing:
                    row["first_seen"] = now()
                    row["reviewed"] = 0 if origin == "discovered" else 1
                self.db["organizations"].upsert(row, pk="id")
                self._add_aliases(org)
                for source in org.get("sources") or []:
                    self.db["sources"].upsert(
                        {
                            "id": stable_id(org["id"], source["url"]),
                            "organization_id": org["id"],
                            "url": source["url"],
                            "kind": source["kind"],
                            "options": json.dumps(
                                {k: v for k, v in source.items() if k not in ("url", "kind")}
                            ),
                        },
                        pk="id",
                    )
                count += 1
        return count

    def _add_aliases(self, org: dict) -> None:
        aliases = [(alias, "alias") for alias in org.get("aliases") or []]
        aliases += [(demonym, "demonym") for demonym in org.get("demonyms") or []]
        self.db["organization_aliases"].upsert_all(
            [{"organization_id": org["id"], "alias": a, "kind": k} for a, k in aliases],
            pk=("organization_id", "alias"),
        )

    def sync_treaty(self, treaty: Treaty) -> None:
        with self.db.atomic():
            self.db["chapters"].upsert_all(
                [
                    {"number": number, "position": i + 1, "title": title}
                    for i, (number, title) in enumerate(treaty.chapters.items())
                ],
                pk="number",
            )
            self.db["articles"].upsert_all(
                [
                    {
                        "number": a.number,
                        "title": a.title,
                        "chapter": a.chapter,
                        "chapter_title": a.chapter_title,
                        "title_confirmed": int(a.title_confirmed),
                    }
                    for a in treaty.articles.values()
                ],
                pk="number",
            )
            for version in treaty.versions:
                self.db["text_versions"].upsert(
                    {
                        "id": version.id,
                        "position": version.position,
                        "symbol": version.symbol,
                        "names": json.dumps(list(version.names)),
                        "date": version.date.isoformat(),
                        "used_from": version.used_from.isoformat(),
                        "used_until": version.used_until.isoformat()
                        if version.used_until
                        else None,
                        "numbering": "unknown" if version.numbering is None else "known",
                        "confidence_note": json.dumps(version.confidence),
                    },
                    pk="id",
                )
                if version.numbering is None:
                    continue
                self.db["article_concordance"].upsert_all(
                    [
                        {
                            "text_version": version.id,
                            "cited_number": number,
                            "article_number": version.map_number(number),
                            "confidence": version.mapping_confidence(number),
                        }
                        for number in sorted(treaty.articles)
                        if version.map_number(number) in treaty.articles
                    ],
                    pk=("text_version", "cited_number"),
                )

    # --- crawl -----------------------------------------------------------------------------

    def fetch_state(self, url: str) -> dict | None:
        rows = list(self.db["fetches"].rows_where("url = ?", [url], limit=1))
        return rows[0] if rows else None

    def record_fetch(self, url: str, status: str, **fields: object) -> None:
        row = {"url": url, "status": status, "fetched_at": now(), **fields}
        self.db["fetches"].upsert(row, pk="url", alter=True)

    def transaction(self) -> AbstractContextManager:
        """Group several writes into one transaction (nested calls become savepoints)."""
        return self.db.atomic()

    def fetch_validators(self) -> dict[str, dict]:
        """ETag / Last-Modified of pages fetched before, for conditional requests."""
        rows = self.db.query(
            "select url, status, etag, last_modified, document_id from fetches "
            "where (etag is not null or last_modified is not null) "
            "and status in ('stored', 'unchanged', 'off_topic', 'duplicate')"
        )
        return {row["url"]: row for row in rows}

    def document(self, doc_id: str) -> dict | None:
        rows = list(self.db["documents"].rows_where("id = ?", [doc_id], limit=1))
        return rows[0] if rows else None

    def save_signature(self, doc_id: str, shingles: int, minhash: bytes) -> None:
        """The near-duplicate signature of a stored document's text."""
        self.db["document_signatures"].upsert(
            {"document_id": doc_id, "shingles": shingles, "minhash": minhash}, pk="document_id"
        )

    def document_signatures(self) -> Iterator[dict]:
        yield from self.db.query(
            "select s.document_id, s.minhash, d.duplicate_of from document_signatures s "
            "join documents d on d.id = s.document_id"
        )

    def link_duplicate(self, doc_id: str, original_id: str, score: float | None = None) -> None:
        """Make ``doc_id`` a copy of ``original_id``: its copies follow it, and its analysis
        goes, so the statement is counted once."""
        with self.db.atomic():
            self.db.execute(
                "update documents set duplicate_of = ?, duplicate_score = ? where id = ?",
                [original_id, score, doc_id],
            )
            self.db.execute(
                "update documents set duplicate_of = ? where duplicate_of = ? and id != ?",
                [original_id, doc_id, original_id],
            )
            self.db.execute(
                "update documents set duplicate_of = null, duplicate_score = null where id = ?",
                [original_id],
            )
            for table in ("positions", "stances", "mentions", "sentences", "analyses"):
                self.db.execute(f"delete from {table} where document_id = ?", [doc_id])
            self.db.execute(
                "update fetches set status = 'duplicate', reason = ? where document_id = ? "
                "and status in ('stored', 'unchanged')",
                [f"copy of {original_id}", doc_id],
            )

    def fetch_counts(self, run_id: str) -> dict[str, int]:
        """What became of the URLs a crawl run visited, by ledger status."""
        rows = self.db.query(
            "select status, count(*) as n from fetches where run_id = ? group by status", [run_id]
        )
        return {row["status"]: row["n"] for row in rows}

    def document_by_hash(self, text_hash: str) -> dict | None:
        rows = list(self.db["documents"].rows_where("content_hash = ?", [text_hash], limit=1))
        return rows[0] if rows else None

    def save_document(self, doc: dict, raw: dict | None = None) -> SaveResult:
        """Store one document (and its raw page) in one transaction.

        ``doc`` has the documents columns; ``id`` defaults to the id of its canonical URL. A
        document whose text hash is unchanged is not rewritten.
        """
        doc = dict(doc)
        doc.setdefault("canonical_url", doc["url"])
        doc.setdefault("id", document_id(doc["canonical_url"]))
        doc["content_hash"] = content_hash(doc.get("text") or "")
        existing = list(self.db["documents"].rows_where("id = ?", [doc["id"]], limit=1))
        if existing and existing[0]["content_hash"] == doc["content_hash"]:
            return SaveResult(doc["id"], "unchanged")
        doc.setdefault("fetched_at", now())
        with self.db.atomic():
            self.db["documents"].upsert(doc, pk="id", alter=True)
            if raw is not None:
                body = raw.get("body") or b""
                self.db["raw_pages"].upsert(
                    {
                        "document_id": doc["id"],
                        "url": raw.get("url", doc["url"]),
                        "fetched_at": doc["fetched_at"],
                        "status": raw.get("status"),
                        "headers": json.dumps(raw.get("headers") or {}),
                        "body": zlib.compress(body, 6),
                        "size": len(body),
                        "raw_hash": hashlib.sha256(body).hexdigest(),
                    },
                    pk="document_id",
                )
        return SaveResult(doc["id"], "updated" if existing else "stored")

    def update_document(self, doc_id: str, **fields: object) -> None:
        """Change some columns of a stored document (its text goes through save_document)."""
        self.db["documents"].update(doc_id, fields)

    def raw_body(self, doc_id: str) -> bytes | None:
        rows = list(self.db["raw_pages"].rows_where("document_id = ?", [doc_id], limit=1))
        return zlib.decompress(rows[0]["body"]) if rows else None

    # --- analysis --------------------------------------------------------------------------

    def documents_to_analyze(self, model: str, force: bool = False) -> Iterator[dict]:
        """Statements not yet analysed by ``model`` (or whose text changed since)."""
        sql = """
            select d.*, o.name as organization_name, o.type as organization_type
            from documents d
            left join organizations o on o.id = d.organization_id
            left join analyses a on a.document_id = d.id
            where d.duplicate_of is null
        """
        if not force:
            sql += (
                " and (a.document_id is null or a.model != ? or a.content_hash != d.content_hash)"
            )
        sql += " order by d.id"
        yield from self.db.query(sql, [] if force else [model])

    def save_analysis(
        self,
        doc: dict,
        model: str,
        sentences: list[dict],
        mentions: list[dict],
        stances: list[dict],
        holders: Iterable[dict] = (),
        positions: Iterable[dict] = (),
    ) -> None:
        """Replace a document's sentences, mentions, stances and positions in one transaction."""
        doc_id = doc["id"]
        with self.db.atomic():
            new_holders = [h for h in holders if not self._has_organization(h["id"])]
            if new_holders:
                self.sync_organizations(new_holders, origin="discovered")
            for table in ("positions", "stances", "mentions", "sentences"):
                self.db.execute(f"delete from {table} where document_id = ?", [doc_id])
            self.db["sentences"].insert_all(sentences, pk="id")
            self.db["mentions"].insert_all(mentions, pk="id")
            self.db["stances"].insert_all(stances, pk="id")
            self.db["positions"].insert_all(list(positions), pk="id")
            self.db["analyses"].upsert(
                {
                    "document_id": doc_id,
                    "model": model,
                    "content_hash": doc["content_hash"],
                    "analyzed_at": now(),
                    "sentences": len(sentences),
                    "mentions": len(mentions),
                    "stances": len(stances),
                },
                pk="document_id",
            )

    def _has_organization(self, org_id: str) -> bool:
        return bool(self.db["organizations"].count_where("id = ?", [org_id]))

    # --- runs ------------------------------------------------------------------------------

    def mark_interrupted_runs(self, stage: str) -> int:
        """Runs of a stage still 'running' were killed: say so (call before starting one)."""
        cursor = self.db.execute(
            "update runs set status = 'interrupted' where stage = ? and status = 'running'",
            [stage],
        )
        self.db.conn.commit()
        return cursor.rowcount

    def start_run(self, stage: str, code_version: str, model: str = "", **options: object) -> str:
        run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{stage}-{secrets.token_hex(3)}"
        self.db["runs"].insert(
            {
                "id": run_id,
                "stage": stage,
                "started_at": now(),
                "status": "running",
                "code_version": code_version,
                "model": model,
                "options": json.dumps(options, default=str),
            },
            pk="id",
        )
        return run_id

    def finish_run(self, run_id: str, stats: dict, status: str = "ok") -> None:
        self.db["runs"].update(
            run_id,
            {"finished_at": now(), "status": status, "stats": json.dumps(stats, default=str)},
        )

    def counts(self) -> dict[str, int]:
        tables = ("organizations", "documents", "sentences", "mentions", "stances", "fetches")
        return {table: self.db[table].count for table in tables}
