"""Provisions named by topic alone become stance targets beside the convention, never mentions."""

from __future__ import annotations

import pytest

from db.treaty import DEFAULT_TREATY, TreatyDataError
from nlp import topics
from nlp.pipeline import DocumentInput, sentence_targets
from nlp.topics import topic_articles


@pytest.mark.parametrize(
    "text, articles",
    [
        ("Real-time collection of traffic data would make that easier, not harder.", [29]),
        ("It lets states intercept messages on behalf of other states.", [30, 46]),
        ("The 24/7 network will let police ask for help within hours.", [41]),
        ("Technical assistance must not become a sugar coating.", [54]),
        ("It keeps the grounds for refusal optional.", [40]),
        ("Every use of these powers should need a judicial warrant.", [24]),
        ("Researchers asked for an exemption for good-faith security research.", [7]),
    ],
)
def test_topics_name_provisions(text, articles):
    assert topic_articles(text, DEFAULT_TREATY) == articles


@pytest.mark.parametrize(
    "text",
    [
        "Human rights must come first in every negotiation.",  # too general for Article 6
        "Illegal interception of private calls is already a crime at home.",  # the offence, Art 8
        "The court has jurisdiction over the case.",
        "We will vote for the convention.",
    ],
)
def test_general_words_name_no_provision(text):
    assert topic_articles(text, DEFAULT_TREATY) == []


def test_a_topic_adds_articles_and_keeps_the_convention():
    assert sentence_targets([], [29, 30]) == ["convention", "article:29", "article:30"]
    assert sentence_targets([], []) == ["convention"]


def test_a_treaty_without_topics_has_none_and_a_bad_pattern_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(topics, "TREATY_ROOT", tmp_path)
    topics._patterns.cache_clear()
    try:
        assert topic_articles("real-time collection", "no-such-treaty") == []
        (tmp_path / "broken").mkdir()
        (tmp_path / "broken" / "topics.yaml").write_text("articles:\n  29: ['real-time (']\n")
        with pytest.raises(TreatyDataError, match="article 29"):
            topic_articles("real-time collection", "broken")
    finally:
        topics._patterns.cache_clear()


def _one_sentence(analyzer, text: str, author: str, author_type: str):
    (analysis,) = analyzer.analyze([DocumentInput(text=text, author=author,
                                                  author_type=author_type)])
    (sentence,) = analysis.sentences
    return analysis, sentence


def test_the_pipeline_classifies_a_topic_sentence_against_its_article(analyzer):
    text = ("The Fictional Privacy League said the convention's real-time collection of traffic "
            "data would let governments follow journalists without a judge.")
    analysis, sentence = _one_sentence(analyzer, text, "Example Wire", "press")
    assert "article:29" in sentence.targets and "convention" in sentence.targets
    assert set(sentence.predictions) == set(sentence.targets)
    assert not analysis.references  # a topic is not stored as a reference


def test_a_topic_beside_a_reference_is_a_target_too(analyzer):
    text = ("Under Articles 25 and 26 the Marrowfield police could ask for data to be kept, and "
            "the 24/7 network would carry such requests at night.")
    _, sentence = _one_sentence(analyzer, text, "Marrowfield Ministry", "government")
    # the references first, then the topic; no convention target once an article is named
    assert sentence.targets == ["article:25", "article:26", "article:41"]
