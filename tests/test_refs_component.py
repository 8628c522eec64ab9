"""The reference component inside the real analysis pipeline: spans on the doc, the same
results batched or one by one, sentence targets, and the rows written to ``mentions``."""

from __future__ import annotations

from nlp.analyze import rows_for
from nlp.pipeline import DocumentInput

STATEMENT = (
    "Our comments on the zero draft. Article 5 is too general, and this article should cite "
    "the ICCPR, whose Article 19 protects expression. Articles 6-10 need an intent requirement. "
    "The data protection article allows transfers to any state."
)


def test_the_component_annotates_docs_in_the_pipeline(analyzer):
    nlp = analyzer.nlp
    assert "stancemap_article_refs" in nlp.pipe_names
    doc = nlp.make_doc(STATEMENT)
    doc._.meta = {"date": "2023-08-01"}
    doc = nlp(doc)
    found = [(r.surface, r.articles) for r in doc._.references]
    assert found == [
        ("Article 5", [6]),
        ("this article", [6]),
        ("Articles 6-10", [7, 8, 9, 10, 11]),
        ("The data protection article", [36]),
    ]
    assert [span.text for span in doc.spans["article_refs"]] == [s for s, _ in found]


def test_batched_and_single_documents_agree(analyzer):
    nlp = analyzer.nlp
    texts = [STATEMENT, "Article 24 of the final text.", "ARTICLE 19 said so.", ""] * 5

    def docs():
        for text in texts:
            doc = nlp.make_doc(text)
            doc._.meta = {"date": "2023-08-01"}
            yield doc

    batched = [[r.to_json() for r in d._.references] for d in nlp.pipe(docs(), batch_size=3)]
    single = [[r.to_json() for r in nlp(d)._.references] for d in docs()]
    assert batched == single


def test_references_become_sentence_targets_and_mention_rows(analyzer):
    item = DocumentInput(
        text=STATEMENT,
        date="2023-08-01",
        author="Lantern Privacy Foundation",
        author_type="ngo",
        key={"id": "doc-refs", "organization_id": None},
    )
    (analysis,) = analyzer.analyze([item])
    targets = {t for s in analysis.sentences for t in s.targets}
    assert {"article:6", "article:7", "article:11", "article:36"} <= targets
    assert "article:19" not in targets
    _, mentions, _, _ = rows_for(analysis, "test-model")
    rows = {(m["surface"], m["cited_number"], m["article_number"], m["method"]) for m in mentions}
    assert ("Articles 6-10", "6", 7, "explicit") in rows
    assert ("Articles 6-10", "10", 11, "explicit") in rows
    assert ("The data protection article", None, 36, "implicit") in rows
    assert len({m["id"] for m in mentions}) == len(mentions)
    assert all(STATEMENT[m["start"] : m["end"]] == m["surface"] for m in mentions)
