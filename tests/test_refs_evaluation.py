"""The reference test set and its scorer: enough varied cases, a stable held-out split, and
scores that move when the finder gets worse."""

from __future__ import annotations

from collections import Counter

import pytest

from nlp.eval_references import load_cases, score, split_of
from nlp.references import ReferenceFinder


@pytest.fixture(scope="module")
def cases():
    return load_cases()


def test_the_test_set_is_large_and_covers_every_form(cases):
    assert len(cases) >= 150
    tags = Counter(tag for case in cases for tag in case.tags)
    for form in (
        "single",
        "paragraph",
        "list",
        "range",
        "chapter",
        "mixture",
        "iccpr",
        "budapest",
        "org",
        "news-article",
        "preamble",
        "date",
        "marker",
        "subject",
        "implicit",
        "anaphora",
        "negative",
    ):
        assert tags[form] >= 2, form
    kinds = Counter((g.method, g.via) for case in cases for g in case.gold)
    assert kinds["explicit", None] >= 200 and kinds["implicit", None] >= 60
    assert kinds["implicit", "anaphora"] >= 10
    assert sum(1 for case in cases if case.date and any(g.version for g in case.gold)) >= 60


def test_the_held_out_split_is_fixed_by_the_case_id(cases):
    held_out = [c for c in cases if c.split == "test"]
    assert 0.3 < len(held_out) / len(cases) < 0.5
    assert all(split_of(c.id) == c.split for c in cases)
    assert split_of("dr-001") == split_of("dr-001")


class Nothing:
    def find(self, text, day=None, text_version=None):
        return []


class NumbersOnly:
    """Every "Article N" read as the adopted text's, with no context at all."""

    def __init__(self):
        self.finder = ReferenceFinder(encoder=None, implicit=False)

    def find(self, text, day=None, text_version=None):
        refs = self.finder.find(text)
        for ref in refs:
            ref.articles = [int(n) for n in ref.cited if n.isdigit()]
        return refs


def test_the_scorer_punishes_a_finder_that_finds_nothing(cases):
    report = score(cases[:40], Nothing())
    assert report["explicit_recall"] == 0.0 and report["explicit_precision"] == 0.0
    assert any("missed" in error for error in report["errors"])


def test_the_scorer_sees_when_draft_numbering_is_ignored(cases):
    drafts = [c for c in cases if "draft" in " ".join(c.tags) or "date" in c.tags]
    good = score(drafts, ReferenceFinder(encoder=None))
    naive = score(drafts, NumbersOnly())
    assert naive["mapping_accuracy"] < good["mapping_accuracy"] - 0.2
