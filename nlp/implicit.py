"""Provisions named by subject instead of number: "the provisions on interception of content
data", "the data protection article", "the grooming offence", "the chapter on international
cooperation".

A candidate needs a definite head phrase ("the ... provision(s)/article/clause/offence/powers/
chapter", or "the article on/criminalising/that ..."); generic words alone ("the treaty's
safeguards", "human rights protections") never make one. Candidates are linked by the subject
index (``nlp.subjects``): exact terms first; MiniLM only for candidates whose words overlap the
terms' vocabulary, at most ``MAX_EMBEDDED`` per document, batched, and cached by phrase.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

from db.treaty import Treaty
from nlp.instruments import context_of, names_of
from nlp.subjects import SubjectIndex, SubjectMatch, subject_index

HEADS = r"provisions?|articles?|clauses?|paragraphs?|offen[cs]es?|chapters?|powers?"
DETERMINER = r"(?:the|its)(?:\s+(?:UN\s+)?(?:treaty|convention|text)['’]s)?"
NOT_MODIFIER = (
    rf"(?:{HEADS}|on|about|in|that|which|is|are|was|were|by|with|for|to|the|an?|and\s+the|"
    rf"any|all|every|each|some|no|such|other|most|many)"
)
PREMODIFIED = re.compile(
    rf"\b(?P<det>{DETERMINER})\s+(?P<mods>(?:(?!{NOT_MODIFIER}\s)[\w/’'-]+\s+){{1,7}}?)"
    rf"(?P<head>{HEADS})\b",
    re.I,
)
POSTMODIFIED = re.compile(
    rf"\b(?P<det>{DETERMINER})\s+(?:(?:relevant|new|old|current|draft|key|controversial|specific|"
    rf"main|so-called)\s+)?(?P<head>{HEADS})\s+(?P<prep>on|about|concerning|regarding|covering|"
    rf"governing|dealing\s+with|relating\s+to|of|criminali[sz]ing|compelling|allowing|letting|"
    rf"requiring|permitting|enabling|that|which)\s+",
    re.I,
)
NOT_SUBJECT = re.compile(
    rf"^(?:{HEADS}|on|about|in|at|by|with|for|to|of|and|or|that|which|who|is|are|was|were|be|been|has|have|"
    r"had|would|will|could|should|must|may|can|not|same|this|these|those|other|such|first|second|"
    r"third|last|next|following|above|below|new|old|many|several|some|all|no|any|own|treaty|"
    r"convention|text|draft|un|final|relevant|key|main|its|their)$",
    re.I,
)
CLAUSE_END = re.compile(
    r"[;:.()!?\[\]\n\"“”]|,\s+(?:which|who|whose|but|while|although|though|as|and\s+(?:the|it|we|they|on|in)|"
    r"is|was|are|were|has|have|published|written)\b|\s(?:is|are|was|were|has|have|had|would|will|"
    r"could|should|must|may|might|can|does|do|did|gives?|lets|allows?|leaves?|contains?|requires?|"
    r"covers?|sets|needs?|remains?|seems?|became|becomes|drew|draws|received|worries|opens?|asks?|"
    r"follows?|adds?|lacks?|says?|provides?|creates?|makes?|means?|carries|applies|formalises|"
    r"formalizes|protects|extends)\b",
    re.I,
)
FOURTEEN_WORDS = re.compile(r"\s*(?:\S+\s+){13}\S+")
OWN_WORDS = re.compile(r"\b(?:the\s+)?(?:convention|treaty|text)(?:['’]s)?\b", re.I)
OWN_TEXT = re.compile(
    r"\s*(?:the\s+)?(?:convention|treaty|text|draft)\b", re.I
)  # "the provisions of the convention"
NEWS = re.compile(r"\b(?:published|written|appeared|posted|reported)\b", re.I)
MAX_EMBEDDED = 8  # real statements have 0-2 per document; this bounds hostile input
EMBEDDED_HEADS = ("provision", "article", "clause", "offence", "chapter")  # not "powers"
LATEST_START = 1  # content words allowed between "the article on" and the matched subject
# Chosen on nlp/data/references/paraphrases.jsonl (paraphrases and descriptive non-subjects
# written for calibration, not the test set): at 0.6 / 0.07 few wrong links survive.
EMBEDDING_THRESHOLD = 0.6
EMBEDDING_MARGIN = 0.07


@dataclass
class Candidate:
    start: int
    end: int
    subject: str
    kind: str  # "article" | "chapter"
    head: str
    plural: bool
    whole: bool  # the subject is all modifiers ("the data protection article")
    subject_start: int = 0  # where the subject begins in the text

    def end_of(self, match: SubjectMatch) -> int:
        """Where the mention ends: after the head, or after the words that matched."""
        if self.whole or match.until is None:
            return self.end
        return self.subject_start + match.until


def _subject_after(text: str, start: int, limit: int) -> tuple[str, int]:
    window = text[start : min(start + 160, limit)]
    stop = CLAUSE_END.search(window)
    phrase = window[: stop.start()] if stop else window
    fourteenth = FOURTEEN_WORDS.match(phrase)
    if fourteenth:
        phrase = fourteenth.group(0)
    return phrase, start + len(phrase.rstrip())


def candidates(text: str, treaty: Treaty, taken: list[tuple[int, int]]) -> list[Candidate]:
    """Head phrases that may name a provision by its subject (not yet linked)."""
    found: dict[int, Candidate] = {}
    names = names_of(treaty)

    taken = sorted(taken)
    starts = [s for s, _ in taken]

    def overlaps(start: int, end: int) -> bool:
        index = bisect.bisect_left(starts, end)
        return any(e > start for _, e in taken[max(0, index - 3) : index])

    for match in PREMODIFIED.finditer(text):
        mods = match.group("mods")
        if any(NOT_SUBJECT.match(w) for w in mods.split()[-1:]):
            continue
        if "’s " in mods or "'s " in mods:  # "the Budapest Convention's interception provisions"
            owner, _, mods = re.split(r"(['’]s\s)", mods, maxsplit=1)
            context = names.named(owner.strip())
            if context is None or not context.own:
                continue
        if overlaps(match.start(), match.end()) or not mods.strip():
            continue
        head = match.group("head").lower()
        found[match.start()] = Candidate(
            match.start(), match.end(), mods, _kind(head), _stem(head), head.endswith("s"), True
        )
    for match in POSTMODIFIED.finditer(text):
        head = match.group("head").lower()
        if head == "provision" and match.group("prep").lower() == "of":
            continue  # "the provision of technical advice": providing, not a provision
        # The subject stops where an explicit reference begins.
        index = bisect.bisect_left(starts, match.end())
        limit = starts[index] if index < len(starts) else len(text)
        subject, end = _subject_after(text, match.end(), limit)
        if not subject.strip() or overlaps(match.start(), match.end()) or OWN_TEXT.match(subject):
            continue
        if head.startswith("article") and NEWS.search(text, end, end + 60):
            continue
        found[match.start()] = Candidate(
            match.start(),
            end,
            subject,
            _kind(head),
            _stem(head),
            head.endswith("s"),
            False,
            match.end(),
        )
    return [c for _, c in sorted(found.items())]


def _stem(head: str) -> str:
    return head.rstrip("s").replace("offense", "offence")


def _kind(head: str) -> str:
    return "chapter" if head.startswith("chapter") else "article"


class ImplicitLinker:
    """Links candidates to provisions; holds the phrase cache across documents."""

    def __init__(self, treaty: Treaty, encoder: Callable[[], object] | None = None):
        self.treaty = treaty
        self.index: SubjectIndex = subject_index(treaty)
        self.encoder = encoder
        self.cache: dict[tuple[str, str], SubjectMatch | None] = {}

    def link(self, text: str, found: list[Candidate]) -> list[tuple[Candidate, SubjectMatch]]:
        return self.link_many([(text, found)])[0]

    def link_many(
        self, documents: list[tuple[str, list[Candidate]]]
    ) -> list[list[tuple[Candidate, SubjectMatch]]]:
        """Links the candidates of several documents, with one transformer pass for all."""
        linked = [self._lexical(text, found) for text, found in documents]
        pending: dict[tuple[str, str], list[tuple[int, int]]] = {}
        for doc_index, pairs in enumerate(linked):
            asked = 0
            for pair_index, (candidate, match) in enumerate(pairs):
                if match is not None or self.encoder is None or asked >= MAX_EMBEDDED:
                    continue
                key = (candidate.kind, _phrase(candidate.subject))
                if key in self.cache:
                    pairs[pair_index] = (candidate, self.cache[key])
                elif len(key[1].split()) >= 2 and self.index.shares_vocabulary(key[1]):
                    pending.setdefault(key, []).append((doc_index, pair_index))
                    asked += 1
        for kind in ("article", "chapter"):
            keys = [k for k in pending if k[0] == kind]
            if not keys:
                continue
            matches = self.index.embedding_match(
                [k[1] for k in keys], self.encoder(), kind, EMBEDDING_THRESHOLD, EMBEDDING_MARGIN
            )
            for key, match in zip(keys, matches, strict=True):
                self.cache[key] = match
                for doc_index, pair_index in pending[key]:
                    linked[doc_index][pair_index] = (linked[doc_index][pair_index][0], match)
        if len(self.cache) > 4096:
            self.cache.clear()
        return [[(c, m) for c, m in pairs if m is not None] for pairs in linked]

    def _lexical(
        self, text: str, found: list[Candidate]
    ) -> list[tuple[Candidate, SubjectMatch | None]]:
        pairs = []
        for candidate in found:
            context = context_of(text, candidate.start, candidate.end, self.treaty)
            if context is not None and not context.own:
                continue  # "the interception provisions of the Budapest Convention"
            match = self.index.lexical_match(
                candidate.subject, candidate.kind, candidate.plural, whole=candidate.whole
            )
            if match is not None and not candidate.whole and match.at > LATEST_START:
                match = None  # the subject must follow the head ("the article on X ...")
            if candidate.kind == "article" and (match is None or candidate.plural):
                # "the cooperation provisions", "the international cooperation provisions": a
                # chapter's subject, unless an article's name fits at least as well
                chapter = self.index.lexical_match(candidate.subject, "chapter", whole=True)
                if chapter is not None and (match is None or chapter.score > match.score):
                    if candidate.plural and len(chapter.targets) == 1:
                        candidate.kind = "chapter"
                        match = chapter
                    else:
                        continue  # too general for one article, and not one chapter either
            if match is None and candidate.head not in EMBEDDED_HEADS:
                continue  # "the powers of the state": only names a provision by exact terms
            pairs.append((candidate, match))
        return pairs


def _phrase(subject: str) -> str:
    """The words compared with the embeddings: without the treaty's own generic nouns, which
    pull every phrase towards titles such as "Effects of the Convention"."""
    return " ".join(OWN_WORDS.sub(" ", subject).split()).lower()


def confidence_of(match: SubjectMatch) -> float:
    if match.how == "lexical":
        return round(0.72 + 0.25 * match.score, 3)
    return round(min(0.85, match.score), 3)
