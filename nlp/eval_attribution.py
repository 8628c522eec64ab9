"""Holder attribution accuracy on the labelled documents.

Definition (README, model card): over the documents of a split (press coverage by default), every
sentence that has gold holders, or that has none but carries a stance (then its holder is the
author), counts once. Gold holders are resolved first: a pronoun or stand-in ("She", "the
delegation") becomes its ``resolves_to`` name, or else the holders of the nearest earlier
sentence that named one. The sentence is right when the predicted holder set equals the gold set
under name matching: a predicted and a gold holder match when the registry recognises the same
stakeholder in both (a person also matches the organisation they speak for), or when one
normalised name contains the other ("Ines Varga of the Meridian Alliance" ~ "Ines Varga").
Neutral sentences without gold holders are left out: "the author or nobody" cannot be scored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.language import Language

from nlp.attribution import Holder
from nlp.corpus import Document, load_documents

DETERMINERS = re.compile(r"^(the|a|an|its|their|our|this|that)\s+", re.I)
PRONOUN_HOLDER = re.compile(
    r"^(he|she|they|it|we|the\s+\w+|this\s+\w+|that\s+\w+|its\s+\w+(\s+\w+)?|whose\s+.*)$", re.I
)


def normalise(name: str) -> str:
    name = re.sub(r"[’`]", "'", name).strip().strip(",.;:").lower()
    name = DETERMINERS.sub("", name)
    return re.sub(r"\s+", " ", name)


def _contains(longer: str, shorter: str) -> bool:
    return bool(shorter) and re.search(rf"(^|\W){re.escape(shorter)}($|\W)", longer) is not None


class HolderMatcher:
    """Registry-aware comparison of holder names (recognition runs on the names themselves)."""

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self._keys: dict[str, set[str]] = {}

    def keys(self, name: str) -> set[str]:
        if name not in self._keys:
            doc = self.nlp(name)
            found = set()
            for span in doc.spans.get("actors", []):
                actor = span._.actor
                if actor.known:
                    found.add(actor.id)
                    if actor.organization_id:
                        found.add(actor.organization_id)
            self._keys[name] = found
        return self._keys[name]

    def matches(self, gold: str, predicted: Holder) -> bool:
        """Same registry stakeholder, or one name within the other (the holder's or the name
        of the person who spoke for it)."""
        ids = {predicted.id, predicted.organization_id} - {None}
        if self.keys(gold) & (ids | self.keys(predicted.name)):
            return True
        g = normalise(gold)
        for name in (predicted.name, predicted.speaker):
            if name and (_contains(g, normalise(name)) or _contains(normalise(name), g)):
                return True
        return False


def gold_holders(document: Document) -> list[list[str] | None]:
    """Per sentence: resolved gold holder names, [] for the author, or None (not scored)."""
    out: list[list[str] | None] = []
    last: list[str] = []
    for sentence in document.sentences:
        holders = list(sentence.holders)
        if holders:
            resolved = []
            for holder in holders:
                if PRONOUN_HOLDER.match(holder.strip()) and not _named(holder):
                    resolved += [sentence.resolves_to] if sentence.resolves_to else last
                else:
                    resolved.append(holder)
            holders = list(dict.fromkeys(resolved)) or holders
            last = holders
            out.append(holders)
        elif sentence.main_stance != "neutral":
            out.append([])
        else:
            out.append(None)
    return out


def _named(holder: str) -> bool:
    """'the Coordinated Disclosure Guild' is a name; 'the delegation' is a stand-in."""
    words = holder.split()
    return len(words) > 2 or any(w[:1].isupper() for w in words[1:])


def sentence_correct(matcher: HolderMatcher, gold: list[str], predicted: list[Holder]) -> bool:
    if not gold:
        return bool(predicted) and all(h.how == "author" for h in predicted)
    others = [h for h in predicted if h.how != "author"]
    if len(others) != len(predicted) or not predicted:
        return False
    return all(any(matcher.matches(g, p) for p in predicted) for g in gold) and all(
        any(matcher.matches(g, p) for g in gold) for p in predicted
    )


def predicted_holders(nlp: Language, document: Document) -> list[list[Holder]]:
    """Holders the pipeline gives each gold sentence (the union over overlapping sentences)."""
    text, offsets = document.text_and_offsets()
    doc = nlp.make_doc(text)
    doc._.meta = {
        "author": document.author,
        "author_type": document.author_type,
        "url": document.url,
        "title": document.title,
        "date": document.date,
    }
    for _, component in nlp.pipeline:
        doc = component(doc)
    sents = list(doc.sents)
    out = []
    for start, end in offsets:
        holders: dict[str, Holder] = {}
        for sent in sents:
            if sent.start_char < end and start < sent.end_char:
                for holder in sent._.holders or []:
                    holders.setdefault(holder.id, holder)
        out.append(list(holders.values()))
    return out


def evaluate_attribution(
    nlp: Language,
    documents: Iterable[Document] | None = None,
    split: str = "test",
    author_types: tuple[str, ...] | None = ("press",),
    errors: list | None = None,
) -> dict:
    if documents is None:
        documents = [d for d in load_documents() if d.split == split]
    documents = [d for d in documents if author_types is None or d.author_type in author_types]
    matcher = HolderMatcher(nlp)
    scored = correct = reported = reported_correct = 0
    for document in documents:
        golds = gold_holders(document)
        predictions = predicted_holders(nlp, document)
        for sentence, gold, predicted in zip(document.sentences, golds, predictions, strict=True):
            if gold is None:
                continue
            right = sentence_correct(matcher, gold, predicted)
            scored += 1
            correct += right
            if gold:
                reported += 1
                reported_correct += right
            if not right and errors is not None:
                errors.append(
                    (document.id, sentence.text, gold, [(h.name, h.how) for h in predicted])
                )
    return {
        "documents": len(documents),
        "sentences": scored,
        "accuracy": round(correct / scored, 4) if scored else 0.0,
        "reported_sentences": reported,
        "reported_accuracy": round(reported_correct / reported, 4) if reported else 0.0,
    }
