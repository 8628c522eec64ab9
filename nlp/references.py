"""Article references: every way a text cites the treaty, mapped to the adopted text.

``find_references`` reads plain text and returns ``Reference`` objects (the JSON of
``stancemap refs``): explicit references (``nlp.explicit``) that belong to this treaty
(``nlp.instruments``), with the text they cite and their adopted numbers (``nlp.drafts``);
provisions named by subject (``nlp.implicit``); and anaphora (``nlp.anaphora``). Every pass is
a linear scan with bounded look-around, so no input makes it slow; MiniLM runs only for the few
subject phrases that exact terms cannot link. The ``stancemap_article_refs`` spaCy component
puts the results on ``doc.spans["article_refs"]`` and ``doc._.references``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date

from spacy.language import Language
from spacy.tokens import Doc

from db.treaty import DEFAULT_TREATY, TextVersion, Treaty, load_treaty
from nlp.anaphora import antecedent, find_anaphors
from nlp.drafts import (
    Sentences,
    find_markers,
    map_cited,
    plausible,
    scope_marker,
    subject_of,
    version_by_date,
)
from nlp.explicit import Found, attach_chapters, scan_articles, scan_chapters
from nlp.implicit import ImplicitLinker, candidates, confidence_of
from nlp.instruments import context_of, coordinated
from nlp.lookalikes import not_a_provision

MIN_BATCH = 64  # documents per transformer call in the spaCy component
MAX_BATCH_CHARS = 2_000_000
DRAFT_LOOKBACK = 400  # characters back to look for the draft a "draft Article N" means
APPOSITION = 4  # characters between an explicit reference and a subject phrase in apposition


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
    via: str = field(default="number", repr=False)  # number | subject | anaphora
    # Each cited number with its adopted article (None when unknown), for one table row each.
    pairs: list[tuple[str | None, int | None]] | None = field(default=None, repr=False)

    def to_json(self) -> dict:
        data = asdict(self)
        for internal in ("excluded", "via", "pairs"):
            data.pop(internal)
        return data

    def rows(self) -> list[tuple[str | None, int | None]]:
        """(cited number, adopted article) per ``mentions`` row: one per cited number, one per
        article for a provision named by subject, a single empty one for a chapter."""
        if self.pairs is not None:
            return self.pairs
        if self.cited:
            return _paired(self.cited, self.articles, lambda n: n)
        return [(None, article) for article in self.articles] or [(None, None)]


@dataclass
class _Draft:
    """One text on its way through the finder."""

    text: str
    day: date | None
    hint: str | None
    sentences: Sentences
    markers: list
    references: list[Reference] = field(default_factory=list)


def _shared_encoder():
    from nlp.models import shared_encoder

    return shared_encoder()


class ReferenceFinder:
    """Finds references in texts of one treaty; keeps the subject index and phrase cache."""

    def __init__(
        self,
        treaty: Treaty | str = DEFAULT_TREATY,
        encoder: Callable[[], object] | None = _shared_encoder,
        implicit: bool = True,
    ):
        self.treaty = load_treaty(treaty) if isinstance(treaty, str) else treaty
        self.implicit = implicit
        self.linker = ImplicitLinker(self.treaty, encoder)

    def find(
        self, text: str, day: date | None = None, text_version: str | None = None
    ) -> list[Reference]:
        """Every reference to the treaty in ``text`` (published on ``day``, if known)."""
        return self.find_many([(text, day, text_version)])[0]

    def find_many(self, items: list[tuple[str, date | None, str | None]]) -> list[list[Reference]]:
        """References of several texts; the transformer runs once for all of them."""
        drafts = [self._explicit(text, day, hint) for text, day, hint in items]
        if self.implicit:
            found = [
                candidates(d.text, self.treaty, [(r.start, r.end) for r in d.references])
                for d in drafts
            ]
            linked = self.linker.link_many(
                [(d.text, f) for d, f in zip(drafts, found, strict=True)]
            )
            for draft, pairs in zip(drafts, linked, strict=True):
                draft.references += self._implicit(draft, pairs)
        for draft in drafts:
            draft.references.sort(key=lambda r: (r.start, r.end))
        return [d.references for d in drafts]

    def _explicit(self, text: str, day: date | None, hint: str | None) -> _Draft:
        treaty = self.treaty
        draft = _Draft(text, day, hint, Sentences(text), find_markers(text, treaty))
        by_start = {m.start: m for m in draft.markers}
        found = attach_chapters(
            list(scan_articles(text)), list(scan_chapters(text, treaty.chapters)), text
        )
        kept: list[tuple[Found, object]] = []
        blockers: list[tuple[int, int]] = []
        other_end = -1000  # where the last article of another instrument ends
        absorbed: list[tuple[int, int]] = []  # "Article 28 of Chapter IV"
        for item in found:
            reason = (
                not_a_provision(text, item.start, item.end, item.head, item.cited, treaty)
                if item.cited
                else None
            )
            context = None if reason else context_of(text, item.start, item.end, treaty)
            if context is None and coordinated(text, other_end, item.start):
                reason = "coordinated with another instrument's article"
            if reason or (context is not None and not context.own):
                blockers.append((item.start, item.end))
                if reason is None or reason.startswith("coordinated"):
                    other_end = item.end
                continue
            if context is not None and context.chapter and item.cited:
                item.chapter = item.chapter or _chapter(context.chapter, treaty)
                item.end = max(item.end, context.end)
                absorbed.append((item.start, item.end))
            if context is not None and context.version and context.start in by_start:
                by_start[context.start].used = True
            kept.append((item, context))
        # "Article 28 of Chapter IV": the chapter now belongs to the article reference.
        kept = [
            (item, context)
            for item, context in kept
            if item.cited or not any(s <= item.start and item.end <= e for s, e in absorbed)
        ]
        draft.references = [self._resolve(draft, item, context) for item, context in kept]
        draft.references += self._anaphora(text, draft.references, blockers, draft.sentences)
        return draft

    def _version(
        self, draft: _Draft, item: Found, context, draft_only: bool = False
    ) -> tuple[TextVersion | None, str]:
        treaty, text, day, hint = self.treaty, draft.text, draft.day, draft.hint
        if context is not None and context.version:
            version = treaty.version(context.version)
            if plausible(version, day):
                return version, "marker"
        # "draft Article 17" after a sentence about the revised draft: that draft is meant.
        scope = max(0, item.start - DRAFT_LOOKBACK) if draft_only else None
        marker = scope_marker(
            draft.markers,
            text,
            draft.sentences.start_of(item.start) if scope is None else scope,
            item.start,
            treaty,
            day,
        )
        if marker is not None and not (draft_only and marker.version == treaty.final.id):
            return treaty.version(marker.version), "marker"
        if hint and hint != "unknown":
            try:
                return treaty.version(hint), "hint"
            except KeyError:
                pass
        if day is not None:
            return version_by_date(treaty, day)
        return None, "none"

    def _resolve(self, draft: _Draft, item: Found, context) -> Reference:
        draft_only = (
            context is not None
            and context.own
            and context.version is None
            and bool(re.fullmatch(r"(?:the\s+)?draft", context.name.strip(), re.I))
        )
        version, evidence = self._version(draft, item, context, draft_only)
        text, sentences, day = draft.text, draft.sentences, draft.day
        surface = text[item.start : item.end]
        if not item.cited:  # a chapter on its own
            label = version.id if version is not None else "unknown"
            return Reference(
                surface,
                item.start,
                item.end,
                [],
                item.chapter,
                None,
                label,
                [],
                confidence=0.9 if evidence != "none" else 0.8,
            )
        subject = (
            subject_of(text, item.start, item.end, sentences, self.treaty)
            if len(item.cited) == 1
            else None
        )
        mapping = map_cited(item.cited, version, evidence, subject, self.treaty, day, draft_only)
        numbering = version.map_number if version is not None and version.numbering else None
        return Reference(
            surface,
            item.start,
            item.end,
            item.cited,
            item.chapter,
            item.paragraph,
            mapping.text_version,
            mapping.articles,
            confidence=mapping.confidence,
            pairs=_paired(item.cited, mapping.articles, numbering or (lambda n: n)),
        )

    def _anaphora(self, text, references, blockers, sentences) -> list[Reference]:
        out = []
        explicit = sorted(references, key=lambda r: r.start)
        starts = [r.start for r in explicit]
        blocker_ends = sorted(e for _, e in blockers)
        for anaphor in find_anaphors(text):
            # The references that end before it, looking back a bounded stretch only.
            index = bisect.bisect_left(starts, anaphor.end)
            if index and explicit[index - 1].end > anaphor.start:
                continue  # inside an explicit reference
            ref = antecedent(anaphor, explicit[max(0, index - 8) : index], blocker_ends, sentences)
            if ref is None:
                continue
            out.append(
                Reference(
                    text[anaphor.start : anaphor.end],
                    anaphor.start,
                    anaphor.end,
                    list(ref.cited),
                    None,
                    anaphor.paragraph,
                    ref.text_version,
                    list(ref.articles),
                    method="implicit",
                    confidence=round(0.85 * ref.confidence, 3),
                    via="anaphora",
                    pairs=ref.rows(),
                )
            )
        return out

    def _implicit(self, draft: _Draft, linked) -> list[Reference]:
        text, references, sentences = draft.text, draft.references, draft.sentences
        ordered = sorted(references, key=lambda r: r.start)
        starts = [r.start for r in ordered]
        by_sentence: dict[int, list[Reference]] = {}
        for ref in references:
            by_sentence.setdefault(sentences.index_of(ref.start), []).append(ref)
        out = []
        for candidate, match in linked:
            index = bisect.bisect_left(starts, candidate.start)
            if _apposed(text, candidate, ordered[max(0, index - 2) : index + 2]):
                continue
            sentence = sentences.index_of(candidate.start)
            if candidate.kind == "chapter" and len(match.targets) > 1:
                continue  # "the procedural and cooperation chapters": no one chapter field
            articles = [int(t) for t in match.targets] if candidate.kind == "article" else []
            chapter = match.targets[0] if candidate.kind == "chapter" else None
            if any(
                (articles and set(articles) <= set(r.articles))
                or (chapter and r.chapter == chapter)
                for r in by_sentence.get(sentence, ())
            ):
                continue  # "Article 24 ... the safeguards provision": one mention, not two
            version, _ = self._version(draft, Found(candidate.start, candidate.end, "", []), None)
            end = candidate.end_of(match)
            out.append(
                Reference(
                    text[candidate.start : end],
                    candidate.start,
                    end,
                    [],
                    chapter,
                    None,
                    version.id if version else "unknown",
                    articles,
                    method="implicit",
                    confidence=confidence_of(match),
                    via="subject",
                )
            )
        return out


def _paired(cited: list[str], articles: list[int], numbering) -> list[tuple[str, int | None]]:
    """Which adopted article each cited number became; None where it became none."""
    if len(articles) == len(cited):
        return list(zip(cited, articles, strict=True))
    remaining = list(articles)
    pairs: list[tuple[str, int | None]] = []
    for number in cited:
        guess = numbering(int(number)) if number.isdigit() else None
        if guess in remaining:
            remaining.remove(guess)
            pairs.append((number, guess))
        else:
            pairs.append((number, None))
    return pairs


def _apposed(text: str, candidate, references: list[Reference]) -> bool:
    for ref in references:
        if 0 <= ref.start - candidate.end <= APPOSITION and text[
            candidate.end : ref.start
        ].strip() in (",", "(", "—", "–", "-", ""):
            return True
        if 0 <= candidate.start - ref.end <= APPOSITION and text[
            ref.end : candidate.start
        ].strip() in (",", "(", "—", "–", "-"):
            return True
    return False


def _chapter(written: str, treaty: Treaty) -> str | None:
    from nlp.explicit import roman

    chapter = roman(int(written)) if written.isdigit() else written.upper()
    return chapter if chapter in treaty.chapters else None


_finders: dict[tuple[str, bool], ReferenceFinder] = {}


def find_references(
    text: str,
    treaty: Treaty | None = None,
    day: date | None = None,
    text_version: str | None = None,
    implicit: bool = True,
) -> list[Reference]:
    """Every reference to the treaty's articles and chapters in ``text``."""
    treaty = treaty or load_treaty(DEFAULT_TREATY)
    key = (treaty.id, implicit)
    if key not in _finders:
        _finders[key] = ReferenceFinder(treaty, implicit=implicit)
    return _finders[key].find(text, day, text_version)


# --- spaCy component ------------------------------------------------------------------------

if not Doc.has_extension("meta"):
    Doc.set_extension("meta", default=None)
if not Doc.has_extension("references"):
    Doc.set_extension("references", default=None)


class ArticleReferences:
    """The spaCy component: references on ``doc._.references`` (``Reference`` objects, the
    JSON of ``stancemap refs``) and as spans in ``doc.spans["article_refs"]``. The document's
    date and text version come from ``doc._.meta``."""

    def __init__(self, nlp: Language, name: str, treaty: str, implicit: bool = True):
        self.name = name
        self.finder = ReferenceFinder(treaty, implicit=implicit)

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 32) -> Iterator[Doc]:
        """Batches documents so that the transformer runs once per batch (at least
        ``MIN_BATCH`` documents, unless they pass ``MAX_BATCH_CHARS`` first)."""
        batch: list[tuple[Doc, str]] = []  # with its text: doc.text joins the tokens each time
        size = 0
        for doc in docs:
            batch.append((doc, doc.text))
            size += len(batch[-1][1])
            if len(batch) >= max(batch_size, MIN_BATCH) or size >= MAX_BATCH_CHARS:
                yield from self._annotate(batch)
                batch, size = [], 0
        if batch:
            yield from self._annotate(batch)

    def _annotate(self, batch: list[tuple[Doc, str]]) -> list[Doc]:
        docs, items = [], []
        for doc, text in batch:
            meta = doc._.meta or {}
            docs.append(doc)
            items.append((text, _as_date(meta.get("date")), meta.get("text_version")))
        for doc, refs in zip(docs, self.finder.find_many(items), strict=True):
            doc._.references = refs
            spans = [
                doc.char_span(ref.start, ref.end, label="ARTICLE_REF", alignment_mode="expand")
                for ref in refs
            ]
            doc.spans["article_refs"] = [span for span in spans if span is not None]
        return docs


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
    default_config={"treaty": DEFAULT_TREATY, "implicit": True},
)
def make_article_refs(nlp: Language, name: str, treaty: str, implicit: bool) -> ArticleReferences:
    return ArticleReferences(nlp, name, treaty, implicit)
