"""Article references: find where a text cites the treaty's articles, and map them to the
adopted text.

``find_references`` works on plain text (linear-time regular expressions, bounded windows),
so it is fast and never raises; the ``stancemap_article_refs`` spaCy component puts its results
on ``doc.spans["article_refs"]`` and ``doc._.references``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cache

from spacy.language import Language
from spacy.tokens import Doc

from db.treaty import DEFAULT_TREATY, TextVersion, Treaty, load_treaty

NUM = r"\d{1,3}(?:\s?(?:bis|ter|quater))?"
SUB = r"(?:\s?\((?:\d{1,2}|[a-z]|[ivx]{1,4})\))"  # (1), (c), (ii)
PARA = rf"(?:{SUB}+|,?\s+(?:para(?:graph)?s?\.?|§|¶)\s*\d{{1,2}}{SUB}*)"
JOIN = r"(?:\s*(?:,\s*(?:and|or)?|and|or|&|to|through|until|-|–|—)\s*)"
ITEM = rf"{NUM}{PARA}?"
HEAD = r"\b(?:[Aa]rticles?|ARTICLES?|[Aa]rts?\.|[Aa]rt\b)"
EXPLICIT = re.compile(rf"(?P<head>{HEAD})\s*(?P<items>{ITEM}(?:{JOIN}{ITEM})*)")
PARA_OF = re.compile(
    r"\b(?P<pword>[Pp]aragraphs?|[Pp]aras?\.?|§)\s*(?P<pnum>\d{1,2}(?:\s?\([a-z]\))?)"
    r"(?:\s*(?:and|,)\s*\d{1,2})*\s+of\s+(?=(?:[Aa]rticle|ARTICLE|[Aa]rt\.))"
)
CHAPTER = re.compile(r"\b[Cc]hapters?\s+(?P<num>[IVX]{1,4}|\d{1,2})\b")
RANGE_JOIN = re.compile(r"^\s*(?:to|through|until|-|–|—)\s*$")
NUMBER = re.compile(r"\d{1,3}")
WINDOW = 120


@dataclass
class Reference:
    surface: str
    start: int
    end: int
    cited: list[str]
    chapter: str | None
    paragraph: str | None
    text_version: str
    articles: list[int]
    method: str = "explicit"
    confidence: float = 0.0
    excluded: str | None = field(default=None, repr=False)

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("excluded")
        return data


# --- context: other instruments, organisations, markers of the draft ----------------------


@cache
def _other_instrument_pattern(treaty: Treaty) -> re.Pattern:
    aliases: list[str] = []
    for instrument in treaty.lexicon.get("other_instruments", []):
        aliases.append(instrument["name"])
        aliases.extend(instrument.get("aliases", []))
    aliases = sorted({a for a in aliases if a}, key=len, reverse=True)
    names = "|".join(re.escape(a) for a in aliases)
    generic = r"(?:[A-Z][\w'’-]+\s+){0,4}(?:Constitution|Act|Code|Charter|Covenant|Declaration|Directive|Regulation|Protocol|Bill|Law)\b"
    return re.compile(rf"(?:{names})\b|{generic}")


@cache
def _marker_pattern(treaty: Treaty) -> tuple[re.Pattern, dict[str, str]]:
    owners: dict[str, str] = {}
    for version in treaty.versions:
        for name in version.names:
            # Bare "the Convention" says nothing about which text is meant.
            if name.lower() in ("the convention",):
                continue
            owners[name.lower()] = version.id
    names = sorted(owners, key=len, reverse=True)
    return re.compile(r"(?<![\w])(" + "|".join(re.escape(n) for n in names) + r")(?![\w])", re.I), owners


def _excluded(text: str, start: int, end: int, treaty: Treaty) -> str | None:
    """Why the reference at text[start:end] is not to this treaty, or None."""
    surface = text[start:end]
    if surface.startswith("ARTICLE 19") and not re.match(r"ARTICLE 19\s*\(", surface):
        if not text[max(0, start - 40) : start].isupper():
            return "organisation ARTICLE 19"
    after = text[end : end + WINDOW]
    before = text[max(0, start - WINDOW) : start]
    other = _other_instrument_pattern(treaty)
    # "Article 19 of the ICCPR", "Article 15 of the Budapest Convention"
    tail = re.match(r"\s*(?:of|in|under)\s+(?:the\s+|its\s+|their\s+)?(.{0,90})", after)
    if tail:
        found = other.match(tail.group(1))
        if found:
            return f"article of {found.group(0).strip()}"
    # "the ICCPR's Article 19", "ICCPR Article 19", "Budapest Convention Article 15"
    head = re.search(r"(.{0,60}?)(?:['’]s)?\s*$", before)
    if head:
        found = None
        for match in other.finditer(head.group(1)):
            found = match
        if found and found.end() >= len(head.group(1)) - 1:
            return f"article of {found.group(0).strip()}"
    return None


def _version_for(
    text: str, start: int, treaty: Treaty, day: date | None, hint: str | None
) -> tuple[TextVersion | None, str]:
    """Which text a reference cites, and on what evidence: marker, hint, date or none."""
    pattern, owners = _marker_pattern(treaty)
    window_start = max(0, start - 2 * WINDOW)
    sentence_start = max(text.rfind(". ", window_start, start), window_start)
    nearest = None
    for match in pattern.finditer(text, sentence_start, min(len(text), start + WINDOW)):
        distance = abs(match.start() - start)
        if nearest is None or distance < nearest[0]:
            nearest = (distance, owners[match.group(1).lower()])
    if nearest:
        return treaty.version(nearest[1]), "marker"
    if hint and hint != "unknown":
        try:
            return treaty.version(hint), "hint"
        except KeyError:
            pass
    if day is not None:
        version = treaty.version_on(day)
        if version is None and day < treaty.versions[0].used_from:
            version = treaty.versions[0]
        if version is not None:
            return version, "date"
    return None, "none"


CONFIDENCE = {
    ("marker", "high"): 0.97,
    ("marker", "medium-high"): 0.93,
    ("marker", "medium"): 0.88,
    ("marker", "low"): 0.75,
    ("hint", "high"): 0.95,
    ("hint", "medium-high"): 0.9,
    ("hint", "medium"): 0.85,
    ("hint", "low"): 0.7,
    ("date", "high"): 0.92,
    ("date", "medium-high"): 0.88,
    ("date", "medium"): 0.8,
    ("date", "low"): 0.65,
}


def _expand(items: str) -> tuple[list[str], str | None]:
    """Numbers a list or range covers ("28 to 30" -> 28, 29, 30), and a paragraph if one."""
    cited: list[str] = []
    paragraph = None
    tokens = re.split(rf"({JOIN})", items)
    previous: int | None = None
    pending_range = False
    for token in tokens:
        if not token:
            continue
        if re.fullmatch(JOIN, token):
            pending_range = bool(RANGE_JOIN.match(token))
            continue
        number_match = NUMBER.search(token)
        if not number_match:
            continue
        number = int(number_match.group(0))
        sub = token[number_match.end() :].strip()
        if sub and paragraph is None:
            paragraph = re.sub(r"^,?\s*(?:para(?:graph)?s?\.?|§|¶)\s*", "", sub).strip() or None
            if paragraph and not paragraph.startswith("("):
                paragraph = f"({paragraph})"
        if pending_range and previous is not None and previous < number <= previous + 40:
            cited.extend(str(n) for n in range(previous + 1, number + 1))
        else:
            cited.append(str(number))
        previous = number
        pending_range = False
    return cited, paragraph


def find_references(
    text: str,
    treaty: Treaty | None = None,
    day: date | None = None,
    text_version: str | None = None,
) -> list[Reference]:
    """Every explicit reference to the treaty's articles and chapters in ``text``."""
    treaty = treaty or load_treaty(DEFAULT_TREATY)
    refs: list[Reference] = []
    claimed: list[tuple[int, int]] = []
    for match in EXPLICIT.finditer(text):
        start, end = match.start(), match.end()
        paragraph_prefix = None
        prefix = PARA_OF.search(text, max(0, start - 40), start + 12)
        if prefix and prefix.end() == start:
            start = prefix.start()
            paragraph_prefix = f"({prefix.group('pnum')})"
        surface = text[start:end]
        excluded = _excluded(text, start, end, treaty)
        cited, paragraph = _expand(match.group("items"))
        if paragraph_prefix:
            paragraph = paragraph_prefix
        if not cited:
            continue
        chapter = None
        chapter_match = None
        for chapter_match in CHAPTER.finditer(text, max(0, start - 20), start):
            pass
        if chapter_match is not None and re.fullmatch(r"[\s,]*", text[chapter_match.end() : start]):
            chapter = chapter_match.group("num")
            start = chapter_match.start()
            surface = text[start:end]
        claimed.append((start, end))
        if excluded:
            continue
        version, evidence = _version_for(text, start, treaty, day, text_version)
        refs.append(_resolve(surface, start, end, cited, chapter, paragraph, treaty, version, evidence))
    for match in CHAPTER.finditer(text):
        if any(s <= match.start() < e for s, e in claimed):
            continue
        if _excluded(text, match.start(), match.end(), treaty):
            continue
        number = match.group("num")
        chapter = number if not number.isdigit() else _roman(int(number))
        if chapter not in treaty.chapters:
            continue
        version, evidence = _version_for(text, match.start(), treaty, day, text_version)
        refs.append(
            Reference(
                surface=match.group(0),
                start=match.start(),
                end=match.end(),
                cited=[],
                chapter=chapter,
                paragraph=None,
                text_version=version.id if version else "unknown",
                articles=[],
                confidence=0.9,
            )
        )
    refs.sort(key=lambda r: r.start)
    return refs


def _roman(number: int) -> str:
    numerals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in numerals:
        while number >= value:
            out += letters
            number -= value
    return out


def _resolve(
    surface: str,
    start: int,
    end: int,
    cited: list[str],
    chapter: str | None,
    paragraph: str | None,
    treaty: Treaty,
    version: TextVersion | None,
    evidence: str,
) -> Reference:
    if version is None:
        # No date and no marker: read the numbers as the adopted text's, with less confidence.
        articles = [int(n) for n in cited if int(n) in treaty.articles]
        return Reference(surface, start, end, cited, chapter, paragraph, "unknown", articles,
                         confidence=0.6 if articles else 0.2)
    if version.numbering is None:
        return Reference(surface, start, end, cited, chapter, paragraph, version.id, [],
                         confidence=0.3)
    articles: list[int] = []
    levels: list[str] = []
    for number in cited:
        mapped = version.map_number(int(number))
        if mapped in treaty.articles:
            articles.append(mapped)
            levels.append(version.mapping_confidence(int(number)))
    if not articles:
        return Reference(surface, start, end, cited, chapter, paragraph, version.id, [], confidence=0.2)
    if version.id == treaty.final.id:
        levels = ["high"] * len(articles)
    worst = max(levels, key=lambda lv: ("high", "medium-high", "medium", "low").index(lv)
                if lv in ("high", "medium-high", "medium", "low") else 3)
    confidence = CONFIDENCE.get((evidence, worst), 0.6)
    return Reference(surface, start, end, cited, chapter, paragraph, version.id, articles,
                     confidence=confidence)


# --- spaCy component ------------------------------------------------------------------------

if not Doc.has_extension("meta"):
    Doc.set_extension("meta", default=None)
if not Doc.has_extension("references"):
    Doc.set_extension("references", default=None)


class ArticleReferences:
    def __init__(self, nlp: Language, name: str, treaty: str):
        self.name = name
        self.treaty = load_treaty(treaty)

    def __call__(self, doc: Doc) -> Doc:
        meta = doc._.meta or {}
        refs = find_references(
            doc.text,
            self.treaty,
            day=_as_date(meta.get("date")),
            text_version=meta.get("text_version"),
        )
        doc._.references = refs
        spans = []
        for ref in refs:
            span = doc.char_span(ref.start, ref.end, label="ARTICLE_REF", alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans["article_refs"] = spans
        return doc


def _as_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


@Language.factory(
    "stancemap_article_refs",
    assigns=["doc.spans", "doc._.references"],
    default_config={"treaty": DEFAULT_TREATY},
)
def make_article_refs(nlp: Language, name: str, treaty: str) -> ArticleReferences:
    return ArticleReferences(nlp, name, treaty)
