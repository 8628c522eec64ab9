"""`stancemap publish`: the folder that is the open-data release and the deployable site.

    OUT/
      NAME.db             compact, read-only copy (raw pages left out), journal_mode=DELETE
      metadata.json       Datasette metadata (titles, descriptions, canned queries, dashboards)
      settings.json       Datasette settings for a public instance (time limit, row limit)
      inspect-data.json   table counts and file hash; also makes `datasette serve OUT/` immutable
      templates/ plugins/ the site's pages
      csv/TABLE.csv       every public table
      datapackage.json    Frictionless data package describing the CSVs
      feeds/*.atom        new statements, all and per article

``datasette serve OUT/`` serves the folder as the public site; ``datasette publish`` deploys it
(README, section Publish).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import os
import shutil
import sqlite3
from pathlib import Path

import sqlite_utils

from db.schema import migrate
from db.site.datapackage import build_datapackage
from db.site.metadata import PublishError, database_name, metadata_for
from db.site.serving import PLUGINS, SETTINGS, TEMPLATES

# Kept in the working database for re-extraction, not published: large, and copies of others'
# pages rather than data about them.
UNPUBLISHED_TABLES = ("raw_pages",)
INTERNAL_TABLES = ("_sqlite_migrations",)


def public_tables(conn: sqlite3.Connection) -> list[str]:
    """Tables people read: not SQLite's, not full-text index internals, not the raw pages."""
    rows = conn.execute(
        "select name, sql from sqlite_master where type = 'table' order by name"
    ).fetchall()
    virtual = [name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL")]
    return [
        name
        for name, _ in rows
        if not name.startswith("sqlite_")
        and name not in UNPUBLISHED_TABLES + INTERNAL_TABLES
        and name not in virtual
        and not any(name.startswith(v + "_") for v in virtual)
    ]


def copy_database(db_path: Path, target: Path) -> None:
    """A consistent, compact copy (even while a crawl writes to the source, WAL), without the
    unpublished tables, in rollback-journal mode so it can be opened immutable."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            source.execute("VACUUM INTO ?", [str(partial)])
        finally:
            source.close()
        # A database last written by an older stancemap lacks the indexes and counts the
        # site's queries read: bring the copy up to date (the source is left as it is).
        upgraded = sqlite_utils.Database(partial)
        try:
            migrate(upgraded)
        finally:
            upgraded.close()
        copy = sqlite3.connect(partial, isolation_level=None)
        try:
            copy.execute("PRAGMA journal_mode = DELETE")
            for table in UNPUBLISHED_TABLES:
                copy.execute(f"DROP TABLE IF EXISTS [{table}]")
            copy.execute("VACUUM")
            # Statistics for the query planner: the copy never changes, so they stay true, and
            # the site's aggregates pick their covering indexes (benchmarks/bench_publish.py).
            copy.execute("ANALYZE")
        finally:
            copy.close()
    except sqlite3.DatabaseError as error:
        partial.unlink(missing_ok=True)
        raise PublishError(f"{db_path}: cannot copy the database ({error})") from error
    os.replace(partial, target)


def _base64(value: object) -> object:
    return base64.b64encode(value).decode("ascii") if isinstance(value, bytes) else value


def write_csv(conn: sqlite3.Connection, table: str, path: Path) -> int:
    # Binary columns (fingerprints) go out as base64, as the data package declares them.
    info = conn.execute(f"select name, type from pragma_table_info('{table}')").fetchall()
    conn.create_function("stancemap_base64", 1, _base64, deterministic=True)
    selected = ", ".join(
        f"stancemap_base64([{name}]) as [{name}]"
        if (declared or "").upper() == "BLOB"
        else f"[{name}]"
        for name, declared in info
    )
    cursor = conn.execute(f"select {selected} from [{table}]")
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([c[0] for c in cursor.description])
        for batch in iter(lambda: cursor.fetchmany(5000), []):
            writer.writerows(batch)
            rows += len(batch)
    return rows


def inspect_data(conn: sqlite3.Connection, target: Path, tables: list[str]) -> dict:
    """What ``datasette inspect`` writes: lets Datasette skip counting and open it immutable."""
    digest = hashlib.sha256()
    with target.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    counts = {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0] for t in tables}
    return {
        database_name(target): {
            "hash": digest.hexdigest(),
            "size": target.stat().st_size,
            "file": target.name,
            "tables": {table: {"count": count} for table, count in counts.items()},
        }
    }


def write_feeds(conn: sqlite3.Connection, folder: Path, title: str) -> int:
    from db.site.plugins.stancemap_feeds import build_feed

    folder.mkdir(exist_ok=True)
    (folder / "statements.atom").write_bytes(build_feed(conn, title=title))
    numbers = [row[0] for row in conn.execute("select number from articles order by number")]
    for number in numbers:
        (folder / f"article-{number}.atom").write_bytes(
            build_feed(conn, article=number, title=title)
        )
    return 1 + len(numbers)


def publish(db_path: Path, out: Path) -> dict:
    """Write the site and the open-data release of ``db_path`` to ``out``; returns the counts."""
    db_path = Path(db_path)
    if not db_path.is_file():
        raise PublishError(
            f"{db_path}: no such database (run `stancemap crawl` and `analyze` first)"
        )
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PublishError(f"{out}: cannot create the output folder ({error})") from error
    target = out / f"{database_name(db_path)}.db"
    copy_database(db_path, target)

    metadata = metadata_for(target)
    (out / "metadata.json").write_text(json.dumps(metadata, indent=2, ensure_ascii=False), "utf-8")
    (out / "settings.json").write_text(json.dumps(SETTINGS, indent=2), "utf-8")
    for folder in (TEMPLATES, PLUGINS):
        shutil.rmtree(out / folder.name, ignore_errors=True)
        shutil.copytree(
            folder, out / folder.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )

    counts: dict[str, int] = {}
    connection = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    try:
        tables = public_tables(connection)
        csv_dir = out / "csv"
        shutil.rmtree(csv_dir, ignore_errors=True)
        csv_dir.mkdir()
        csv_files = {}
        for table in tables:
            csv_files[table] = csv_dir / f"{table}.csv"
            counts[table] = write_csv(connection, table, csv_files[table])
        package = build_datapackage(connection, out, csv_files, metadata, database_name(target))
        (out / "datapackage.json").write_text(
            json.dumps(package, indent=2, ensure_ascii=False), "utf-8"
        )
        title = (metadata.get("title") or "stancemap").split(" — ")[0]
        counts["feeds"] = write_feeds(connection, out / "feeds", title)
        inspected = inspect_data(connection, target, tables)
    except sqlite3.DatabaseError as error:
        raise PublishError(f"{target}: cannot export ({error})") from error
    finally:
        connection.close()
    (out / "inspect-data.json").write_text(json.dumps(inspected, indent=2), "utf-8")
    counts["database_bytes"] = target.stat().st_size
    return counts
