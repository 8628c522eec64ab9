"""Which text a reference cites (marker, date, subject) and its numbers in the adopted text,
checked against the treaty's own data rather than numbers typed into the test."""

from __future__ import annotations

from datetime import date

import pytest

from db.treaty import load_treaty
from nlp.references import ReferenceFinder

TREATY = load_treaty()
ZERO = TREATY.version("zero")


@pytest.fixture(scope="module")
def finder():
    return ReferenceFinder(encoder=None)


def only(finder, text, day=None, hint=None):
    refs = [r for r in finder.find(text, day=day, text_version=hint) if r.method == "explicit"]
    assert len(refs) == 1, refs
    return refs[0]


def test_the_zero_draft_numbering_follows_the_concordance(finder):
    for cited in range(1, 20):
        ref = only(finder, f"Delegates argued over Article {cited} for hours.", date(2023, 7, 3))
        assert ref.text_version == "zero"
        assert ref.articles == [ZERO.map_number(cited)]


def test_a_2023_range_maps_to_the_shifted_adopted_range(finder):
    ref = only(finder, "Articles 6-10 lack any intent requirement.", date(2023, 9, 1))
    assert ref.cited == ["6", "7", "8", "9", "10"] and ref.articles == [7, 8, 9, 10, 11]


@pytest.mark.parametrize(
    "text, version, articles",
    [
        ("The zero draft's Article 5 was thin.", "zero", [6]),
        ("Article 5 of the revised draft text is better.", "rev1", [6]),
        ("In the updated draft, Article 24 still defers to domestic law.", "rev3", [24]),
        ("Article 6 of the final text survived the vote.", "final", [6]),
        ("⁷ A/AC.291/22, art. 17.", "zero", [4]),
        ("Article 5 (zero draft) mentions rights once.", "zero", [6]),
    ],
)
def test_an_explicit_marker_wins_over_the_date(finder, text, version, articles):
    ref = only(finder, text, date(2025, 1, 20))
    assert (ref.text_version, ref.articles) == (version, articles)


def test_two_markers_in_one_sentence_go_to_their_own_references(finder):
    refs = finder.find("Article 5 of the zero draft is Article 6 of the adopted text.")
    assert [(r.text_version, r.articles) for r in refs] == [("zero", [6]), ("final", [6])]


def test_a_marker_for_a_text_not_yet_written_is_ignored(finder):
    ref = only(
        finder, "Unless Article 5 improves, we cannot back the final text.", date(2023, 8, 1)
    )
    assert (ref.text_version, ref.articles) == ("zero", [6])


def test_a_contrasted_marker_does_not_scope_the_reference(finder):
    ref = only(finder, "Unlike the zero draft, Article 6 now has teeth.", date(2024, 9, 1))
    assert (ref.text_version, ref.articles) == ("final", [6])


def test_rev2_numbering_is_unknown_unless_the_subject_settles_it(finder):
    day = date(2024, 6, 25)
    assert TREATY.version_on(day).numbering is None
    plain = only(finder, "Article 24 was reopened this week.", day)
    assert (plain.text_version, plain.articles) == ("rev2", [])
    named = only(finder, "Article 24, on conditions and safeguards, was reopened.", day)
    assert (named.text_version, named.articles) == ("rev2", [24])
    assert plain.confidence < named.confidence


def test_the_subject_settles_undated_and_misdated_numbers(finder):
    undated = only(finder, "Article 4 (Protection of sovereignty) needs no change.")
    assert undated.articles == [5]
    late = only(
        finder, "The old Article 5, on respect for human rights, was thin.", date(2024, 10, 2)
    )
    assert late.articles == [6]


def test_a_subject_that_agrees_with_the_date_raises_confidence(finder):
    day = date(2023, 9, 1)
    plain = only(finder, "Article 5 is too general.", day)
    named = only(finder, "Article 5, on respect for human rights, is too general.", day)
    assert plain.articles == named.articles == [6]
    assert named.confidence > plain.confidence


def test_before_the_first_draft_the_numbering_is_unknown(finder):
    ref = only(finder, "Article 24 of the consolidated document is short.", date(2023, 1, 10))
    assert (ref.text_version, ref.articles) == ("unknown", [])


def test_undated_text_reads_as_the_adopted_text_with_less_confidence(finder):
    undated = only(finder, "Article 29 covers traffic data.")
    dated = only(finder, "Article 29 covers traffic data.", date(2025, 1, 1))
    assert undated.articles == dated.articles == [29]
    assert (undated.text_version, dated.text_version) == ("unknown", "final")
    assert undated.confidence < dated.confidence


def test_the_callers_text_version_is_used_when_the_text_says_nothing(finder):
    ref = only(finder, "Article 17 should be deleted.", hint="rev1")
    assert (ref.text_version, ref.articles) == ("rev1", [4])


def test_a_draft_article_after_adoption_needs_the_drafts_to_agree(finder):
    day = date(2024, 12, 1)
    agreed = only(finder, "Draft Article 24 had no judicial review.", day)
    assert agreed.articles == [24]
    split = only(finder, "Draft Article 17 would have imported other offences.", day)
    assert split.articles == []  # zero/Rev.1 say 4, Rev.3 says 17: not guessed
    named = only(
        finder, "In 2023 we wrote about the revised draft. Draft Article 17 was the worst.", day
    )
    assert (named.text_version, named.articles) == ("rev1", [4])
