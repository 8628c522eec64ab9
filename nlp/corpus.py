"""The team's labelled corpus: stance sentences and whole documents, and the held-out split.

The split is drawn from a hash of each example's ``group`` so that nobody chooses it and
variations of one idea land on the same side. Held-out examples are never used for training or
tuning; only ``stancemap evaluate`` reads them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
LABELS = ("support", "oppose", "mixed", "neutral")
HELDOUT_BUCKETS = 5  # one bucket in five is held out: 20%


class CorpusError(ValueError):
    """A labelled file is malformed; the message names the file and line."""


def combine_stances(stances: Iterable[str]) -> str:
    """Per-target stances to one: the single non-neutral one, or mixed when they disagree."""
    found = set(stances) - {"neutral"}
    if not found:
        return "neutral"
    if len(found) == 1:
        return found.pop()
    if found == {"support", "oppose"} or "mixed" in found:
        return "mixed"
    return sorted(found)[0]


def hash_bucket(key: str, buckets: int) -> int:
    """A stable bucket for a group key: every split of the corpus is made by group hash."""
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16) % buckets


def split_of(group: str) -> str:
    return "test" if hash_bucket(group, HELDOUT_BUCKETS) == 0 else "train"


@dataclass
class Sentence:
    id: str
    group: str
    text: str
    labels: list[dict]
    holders: list[str] = field(default_factory=list)
    genre: str | None = None
    era: str | None = None
    date: str | None = None
    origin: str | None = None
    resolves_to: str | None = None

    @property
    def split(self) -> str:
        return split_of(self.group)

    def stance_for(self, target: str) -> str:
        for label in self.labels:
            if label["target"] == target:
                return label["stance"]
        return "neutral"

    @property
    def main_stance(self) -> str:
        """The stance of the sentence as a whole: one label, or mixed when targets disagree."""
        return combine_stances(label["stance"] for label in self.labels)


@dataclass
class Document:
    id: str
    group: str
    title: str
    author: str
    author_type: str
    date: str | None
    url: str | None
    stance: str
    sentences: list[Sentence]
    paragraph_breaks: list[int]

    @property
    def split(self) -> str:
        return split_of(self.group)

    @property
    def text(self) -> str:
        return self.text_and_offsets()[0]

    def text_and_offsets(self) -> tuple[str, list[tuple[int, int]]]:
        """The document text (paragraphs separated by blank lines) and each sentence's span."""
        parts: list[str] = []
        offsets = []
        position = 0
        for index, sentence in enumerate(self.sentences):
            if index:
                separator = "\n\n" if index in self.paragraph_breaks else " "
                parts.append(separator)
                position += len(separator)
            parts.append(sentence.text)
            offsets.append((position, position + len(sentence.text)))
            position += len(sentence.text)
        return "".join(parts), offsets


def _lines(path: Path) -> Iterator[tuple[int, dict]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as error:
                raise CorpusError(f"{path}:{number}: not valid JSON ({error})") from error


def _sentence(record: dict, where: str, group: str) -> Sentence:
    labels = record.get("labels") or []
    for label in labels:
        if label.get("stance") not in LABELS:
            raise CorpusError(f"{where}: stance {label.get('stance')!r} not one of {LABELS}")
        target = label.get("target", "")
        if target != "convention" and not (target.startswith("article:") and target[8:].isdigit()):
            raise CorpusError(f"{where}: target {target!r} is not 'convention' or 'article:N'")
    return Sentence(
        id=record.get("id", where),
        group=group,
        text=record["text"],
        labels=labels or [{"target": "convention", "stance": "neutral"}],
        holders=list(record.get("holders") or []),
        genre=record.get("genre"),
        era=record.get("era"),
        date=record.get("date"),
        origin=record.get("origin"),
        resolves_to=record.get("resolves_to"),
    )


def load_sentences(folder: Path = DATA / "stance") -> list[Sentence]:
    sentences = []
    for path in sorted(folder.glob("*.jsonl")):
        for number, record in _lines(path):
            where = f"{path}:{number}"
            if "text" not in record or "group" not in record:
                raise CorpusError(f"{where}: 'text' and 'group' are required")
            sentences.append(_sentence(record, where, record["group"]))
    return sentences


def load_documents(folder: Path = DATA / "documents") -> list[Document]:
    documents = []
    for path in sorted(folder.glob("*.jsonl")):
        for number, record in _lines(path):
            where = f"{path}:{number}"
            group = record.get("group") or record["id"]
            sentences: list[Sentence] = []
            breaks: list[int] = []
            for paragraph in record.get("paragraphs") or []:
                if sentences:
                    breaks.append(len(sentences))
                for index, item in enumerate(paragraph):
                    item = {**item, "id": f"{record['id']}-{len(sentences)}"}
                    sentences.append(_sentence(item, f"{where} sentence {index}", group))
            if record.get("stance") not in LABELS:
                raise CorpusError(f"{where}: document stance {record.get('stance')!r} invalid")
            documents.append(
                Document(
                    id=record["id"],
                    group=group,
                    title=record.get("title", ""),
                    author=record.get("author", ""),
                    author_type=record.get("author_type", ""),
                    date=record.get("date"),
                    url=record.get("url"),
                    stance=record["stance"],
                    sentences=sentences,
                    paragraph_breaks=breaks,
                )
            )
    return documents


def sentences_of(split: str) -> list[Sentence]:
    """Every sentence of a split: the stance files' and those of the split's documents."""
    sentences = [s for s in load_sentences() if s.split == split]
    for document in load_documents():
        if document.split == split:
            sentences += document.sentences
    return sentences
