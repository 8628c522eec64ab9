"""Explicit references as written: "Article 6", "Art. 28", "article 35(1)(c)", "art. 29 para.
3", "paragraph 3 of Article 30", "Articles 28, 29 and 30", "Articles 28–30", "Chapter IV",
"Chapter I, Article 6", each with its character offsets.

The scanner is linear: one regular expression finds the heads, and each list is then read item
by item with small anchored patterns, so no input can make it backtrack. Which instrument and
which draft a reference belongs to is decided elsewhere (``nlp.instruments``, ``nlp.drafts``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

SPACE = r"[ \t\u00a0]"
ONES = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
NUMBER_WORDS = {word: index + 1 for index, word in enumerate(ONES)}
for _tens_index, _tens in enumerate(TENS):
    NUMBER_WORDS[_tens] = 20 + 10 * _tens_index
    for _ones_index, _ones in enumerate(ONES[:9]):
        for _joint in ("-", " "):
            NUMBER_WORDS[f"{_tens}{_joint}{_ones}"] = 20 + 10 * _tens_index + _ones_index + 1
WORDS = "|".join(sorted((re.escape(w) for w in NUMBER_WORDS), key=len, reverse=True))

SUB = r"\((?:\d{1,2}|[a-z]{1,2}|[ivx]{1,5})\)"
HEAD = re.compile(
    rf"(?<![\w/])(?P<head>articles?|arts?\.?)(?P<gap>{SPACE}{{0,3}}-?{SPACE}{{0,3}}|\n)"
    rf"(?=\d|(?:{WORDS})\b)",
    re.I,
)
ITEM = re.compile(
    rf"(?P<num>\d{{1,3}}(?:{SPACE}?(?:bis|ter|quater)\b)?)(?!\d|[.,]\d|/)"
    rf"(?P<subs>(?:{SPACE}?{SUB})*)"
    rf"(?P<para>,?{SPACE}+(?:paragraphs?|paras?\.|para|§|¶){SPACE}*\d{{1,2}}(?:{SUB})*)?"
)
WORD_ITEM = re.compile(rf"(?P<word>{WORDS})\b", re.I)
LIST_JOIN = re.compile(
    rf"{SPACE}*,{SPACE}*(?:(?:and|or){SPACE}+|&{SPACE}*)?|{SPACE}+(?:and|or){SPACE}+|{SPACE}*&{SPACE}*",
    re.I,
)
RANGE_JOIN = re.compile(rf"{SPACE}*[-–—]{SPACE}*|{SPACE}+(?:to|through|thru){SPACE}+", re.I)
PARAGRAPH_OF = re.compile(
    rf"(?P<para>(?:[Ss]ub-?)?(?:[Pp]aragraphs?|[Pp]aras?\.?|§§?|¶){SPACE}*"
    rf"(?P<first>\d{{1,2}}|{SUB})(?P<subs>(?:{SUB})*)"
    rf"(?P<more>(?:{SPACE}*(?:,|and|&|to|-|–){SPACE}*\d{{1,2}})*))"
    rf"{SPACE}+of{SPACE}+$"
)
CHAPTER = re.compile(
    rf"(?<![\w/])(?P<head>chapters?){SPACE}+(?P<num>(?-i:[IVX]{{1,5}})\b|\d{{1,2}}\b)", re.I
)
CHAPTER_JOIN = re.compile(
    rf"({SPACE}*,{SPACE}*(?:and{SPACE}+)?|{SPACE}+and{SPACE}+)((?-i:[IVX]{{1,5}})\b)", re.I
)
CHAPTER_THEN_ARTICLE = re.compile(
    rf"{SPACE}*[,(]?{SPACE}*(?=(?:articles?|arts?\.?){SPACE}*\d)", re.I
)
PARENTHESISED = re.compile(r"\(([^)]+)\)")
DIGITS = re.compile(r"\d{1,2}")
AND_OR = re.compile(r"and|or|&", re.I)
MAX_RANGE = 80
MAX_CITED = 200


@dataclass
class Found:
    """A reference as written, before deciding whose it is and what it maps to."""

    start: int
    end: int
    head: str  # "Article", "Arts.", "Chapter"
    cited: list[str]
    chapter: str | None = None
    paragraph: str | None = None
    chapter_surface: tuple[int, int] | None = None  # where a written chapter is

    @property
    def plural(self) -> bool:
        return self.head.lower().rstrip(".").endswith("s") and self.head.lower() != "art."


def roman(number: int) -> str:
    out = ""
    for value, letters in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while number >= value:
            out += letters
            number -= value
    return out


def _paragraph(subs: str, para: str | None) -> str | None:
    parts = PARENTHESISED.findall(subs or "")
    if para:
        number = DIGITS.search(para)
        parts.append(number.group(0))
        parts.extend(PARENTHESISED.findall(para[number.end() :]))
    return "".join(f"({p})" for p in parts) or None


def _items(
    text: str, position: int, plural: bool
) -> tuple[list[tuple[str, str | None]], int, list[str]]:
    """The numbers (and their paragraphs) of a list starting at ``position``, the end of the
    list, and how each item was joined to the previous one ("list" or "range")."""
    items: list[tuple[str, str | None]] = []
    joins: list[str] = []
    first = ITEM.match(text, position)
    if first is None:
        word = WORD_ITEM.match(text, position)
        if word is None:
            return [], position, []
        number = NUMBER_WORDS[re.sub(r"\s+", " ", word.group("word").lower())]
        return [(str(number), None)], word.end(), []
    items.append((first.group("num"), _paragraph(first.group("subs"), first.group("para"))))
    end = first.end()
    while len(items) < 4 * MAX_CITED:
        joined = RANGE_JOIN.match(text, end)
        kind = "range"
        if joined is None:
            joined = LIST_JOIN.match(text, end)
            kind = "list"
        if joined is None:
            break
        item = ITEM.match(text, joined.end())
        if item is None:
            break
        bare_comma = kind == "list" and not AND_OR.search(joined.group(0))
        if (
            bare_comma
            and not plural
            and not (RANGE_JOIN.match(text, item.end()) or LIST_JOIN.match(text, item.end()))
        ):
            break  # "Article 5, 12 states objected": a singular head rarely opens a comma list
        items.append((item.group("num"), _paragraph(item.group("subs"), item.group("para"))))
        joins.append(kind)
        end = item.end()
    return items, end, joins


def _expand(items: list[tuple[str, str | None]], joins: list[str]) -> list[str]:
    cited: list[str] = []
    for index, (number, _) in enumerate(items):
        previous = items[index - 1][0] if index else None
        if (
            index
            and joins[index - 1] == "range"
            and previous.isdigit()
            and number.isdigit()
            and int(previous) < int(number) <= int(previous) + MAX_RANGE
        ):
            cited.extend(str(n) for n in range(int(previous) + 1, int(number) + 1))
        else:
            cited.append(re.sub(r"\s+", " ", number))
    return list(dict.fromkeys(cited))[:MAX_CITED]


def scan_articles(text: str) -> Iterator[Found]:
    """Every "Article N ..." as written, with a "paragraph N of" prefix folded in."""
    for head in HEAD.finditer(text):
        plural = head.group("head").lower().rstrip(".") in ("articles", "arts")
        items, end, joins = _items(text, head.end(), plural)
        if not items:
            continue
        start = head.start()
        paragraph = items[0][1] if len({n for n, _ in items}) == 1 else None
        prefix = (
            PARAGRAPH_OF.search(text, max(0, start - 80), start)
            if text[max(0, start - 4) : start].rstrip().endswith("of")
            else None
        )
        if prefix and prefix.end() == start:
            start = prefix.start()
            written = [prefix.group("first").strip("()")]
            written += DIGITS.findall(prefix.group("more") or "")
            subs = PARENTHESISED.findall(prefix.group("subs") or "")
            if prefix.group("first").startswith("("):  # "subparagraph (c) of Article 35(1)"
                paragraph = (paragraph or "") + f"({written[0]})"
            else:
                paragraph = ", ".join(f"({n})" for n in written) + "".join(f"({s})" for s in subs)
        yield Found(start, end, head.group("head"), _expand(items, joins), paragraph=paragraph)


def scan_chapters(text: str, chapters: dict[str, str]) -> Iterator[Found]:
    """Every "Chapter IV" (or "chapter 4") naming one of the treaty's chapters; a list
    ("Chapters IV and V") gives one reference per chapter."""
    for match in CHAPTER.finditer(text):
        number = match.group("num")
        chapter = roman(int(number)) if number.isdigit() else number
        if chapter not in chapters:
            continue
        yield Found(match.start(), match.end(), match.group("head"), [], chapter=chapter)
        end = match.end()
        while True:
            more = CHAPTER_JOIN.match(text, end)
            if more is None or more.group(2) not in chapters:
                break
            yield Found(more.start(2), more.end(2), match.group("head"), [], chapter=more.group(2))
            end = more.end()


def attach_chapters(articles: list[Found], chapters: list[Found], text: str) -> list[Found]:
    """Fold "Chapter I, Article 6" into one reference; the other chapters stay on their own."""
    by_start = {a.start: a for a in articles}
    alone = []
    for chapter in chapters:
        follow = CHAPTER_THEN_ARTICLE.match(text, chapter.end)
        article = by_start.get(follow.end()) if follow else None
        if article is not None and article.chapter is None:
            article.chapter = chapter.chapter
            article.chapter_surface = (chapter.start, chapter.end)
            article.start = chapter.start
        else:
            alone.append(chapter)
    return sorted(articles + alone, key=lambda f: f.start)
