"""Provisions a sentence speaks of by topic alone: "real-time collection", "the 24/7 network",
"grounds for refusal". Not references (nothing here is stored as a mention; the reference finder
asks for a head noun such as "provision" or "article"), but targets for the stance model: a
sentence that criticises interception without naming Article 30 takes a stance on Article 30.

Patterns live beside the treaty (``topics.yaml``); a treaty without the file has no topics.
"""

from __future__ import annotations

import re
from functools import cache

import yaml

from db.treaty import TREATY_ROOT, TreatyDataError


@cache
def _patterns(treaty: str) -> tuple[tuple[int, re.Pattern], ...]:
    path = TREATY_ROOT / treaty / "topics.yaml"
    if not path.exists():
        return ()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for number, patterns in (data.get("articles") or {}).items():
        for pattern in patterns:
            try:
                out.append((int(number), re.compile(pattern, re.I)))
            except re.error as error:
                raise TreatyDataError(
                    f"{path}: article {number}: bad pattern {pattern!r}: {error}"
                ) from error
    return tuple(out)


def topic_articles(text: str, treaty: str) -> list[int]:
    """Adopted article numbers whose topic the text names, in the order they appear."""
    found: dict[int, int] = {}
    for number, pattern in _patterns(treaty):
        match = pattern.search(text)
        if match and (number not in found or match.start() < found[number]):
            found[number] = match.start()
    return sorted(found, key=lambda number: (found[number], number))
