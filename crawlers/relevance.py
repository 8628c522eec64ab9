"""Is a page about the treaty? Decided from the treaty's lexicon and the page, not site rules.

A page becomes a statement when it names the treaty prominently (title, or repeatedly in the
text), or names it once amid the vocabulary of its negotiation. A passing mention of
"cybercrime" on a page about something else does not make a statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from db.treaty import Treaty

THRESHOLD = 3.0


@dataclass(frozen=True)
class Relevance:
    score: float
    relevant: bool
    reason: str


def _alternation(phrases: list[str]) -> re.Pattern:
    phrases = sorted(set(phrases), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")", re.IGNORECASE)


@cache
def _patterns(treaty: Treaty) -> tuple[re.Pattern, re.Pattern, re.Pattern, re.Pattern]:
    names = treaty.lexicon.get("names", []) + list(treaty.short_names)
    # "the Convention" alone is too common to name the treaty; require a fuller name.
    names = [n for n in names if len(n.split()) > 1 and n.lower() != "the convention"]
    return (
        _alternation(names),
        _alternation(treaty.lexicon.get("weak_names", []) or ["\x00"]),
        _alternation(treaty.lexicon.get("topic", []) or ["\x00"]),
        _alternation(treaty.lexicon.get("context", [])),
    )


def assess(treaty: Treaty, title: str | None, text: str) -> Relevance:
    name_re, weak_re, topic_re, context_re = _patterns(treaty)
    title = title or ""
    in_title = len(name_re.findall(title))
    in_text = len(name_re.findall(text))
    context_terms = {m.lower() for m in context_re.findall(text)}
    # "the draft convention" names this treaty only on a page about cybercrime, or one steeped
    # in the negotiation's vocabulary.
    if len(topic_re.findall(f"{title} {text}")) >= 2 or len(context_terms) >= 6:
        in_title += len(weak_re.findall(title))
        in_text += len(weak_re.findall(text))
    article_refs = len(re.findall(r"\bArt(?:icle|\.)s?\s+\d", text, re.IGNORECASE))
    words = max(len(text.split()), 1)
    # Density keeps a long unrelated page with one passing mention out.
    density = in_text / words * 1000
    score = (
        3.0 * min(in_title, 1)
        + 1.0 * min(in_text, 4)
        + 0.25 * min(len(context_terms), 8)
        + 0.25 * min(article_refs, 4) * (1 if in_text or in_title else 0)
        + min(density, 2.0)
    )
    relevant = score >= THRESHOLD and (in_title > 0 or in_text > 0)
    reason = (
        f"names in title={in_title}, in text={in_text}, context terms={len(context_terms)}, "
        f"article refs={article_refs}, score={score:.2f}"
    )
    return Relevance(score=round(score, 3), relevant=relevant, reason=reason)
