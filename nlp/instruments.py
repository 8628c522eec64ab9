"""Whose article is it? The words around a reference decide: "of the ICCPR", "the Budapest
Convention's", "ECHR" right after the number, "(Article 12)" after "the UDHR", "its Article 8"
after a sentence about the ECHR, "of Tesmaria's Cybercrime Act", "of the zero draft".

Everything treaty-specific comes from the treaty data: its names (``lexicon.yaml`` names and
weak names, ``articles.json`` short names), the drafts' names and symbols (``versions.json``)
and the other instruments (``lexicon.yaml`` ``other_instruments``). The English words that make
a phrase a law, a report or a news article are language, not treaty, and live here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

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
HEAD_NOUN = re.compile(rf"\b({OTHER_HEADS}|{OWN_HEADS})\b", re.I)
CONTRAST = re.compile(
    r"(?:unlike|compared\s+(?:with|to)|than|in\s+contrast\s+to|relative\s+to|versus|vs\.?|"
    r"from|since|before|replac\w*|supersed\w*)\s+(?:the\s+|its\s+)?$",
    re.I,
)
STOP_AT = re.compile(
    r"[,;:()\[\]\n.!?\"“”]|\s(?:which|that|who|whose|where|is|was|were|are|has|have|had|"
    r"would|will|could|should|must|may|and|or|but|while|as|to|for|on|in|of|from|under|with|"
    r"between|among|by|"
    r"at|against\s+(?!corruption|transnational|cybercrime)|\w+ing)\b",
    re.I,
)


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
        chapter = re.match(r"(?:the\s+)?chapter\s+([IVX]+|\d{1,2})\b", words, re.I)
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
        before = re.split(
            r"\b(?:the|a|an|of|in|on|our|their|its|this|that|to|by|for|with|at|from|and|or)\s+",
            words[: head.start()],
            flags=re.I,
        )[-1]
        if re.fullmatch(OTHER_HEADS, noun) or re.search(
            rf"\b(?:{OTHER_MODIFIERS})\b", before, re.I
        ):
            return Context(False, words, start=start, end=start + len(phrase))
        # A proper name that is not one of the treaty's words: "the Vienna Convention".
        for word in re.findall(r"\b[A-Z][a-zA-Z]+\b", before):
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
    for stop in STOP_AT.finditer(window):
        # "Council of Europe", "Rights of the Child": "of" inside a proper name goes on.
        if stop.group(0).strip().lower() == "of" and re.match(
            r"\s+(?:the\s+)?[A-Z]", window[stop.end() :]
        ):
            continue
        return window[: stop.start()]
    return window


def _last(matches):
    last = None
    for last in matches:  # noqa: B007 - the loop only finds the last one
        pass
    return last


def _tail_words(phrase: str, count: int = 10) -> tuple[str, int]:
    """The last ``count`` words of ``phrase`` and where they start in it."""
    word = r"[\w’'/-]+(?:\.[\w]+)*"
    match = re.search(rf"(?:{word}[ \t\u00a0]+){{0,{count - 1}}}{word}\s*$", phrase)
    return (match.group(0), match.start()) if match else ("", len(phrase))


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
    tail = re.match(r"[ \t\u00a0]*,?[ \t\u00a0]*(?:of|in|under|from)\s+(?:the\s+)?", after)
    if tail:
        phrase_start = end + tail.end()
        window = text[phrase_start : phrase_start + 90]
        if DEMONSTRATIVE.match(text, end + tail.start()):  # "Article 8 of that Convention"
            return _last_named(text, start, names)
        context = names.named(window, phrase_start, within=len(_chunk(text, phrase_start)))
        if context is not None and (context.start - phrase_start) < 40:
            return context
    # "Article 8 ECHR", "article 16 TFEU"; "Article 8 (ECHR)", "Article 5 (zero draft)"
    adjacent = re.match(r"[ \t\u00a0]+([A-Z][\w.]+(?:\s+[A-Z][\w.]+){0,3})", after)
    if adjacent:
        found = names.any_name.match(adjacent.group(1))
        if found:
            return names.named(found.group(0), end + adjacent.start(1))
    inside = re.match(r"\s*\(([^()\n]{1,60})\)", after)
    if inside:
        found = names.any_name.search(inside.group(1))
        if found:
            return names.named(found.group(0), end + inside.start(1) + found.start())
    return _context_before(text, start, end, names)


def _last_named(text: str, start: int, names: Names) -> Context | None:
    """What "its", "whose" or "that Convention" points back to: the last instrument named."""
    lo = max(0, start - 300)
    named = _last(names.any_name.finditer(text, lo, start))
    generic = _last(re.finditer(rf"\b(?:{OWN_HEADS})\b", text[lo:start], re.I))
    if generic is not None and (named is None or lo + generic.start() >= named.end()):
        return Context(True, generic.group(0))  # "The treaty ... its Article 5"
    return names.named(named.group(0), named.start()) if named is not None else None


def _context_before(text: str, start: int, end: int, names: Names) -> Context | None:
    window_start = max(0, start - 160)
    before = text[window_start:start]
    # "the ICCPR's Article 19", "the zero draft's Article 5", "the Rome Statute's Article 7"
    possessive = re.search(r"['’]s\s+(?:(?:old|new|former|draft|own)\s+)?$", before)
    if possessive:
        return _named_at_end(names, before[: possessive.start()], window_start)
    # "the ECHR, in its Article 8", "the Convention on Cybercrime, in Article 15"
    inside = re.search(
        r"(?:,\s+(?:in|under|at)\s+(?:its\s+)?|\s+(?:in|under|at)\s+its\s+)$", before
    )
    if inside and re.search(r"\w", before[: inside.start()][-1:] or ""):
        context = _named_at_end(names, before[: inside.start()], window_start)
        if context is not None and not context.own:
            return context
    # "the Covenant on Civil and Political Rights, including Article 17 on privacy"
    listing = re.search(
        r",?\s+(?:including|especially|notably|in\s+particular|such\s+as|namely)\s+(?:its\s+)?$",
        before,
    )
    if listing:
        context = _named_at_end(names, before[: listing.start()], window_start)
        if context is not None and not context.own:
            return context
    # "the UDHR (Article 12)", "Tesmaria's Criminal Code (art. 273)"
    paren = re.search(r"\(\s*$", before)
    if paren:
        return _named_at_end(names, before[: paren.start()].rstrip(), window_start)
    # Citations: "ICCPR, art. 17.", "A/AC.291/22, art. 24", "See Rev.3, art. 6"
    citation = re.search(
        r"(?:^|\n|[¹²³⁴⁵⁶⁷⁸⁹⁰]\s*|\d\.\s+|\b(?:[Ss]ee|[Cc]ompare|[Cc]f\.)\s+)([^,\n]{1,70}),\s*$",
        before,
    )
    if citation:
        found = names.any_name.search(citation.group(1))
        if found or re.search(rf"\b(?:{OWN_HEADS}|{OTHER_HEADS})\s*$", citation.group(1), re.I):
            phrase = citation.group(1)
            return names.named(phrase, window_start + citation.start(1))
    # A reference list: "- Council of Europe, Convention on Cybercrime (ETS No. 185), Articles 2–6."
    listed = re.search(
        r"(?:^|\n)[ \t]*(?:[-–•*][ \t]*|\d+\.[ \t]+|[¹²³⁴⁵⁶⁷⁸⁹⁰]+[ \t]*)?([^\n]{1,110}),[ \t]*$",
        before,
    )
    if listed and re.match(
        r"[ \t]*(?:\([^()\n]{0,30}\))?[ \t]*[.;]?[ \t]*(?:\n|$)", text[end : end + 42]
    ):
        found = names.any_name.search(listed.group(1))
        if found:
            return names.named(found.group(0), window_start + listed.start(1) + found.start())
    # "its Article 15" / "whose Article 19": the last instrument named before it.
    if re.search(r"\b(?:its|whose|their)\s+$", before, re.I):
        return _last_named(text, start, names)
    # "ICCPR Article 17", "GDPR Art. 6", "Draft Article 6", "Charter Article 2(7)"
    adjacent = re.search(
        r"((?:[A-Z][\w.’'/-]*|draft)(?:\s+[A-Z][\w.’'/-]*){0,3})[ \t\u00a0]+$", before
    )
    if adjacent:
        return _named_at_end(names, adjacent.group(1), window_start + adjacent.start(1))
    return None


ORG_AFTER = re.compile(
    r"\s*(?:['’]s\s+(?!(?:\w+\s+)?(?:paragraph|para|subparagraph|text|wording|scope|title|"
    r"first|second|third|fourth|fifth|provision|clause|language)\b)\w"
    r"|,\s+(?:the|an?)\s+[\w\s,-]{0,40}?(?:group|organi[sz]ation|NGO|charity|campaign|watchdog)"
    r"|\s+(?:said|warned|argued|noted|urged|told|welcomed|criticised|criticized|stated|added|"
    r"insisted|called|joined|signed|published|expressed|argues|warns|urges|welcomes|calls\s+on|"
    r"has\s+(?:long\s+)?(?:been|said|warned|argued|called|published|joined|urged)|have\s+\w+ed)\b"
    r"|\s+and\s+(?!Articles?\b|Art\b)(?:the\s+)?[A-Z][a-z]"
    r"|\s+[A-Z][a-z]+\s+(?:Africa|Asia|Europe|America|Office|Programme|Program)\b"
    r"|\s+(?:Eastern|Western|Southern|Northern|Central|Mexico|Brazil|Asia|Africa|Europe|Bangladesh|"
    r"Kenya|Senegal|Tunisia)\b)"
)
ORG_BEFORE = re.compile(
    r"(?:(?:including|such\s+as|like|by|with|from|joined|thank|partners?|groups?|organi[sz]ations?|"
    r"NGOs?)\s+|[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,3},\s+|[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,3}\s+and\s+)$"
)


def not_a_provision(
    text: str, start: int, end: int, head: str, cited: list[str], treaty: Treaty
) -> str | None:
    """Why a numbered "article" is not a provision of any instrument, or None: the
    organisation ARTICLE 19, or a news article ("an article 3 weeks ago")."""
    surface = text[start:end]
    for org in names_of(treaty).article_like_orgs:
        if not surface.lower().startswith(org.lower()) or len(surface) > len(org) + 1:
            continue
        after = text[end : end + 80]
        if re.match(r"\s*(?:\(|,?\s*(?:of|in|on|under)\s|para|§|[-–—:]\s)", after):
            return None
        if surface.isupper() and not text[max(0, start - 30) : start].strip().isupper():
            return "organisation"
        if surface.isupper() and re.match(r"\s+[A-Z]{3,}\b", after):
            return "organisation"
        if ORG_AFTER.match(after) or ORG_BEFORE.search(text[max(0, start - 60) : start]):
            return "organisation"
    if head[:1].islower() and re.search(r"\b(?:an?|one)\s+$", text[max(0, start - 6) : start]):
        return "news article"
    if re.match(
        r"\s+(?:days?|weeks?|months?|years?|hours?|minutes?|times|pages?|words|percent|%)\b",
        text[end : end + 12],
    ):
        return "a quantity"
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
