"""The analysis pipeline: spaCy (sentences, article references, actors, attribution) and the
transformer stance model, batched across documents.

``Analyzer.analyze`` turns documents into ``Analysis`` objects: sentences, mentions and stances
with character offsets, plus the author's position. It writes nothing; ``nlp.analyze`` stores.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc

from db.treaty import DEFAULT_TREATY
from nlp import actors as _actors  # noqa: F401 - registers the spaCy factories
from nlp import attribution as _attribution  # noqa: F401
from nlp import references as _references  # noqa: F401
from nlp import segment as _segment  # noqa: F401
from nlp.alignment import follow_leaders, leader_of
from nlp.attribution import Holder
from nlp.document_head import shared_document_head
from nlp.fastpipes import speed_up
from nlp.language import other_language
from nlp.models import load_spacy
from nlp.positions import aggregate, document_position, stated
from nlp.references import Reference
from nlp.stance import Prediction, StanceModel, shared_stance_model
from nlp.topics import topic_articles

PIPELINE_VERSION = "nlp-0.4"  # 0.2: topic targets, document head; 0.3: siding, other languages;
# 0.4: topics beside references
MAX_CHARS = 400_000  # longer texts are analysed up to here; the cut is recorded
MIN_SENTENCE_WORDS = 4


@dataclass
class DocumentInput:
    text: str
    date: str | None = None
    author: str | None = None
    author_id: str | None = None
    author_type: str | None = None
    url: str | None = None
    title: str | None = None
    text_version: str | None = None
    key: object = None  # the caller's handle (a documents row id, a line number)

    @classmethod
    def of_labelled(cls, document) -> DocumentInput:
        """A document of the labelled corpus (``nlp.corpus.Document``), keyed by itself."""
        return cls(text=document.text, date=document.date, author=document.author,
                   author_type=document.author_type, url=document.url, title=document.title,
                   key=document)


@dataclass
class SentenceResult:
    position: int
    start: int
    end: int
    text: str
    holders: list[Holder]
    references: list[Reference]
    targets: list[str]
    leader: str | None = None  # the actor its holders side with ("supported Iran's position")
    # The stance towards each target: the model reads the sentence paired with the target.
    predictions: dict[str, Prediction] = field(default_factory=dict)

    @property
    def prediction(self) -> Prediction | None:
        """The sentence's stance over its targets (for callers that want one)."""
        if len(self.predictions) > 1:
            return aggregate(self.predictions.values())
        return next(iter(self.predictions.values()), None)


@dataclass
class Analysis:
    input: DocumentInput
    sentences: list[SentenceResult]
    references: list[Reference]
    document: Prediction
    author: Holder
    truncated: bool = False
    new_holders: dict[str, Holder] = field(default_factory=dict)
    model: str = ""  # the pipeline and stance model version that produced it
    language: str | None = None  # set when not English: then no stance is read (nlp.language)

    def author_sentences(self) -> list[SentenceResult]:
        """The sentences the author holds (their own voice)."""
        return [s for s in self.sentences if any(h.how == "author" for h in s.holders)]

    def author_pairs(self) -> list[tuple[str, Prediction]]:
        """(target, prediction) for every target of the author's sentences."""
        return [(t, p) for s in self.author_sentences() for t, p in s.predictions.items()]

    def stances(self) -> Iterator[tuple[SentenceResult, Holder, str, Prediction]]:
        """Each stored sentence stance: (sentence, holder, target, prediction)."""
        for sentence in self.sentences:
            for target, prediction in sentence.predictions.items():
                if not stated(prediction):
                    continue
                for holder in sentence.holders:
                    yield sentence, holder, target, prediction


def build_nlp(treaty: str = DEFAULT_TREATY, organizations: Iterable[dict] = ()) -> Language:
    # The lemmatizer stays: attribution reads verbs by lemma. NER, the attribute ruler and the
    # lemmatizer run in bulk (nlp.fastpipes), with spaCy's output.
    nlp = speed_up(load_spacy(exclude=()))
    nlp.max_length = MAX_CHARS + 1000
    nlp.add_pipe("stancemap_line_breaks", before="parser")
    nlp.add_pipe("stancemap_article_refs", config={"treaty": treaty})
    recognizer = nlp.add_pipe("stancemap_actors")
    recognizer.add_organizations(organizations)
    nlp.add_pipe("stancemap_attribution")
    return nlp


def _batches(items: Iterable[DocumentInput], size: int) -> Iterator[list[DocumentInput]]:
    batch: list[DocumentInput] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def sentence_targets(references: list[Reference], topics: Iterable[int] = ()) -> list[str]:
    """What a sentence's stance is about: the articles it refers to and those it names by topic
    alone ("real-time collection", "the 24/7 network"); failing a reference, the convention as a
    whole as well. A topic is weaker evidence than a reference, so the convention stays a target
    beside topics: on the dev documents, keeping it gave holder positions F1 0.672 -> 0.694 with
    document stance unchanged, replacing it 0.673 and document stance 0.891 -> 0.857. Topics
    beside references ("Articles 42 and 43 ... and the 24/7 network") gave positions F1 0.7916 ->
    0.7937 on the training documents and 0.7064 -> 0.7096 on their dev tenth, document stance
    unchanged."""
    articles = [n for ref in references for n in ref.articles]
    topical = [f"article:{n}" for n in dict.fromkeys([*articles, *topics])]
    return topical if articles else ["convention", *topical]


class Analyzer:
    def __init__(
        self,
        treaty: str = DEFAULT_TREATY,
        organizations: Iterable[dict] = (),
        stance_model: StanceModel | None = None,
    ):
        self.nlp = build_nlp(treaty, organizations)
        self.treaty = treaty
        self.stance_model = stance_model or shared_stance_model()
        # None: the voting rule decides (no head fitted for this stance model, or it lost)
        self.document_head = shared_document_head(self.stance_model.manifest["version"])

    @property
    def version(self) -> str:
        head = f"+{self.document_head.version}" if self.document_head else ""
        return f"{PIPELINE_VERSION}+{self.stance_model.version}{head}"

    def _make_doc(self, item: DocumentInput) -> Doc:
        doc = self.nlp.make_doc(item.text[:MAX_CHARS])
        doc._.meta = {
            "date": item.date,
            "author": item.author,
            "author_id": item.author_id,
            "author_type": item.author_type,
            "url": item.url,
            "title": item.title,
            "text_version": item.text_version,
        }
        return doc

    def analyze(self, items: Iterable[DocumentInput], batch_size: int = 16) -> Iterator[Analysis]:
        """Analyses in input order. spaCy parses the next batch in a worker thread while the
        stance model classifies this one: the parser is single-threaded and the transformer
        releases the GIL, so on two cores the stages overlap instead of taking turns. While
        spaCy runs, torch gets one thread, and all of them once the parse is done: two torch
        threads beside a busy parser slow both (measured on two cores: 69 pairs/s and 134
        sentences/s, against 94 and 169 with one torch thread)."""
        full = self.stance_model.torch.get_num_threads()
        parsing = None

        def threads() -> int:
            return 1 if parsing is not None and not parsing.done() else full

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="stancemap-parse") as pool:
            for batch in _batches(items, batch_size):
                parsed = parsing.result() if parsing else None
                parsing = pool.submit(self._parse_batch, batch)
                if parsed:
                    yield from self._classify(parsed, threads)
            if parsing:
                yield from self._classify(parsing.result(), threads)

    def _parse_batch(self, items: list[DocumentInput]) -> list[Analysis]:
        docs = list(self.nlp.pipe((self._make_doc(item) for item in items), batch_size=len(items)))
        return [self._structure(item, doc) for item, doc in zip(items, docs, strict=True)]

    def _classify(self, analyses: list[Analysis], threads=None) -> list[Analysis]:
        # One batched transformer pass over every (sentence, target) pair of the batch that has
        # a holder; sentences nobody holds (press narration) and documents in other languages
        # are not classified.
        pending = [
            (s, target)
            for a in analyses
            if not a.language
            for s in a.sentences
            if s.holders
            for target in s.targets
        ]
        predictions = self.stance_model.predict([(s.text, t) for s, t in pending], threads)
        for (sentence, target), prediction in zip(pending, predictions, strict=True):
            sentence.predictions[target] = prediction
        for analysis in analyses:
            follow_leaders(analysis.sentences)
            own = analysis.author_pairs()
            head = self.document_head
            analysis.document = head.predict(own) if head else document_position(own)
            analysis.model = self.version
        return analyses

    def _structure(self, item: DocumentInput, doc: Doc) -> Analysis:
        language = other_language(item.text)
        references = list(doc._.references or [])
        sentences = []
        new_holders: dict[str, Holder] = {}
        for sent in doc.sents:
            raw = sent.text  # joins the sentence's tokens on each access
            text = raw.strip()
            if not text:
                continue
            start = sent.start_char + (len(raw) - len(raw.lstrip()))
            end = start + len(text)
            in_sentence = [r for r in references if start <= r.start < end]
            holders = list(sent._.holders or []) if len(text.split()) >= MIN_SENTENCE_WORDS else []
            for holder in holders:
                # Organisations and people first seen here are stored for review; groups
                # ("several delegations") are described, not registered.
                if not holder.known and holder.how != "author" and holder.kind != "group":
                    new_holders[holder.id] = holder
            sentences.append(
                SentenceResult(
                    position=len(sentences),
                    start=start,
                    end=end,
                    text=text,
                    holders=holders,
                    references=in_sentence,
                    targets=sentence_targets(in_sentence, topic_articles(text, self.treaty)),
                    leader=leader_of(sent, (h.id for h in holders)) if holders else None,
                )
            )
        author = Holder(
            item.author_id or "author",
            item.author or "author",
            item.author_type,
            bool(item.author_id),
            "author",
        )
        return Analysis(
            input=item,
            sentences=sentences,
            references=references,
            document=Prediction("neutral", 0.0, {}),
            author=author,
            truncated=len(item.text) > MAX_CHARS,
            new_holders={} if language else new_holders,
            language=language,
        )
