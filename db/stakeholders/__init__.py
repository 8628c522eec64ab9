"""The stakeholder registry: states, UN bodies, intergovernmental organisations, NGOs,
companies and outlets, with the names prose uses for them.

Data lives in the YAML files beside this module (``organizations:`` lists of the sources-registry
shape, plus ``demonyms``; optional ``people:``; ``capitals:`` maps a state's id to the names of
its capital or seat of government). ``load_stakeholders`` merges them with any extra
organisations (the crawl's sources registry), the later entry completing the earlier.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from db.schema import HOLDER_TYPES

FOLDER = Path(__file__).resolve().parent


class StakeholderDataError(ValueError):
    """A stakeholder file is malformed; the message names the file, entry and field."""


@dataclass
class Registry:
    organizations: dict[str, dict] = field(default_factory=dict)
    people: list[dict] = field(default_factory=list)
    capitals: dict[str, list[str]] = field(default_factory=dict)  # state id -> names

    def add(self, org: dict, where: str) -> None:
        org_id = org.get("id")
        if not isinstance(org_id, str) or not org_id:
            raise StakeholderDataError(f"{where}: id is required")
        if org.get("type") not in HOLDER_TYPES:
            raise StakeholderDataError(f"{where} ({org_id}): type must be one of {HOLDER_TYPES}")
        if not org.get("name"):
            raise StakeholderDataError(f"{where} ({org_id}): name is required")
        known = self.organizations.get(org_id)
        if known is None:
            self.organizations[org_id] = {**org, "aliases": list(org.get("aliases") or [])}
            return
        for key, value in org.items():
            if key == "aliases":
                known["aliases"] = list(dict.fromkeys(known["aliases"] + list(value or [])))
            elif value is not None and key != "sources":
                known.setdefault(key, value)
        if org.get("sources"):
            known["sources"] = org["sources"]


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise StakeholderDataError(f"{path}: not valid YAML ({error})") from error
    if not isinstance(data, dict):
        raise StakeholderDataError(f"{path}: expected a mapping with 'organizations'")
    return data


def load_stakeholders(extra: Iterable[dict] = (), folder: Path = FOLDER) -> Registry:
    registry = Registry()
    for path in sorted(folder.glob("*.yaml")):
        data = _read(path)
        for index, org in enumerate(data.get("organizations") or []):
            registry.add(org, f"{path}: organizations[{index}]")
        registry.people.extend(data.get("people") or [])
        for state, names in (data.get("capitals") or {}).items():
            registry.capitals.setdefault(state, []).extend(names or [])
    for index, org in enumerate(extra):
        registry.add(org, f"sources registry entry {index}")
    for state, names in registry.capitals.items():
        known = registry.organizations.get(state)
        if known is None or known.get("type") != "state":
            raise StakeholderDataError(f"capitals: {state!r} is not a state of the registry")
        if not all(isinstance(name, str) and name.strip() for name in names):
            raise StakeholderDataError(f"capitals: {state}: names must be non-empty strings")
    return registry
