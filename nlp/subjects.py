"""Provisions named by their subject: "the data protection article", "Article 5, on respect for
human rights", "the chapter on international cooperation".

The treaty's titles (``articles.json``) and the terms in ``subjects.yaml`` are matched on
normalised words first (cheap, exact, explainable). Wording that matches no term can be compared
with MiniLM embeddings of the same titles and terms (``SubjectIndex.embedding_match``); the
embeddings are computed once per process and only for phrases that share a word with the terms.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import yaml

from db.treaty import TREATY_ROOT, Treaty, TreatyDataError

STOPWORDS = frozenset(
    "the of and or to a an in on for with its their this that by from as at into under is "
    "are be any s so called".split()
)
CONJUNCTION = re.compile(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", re.I)
WORD = re.compile(r"[a-z0-9]+(?:/[0-9a-z]+)?")
SUFFIXES = ("ations", "ation", "ions", "ion", "ings", "ing", "ed", "es", "s")
SPELLING = (
    ("isation", "ization"),
    ("ising", "izing"),
    ("ised", "ized"),
    ("ise", "ize"),
    ("offense", "offence"),
    ("co-op", "coop"),
)


def stem(word: str) -> str:
    """A light stemmer: enough to make plural, -ing and -ation forms and British and
    American spellings meet ("preserving" ~ "preservation", "criminalise" ~ "criminalize")."""
    for old, new in SPELLING:
        if old in word:
            word = word.replace(old, new)
    if word.endswith("ss") or len(word) <= 4:
        return word
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def content_words(text: str) -> list[str]:
    """Stemmed words of ``text`` without function words; hyphens split compounds."""
    return [word for word, _ in content_spans(text)]


def content_spans(text: str) -> list[tuple[str, int]]:
    """Each content word of ``text``, stemmed, with where it ends in ``text``."""
    lowered = text.lower().replace("co-op", "coop")
    shift = len(text) - len(lowered)  # "co-op" -> "coop" is one character shorter
    return [
        (stem(m.group(0)), m.end() + (shift if shift and m.end() > lowered.find("coop") else 0))
        for m in WORD.finditer(lowered)
        if m.group(0) not in STOPWORDS
    ]


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    target: str  # an article number ("24") or a chapter ("IV")
    text: str
    singular_only: bool = False


@dataclass(frozen=True)
class SubjectMatch:
    targets: tuple[str, ...]
    score: float  # 0..1: how much of the phrase and of the term the match covers
    how: str  # "lexical" | "embedding"
    at: int = 0  # where in the phrase (in content words) the match begins
    until: int | None = None  # where in the phrase (in characters) the matched words end


def _longest_run(phrase: list[str], term: tuple[str, ...]) -> tuple[int, int]:
    """Length and start (in ``phrase``) of the longest run of words shared in order."""
    best, where = 0, 0
    for i in range(len(phrase)):
        for j in range(len(term)):
            k = 0
            while i + k < len(phrase) and j + k < len(term) and phrase[i + k] == term[j + k]:
                k += 1
            if k > best:
                best, where = k, i
    return best, where


class SubjectIndex:
    """Titles and subject terms of one treaty's articles and chapters, ready to match."""

    def __init__(self, treaty: Treaty, data: dict):
        self.treaty = treaty
        self.terms: dict[str, list[Term]] = {"article": [], "chapter": []}
        self.descriptions: list[Term] = []  # for embeddings only
        for number, article in treaty.articles.items():
            self._add("article", str(number), article.title)
        for chapter, title in treaty.chapters.items():
            self._add("chapter", chapter, title)
        for number, entry in (data.get("articles") or {}).items():
            for text in entry.get("terms") or []:
                self._add("article", str(number), str(text))
            for text in entry.get("singular") or []:
                self._add("article", str(number), str(text), singular_only=True)
            if entry.get("description"):
                self.descriptions.append(
                    Term(
                        tuple(content_words(entry["description"])),
                        str(number),
                        str(entry["description"]),
                    )
                )
        for chapter, texts in (data.get("chapters") or {}).items():
            for text in texts or []:
                self._add("chapter", str(chapter), str(text))
        self.by_word: dict[str, dict[str, list[Term]]] = {"article": {}, "chapter": {}}
        for kind, terms in self.terms.items():
            for term in terms:
                for word in set(term.words):
                    self.by_word[kind].setdefault(word, []).append(term)
        self.vocabulary = frozenset(w for index in self.by_word.values() for w in index)
        self.singular_words = frozenset(
            t.words for terms in self.terms.values() for t in terms if t.singular_only
        )
        self._embeddings: dict[str, tuple[list[Term], np.ndarray]] = {}

    def _add(self, kind: str, target: str, text: str, singular_only: bool = False) -> None:
        words = tuple(content_words(text))
        if words:
            self.terms[kind].append(Term(words, target, text, singular_only))

    def lexical_match(
        self,
        phrase: str,
        kind: str = "article",
        plural: bool = False,
        whole: bool = True,
        anchored: bool = False,
    ) -> SubjectMatch | None:
        """The provision(s) ``phrase`` names by its words, or None when it names none or
        several equally well. ``whole`` asks that the match cover most of the phrase (for
        phrases that are only a subject); otherwise a long, specific term anywhere will do.
        ``anchored``: a whole term that opens the phrase counts however short it is."""
        spans = content_spans(phrase)
        words = [word for word, _ in spans]
        if not words:
            return None
        found: list[tuple[int, float, int, Term]] = []  # run, term coverage, start, term
        seen: set[Term] = set()
        for word in words:
            for term in self.by_word[kind].get(word, ()):
                if term in seen or (term.singular_only and plural):
                    continue
                seen.add(term)
                run, start = _longest_run(words, term.words)
                if plural and tuple(words[start : start + run]) in self.singular_words:
                    continue  # "the provisions on human rights": too general when plural
                term_cover = run / len(term.words)
                phrase_cover = run / len(words)
                complete = run == len(term.words)
                if complete and (run >= 2 or phrase_cover >= 0.5 or (anchored and start == 0)):
                    pass
                elif run >= 2 and term_cover >= 0.6 and (phrase_cover >= 0.5 or run >= 3):
                    pass
                else:
                    continue
                if whole and phrase_cover < 0.5 and run < 3 and not (anchored and start == 0):
                    continue
                found.append((run, term_cover, start, term))
        if not found:
            return None
        found.sort(key=lambda f: (-f[0], -f[1]))
        best_run, best_cover, best_at, best = found[0]
        rivals = {f[3].target for f in found if f[0] == best_run and f[1] == best_cover}
        several = self._conjoined(words, found)
        until = max(spans[f[2] + f[0] - 1][1] for f in found) if several else None
        if several is None:
            several, until = self._conjuncts(phrase, kind, plural)
        if several is None and len(rivals) > 1:
            return None  # names several provisions equally well: ambiguous
        chosen = several or (best.target,)
        at = min(f[2] for f in found) if len(chosen) > 1 else best_at
        if until is None:
            until = spans[best_at + best_run - 1][1]
        score = min(1.0, best_run / len(words)) * best_cover
        return SubjectMatch(chosen, score, "lexical", at, until)

    @staticmethod
    def _conjoined(words: list[str], found: list) -> tuple[str, ...] | None:
        """Several provisions named in one phrase ("search and seizure, real-time collection
        and interception"): non-overlapping matches that together cover the phrase."""
        taken: list[tuple[int, int, str]] = []
        for run, _, start, term in found:
            span = (start, start + run)
            if any(not (span[1] <= s or span[0] >= e) for s, e, _ in taken):
                continue
            taken.append((span[0], span[1], term.target))
        targets = tuple(dict.fromkeys(t for _, _, t in sorted(taken)))
        covered = sum(e - s for s, e, _ in taken)
        if len(targets) > 1 and covered >= 0.8 * len(words):
            return targets
        return None

    def _conjuncts(self, phrase: str, kind: str, plural: bool) -> tuple[tuple | None, int | None]:
        """ "the prevention and technical assistance provisions": each conjunct names its own
        provision, even where one word alone would be too little for a whole phrase."""
        bounds = [0] + [i for m in CONJUNCTION.finditer(phrase) for i in (m.start(), m.end())]
        bounds.append(len(phrase))
        parts = [(bounds[i], phrase[bounds[i] : bounds[i + 1]]) for i in range(0, len(bounds), 2)]
        parts = [(offset, part) for offset, part in parts if part.strip()]
        if len(parts) < 2 or len(parts) > 6:
            return None, None
        targets, until = [], 0
        for offset, part in parts:
            # Each conjunct must begin with its subject; the last may run on into the clause.
            match = self.lexical_match(part, kind, plural, whole=False, anchored=True)
            if match is None or len(match.targets) != 1 or match.at != 0:
                return None, None
            targets.append(match.targets[0])
            until = offset + (match.until or len(part))
        unique = tuple(dict.fromkeys(targets))
        return (unique, until) if len(unique) > 1 else (None, None)

    def shares_vocabulary(self, phrase: str) -> bool:
        """The cheap gate in front of the transformer: does the phrase share a word with any
        title or term?"""
        return any(w in self.vocabulary for w in content_words(phrase))

    def embedding_match(
        self,
        phrases: list[str],
        encoder,
        kind: str = "article",
        threshold: float = 0.6,
        margin: float = 0.04,
    ) -> list[SubjectMatch | None]:
        """MiniLM's nearest provision for each phrase, when it is near enough and clearly
        nearer than the runner-up."""
        if not phrases:
            return []
        terms, matrix = self._term_embeddings(kind, encoder)
        with _one_thread(encoder):
            vectors = encoder.encode(phrases)
        results: list[SubjectMatch | None] = []
        for row in vectors @ matrix.T:
            best: dict[str, float] = {}
            for term, score in zip(terms, row, strict=True):
                if score > best.get(term.target, -1.0):
                    best[term.target] = float(score)
            ranked = sorted(best.items(), key=lambda item: -item[1])
            top, top_score = ranked[0]
            runner = ranked[1][1] if len(ranked) > 1 else -1.0
            if top_score >= threshold and top_score - runner >= margin:
                results.append(SubjectMatch((top,), round(top_score, 3), "embedding"))
            else:
                results.append(None)
        return results

    def _term_embeddings(self, kind: str, encoder) -> tuple[list[Term], np.ndarray]:
        if kind not in self._embeddings:
            terms = [t for t in self.terms[kind] if not t.singular_only]
            if kind == "article":
                terms += self.descriptions
            self._embeddings[kind] = (terms, encoder.encode([t.text for t in terms]))
        return self._embeddings[kind]


@contextmanager
def _one_thread(encoder):
    """A handful of short phrases is faster on one thread: with two, the threads' hand-offs
    cost more than the work, and far more on a busy machine (measured: 40 ms against 0.1-0.9 s
    per call on a loaded 2-core box)."""
    torch = getattr(encoder, "torch", None)
    threads = torch.get_num_threads() if torch is not None else 1
    if threads > 1:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        if threads > 1:
            torch.set_num_threads(threads)


def _validated(path: Path, treaty: Treaty) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise TreatyDataError(f"{path}: not valid YAML ({error})") from error
    if not isinstance(data, dict):
        raise TreatyDataError(f"{path}: expected a mapping with 'articles' and 'chapters'")
    for number, entry in (data.get("articles") or {}).items():
        if not isinstance(number, int) or number not in treaty.articles:
            raise TreatyDataError(f"{path}: articles: {number!r} is not an article of the treaty")
        if not isinstance(entry, dict) or set(entry) - {"terms", "singular", "description"}:
            raise TreatyDataError(
                f"{path}: articles.{number}: expected 'terms', 'singular', 'description'"
            )
        if not isinstance(entry.get("description", ""), str):
            raise TreatyDataError(f"{path}: articles.{number}.description: expected a string")
        for key in ("terms", "singular"):
            if not isinstance(entry.get(key, []), list):
                raise TreatyDataError(f"{path}: articles.{number}.{key}: expected a list")
    for chapter, texts in (data.get("chapters") or {}).items():
        if chapter not in treaty.chapters or not isinstance(texts, list):
            raise TreatyDataError(f"{path}: chapters.{chapter}: unknown chapter or not a list")
    return data


@cache
def subject_index(treaty: Treaty) -> SubjectIndex:
    path = TREATY_ROOT / treaty.id / "subjects.yaml"
    data = _validated(path, treaty) if path.exists() else {}
    return SubjectIndex(treaty, data)
