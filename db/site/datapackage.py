"""The Frictionless data package (``datapackage.json``) that describes the CSV exports.

Field types come from the SQLite schema, descriptions from the site's metadata, keys from the
tables' primary and foreign keys, so the package says exactly what the database says.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

SQLITE_TYPES = {"INTEGER": "integer", "FLOAT": "number", "REAL": "number", "TEXT": "string"}
LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}


def field_type(declared: str) -> str:
    return SQLITE_TYPES.get((declared or "").upper(), "string")


def file_facts(path: Path) -> dict:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"bytes": path.stat().st_size, "hash": f"sha256:{digest.hexdigest()}"}


def table_schema(
    conn: sqlite3.Connection, table: str, exported: set[str], columns_help: dict
) -> dict:
    columns = conn.execute(f"select name, type, pk from pragma_table_info('{table}')").fetchall()
    fields = []
    for name, declared, _ in columns:
        field = {"name": name, "type": field_type(declared)}
        if (declared or "").upper() == "BLOB":
            field["format"] = "binary"  # base64 in the CSV
        if columns_help.get(name):
            field["description"] = columns_help[name]
        fields.append(field)
    schema: dict = {"fields": fields, "missingValues": [""]}
    primary_key = [name for name, _, pk in sorted(columns, key=lambda c: c[2]) if pk]
    if primary_key:
        schema["primaryKey"] = primary_key
    foreign_keys = []
    for row in conn.execute(f"select * from pragma_foreign_key_list('{table}')"):
        _, _, other, column, other_column = row[:5]
        if other not in exported:
            continue
        foreign_keys.append(
            {
                "fields": [column],
                "reference": {
                    "resource": "" if other == table else other,
                    "fields": [other_column],
                },
            }
        )
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return schema


def package_name(db_name: str) -> str:
    return "stancemap-" + (re.sub(r"[^a-z0-9._-]+", "-", db_name.lower()).strip("-") or "data")


def build_datapackage(
    conn: sqlite3.Connection, out: Path, csv_files: dict[str, Path], metadata: dict, db_name: str
) -> dict:
    """The descriptor for ``csv_files`` ({table: path inside ``out``})."""
    (database,) = metadata["databases"].values()
    tables_help = database.get("tables") or {}
    resources = []
    for table, path in csv_files.items():
        help_ = tables_help.get(table) or {}
        resource = {
            "name": table.lower().replace("_", "-"),
            "path": path.relative_to(out).as_posix(),
            "title": table,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": table_schema(conn, table, set(csv_files), help_.get("columns") or {}),
            **file_facts(path),
        }
        if help_.get("description"):
            resource["description"] = help_["description"]
        resources.append(resource)
    # Foreign keys name resources; the resource names are the table names made URL-safe.
    for resource in resources:
        for key in resource["schema"].get("foreignKeys", []):
            other = key["reference"]["resource"]
            if other:
                key["reference"]["resource"] = other.lower().replace("_", "-")
    return {
        "profile": "tabular-data-package",
        "name": package_name(db_name),
        "title": metadata.get("title") or "stancemap",
        "description": (
            "Public statements about a negotiated text, their sentences, article references "
            "and the stances a model read from them, with evidence. "
            + (database.get("description") or "")
        ).strip(),
        "licenses": [LICENSE],
        "sources": [
            {"title": metadata.get("source") or "", "path": metadata.get("source_url") or ""}
        ],
        "homepage": metadata.get("about_url") or "",
        "created": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "resources": resources,
    }
