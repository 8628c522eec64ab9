"""The sources registry: who the stakeholders are and where their statements are listed.

``load_sources`` reads a YAML file of the shape in DESIGN.md, validates every entry and returns
plain dicts. Errors name the file, the entry and the bad field.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from db.schema import HOLDER_TYPES, SOURCE_KINDS

DEFAULT_SOURCES = Path(__file__).resolve().parent / "sources.yaml"
SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
HOST = re.compile(r"^[a-z0-9.-]+(:\d+)?$")
# Crawl options an organisation may set once for all its sources (a source's own value wins).
INHERITED = ("follow", "deny", "allowed_domains", "language")


class SourcesError(ValueError):
    """The registry file is missing or an entry is malformed."""


def _fail(path: Path, where: str, message: str) -> SourcesError:
    return SourcesError(f"{path}: {where}: {message}")


def _check_url(path: Path, where: str, url: object) -> str:
    if not isinstance(url, str):
        raise _fail(path, where, f"url must be a string, got {url!r}")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _fail(path, where, f"url {url!r} is not an absolute http(s) URL")
    return url


def validate_organization(path: Path, index: int, entry: object) -> dict:
    where = f"organizations[{index}]"
    if not isinstance(entry, dict):
        raise _fail(path, where, "each organization must be a mapping")
    org_id = entry.get("id")
    where = f"organization {org_id!r} (entry {index})" if org_id else where
    if not isinstance(org_id, str) or not SLUG.match(org_id):
        raise _fail(path, where, "id must be a lowercase slug (a-z, 0-9, '-', '_', '.')")
    if not isinstance(entry.get("name"), str) or not entry["name"].strip():
        raise _fail(path, where, "name is required")
    if entry.get("type") not in HOLDER_TYPES:
        raise _fail(path, where, f"type must be one of {', '.join(HOLDER_TYPES)}")
    country = entry.get("country")
    if country is not None and (not isinstance(country, str) or not COUNTRY.match(country)):
        raise _fail(path, where, f"country must be ISO 3166 alpha-2 or null, got {country!r}")
    if entry.get("homepage") is not None:
        _check_url(path, where + ": homepage", entry["homepage"])
    aliases = entry.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise _fail(path, where, "aliases must be a list of strings")
    sources = entry.get("sources") or []
    if not isinstance(sources, list):
        raise _fail(path, where, "sources must be a list")
    checked = []
    for s_index, source in enumerate(sources):
        s_where = f"{where}: sources[{s_index}]"
        if not isinstance(source, dict):
            raise _fail(path, s_where, "each source must be a mapping with url and kind")
        _check_url(path, s_where, source.get("url"))
        if source.get("kind") not in SOURCE_KINDS:
            raise _fail(path, s_where, f"kind must be one of {', '.join(SOURCE_KINDS)}")
        merged = {**{k: entry[k] for k in INHERITED if entry.get(k) is not None}, **source}
        _check_crawl_options(path, s_where, merged)
        checked.append(merged)
    return {**entry, "aliases": aliases, "sources": checked}


def _check_crawl_options(path: Path, where: str, source: dict) -> None:
    for key in ("follow", "deny"):
        patterns = source.get(key) or []
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise _fail(path, where, f"{key} must be a list of regular expressions")
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise _fail(path, where, f"{key} pattern {pattern!r}: {error}") from error
    domains = source.get("allowed_domains") or []
    if not isinstance(domains, list) or not all(
        isinstance(d, str) and HOST.match(d) for d in domains
    ):
        raise _fail(path, where, "allowed_domains must be a list of host names")
    host = urlsplit(source["url"]).hostname or ""
    if domains and not any(host == d or host.endswith("." + d) for d in domains):
        raise _fail(path, where, f"url host {host!r} is not in allowed_domains {domains}")


def parse_sources(text: str, path: Path) -> list[dict]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise SourcesError(f"{path}: not valid YAML ({error})") from error
    if not isinstance(data, dict) or not isinstance(data.get("organizations"), list):
        raise SourcesError(f"{path}: expected a mapping with a list under 'organizations'")
    organizations = [
        validate_organization(path, index, entry)
        for index, entry in enumerate(data["organizations"])
    ]
    seen: set[str] = set()
    registered: dict[str, str] = {}
    for org in organizations:
        if org["id"] in seen:
            raise _fail(path, f"organization {org['id']!r}", "id is used twice")
        seen.add(org["id"])
        for source in org["sources"]:
            # The pages a source leads to are attributed to its organisation: one owner each.
            owner = registered.setdefault(source["url"], org["id"])
            if owner != org["id"]:
                raise _fail(path, f"organization {org['id']!r}",
                            f"source {source['url']} is already registered for {owner!r}")
    return organizations


def load_sources(path: str | Path | None = None, base_url: str | None = None) -> list[dict]:
    """Load and validate a registry. ``base_url`` fills ``{{base}}`` placeholders (the demo)."""
    path = Path(path) if path else DEFAULT_SOURCES
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise SourcesError(f"{path}: no such sources file") from error
    except (OSError, UnicodeDecodeError) as error:
        raise SourcesError(f"{path}: cannot read ({error})") from error
    if base_url is not None:
        text = text.replace("{{base}}", base_url.rstrip("/"))
    return parse_sources(text, path)
