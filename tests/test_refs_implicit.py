"""Provisions named by subject, and anaphora ("this Article") after an explicit reference."""

from __future__ import annotations

from datetime import date

import pytest

from nlp.references import ReferenceFinder


@pytest.fixture(scope="module")
def lexical():
    return ReferenceFinder(encoder=None)


@pytest.fixture(scope="module")
def finder():
    """With the real MiniLM encoder for wording that no term matches."""
    return ReferenceFinder()


def implicit(finder, text, day=None):
    return [
        (r.surface, r.articles or r.chapter)
        for r in finder.find(text, day=day)
        if r.method == "implicit" and r.via == "subject"
    ]


@pytest.mark.parametrize(
    "text, surface, target",
    [
        (
            "The provisions on real-time collection of traffic data go too far.",
            "The provisions on real-time collection of traffic data",
            [29],
        ),
        (
            "Our members fear the search and seizure provisions.",
            "the search and seizure provisions",
            [28],
        ),
        ("The data protection article sets a low bar.", "The data protection article", [36]),
        (
            "The article on conditions and safeguards is weak.",
            "The article on conditions and safeguards",
            [24],
        ),
        ("The grooming offence is welcome.", "The grooming offence", [15]),
        ("Negotiators fought over the sovereignty clause.", "the sovereignty clause", [5]),
        (
            "The chapter on international cooperation is the longest.",
            "The chapter on international cooperation",
            "V",
        ),
        ("The criminalisation chapter is short.", "The criminalisation chapter", "II"),
    ],
)
def test_subjects_from_titles_and_terms(lexical, text, surface, target):
    assert implicit(lexical, text) == [(surface, target)]


def test_several_provisions_in_one_phrase(lexical):
    text = (
        "We oppose the provisions on search and seizure, real-time collection of traffic data "
        "and interception of content data."
    )
    ((_, articles),) = implicit(lexical, text)
    assert articles == [28, 29, 30]


def test_a_cooperation_phrase_with_a_plural_head_names_the_chapter(lexical):
    assert implicit(lexical, "The cooperation provisions reach any serious crime.") == [
        ("The cooperation provisions", "V")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The treaty's safeguards are too weak.",
        "Human rights protections must be strengthened.",
        "The surveillance provisions alarm reporters.",
        "An article on interception in yesterday's paper drew comments.",
        "The convention has no provision on encryption.",
        "The interception provisions of the Budapest Convention require a judge.",
        "The grooming offence in Varnland's penal code carries five years.",
        "The treaty's provisions on human rights fall short.",
        "Article 24, the safeguards provision, is weak.",
    ],
)
def test_generic_words_and_other_instruments_do_not_fire(lexical, text):
    assert implicit(lexical, text) == []


def test_new_wording_is_linked_by_minilm(finder):
    text = "The clause on the network of contact points available around the clock is useful."
    refs = [r for r in finder.find(text) if r.method == "implicit"]
    assert [r.articles for r in refs] == [[41]]
    assert 0.5 < refs[0].confidence < 0.9  # an embedding link is trusted less than a term


def test_minilm_is_not_asked_about_phrases_without_treaty_words(finder):
    assert implicit(finder, "The provision that nobody expected to survive the final week.") == []


def anaphora(finder, text, day=None):
    return [
        (r.surface, r.articles, r.paragraph)
        for r in finder.find(text, day=day)
        if r.via == "anaphora"
    ]


def test_this_article_right_after_a_reference_resolves_to_it(lexical):
    text = "Article 30 allows interception. Paragraph 3 of this Article imposes secrecy."
    assert anaphora(lexical, text) == [("Paragraph 3 of this Article", [30], "(3)")]
    text = "Article 5 protects rights. This article should cite the ICCPR."
    assert anaphora(lexical, text, date(2023, 9, 1)) == [("This article", [6], None)]
    text = "Articles 28 to 30 are the core. These articles need a judge's warrant."
    assert anaphora(lexical, text) == [("These articles", [28, 29, 30], None)]


@pytest.mark.parametrize(
    "text",
    [
        "Article 30 allows interception. This article was first published on our blog.",
        "In this article, we explain Article 30.",
        "Article 28 and Article 29 were amended. This article kept its secrecy clause.",
        "Article 19 of the ICCPR protects speech. This article also allows limits.",
        "Paragraph 2 of this article sets out exceptions.",
        "Article 24 matters. Share this article with your representatives.",
    ],
)
def test_this_article_without_one_clear_antecedent_is_left_alone(lexical, text):
    assert anaphora(lexical, text) == []
