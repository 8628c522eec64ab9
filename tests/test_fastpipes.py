"""The bulk NER, attribute ruler and lemmatizer (nlp.fastpipes) give spaCy's own annotations,
token for token: on corpus documents, on texts made to reach the rare rules and moves, and where
they hand the work back to spaCy (preset entities)."""

from __future__ import annotations

import numpy as np
import pytest
from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, MORPH, POS, SENT_START, TAG

COLUMNS = [TAG, POS, MORPH, LEMMA, DEP, HEAD, ENT_IOB, ENT_TYPE, SENT_START]
TEXTS = [
    "",
    "   \n\n  ",
    "Hello",
    "Ambassador Selin Arvani of the Republic of Veltrana said on 8 August 2024 that it ain't "
    "gonna sign, y'all. Let's see.\n\nThere is a letter from the Digital Trade Council.",
    "Nothin' else matters   to   Ana  Brest,\n she said.  \n\n  - Article 6 of the Convention\n"
    "UN Office on Drugs and Crime\nKethra and Pellador gotta vote no",
    "According to Human Rights Watch, the EU and Russia, $5 million was 40% of it in 2023 — "
    "the first time, said Dr. Hélène Marchetti-Obi of Moscow State University",
]


@pytest.fixture(scope="module")
def pipelines():
    from nlp import segment  # noqa: F401 - the line-break component
    from nlp.fastpipes import speed_up
    from nlp.models import load_spacy

    def build():
        nlp = load_spacy(exclude=())
        nlp.add_pipe("stancemap_line_breaks", before="parser")
        return nlp

    return build(), speed_up(build())


def annotations(doc):
    return doc.to_array(COLUMNS), [(e.start, e.end, e.label_) for e in doc.ents]


def assert_same(spacy_docs, fast_docs):
    for expected, found in zip(spacy_docs, fast_docs, strict=True):
        (want, want_ents), (got, got_ents) = annotations(expected), annotations(found)
        assert np.array_equal(want, got), expected.text[:80]
        assert want_ents == got_ents, expected.text[:80]


def test_the_same_components_by_name(pipelines):
    reference, fast = pipelines
    assert fast.pipe_names == reference.pipe_names
    assert type(fast.get_pipe("ner")).__module__ == "nlp.fastpipes"
    assert type(fast.get_pipe("attribute_ruler")).__module__ == "nlp.fastpipes"
    assert type(fast.get_pipe("lemmatizer")).__module__ == "nlp.fastpipes"


def test_crafted_texts_annotated_as_spacy_does(pipelines):
    reference, fast = pipelines
    assert_same([reference(t) for t in TEXTS], [fast(t) for t in TEXTS])
    # In batches, as the analyzer runs them (sorted by length, sub-batches of four).
    assert_same(list(reference.pipe(TEXTS * 3, batch_size=16)),
                list(fast.pipe(TEXTS * 3, batch_size=16)))


def test_corpus_documents_annotated_as_spacy_does(pipelines):
    from nlp.corpus import load_documents

    reference, fast = pipelines
    texts = [d.text for d in load_documents()[:48]]
    assert_same(list(reference.pipe(texts, batch_size=16)), list(fast.pipe(texts, batch_size=16)))


def test_preset_entities_left_to_spacy(pipelines):
    from spacy.tokens import Span

    reference, fast = pipelines
    text = "The delegation of Veltrana met Ana Brest in Geneva on Monday."
    docs = []
    for nlp in (reference, fast):
        with nlp.select_pipes(disable=["ner"]):
            doc = nlp(text)
        doc.ents = [Span(doc, 3, 4, label="ORG")]
        docs.append(nlp.get_pipe("ner")(doc))
    assert_same([docs[0]], [docs[1]])
    assert (3, 4, "ORG") in annotations(docs[1])[1]
