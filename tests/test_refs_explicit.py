"""Explicit references: every written form, with exact character offsets and the JSON contract."""

from __future__ import annotations

from datetime import date

import pytest

from nlp.references import ReferenceFinder

AFTER_ADOPTION = date(2025, 3, 1)
CONTRACT_KEYS = {
    "surface",
    "start",
    "end",
    "cited",
    "chapter",
    "paragraph",
    "text_version",
    "articles",
    "method",
    "confidence",
}


@pytest.fixture(scope="module")
def finder():
    return ReferenceFinder(encoder=None)  # lexical only: no transformer needed here


def found(finder, text, day=AFTER_ADOPTION):
    return [r for r in finder.find(text, day=day) if r.method == "explicit"]


@pytest.mark.parametrize(
    "text, surface, cited, paragraph",
    [
        ("Observers singled out Article 6 last week.", "Article 6", ["6"], None),
        ("The group objects to Art. 28 as adopted.", "Art. 28", ["28"], None),
        ("We read article 30 narrowly.", "article 30", ["30"], None),
        ("Critics cite Art 36 most often.", "Art 36", ["36"], None),
        ("See Art.24 for the safeguards.", "Art.24", ["24"], None),
        ("Under Article 24(1), each party decides.", "Article 24(1)", ["24"], "(1)"),
        ("The gag in art. 29 para. 3 worries hosts.", "art. 29 para. 3", ["29"], "(3)"),
        (
            "The secrecy duty in paragraph 3 of Article 30 stays.",
            "paragraph 3 of Article 30",
            ["30"],
            "(3)",
        ),
        ("Everything turns on article 35(1)(c) now.", "article 35(1)(c)", ["35"], "(1)(c)"),
        ("Read Article 40, paragraph 21, closely.", "Article 40, paragraph 21", ["40"], "(21)"),
        ("Article 24 § 4 is hortatory.", "Article 24 § 4", ["24"], "(4)"),
        ("Article 2(h)(ii) is broad.", "Article 2(h)(ii)", ["2"], "(h)(ii)"),
        ("Article\u00a029 covers traffic data.", "Article\u00a029", ["29"], None),
        ("What about Article Twenty-Four?", "Article Twenty-Four", ["24"], None),
    ],
)
def test_single_articles_with_paragraphs(finder, text, surface, cited, paragraph):
    (ref,) = found(finder, text)
    assert (ref.surface, ref.cited, ref.paragraph) == (surface, cited, paragraph)
    assert text[ref.start : ref.end] == surface


@pytest.mark.parametrize(
    "text, surface, cited",
    [
        ("Articles 28, 29 and 30 hang together.", "Articles 28, 29 and 30", ["28", "29", "30"]),
        ("Articles 28 to 30 hang together.", "Articles 28 to 30", ["28", "29", "30"]),
        ("Articles 28-30 hang together.", "Articles 28-30", ["28", "29", "30"]),
        ("Articles 28–30 hang together.", "Articles 28–30", ["28", "29", "30"]),
        ("Articles 28 through 30 hang together.", "Articles 28 through 30", ["28", "29", "30"]),
        ("Arts. 44 & 46 were added.", "Arts. 44 & 46", ["44", "46"]),
        ("Articles 41 and 47 to 48 need money.", "Articles 41 and 47 to 48", ["41", "47", "48"]),
        ("ARTICLES 16 AND 17 ARE NEW", "ARTICLES 16 AND 17", ["16", "17"]),
    ],
)
def test_lists_and_ranges_are_one_reference(finder, text, surface, cited):
    (ref,) = found(finder, text)
    assert (ref.surface, ref.cited, ref.articles) == (surface, cited, [int(n) for n in cited])


def test_separate_heads_make_separate_references(finder):
    refs = found(finder, "Both Article 6 and Article 24 were put to a vote.")
    assert [r.surface for r in refs] == ["Article 6", "Article 24"]


def test_a_singular_head_does_not_swallow_a_following_number(finder):
    (ref,) = found(finder, "In Article 5, 12 states saw a threat to their laws.")
    assert ref.cited == ["5"]


def test_chapters_alone_and_with_an_article(finder):
    refs = found(finder, "Chapter IV is long; Chapter I, Article 6 is short; chapter 5 is longer.")
    assert [(r.surface, r.chapter, r.cited) for r in refs] == [
        ("Chapter IV", "IV", []),
        ("Chapter I, Article 6", "I", ["6"]),
        ("chapter 5", "V", []),
    ]
    assert found(finder, "The host filed for Chapter 11 protection.") == []


def test_an_article_of_a_chapter_takes_the_chapter(finder):
    (ref,) = found(finder, "Article 30 of Chapter IV is the one to watch.")
    assert (ref.cited, ref.chapter, ref.surface) == (["30"], "IV", "Article 30 of Chapter IV")


def test_mixtures_in_one_sentence_keep_their_order_and_offsets(finder):
    text = "Beyond Chapter II, the letter cites Art. 28(4), article 29 and Articles 45-46."
    refs = found(finder, text)
    assert [r.surface for r in refs] == ["Chapter II", "Art. 28(4)", "article 29", "Articles 45-46"]
    assert all(text[r.start : r.end] == r.surface for r in refs)


def test_json_is_the_design_contract(finder):
    (ref,) = found(finder, "Article 24(2) names judicial review.")
    data = ref.to_json()
    assert set(data) == CONTRACT_KEYS
    assert data["method"] == "explicit" and data["text_version"] == "final"
    assert 0.0 < data["confidence"] <= 1.0
