"""The end-to-end position measure (nlp/eval_positions.py): gold positions from gold sentence
labels, and precision/recall against the pipeline's positions."""

from __future__ import annotations

from nlp.attribution import Holder
from nlp.corpus import Document, Sentence
from nlp.eval_positions import AUTHOR, Claim, gold_positions, score_positions


def sentence(text, labels, holders=(), resolves_to=None):
    return Sentence(id=text[:8], group="g", text=text,
                    labels=[{"target": t, "stance": s} for t, s in labels],
                    holders=list(holders), resolves_to=resolves_to)


def document(*sentences) -> Document:
    return Document(id="d", group="g", title="t", author="Example Wire", author_type="press",
                    date=None, url=None, stance="neutral", sentences=list(sentences),
                    paragraph_breaks=[])


def test_gold_positions_aggregate_per_holder_and_target():
    doc = document(
        sentence("A said no.", [("article:29", "oppose")], ["Alder Group"]),
        sentence("She added more.", [("article:29", "oppose")], ["She"], resolves_to="Alder Group"),
        sentence("B welcomed it.", [("convention", "support")], ["Birch Union"]),
        sentence("B also regretted a gap.", [("convention", "oppose")], ["Birch Union"]),
        sentence("Background.", [("convention", "neutral")]),
        sentence("We think it is flawed.", [("convention", "oppose")]),
    )
    claims = {(c.holder, c.target, c.stance) for c in gold_positions(doc)}
    assert claims == {
        ("alder group", "article:29", "oppose"),  # the pronoun resolved, one position
        ("birch union", "convention", "mixed"),  # both sides make a mixed position
        (AUTHOR, "convention", "oppose"),  # no gold holder: the author's
    }


class NameMatcher:
    def matches(self, gold, predicted):
        return gold == predicted.name.lower()


def holder(name, how="reported"):
    return Holder(name.lower(), name, None, True, how)


def test_scores_need_holder_target_and_stance():
    gold = [Claim("alder group", "article:29", "oppose"), Claim(AUTHOR, "convention", "oppose"),
            Claim("birch union", "convention", "mixed")]
    predicted = [
        Claim(holder("Alder Group"), "article:29", "oppose"),  # right
        Claim(holder("Example Wire", how="author"), "convention", "oppose"),  # right: the author
        Claim(holder("Birch Union"), "convention", "support"),  # found, wrong stance
        Claim(holder("Cedar Trust"), "convention", "oppose"),  # no such holder in gold
    ]
    report = score_positions(NameMatcher(), [(gold, predicted)])
    assert report["precision"] == 0.5 and report["recall"] == round(2 / 3, 4)
    assert report["holder_target_recall"] == 1.0
    assert report["f1"] == round(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3), 4)
    # An author claim never matches a reported holder of the same name, and nothing scores 0.
    assert score_positions(NameMatcher(), [([Claim("example wire", "convention", "oppose")],
                                            [predicted[1]])])["f1"] == 0.0
    assert score_positions(NameMatcher(), [([], [])])["f1"] == 0.0
