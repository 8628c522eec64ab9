"""Holders who side with another holder ("X, Y and Z supported Iran's position") take the
leader's stance on the leader's targets, not a stance of their own on the convention."""

from __future__ import annotations

import pytest

from nlp.alignment import follow_leaders
from nlp.attribution import Holder
from nlp.pipeline import DocumentInput, SentenceResult
from nlp.stance import Prediction

OPPOSE = Prediction("oppose", 0.9, {"support": 0.03, "oppose": 0.9, "mixed": 0.04,
                                    "neutral": 0.03})
SUPPORT = Prediction("support", 0.8, {"support": 0.8, "oppose": 0.1, "mixed": 0.05,
                                      "neutral": 0.05})


def holder(name: str) -> Holder:
    return Holder(name.lower(), name, "state", False, "reported")


def sentence(position, holders, targets, predictions, leader=None) -> SentenceResult:
    return SentenceResult(position, 0, 1, "...", [holder(h) for h in holders], [], targets,
                          leader, dict(predictions))


def test_followers_take_the_leaders_latest_stances():
    sentences = [
        sentence(0, ["Veltrana"], ["article:17"], {"article:17": SUPPORT}),
        sentence(1, ["Veltrana"], ["article:6"], {"article:6": OPPOSE}),
        sentence(2, ["Pellador", "Kethra"], ["convention"], {"convention": SUPPORT}, "veltrana"),
    ]
    follow_leaders(sentences)
    assert sentences[2].targets == ["article:6"]
    assert sentences[2].predictions == {"article:6": OPPOSE}


def test_a_follower_that_names_its_own_article_keeps_it():
    from nlp.references import Reference

    sentences = [
        sentence(0, ["Veltrana"], ["article:6"], {"article:6": OPPOSE}),
        sentence(1, ["Pellador"], ["article:17"], {"article:17": SUPPORT}, "veltrana"),
    ]
    sentences[1].references = [Reference("Article 17", 0, 10, ["17"], None, None, "final", [17])]
    follow_leaders(sentences)
    assert sentences[1].predictions == {"article:17": SUPPORT}


def test_a_leader_without_an_earlier_stance_leaves_the_models_reading():
    sentences = [
        sentence(0, ["Pellador"], ["convention"], {"convention": SUPPORT}, "veltrana"),
        sentence(1, ["Veltrana"], ["article:6"], {"article:6": OPPOSE}),
    ]
    follow_leaders(sentences)
    assert sentences[0].predictions == {"convention": SUPPORT}


@pytest.mark.slow
@pytest.mark.parametrize(
    "siding",
    [
        "Pellador, Kethra and Norrowe supported the Veltranan Republic's position.",
        "Pellador, Kethra and Norrowe sided with the Veltranan Republic.",
        "Pellador, Kethra and Norrowe voted with the Veltranan Republic on the deletion.",
        "Among those who backed the Veltranan Republic were Pellador, Kethra and Norrowe.",
    ],
)
def test_the_pipeline_gives_followers_the_leaders_article(analyzer, siding):
    text = (
        "Delegates met in New York for the final session of the negotiations. "
        "The Veltranan Republic wanted to delete Article 6, saying that the article had no "
        "place in a criminal justice treaty. " + siding
    )
    [analysis] = analyzer.analyze([DocumentInput(text=text, author="The Orlen Courier",
                                                 author_type="press", date="2024-08-09")])
    leader_says = {h.name: t for s, h, t, p in analysis.stances() if p.stance == "oppose"}
    assert leader_says.get("Veltranan Republic") == "article:6", leader_says
    followers = {(h.name, t, p.stance) for s, h, t, p in analysis.stances() if s.leader}
    # Which of the three attribution finds is its own business (tested elsewhere); here every
    # follower found takes the leader's article and stance.
    names = {name for name, _, _ in followers}
    assert len(names) >= 2 and names <= {"Pellador", "Kethra", "Norrowe"}, followers
    assert {(t, stance) for _, t, stance in followers} == {("article:6", "oppose")}


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        "The UN Country Team will continue to support the Republic of Pellador as it prepares "
        "its implementing law under Article 54.",
        "The Republic of Pellador was among the first states to join the Budapest Convention.",
    ],
)
def test_help_and_accession_are_not_siding(analyzer, text):
    [analysis] = analyzer.analyze([DocumentInput(text=text, author="UN Country Team",
                                                 author_type="un_body")])
    assert all(s.leader is None for s in analysis.sentences)
