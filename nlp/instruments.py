"""Whose article is it? The words around a reference decide: "of the ICCPR", "the Budapest
Convention's", "ECHR" right after the number, "(Article 12)" after "the UDHR", "its Article 8"
after a sentence about the ECHR, "of Tesmaria's Cybercrime Act", "of the zero draft".

Everything treaty-specific comes from the treaty data: its names (``lexicon.yaml`` names and
weak names, ``articles.json`` short names), the drafts' names and symbols (``versions.json``)
and the other instruments (``lexicon.yaml`` ``other_instruments``). The English words that make
a phrase a law, a report or a news article are language, not treaty, and live here.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from db.treaty import Treaty

# Head nouns of phrases that name some other legal text (or a document that is not a law).
OTHER_HEADS = (
    "act|acts|code|codes|constitution|charter|covenant|declaration|directive|regulation|"
    "protocol|protocols|statute|bill|law|laws|decree|ordinance|resolution|resolutions|report|"
    "policy|terms of service|terms|contract|agreement|guidelines"
)
# Head nouns that, alone or with the treaty's own words, name this treaty or one of its drafts.
OWN_HEADS = "convention|treaty|text|draft|instrument|pact|document|chapter"
# Modifiers that make "treaty" or "convention" another one.
OTHER_MODIFIERS = (
    "bilateral|regional|european|african|american|national|domestic|other|another|existing|"
    "older|earlier|inter-american|arab|human rights"
)
DEMONSTRATIVE = re.compile(
    rf"[ \t\u00a0]*,?[ \t\u00a0]*(?:of|in|under)\s+(?:that|the\s+same|the\s+said|this\s+other)\s+"
    rf"(?:{OTHER_HEADS}|convention|treaty|instrument)\b",
    re.I,
)
CHAPTER_PHRASE = re.compile(r"(?:the\s+)?chapter\s+([IVX]+|\d{1,2})\b", re.I)
FUNCTION_WORD = re.compile(
    r"\b(?:the|a|an|of|in|on|our|their|its|this|that|to|by|for|with|at|from|and|or)\s+", re.I
)
OTHER_HEAD = re.compile(OTHER_HEADS, re.I)
OTHER_MODIFIER = re.compile(rf"\b(?:{OTHER_MODIFIERS})\b", re.I)
CAPITALISED = re.compile(r"\b[A-Z][a-zA-Z]+\b")
TAIL_COUNT = 10
LOOK_BACK = 300  # characters back to the instrument that "its" or "that Convention" means
_WORD = r"[\w’'/-]+(?:\.[\w]+)*"
TAIL_WORDS = re.compile(rf"(?:{_WORD}[ \t\u00a0]+){{0,{TAIL_COUNT - 1}}}{_WORD}\s*$")
TAIL = re.compile(r"[ \t\u00a0]*,?[ \t\u00a0]*(?:of|in|under|from)\s+(?:the\s+)?")
ADJACENT_AFTER = re.compile(r"[ \t\u00a0]+([A-Z][\w.]+(?:\s+[A-Z][\w.]+){0,3})")
PARENTHESIS_AFTER = re.compile(r"\s*\(([^()\n]{1,60})\)")
OWN_HEAD = re.compile(rf"\b(?:{OWN_HEADS})\b", re.I)
HEAD_NOUN = re.compile(rf"\b({OTHER_HEADS}|{OWN_HEADS})\b", re.I)
CONTRAST = re.compile(
    r"(?:unlike|compared\s+(?:with|to)|than|in\s+contrast\s+to|relative\s+to|versus|vs\.?|"
    r"from|since|before|replac\w*|supersed\w*)\s+(?:the\s+|its\s+)?$",
    re.I,
)
PUNCTUATION = re.compile(r"[,;:()\[\]\n.!?\"“”]")
STOP_WORDS = frozenset(
    "which that who whose where is was were are has have had would will could should must may "
    "and or but while as to for on in of from under with between among by at".split()
)
AGAINST_IN_NAMES = ("corruption", "transnational", "cybercrime")


@dataclass(frozen=True)
class Context:
    """What the words around a reference say it belongs to."""

    own: bool  # True: this treaty (or one of its drafts); False: another instrument
    name: str
    version: str | None = None  # the draft named, when a marker was found
    chapter: str | None = None  # "Article 28 of Chapter IV"
    start: int = -1  # where the naming words are, to mark markers as used
    end: int = -1


class Names:
    """The treaty's names, its drafts' markers and the other instruments, as patterns."""

    def __init__(self, treaty: Treaty):
        lexicon = treaty.lexicon
        own = set(lexicon.get("names") or []) | set(lexicon.get("weak_names") or [])
        own |= {n for n in treaty.short_names if n.lower() != "the convention"}
        self.markers: dict[str, str] = {}
        for version in treaty.versions:
            for name in version.names:
                if name.lower() != "the convention":
                    self.markers[name.lower()] = version.id
            for symbol in re.findall(r"A/[A-Z]+[\w.]*(?:/[\w.]+)*", version.symbol):
                self.markers[symbol.lower()] = version.id
        others = {}
        for instrument in lexicon.get("other_instruments") or []:
            for alias in [instrument["name"], *(instrument.get("aliases") or [])]:
                others[alias.lower()] = instrument["name"]
        self.other_names = others
        self.own_names = {n.lower() for n in own} - set(others)
        alternatives = sorted(
            set(self.markers) | set(others) | self.own_names, key=len, reverse=True
        )
        self.any_name = re.compile(
            r"(?<![\w/])(?:" + "|".join(re.escape(a) for a in alternatives) + r")(?![\w/])", re.I
        )
        self.marker = re.compile(
            r"(?<![\w/])(?:"
            + "|".join(re.escape(m) for m in sorted(self.markers, key=len, reverse=True))
            + r")(?![\w/])",
            re.I,
        )
        self.own_words = {
            w for n in self.own_names | set(self.markers) for w in re.findall(r"[a-z]+", n)
        }
        self.article_like_orgs = [n for n in lexicon.get("organisations_named_like_articles") or []]

    def named(self, phrase: str, start: int = 0, within: int | None = None) -> Context | None:
        """The instrument a noun phrase names, or None. A name must begin in the first
        ``within`` characters (the phrase's own words, before any clause that follows)."""
        within = len(phrase) if within is None else within
        match = self.any_name.search(phrase)
        if match and match.start() < within:
            key = match.group(0).lower()
            begin, end = start + match.start(), start + match.end()
            if key in self.markers:
                return Context(True, match.group(0), self.markers[key], start=begin, end=end)
            if key in self.other_names:
                return Context(False, self.other_names[key], start=begin, end=end)
            return Context(True, match.group(0), start=begin, end=end)
        return self._by_head(phrase[:within], start)

    def _by_head(self, phrase: str, start: int, at_end: bool = False) -> Context | None:
        words = phrase.strip()
        chapter = CHAPTER_PHRASE.match(words)
        if chapter:
            return Context(
                True,
                words,
                chapter=chapter.group(1),
                start=start,
                end=start + phrase.find(chapter.group(0)) + len(chapter.group(0)),
            )
        # The head is the first head noun that is not a modifier of the next one ("draft
        # protocol", "Cybercrime Act"): "the UN Charter makes clear" -> Charter.
        head = None
        for found in HEAD_NOUN.finditer(words):
            if at_end and found.end() != len(words):
                continue  # a phrase that ends at a reference ends with its head noun
            if (
                not HEAD_NOUN.match(words, found.end() + 1)
                or words[found.end() : found.end() + 1] != " "
            ):
                head = found
                break
        if head is None:
            return None
        noun = head.group(1).lower()
        # The head's own modifiers: the words since the last function word ("the Vienna
        # Convention" -> "Vienna"; "Most of our amendments target the procedural chapter" ->
        # "procedural").
        before = FUNCTION_WORD.split(words[: head.start()])[-1]
        if OTHER_HEAD.fullmatch(noun) or OTHER_MODIFIER.search(before):
            return Context(False, words, start=start, end=start + len(phrase))
        # A proper name that is not one of the treaty's words: "the Vienna Convention".
        for word in CAPITALISED.findall(before):
            if word.lower() not in self.own_words and word.lower() not in (
                "un",
                "the",
                "new",
                "draft",
            ):
                return Context(False, words, start=start, end=start + len(phrase))
        return Context(True, words, start=start, end=start + len(phrase))


@cache
def names_of(treaty: Treaty) -> Names:
    return Names(treaty)


def _chunk(text: str, start: int, limit: int = 90) -> str:
    """The noun phrase starting at ``start``: up to punctuation, a verb or a clause word."""
    window = text[start : start + limit]
    stop = PUNCTUATION.search(window)
    if stop is not None:
        window = window[: stop.start()]
    words = window.split(" ")
    for index, word in enumerate(words[1:], 1):
        lowered = word.lower()
        following = words[index + 1] if index + 1 < len(words) else ""
        if lowered == "of" and (following[:1].isupper() or following == "the"):
            continue  # "Council of Europe", "Rights of the Child": "of" inside a name
        if lowered == "against" and following.lower() in AGAINST_IN_NAMES:
            continue
        if lowered in STOP_WORDS or lowered == "against" or lowered.endswith("ing"):
            return " ".join(words[:index])
    return window


def _tail_words(phrase: str, count: int = TAIL_COUNT) -> tuple[str, int]:
    """The last ``count`` words of ``phrase`` and where they start in it."""
    piece = phrase[-count * 16 :]
    match = TAIL_WORDS.search(piece)
    if match is None:
        return "", len(phrase)
    return match.group(0), len(phrase) - len(piece) + match.start()


def _named_at_end(names: Names, phrase: str, offset: int) -> Context | None:
    """The instrument named by the words that end ``phrase``: the longest tail that is a name
    ("the Council of Europe's Convention on Cybercrime" -> the Budapest Convention), else the
    head noun that ends it ("Tesmaria's Criminal Code")."""
    tail, where = _tail_words(phrase)
    words = list(re.finditer(r"\S+", tail))
    for first in range(len(words)):  # the longest tail that is a name
        piece = tail[words[first].start() :]
        found = names.any_name.fullmatch(piece.strip())
        if found:
            return names.named(piece.strip(), offset + where + words[first].start())
    context = names._by_head(tail, offset + where, at_end=True)
    if context and context.start >= 0 and not context.own:
        return context
    return context if context and context.own and context.chapter is None else None


def context_of(text: str, start: int, end: int, treaty: Treaty) -> Context | None:
    """What the words right around text[start:end] (a reference) say it belongs to."""
    names = names_of(treaty)
    after = text[end : end + 120]
    # "Article 19 of the ICCPR", "Article 5 in the zero draft", "Article 28 of Chapter IV"
    tail = TAIL.match(after)
    if tail:
        phrase_start = end + tail.end()
        if DEMONSTRATIVE.match(text, end + tail.start()):  # "Article 8 of that Convention"
            return _last_named(text, start, names)
        chunk = _chunk(text, phrase_start)
        first = _first_from(_mentions(names, text)[0], phrase_start)
        if first is not None and first[0] < phrase_start + min(len(chunk), 40):
            return names.named(first[2], first[0])
        context = names._by_head(chunk, phrase_start)
        if context is not None:
            return context
    # "Article 8 ECHR", "article 16 TFEU"; "Article 8 (ECHR)", "Article 5 (zero draft)"
    adjacent = ADJACENT_AFTER.match(after)
    if adjacent:
        found = names.any_name.match(adjacent.group(1))
        if found:
            return names.named(found.group(0), end + adjacent.start(1))
    inside = PARENTHESIS_AFTER.match(after)
    if inside:
        found = names.any_name.search(inside.group(1))
        if found:
            return names.named(found.group(0), end + inside.start(1) + found.start())
    return _context_before(text, start, end, names)


def _last_named(text: str, start: int, names: Names) -> Context | None:
    """What "its", "whose" or "that Convention" points back to: the last instrument named."""
    named_spans, generic_spans = _mentions(names, text)
    named = _last_before(named_spans, start)
    generic = _last_before(generic_spans, start)
    if generic is not None and (named is None or generic[0] >= named[1]):
        return Context(True, generic[2])  # "The treaty ... its Article 5"
    return names.named(named[2], named[0]) if named is not None else None


@lru_cache(maxsize=4)
def _mentions(names: Names, text: str) -> tuple[list, list]:
    """Every instrument named in a text, and every bare "convention"/"treaty", found once per
    text so that "its Article N" costs a bisection, not a scan."""
    named = [(m.start(), m.end(), m.group(0)) for m in names.any_name.finditer(text)]
    generic = [(m.start(), m.end(), m.group(0)) for m in OWN_HEAD.finditer(text)]
    return named, generic


def _first_from(spans: list, start: int):
    index = bisect.bisect_left(spans, (start,))
    return spans[index] if index < len(spans) else None


def _last_before(spans: list, start: int):
    index = bisect.bisect_left(spans, (start,)) - 1
    if index >= 0 and start - spans[index][0] <= LOOK_BACK:
        return spans[index]
    return None


POSSESSIVE = re.compile(r"['’]s\s+(?:(?:old|new|former|draft|own)\s+)?$")
INSIDE = re.compile(r"(?:,\s+(?:in|under|at)\s+(?:its\s+)?|\s+(?:in|under|at)\s+its\s+)$")
LISTING = re.compile(
    r",?\s+(?:including|especially|notably|in\s+particular|such\s+as|namely)\s+(?:its\s+)?$"
)
CITATION = re.compile(
    r"(?:^|\n|[¹²³⁴⁵⁶⁷⁸⁹⁰]\s*|\d\.\s+|\b(?:[Ss]ee|[Cc]ompare|[Cc]f\.)\s+)([^,\n]{1,70}),\s*$"
)
LISTED = re.compile(
    r"(?:^|\n)[ \t]*(?:[-–•*][ \t]*|\d+\.[ \t]+|[¹²³⁴⁵⁶⁷⁸⁹⁰]+[ \t]*)?([^\n]{1,110}),[ \t]*$"
)
CITATION_FILLER = re.compile(
    r"[\s\d¹²³⁴⁵⁶⁷⁸⁹⁰.*()-]*(?:(?:the|un|see|also|compare|cf\.?)\s*)*", re.I
)
CITED_TITLE = re.compile(r"(?:[A-Z][\w.’'-]*\s+){0,3}[A-Z][\w.’'-]*")
SEE = re.compile(r"\b(?:[Ss]ee|[Cc]ompare|[Cc]f\.)\s")
LINE_END = re.compile(r"[ \t]*(?:\([^()\n]{0,30}\))?[ \t]*[.;]?[ \t]*(?:\n|$)")
ADJACENT = re.compile(r"((?:[A-Z][\w.’'/-]*|draft)(?:\s+[A-Z][\w.’'/-]*){0,3})[ \t\u00a0]+$")
LAST_WORD = re.compile(r"(\S+)\s*$")
HEADED = re.compile(rf"\b(?:{OWN_HEADS}|{OTHER_HEADS})\s*$", re.I)
INSIDE_WORDS = ("in", "under", "at", "its")
LISTING_WORDS = ("including", "especially", "notably", "particular", "as", "namely", "its")


def _context_before(text: str, start: int, end: int, names: Names) -> Context | None:
    # Each pattern below ends at the reference; cheap checks on the last word keep the common
    # case ("... under Article 5") from running them at all.
    window_start = max(0, start - 160)
    before = text[window_start:start]
    last = LAST_WORD.search(before[-40:])
    if last is None:
        return None
    word, closing = last.group(1), before.rstrip()[-1:]
    lowered = word.lower()
    # "the ICCPR's Article 19", "the zero draft's Article 5", "the Rome Statute's Article 7"
    if "'s" in before[-16:] or "’s" in before[-16:]:
        possessive = POSSESSIVE.search(before)
        if possessive:
            return _named_at_end(names, before[: possessive.start()], window_start)
    # "the ECHR, in its Article 8", "the Convention on Cybercrime, in Article 15"
    if lowered in INSIDE_WORDS:
        inside = INSIDE.search(before)
        if inside and re.search(r"\w", before[: inside.start()][-1:] or ""):
            context = _named_at_end(names, before[: inside.start()], window_start)
            if context is not None and not context.own:
                return context
    # "the Covenant on Civil and Political Rights, including Article 17 on privacy"
    if lowered in LISTING_WORDS:
        listing = LISTING.search(before)
        if listing:
            context = _named_at_end(names, before[: listing.start()], window_start)
            if context is not None and not context.own:
                return context
    # "the UDHR (Article 12)", "Tesmaria's Criminal Code (art. 273)"
    if closing == "(":
        return _named_at_end(names, before.rstrip()[:-1].rstrip(), window_start)
    if closing == ",":
        context = _cited_after_comma(text, before, window_start, end, names)
        if context is not None:
            return context
    # "its Article 15" / "whose Article 19": the last instrument named before it.
    if lowered in ("its", "whose", "their"):
        return _last_named(text, start, names)
    # "ICCPR Article 17", "GDPR Art. 6", "Draft Article 6", "Charter Article 2(7)"
    if word[:1].isupper() or lowered == "draft":
        adjacent = ADJACENT.search(before[-60:])
        if adjacent:
            offset = start - len(before[-60:]) + adjacent.start(1)
            return _named_at_end(names, adjacent.group(1), offset)
    return None


def _cited_after_comma(text: str, before: str, window_start: int, end: int, names: Names):
    """Citations ("ICCPR, art. 17.", "A/AC.291/22, art. 24", "See Rev.3, art. 6") and lines
    of a reference list ("- Council of Europe, Convention on Cybercrime (ETS No. 185), Arts 2–6.").
    """
    line = before[before.rfind("\n") + 1 :]
    offset = window_start + len(before) - len(line)
    whole_line = "\n" in before or window_start == 0  # a line longer than that is prose
    citation = CITATION.search(line) if whole_line or SEE.search(line[-80:]) else None
    if citation:
        # The cited instrument is all there is before the comma: "ICCPR, art. 17", not
        # "Unlike the Budapest Convention, Article 24 ...".
        phrase = citation.group(1)
        found = names.any_name.search(phrase)
        rest = phrase[: found.start()] + phrase[found.end() :] if found else phrase
        if (found and CITATION_FILLER.fullmatch(rest)) or (
            not found and HEADED.search(phrase) and CITED_TITLE.fullmatch(phrase.strip())
        ):
            return names.named(phrase, offset + citation.start(1))
    listed = LISTED.search(line) if whole_line and LINE_END.match(text, end) else None
    if listed:
        found = names.any_name.search(listed.group(1))
        if found:
            return names.named(found.group(0), offset + listed.start(1) + found.start())
    return None


def contrastive(text: str, marker_start: int) -> bool:
    """Is the marker at ``marker_start`` introduced as a contrast ("unlike the zero draft")?"""
    return bool(CONTRAST.search(text[max(0, marker_start - 30) : marker_start]))


COORDINATED = re.compile(
    r"\s*(?:\([^()\n]{0,40}\)|,?\s+on\s+[\w\s-]{1,40}?)?\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|as\s+well\s+as\s+)$"
)


def coordinated(text: str, previous_end: int, start: int) -> bool:
    """Is the reference at ``start`` coordinated with the one ending at ``previous_end``
    ("its Article 17 and Article 19", "including Article 17 on privacy and Article 19")?"""
    return 0 <= start - previous_end <= 60 and bool(
        COORDINATED.fullmatch(text, previous_end, start)
    )
