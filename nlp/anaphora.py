"""Anaphora: "this Article", "paragraph 1 of this Article", "the same article", "these
articles" and "The article requires ..." right after an explicit reference resolve to it.

Only an unambiguous antecedent counts: the explicit references earlier in the same sentence, or
else in the sentence before; one article for a singular anaphor, one reference for a plural
one. When the nearest reference belongs to another instrument, nothing resolves. "This article"
meaning the page the reader is on ("In this article, we ...", "This article was first
published ...", "Share this article") is not an anaphor.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from nlp.drafts import Sentences

ANAPHOR = re.compile(
    r"\b(?:(?P<para>(?:[Ss]ub-?)?(?:[Pp]aragraphs?|[Pp]aras?\.?|§)\s*(?P<pnum>\d{1,2}|\([a-z]\))"
    r"(?P<psubs>(?:\([a-z0-9]{1,4}\))*)\s+of\s+)?"
    r"(?P<det>[Tt]his|[Tt]hat|[Tt]he\s+same|[Tt]he\s+said|[Tt]hese|[Tt]hose)\s+(?P<head>[Aa]rticles?|ARTICLES?)\b"
    r"|(?P<bare>[Tt]he\s+article)\s+(?=(?:also\s+|further\s+|thus\s+|therefore\s+)?(?:requires|obliges|"
    r"allows|permits|provides|lets|establishes|sets|defines|criminali[sz]es|covers|applies|gives|"
    r"contains|imposes|mandates|leaves|creates|extends|limits|obligates)\b))"
)
NEWS_BEFORE = re.compile(
    r"(?:\b(?:[Ss]hare|[Rr]ead|[Pp]rint|[Cc]omment\s+on|[Rr]epublish|[Ee]mail|[Ss]ave|[Bb]ookmark|"
    r"[Tt]ranslate|[Ll]ike|[Ff]orward)\s+)$"
)
NEWS_AFTER = re.compile(
    r"\s*,?\s*(?:(?:we|I|you|our|the\s+author)\b|was\s+(?:first\s+|originally\s+)?(?:published|"
    r"updated|written|posted|edited|corrected|produced)|has\s+been\s+(?:updated|corrected|edited|"
    r"amended\s+to\s+reflect)|is\s+(?:part\s+of|based\s+on|an?\s+|the\s+(?:first|second|third|"
    r"last|latest)|published|available|also\s+available)|first\s+appeared|originally\s+appeared|"
    r"appeared|reflects|represents\s+(?:the|my|our)|explains|examines|looks\s+at|describes|argues|"
    r"discusses|summari[sz]es|will\s+(?:explain|look|examine|discuss))"
)
WINDOW = 400


@dataclass
class Anaphor:
    start: int
    end: int
    plural: bool
    paragraph: str | None


def find_anaphors(text: str) -> list[Anaphor]:
    found = []
    for match in ANAPHOR.finditer(text):
        if match.group("bare"):
            found.append(
                Anaphor(match.start(), match.start() + len(match.group("bare")), False, None)
            )
            continue
        det = match.group("det").lower()
        plural = match.group("head").lower().endswith("s")
        if match.group("para") is None and det == "this" and not plural:
            before = text[max(0, match.start() - 30) : match.start()]
            if NEWS_BEFORE.search(before) or NEWS_AFTER.match(text, match.end()):
                continue
            if re.search(r"\b[Ii]n\s+$", before) and NEWS_AFTER.match(text, match.end()):
                continue
        paragraph = None
        if match.group("para"):
            paragraph = f"({match.group('pnum').strip('()')})" + (match.group("psubs") or "")
        found.append(Anaphor(match.start(), match.end(), plural, paragraph))
    return found


def antecedent(anaphor: Anaphor, references: list, blocker_ends: list[int], sentences: Sentences):
    """The one explicit reference ``anaphor`` points back to, or None. ``blocker_ends``: sorted
    ends of the references to other instruments."""
    here = sentences.index_of(anaphor.start)
    before = [
        r
        for r in references
        if r.end <= anaphor.start
        and anaphor.start - r.end <= WINDOW
        and r.cited
        and here - sentences.index_of(r.start) <= 1
    ]
    index = bisect.bisect_right(blocker_ends, anaphor.start)
    nearest_blocker = blocker_ends[index - 1] if index else -1
    if before and nearest_blocker > max(r.end for r in before):
        return None  # "Article 19 of the ICCPR ... This article": another instrument's
    if not before:
        return None
    same = [r for r in before if sentences.index_of(r.start) == here]
    pool = same or [r for r in before if sentences.index_of(r.start) == here - 1]
    distinct = {tuple(r.cited) for r in pool}
    if len(distinct) != 1:
        return None
    ref = pool[-1]
    if not anaphor.plural and len(ref.cited) != 1:
        return None
    return ref
