"""Which text a reference cites, and what its numbers are in the adopted text.

Evidence, strongest first: a marker attached to the reference ("Article 5 of the zero draft",
"the updated draft's Article 6", "A/AC.291/22, art. 24") or scoping the sentence before it ("In
the revised draft text, Article 24 ..."); the caller's hint (``--text-version``); the document's
date against the drafts' windows (``versions.json``); and the subject the sentence gives the
article ("Article 5, on respect for human rights"), which settles unknown numbering and overrides
a date when a draft's concordance agrees with it. A number whose mapping is not known stays
unmapped (``articles: []``), never guessed.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date, timedelta

from db.treaty import CONFIDENCE_ORDER, TextVersion, Treaty
from nlp.instruments import contrastive, names_of
from nlp.subjects import subject_index

SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s+(?=[\"“‘(]?[A-Z¹²³⁴⁵⁶⁷⁸⁹])|\n\s*")
MARKER_SLACK = timedelta(days=30)  # a statement can be dated a little before the text it cites
MARKERS_LOOKED_AT = 12  # a sentence naming more drafts than that is not scoping one
EVIDENCE_CONFIDENCE = {"marker": 0.96, "hint": 0.93, "date": 0.9, "none": 0.6}
LEVEL_FACTOR = {"high": 1.0, "medium-high": 0.97, "medium": 0.93, "low": 0.85}
AFTER_SUBJECT = re.compile(
    r"^(?:\s*,?\s*(?:of|in)\s+(?:the\s+)?[\w .’'/-]{1,40}?(?=,))?"
    r"\s*(?P<open>\(|,|:|–|—|-|\.(?=[ \t]*[A-Z][^\n.]{2,60}(?:\n|$)))?\s*"
    r"(?P<conn>(?:on|about|concerning|regarding|covering|dealing\s+with|relating\s+to)\s+"
    r"|(?:which|that)\s+(?:would\s+|now\s+|still\s+|also\s+)?\w+(?:\s+(?:out|with|to|for))?\s+)?"
    r"(?P<subject>[^,;:.()\n]{3,90})",
    re.I,
)
OTHER_REFERENCE = re.compile(r"\s*(?:articles?|arts?\.?|chapters?|paragraphs?)\s*\d", re.I)
SUBJECT_HEADS = ("provision", "clause", "article", "offence")
SUBJECT_BRIDGES = ("once", "formerly", "previously", "now", "then")
BEFORE_SUBJECT = re.compile(
    r"(?P<subject>(?:[\w’'-]+\s+){1,6}?)(?:provision|clause|article|offence)s?\s*"
    r"(?:,\s*(?:once|formerly|previously|now|then)?\s*|\(\s*)$",
    re.I,
)


class Sentences:
    """Sentence starts of a text, found once, for "the sentence around this offset"."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [m.end() for m in SENTENCE_END.finditer(text)]

    def start_of(self, position: int) -> int:
        return self.starts[bisect.bisect_right(self.starts, position) - 1]

    def end_of(self, position: int) -> int:
        index = bisect.bisect_right(self.starts, position)
        return self.starts[index] if index < len(self.starts) else len(self.text)

    def index_of(self, position: int) -> int:
        return bisect.bisect_right(self.starts, position) - 1


@dataclass
class Marker:
    start: int
    end: int
    version: str
    used: bool = False


def find_markers(text: str, treaty: Treaty) -> list[Marker]:
    names = names_of(treaty)
    return [
        Marker(m.start(), m.end(), names.markers[m.group(0).lower()])
        for m in names.marker.finditer(text)
    ]


def plausible(version: TextVersion, day: date | None) -> bool:
    """A text published after the statement cannot be the one it cites ("we cannot support
    the final text" in 2023 speaks of a text to come)."""
    return day is None or version.date <= day + MARKER_SLACK


def scope_marker(
    markers: list[Marker],
    text: str,
    sentence_start: int,
    start: int,
    treaty: Treaty,
    day: date | None,
) -> Marker | None:
    """The nearest marker earlier in the same sentence that sets the scope for a reference.
    ``markers`` are in text order (as ``find_markers`` gives them)."""
    index = bisect.bisect_left(markers, start, key=lambda m: m.start) - 1
    lowest = max(-1, index - MARKERS_LOOKED_AT)
    while index > lowest and markers[index].start >= sentence_start:
        marker = markers[index]
        if (
            not marker.used
            and not contrastive(text, marker.start)
            and plausible(treaty.version(marker.version), day)
        ):
            return marker
        index -= 1
    return None


def version_by_date(treaty: Treaty, day: date) -> tuple[TextVersion | None, str]:
    version = treaty.version_on(day)
    if version is not None:
        return version, "date"
    first = treaty.versions[0]
    if day < first.used_from and day >= first.date:
        return first, "date"
    if day < first.date:
        return None, "predates"  # before the first draft: its numbering is unknown
    return None, "none"


def subject_of(text: str, start: int, end: int, sentences: Sentences, treaty: Treaty) -> int | None:
    """The adopted article the sentence says a single cited article is about, if it says."""
    index = subject_index(treaty)
    stop = min(sentences.end_of(start) + 1, end + 140)
    after = AFTER_SUBJECT.match(text[end:stop])
    if (
        after
        and (after.group("open") or after.group("conn"))
        and not OTHER_REFERENCE.match(after.group("subject"))
    ):
        connective = after.group("conn")
        match = index.lexical_match(
            after.group("subject"),
            whole=connective is None,
            # "Article 15 on grooming should ...": a subject right after "on" may be one word
            anchored=bool(connective) and not connective.lower().startswith(("which", "that")),
        )
        if match and len(match.targets) == 1:
            return int(match.targets[0])
    window = text[max(sentences.start_of(start), start - 80) : start]
    closing = window.rstrip()
    before = (
        BEFORE_SUBJECT.search(window)
        if (closing[-1:] in (",", "(") or closing.endswith(SUBJECT_BRIDGES))
        and any(head in closing[-40:] for head in SUBJECT_HEADS)  # "the human rights provision,"
        else None
    )
    if before:
        match = index.lexical_match(before.group("subject"))
        if match and len(match.targets) == 1:
            return int(match.targets[0])
    return None


@dataclass
class Mapping:
    text_version: str
    articles: list[int]
    confidence: float


def _level(version: TextVersion, number: int, treaty: Treaty) -> str:
    return "high" if version is treaty.final else version.mapping_confidence(number)


def map_cited(
    cited: list[str],
    version: TextVersion | None,
    evidence: str,
    subject: int | None,
    treaty: Treaty,
    day: date | None,
    draft: bool = False,
) -> Mapping:
    """The adopted articles that ``cited`` numbers of ``version`` stand for. ``draft``: the
    reference says it cites a draft ("draft Article 17") though the date points past them."""
    numbers = [int(n) for n in cited if n.isdigit()]
    if draft and evidence != "marker" and (version is None or version is treaty.final):
        return _any_draft(numbers, subject, treaty, day)
    if evidence == "predates" or (version is not None and version.numbering is None):
        label = version.id if version is not None else "unknown"
        if subject is not None and len(numbers) == 1:
            return Mapping(label, [subject], 0.8)
        return Mapping(label, [], 0.3)
    if version is None:  # no date and no marker: read as the adopted text, with less trust
        if subject is not None and len(numbers) == 1 and numbers[0] != subject:
            return _by_subject(numbers[0], subject, None, treaty, day, "unknown")
        articles = [n for n in numbers if n in treaty.articles]
        return Mapping(
            "unknown", articles, 0.75 if subject is not None else EVIDENCE_CONFIDENCE["none"]
        )
    articles, levels = [], []
    for number in numbers:
        mapped = version.map_number(number)
        if mapped in treaty.articles:
            articles.append(mapped)
            levels.append(_level(version, number, treaty))
    if subject is not None and len(numbers) == 1 and articles != [subject]:
        if evidence == "marker":
            return Mapping(version.id, articles, 0.6)  # the marker wins; the subject disagrees
        return _by_subject(numbers[0], subject, version, treaty, day, version.id)
    if not articles:
        return Mapping(version.id, [], 0.3)
    worst = max(levels, key=CONFIDENCE_ORDER.index)
    confidence = EVIDENCE_CONFIDENCE[evidence] * LEVEL_FACTOR.get(worst, 0.8)
    if subject is not None:
        confidence = min(0.99, confidence + 0.04)
    return Mapping(version.id, articles, round(confidence, 3))


def _by_subject(
    number: int,
    subject: int,
    version: TextVersion | None,
    treaty: Treaty,
    day: date | None,
    fallback: str,
) -> Mapping:
    """The subject names another article than the date's numbering gives: believe it when a
    draft's concordance sends the cited number there (or the numbering is in doubt)."""
    agreeing = [
        v for v in treaty.versions if v.numbering is not None and v.map_number(number) == subject
    ]
    earlier = [v for v in agreeing if day is None or v.date <= day + MARKER_SLACK]
    if earlier:
        # Undated and several drafts agree (zero and Rev.1 share a numbering): say unknown.
        label = earlier[-1].id if day is not None or len(earlier) == 1 else fallback
        return Mapping(label, [subject], 0.8)
    if version is not None and _level(version, number, treaty) == "low":
        return Mapping(fallback, [subject], 0.65)  # a weakly evidenced concordance gives way
    mapped = version.map_number(number) if version is not None else number
    return Mapping(fallback, [mapped] if mapped in treaty.articles else [], 0.5)


def _any_draft(
    numbers: list[int], subject: int | None, treaty: Treaty, day: date | None
) -> Mapping:
    """Some draft, not said which: the drafts whose numbering is known must agree (or the
    subject must pick among them); otherwise the mapping stays unknown."""
    drafts = [
        v
        for v in treaty.versions
        if v is not treaty.final and v.numbering is not None and (day is None or v.date <= day)
    ]
    if subject is not None and len(numbers) == 1:
        agreeing = [v for v in drafts if v.map_number(numbers[0]) == subject]
        if agreeing:
            return Mapping(agreeing[0].id if len(agreeing) == 1 else "unknown", [subject], 0.8)
    readings = {tuple(v.map_number(n) for n in numbers) for v in drafts}
    if len(readings) == 1:
        articles = [n for n in readings.pop() if n in treaty.articles]
        return Mapping("unknown", articles, 0.7)
    return Mapping("unknown", [], 0.3)
