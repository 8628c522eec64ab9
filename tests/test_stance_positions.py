"""Sentence stances aggregate to one position per (document, holder, target)."""

from __future__ import annotations

from nlp.attribution import Holder
from nlp.positions import aggregate, document_position, positions
from nlp.stance import Prediction


def said(stance: str, confidence: float = 0.9) -> Prediction:
    rest = (1 - confidence) / 3
    probabilities = {label: rest for label in ("support", "oppose", "mixed", "neutral")}
    probabilities[stance] = confidence
    return Prediction(stance, confidence, probabilities)


def test_one_side_wins():
    assert aggregate([said("oppose"), said("oppose"), said("neutral")]).stance == "oppose"
    assert aggregate([said("support"), said("support", 0.6)]).stance == "support"


def test_both_sides_make_a_mixed_position():
    assert aggregate([said("support"), said("oppose")]).stance == "mixed"
    assert aggregate([said("mixed"), said("oppose", 0.5)]).stance == "mixed"


def test_nothing_confident_is_neutral():
    assert aggregate([]).stance == "neutral"
    assert aggregate([said("neutral"), said("oppose", 0.3)]).stance == "neutral"


def test_a_document_leans_on_its_stance_on_the_convention():
    # Backing the text twice and faulting one article: support, not the mixed an equal vote gives.
    own = [("convention", said("support")), ("convention", said("support")),
           ("article:29", said("oppose"))]
    assert aggregate([p for _, p in own]).stance == "mixed"
    assert document_position(own).stance == "support"


def test_one_evaluative_line_in_a_long_informative_text_stays_neutral():
    informative = [("convention", said("neutral"))] * 9
    assert document_position(informative + [("convention", said("support"))]).stance == "neutral"
    assert document_position(informative[:3] + [("convention", said("support"))]).stance == (
        "support"
    )


def test_positions_group_by_holder_and_target():
    kenya = Holder("kenya", "Kenya", "state", True, "reported")
    forum = Holder("new-forum", "Brackwater Forum", "ngo", False, "reported")
    rows = [
        (None, kenya, "article:6", said("oppose")),
        (None, kenya, "article:6", said("oppose", 0.7)),
        (None, kenya, "convention", said("support")),
        (None, forum, "convention", said("mixed")),
    ]
    found = {(p.holder_name, p.target): (p.stance, p.sentences) for p in positions(rows)}
    assert found == {
        ("Kenya", "article:6"): ("oppose", 2),
        ("Kenya", "convention"): ("support", 1),
        ("Brackwater Forum", "convention"): ("mixed", 1),
    }
