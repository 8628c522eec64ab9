"""Publishing: Datasette metadata, the serving command, and the open-data exports.

The site's customisation (metadata, canned queries, templates, plugins) lives in this folder;
``metadata_for`` renders it for a given database file.
"""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
import sys
from pathlib import Path

import yaml

SITE = Path(__file__).resolve().parent
TEMPLATES = SITE / "templates"
PLUGINS = SITE / "plugins"
EXPORT_TABLES = (
    "organizations",
    "organization_aliases",
    "sources",
    "documents",
    "sentences",
    "articles",
    "chapters",
    "text_versions",
    "article_concordance",
    "mentions",
    "stances",
    "runs",
)


class PublishError(Exception):
    """Publishing failed; the message says which file and why."""


def database_name(db_path: Path) -> str:
    return Path(db_path).stem


def metadata_for(db_path: Path) -> dict:
    text = (SITE / "metadata.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text.replace('"{db}"', json.dumps(database_name(db_path))))


def write_metadata(db_path: Path, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(metadata_for(db_path), indent=2), encoding="utf-8")
    return out


# Safe in public: read-only, immutable, bounded queries.
SETTINGS = {
    "sql_time_limit_ms": 1000,
    "max_returned_rows": 1000,
    "facet_time_limit_ms": 300,
    "allow_download": 1,
    "default_page_size": 50,
}


def datasette_command(
    db_path: Path, metadata_path: Path, port: int = 8001, host: str = "127.0.0.1"
) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        "--immutable",
        str(db_path),
        "--metadata",
        str(metadata_path),
        "--port",
        str(port),
        "--host",
        host,
    ]
    if TEMPLATES.is_dir() and any(TEMPLATES.iterdir()):
        command += ["--template-dir", str(TEMPLATES)]
    if PLUGINS.is_dir() and any(p.suffix == ".py" for p in PLUGINS.iterdir()):
        command += ["--plugins-dir", str(PLUGINS)]
    for key, value in SETTINGS.items():
        command += ["--setting", key, str(value)]
    return command


def publish(db_path: Path, out: Path) -> dict:
    """Write the database, its metadata and a CSV per table to ``out``."""
    db_path = Path(db_path)
    if not db_path.exists():
        raise PublishError(
            f"{db_path}: no such database (run `stancemap crawl` and `analyze` first)"
        )
    out.mkdir(parents=True, exist_ok=True)
    target = out / db_path.name
    if target.exists():
        target.unlink()
    try:
        source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        # A consistent, compact copy even while another process writes (WAL).
        source.execute("VACUUM INTO ?", [str(target)])
        source.close()
    except sqlite3.DatabaseError as error:
        raise PublishError(f"{db_path}: cannot copy the database ({error})") from error
    write_metadata(target, out / "metadata.json")
    csv_dir = out / "csv"
    csv_dir.mkdir(exist_ok=True)
    counts = {}
    connection = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    try:
        for table in EXPORT_TABLES:
            cursor = connection.execute(f"select * from [{table}]")
            columns = [c[0] for c in cursor.description]
            with (csv_dir / f"{table}.csv").open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(columns)
                rows = 0
                for row in cursor:
                    writer.writerow(row)
                    rows += 1
            counts[table] = rows
    finally:
        connection.close()
    for folder in ("templates", "plugins"):
        if (SITE / folder).is_dir():
            shutil.copytree(SITE / folder, out / folder, dirs_exist_ok=True)
    return counts
