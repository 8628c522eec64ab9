"""The site's Datasette metadata, rendered for one database file.

``metadata.yaml`` holds the titles, descriptions, canned queries and the meaning of the labels;
``dashboards.yaml`` the charts. Both name the database ``"{db}"``: a served file's name is its
stem, so the same metadata fits ``stancemap.db``, ``demo.db`` or a published copy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

SITE = Path(__file__).resolve().parent
DB_PLACEHOLDER = "{db}"
DASHBOARDS_PLUGIN = "datasette-dashboards"


class PublishError(Exception):
    """Publishing failed; the message says which file and why."""


class MetadataError(PublishError):
    """The site's metadata files are malformed; the message names the file and the entry."""


def database_name(db_path: Path) -> str:
    return Path(db_path).stem


def _load(name: str) -> dict:
    path = SITE / name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise MetadataError(f"{path}: {error}") from error
    if not isinstance(data, dict):
        raise MetadataError(f"{path}: expected a mapping at the top level")
    return data


def _replace_placeholder(value: Any, name: str) -> Any:
    if isinstance(value, dict):
        return {
            (name if key == DB_PLACEHOLDER else key): _replace_placeholder(item, name)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_replace_placeholder(item, name) for item in value]
    return name if value == DB_PLACEHOLDER else value


def label_text(labels: dict[str, str]) -> str:
    """``{"support": "backs it."}`` -> ``"support - backs it."``, for column descriptions."""
    return "; ".join(f"{label} - {meaning.rstrip('.')}" for label, meaning in labels.items()) + "."


def _fill_label_descriptions(metadata: dict) -> None:
    labels = metadata.get("labels") or {}
    words = {
        "{stances}": label_text(labels.get("stance") or {}),
        "{holder_types}": label_text(labels.get("holder_type") or {}),
    }
    for database in (metadata.get("databases") or {}).values():
        for table in (database.get("tables") or {}).values():
            columns = table.get("columns") or {}
            for column, text in columns.items():
                for word, meaning in words.items():
                    text = text.replace(word, meaning)
                columns[column] = text


def metadata_for(db_path: Path) -> dict:
    """The metadata Datasette needs to serve ``db_path`` as the stancemap site."""
    metadata = _load("metadata.yaml")
    dashboards = _load("dashboards.yaml")
    _fill_label_descriptions(metadata)
    metadata.setdefault("plugins", {})[DASHBOARDS_PLUGIN] = dashboards
    return _replace_placeholder(metadata, database_name(db_path))


def write_metadata(db_path: Path, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(metadata_for(db_path), indent=2, ensure_ascii=False), "utf-8")
    return out


def canned_queries(metadata: dict) -> dict[str, dict]:
    """The canned queries of the (single) database in rendered metadata."""
    (database,) = metadata["databases"].values()
    return database.get("queries") or {}


def dashboard_charts(metadata: dict) -> dict[str, dict]:
    """Every chart of every dashboard, keyed ``dashboard/chart``."""
    dashboards = metadata.get("plugins", {}).get(DASHBOARDS_PLUGIN) or {}
    return {
        f"{slug}/{chart_slug}": chart
        for slug, dashboard in dashboards.items()
        for chart_slug, chart in (dashboard.get("charts") or {}).items()
    }
