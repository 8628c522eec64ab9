"""The treaty knowledge base: articles, chapters, negotiating drafts and their numbering.

Each treaty is a data folder below this package (``un-cybercrime-2024/``): ``articles.json``,
``versions.json`` and ``lexicon.yaml``. Nothing treaty-specific lives in code; a second treaty
is a second folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import yaml

TREATY_ROOT = Path(__file__).resolve().parent
DEFAULT_TREATY = "un-cybercrime-2024"

CONFIDENCE_ORDER = ("high", "medium-high", "medium", "low", "unknown")


class TreatyDataError(ValueError):
    """A treaty data file is missing or malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Article:
    number: int
    title: str
    chapter: str
    chapter_title: str
    title_confirmed: bool


@dataclass(frozen=True, eq=False)
class TextVersion:
    """A negotiating text (or the adopted one) and how its numbering maps to the adopted text."""

    id: str
    position: int
    symbol: str
    names: tuple[str, ...]
    date: date
    used_from: date
    used_until: date | None
    # cited number -> adopted number; None when the numbering is not known at all.
    numbering: dict[int, int] | None
    confidence: dict[str, object]

    def covers(self, day: date) -> bool:
        return self.used_from <= day and (self.used_until is None or day <= self.used_until)

    def map_number(self, cited: int) -> int | None:
        """The adopted article a number of this text refers to, or None when unknown."""
        if self.numbering is None:
            return None
        return self.numbering.get(cited, cited)

    def mapping_confidence(self, cited: int) -> str:
        """How well the concordance for ``cited`` is evidenced: high ... low, or unknown."""
        if self.numbering is None:
            return "unknown"
        fallback = "low"
        for level, value in self.confidence.items():
            if isinstance(value, list):
                if cited in value:
                    return level
            elif isinstance(value, str) and value.lower().startswith("all"):
                fallback = level
            elif isinstance(value, str) and level == "medium-high":
                # "numbering equals the adopted text for 4, 6, 14, 16, 21-24, ..."
                if cited in _numbers_in(value):
                    return level
        return fallback


@dataclass(frozen=True, eq=False)  # hashed by identity: one loaded object per treaty
class Treaty:
    id: str
    instrument: str
    short_names: tuple[str, ...]
    articles: dict[int, Article]
    chapters: dict[str, str]
    versions: tuple[TextVersion, ...]
    adopted: date
    lexicon: dict = field(default_factory=dict)

    @property
    def final(self) -> TextVersion:
        return self.versions[-1]

    def version(self, version_id: str) -> TextVersion:
        for version in self.versions:
            if version.id == version_id:
                return version
        raise KeyError(version_id)

    def version_on(self, day: date) -> TextVersion | None:
        """The text under discussion on a given day, by the drafts' time windows."""
        for version in self.versions:
            if version.covers(day):
                return version
        return None


def _numbers_in(text: str) -> set[int]:
    numbers: set[int] = set()
    for part in text.replace(";", ",").split(","):
        part = part.strip().split()[-1] if part.strip() else ""
        if "-" in part:
            low, _, high = part.partition("-")
            if low.isdigit() and high.isdigit():
                numbers.update(range(int(low), int(high) + 1))
        elif part.isdigit():
            numbers.add(int(part))
    return numbers


def _load_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise TreatyDataError(f"{path}: file not found") from error
    except json.JSONDecodeError as error:
        raise TreatyDataError(f"{path}: not valid JSON ({error})") from error


def _day(value: str | None, where: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise TreatyDataError(f"{where}: {value!r} is not a YYYY-MM-DD date") from error


@cache
def load_treaty(treaty_id: str = DEFAULT_TREATY) -> Treaty:
    folder = TREATY_ROOT / treaty_id
    if not folder.is_dir():
        raise TreatyDataError(f"{folder}: no such treaty data folder")
    data = _load_json(folder / "articles.json")
    articles: dict[int, Article] = {}
    chapters: dict[str, str] = {}
    for index, entry in enumerate(data.get("articles", [])):
        where = f"{folder / 'articles.json'}: articles[{index}]"
        try:
            article = Article(
                number=int(entry["number"]),
                title=str(entry["title"]),
                chapter=str(entry["chapter"]),
                chapter_title=str(entry["chapter_title"]),
                title_confirmed=bool(entry.get("title_confirmed", False)),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise TreatyDataError(f"{where}: missing or bad field {error}") from error
        articles[article.number] = article
        chapters.setdefault(article.chapter, article.chapter_title)

    versions_path = folder / "versions.json"
    versions = []
    for index, entry in enumerate(_load_json(versions_path).get("versions", [])):
        where = f"{versions_path}: versions[{index}]"
        numbering = entry.get("map")
        versions.append(
            TextVersion(
                id=entry["id"],
                position=index,
                symbol=entry.get("symbol", ""),
                names=tuple(entry.get("names", [])),
                date=_day(entry["date"], where),
                used_from=_day(entry["used_from"], where),
                used_until=_day(entry.get("used_until"), where),
                numbering=None
                if numbering is None
                else {int(k): int(v) for k, v in numbering.items()},
                confidence=entry.get("confidence", {}),
            )
        )
    if not versions:
        raise TreatyDataError(f"{versions_path}: no versions")

    lexicon_path = folder / "lexicon.yaml"
    lexicon = (
        yaml.safe_load(lexicon_path.read_text(encoding="utf-8")) if lexicon_path.exists() else {}
    )
    return Treaty(
        id=treaty_id,
        instrument=data.get("instrument", ""),
        short_names=tuple(data.get("short_names", [])),
        articles=articles,
        chapters=chapters,
        versions=tuple(versions),
        adopted=_day(data.get("adopted", {}).get("ad_hoc_committee"), str(folder))
        or versions[-1].date,
        lexicon=lexicon or {},
    )
