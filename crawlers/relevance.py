"""Is a page about the treaty? Decided from the treaty's data and the page, not site rules.

Three kinds of evidence, all read from the treaty folder:
- names (``lexicon.yaml: names`` and the treaty's short names): "UN Convention against
  Cybercrime", "A/AC.291", ... A name right after another instrument's own qualifier
  ("the Budapest cybercrime convention") does not count.
- weak names ("the draft convention", "the Ad Hoc Committee"): they name this treaty only on a
  page whose subject is cybercrime (topic words) or that speaks the treaty's own language;
- the treaty's vocabulary: phrases from its article and chapter titles ("expedited
  preservation", "traffic data", "conditions and safeguards", "mutual legal assistance") and
  the negotiation's context words. A delegation's statement that never says "cybercrime" but
  discusses "conditions and safeguards" and "procedural measures" before "the Ad Hoc
  Committee" is about the treaty; a page with one passing mention amid other business is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from db.treaty import Treaty

THRESHOLD = 3.0
# Words that join the meaningful parts of an article title ("Search and seizure of stored
# electronic data" -> "search and seizure", "stored electronic data").
_TITLE_GLUE = {
    "of", "and", "for", "to", "in", "with", "or", "a", "an", "the", "by", "on", "through",
    "related", "relating", "purpose", "purposes", "other", "use", "under", "against",
}
# Title fragments too common in other texts to say anything about this treaty.
_TOO_COMMON = {"human rights", "personal data", "use of terms", "statement of purpose"}
# Words of other instruments' names that do not single one out ("the General Assembly's ...").
_GENERIC_NAME_WORDS = {
    "general", "international", "second", "first", "fourth", "treaty", "council", "charter",
    "constitution", "universal", "convention", "united", "nations", "declaration", "protocol",
    "additional", "rights", "human", "regulation", "data", "protection", "union", "civil",
    "political", "covenant", "functioning", "fundamental", "child", "organized", "crime",
    "corruption", "transnational", "security", "cyber", "amendment", "cybercrime", "the",
    "against", "of", "on", "no",
}


@dataclass(frozen=True)
class Relevance:
    score: float
    relevant: bool
    reason: str


def _alternation(phrases) -> re.Pattern:
    phrases = sorted({p for p in phrases if p}, key=len, reverse=True) or ["\x00"]
    return re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(p) for p in phrases) + r")", re.IGNORECASE
    )


def title_vocabulary(titles) -> set[str]:
    """Multi-word phrases of the article and chapter titles, split at glue words."""
    vocabulary = set()
    for title in titles:
        words = re.findall(r"[\w/-]+", title.lower())
        if len(words) > 1 and len(words) <= 4:
            vocabulary.add(" ".join(words))
        run: list[str] = []
        for word in [*words, "of"]:
            if word in _TITLE_GLUE:
                if len(run) >= 2:
                    vocabulary.add(" ".join(run))
                run = []
            else:
                run.append(word)
    return vocabulary - _TOO_COMMON


@dataclass(frozen=True)
class _Patterns:
    names: re.Pattern
    weak: re.Pattern
    topic: re.Pattern
    context: re.Pattern
    vocabulary: re.Pattern
    qualifier: re.Pattern


@cache
def _patterns(treaty: Treaty) -> _Patterns:
    lexicon = treaty.lexicon
    names = lexicon.get("names", []) + list(treaty.short_names)
    # "the Convention" alone is too common to name the treaty; require a fuller name.
    names = [n for n in names if len(n.split()) > 1 and n.lower() != "the convention"]
    titles = [a.title for a in treaty.articles.values() if a.title] + list(treaty.chapters.values())
    # Proper names that qualify another instrument: "the Budapest cybercrime convention".
    qualifiers = {
        word
        for instrument in lexicon.get("other_instruments", [])
        for name in [instrument.get("name", ""), *instrument.get("aliases", [])]
        for word in re.findall(r"[A-Z][\w-]+", name)
        if word.lower() not in _GENERIC_NAME_WORDS
    }
    return _Patterns(
        names=_alternation(names),
        weak=_alternation(lexicon.get("weak_names", [])),
        topic=_alternation(lexicon.get("topic", [])),
        context=_alternation(lexicon.get("context", [])),
        vocabulary=_alternation(title_vocabulary(titles)),
        qualifier=re.compile(
            r"\b(?:" + "|".join(map(re.escape, sorted(qualifiers))) + r")\W+(?:\w+\W+)?$"
            if qualifiers else r"\x00"
        ),
    )


def _name_count(pattern: re.Pattern, qualifier: re.Pattern, text: str) -> int:
    """Occurrences of a name, leaving out those that another instrument's qualifier precedes."""
    return sum(
        1 for match in pattern.finditer(text)
        if not qualifier.search(text[max(0, match.start() - 40) : match.start()])
    )


def assess(treaty: Treaty, title: str | None, text: str) -> Relevance:
    p = _patterns(treaty)
    # PDFs and some layouts break lines inside names; match on single-spaced text.
    title = " ".join((title or "").split())
    text = " ".join(text.split())
    in_title = _name_count(p.names, p.qualifier, title)
    in_text = _name_count(p.names, p.qualifier, text)
    # What else the page says counts only outside the names ("UN", "convention" and
    # "cybercrime" inside "UN Convention against Cybercrime" corroborate nothing).
    rest = p.names.sub(" ", text)
    context_terms = {m.lower() for m in p.context.findall(rest)}
    vocabulary = {m.lower() for m in p.vocabulary.findall(rest)}
    # "The draft convention" names this treaty only on a page about cybercrime, or one steeped
    # in the negotiation's or the treaty's own vocabulary.
    topical = len(p.topic.findall(f"{title} {text}")) >= 2
    if topical or len(context_terms) >= 6 or len(vocabulary) >= 3:
        in_title += len(p.weak.findall(title))
        in_text += len(p.weak.findall(text))
    named = in_title > 0 or in_text > 0
    article_refs = len(re.findall(r"\bArt(?:icle|\.)s?\s+\d", text, re.IGNORECASE))
    words = max(len(text.split()), 1)
    # Density keeps a long unrelated page with one passing mention out.
    density = in_text / words * 1000
    score = (
        3.0 * min(in_title, 1)
        + 1.0 * min(in_text, 4)
        + 0.25 * min(len(context_terms), 8)
        + 0.5 * min(len(vocabulary), 4) * named
        + 0.25 * min(article_refs, 4) * named
        + min(density, 2.0)
    )
    # A page that names the treaty once, and only in passing, is not about it.
    corroborated = in_title > 0 or in_text > 1 or vocabulary or len(context_terms) >= 3 or (
        article_refs > 0
    )
    relevant = score >= THRESHOLD and named and bool(corroborated)
    reason = (
        f"names in title={in_title}, in text={in_text}, context terms={len(context_terms)}, "
        f"treaty vocabulary={len(vocabulary)}, article refs={article_refs}, score={score:.2f}"
    )
    return Relevance(score=round(score, 3), relevant=relevant, reason=reason)
