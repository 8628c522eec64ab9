"""Property-based tests: the finder never raises, its offsets are always right, and its time
grows linearly: 100 KB of adversarial input resolves in under a second of CPU."""

from __future__ import annotations

import time
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp.references import ReferenceFinder

PIECES = [
    "Article ",
    "Articles ",
    "Art. ",
    "art ",
    "ARTICLE 19",
    "Chapter ",
    "IV",
    "paragraph ",
    " of ",
    " of the ",
    "this article",
    "the ",
    " provisions on ",
    "ICCPR",
    "Budapest Convention",
    "zero draft",
    "Rev.1",
    "(",
    ")",
    "(1)",
    "(c)",
    ",",
    " and ",
    " to ",
    "–",
    "-",
    "§",
    ".",
    "\n",
    "its ",
    "'s ",
    "24",
    "5",
    "19",
    "68",
    "999",
    "1,",
    " interception of content data",
    "\u00a0",
    "the data protection article",
    "Article 5, on respect for human rights",
]


@pytest.fixture(scope="module")
def finder():
    return ReferenceFinder()  # the real one, MiniLM included


def check(refs, text):
    for ref in refs:
        assert 0 <= ref.start < ref.end <= len(text)
        assert text[ref.start : ref.end] == ref.surface
        assert ref.method in ("explicit", "implicit")
        assert 0.0 <= ref.confidence <= 1.0
        assert all(isinstance(n, int) for n in ref.articles)
        data = ref.to_json()
        assert data["text_version"] in ("zero", "rev1", "rev2", "rev3", "final", "unknown")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=400), day=st.one_of(st.none(), st.dates()))
def test_never_raises_on_arbitrary_text(finder, text, day):
    check(finder.find(text, day=day), text)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    pieces=st.lists(st.sampled_from(PIECES), max_size=60),
    hint=st.sampled_from([None, "zero", "rev1", "rev2", "rev3", "final", "unknown", "bogus"]),
)
def test_never_raises_on_reference_shaped_text(finder, pieces, hint):
    text = "".join(pieces)
    check(finder.find(text, day=date(2023, 9, 1), text_version=hint), text)


ADVERSARIAL = {
    "a long list": lambda: "Articles " + ", ".join(str(i % 90 + 1) for i in range(40_000)),
    "repeated references": lambda: "Article 1, " * 10_000,
    "ranges": lambda: "Articles 1 to 68, " * 6_000,
    "chapters": lambda: "Chapter I, " * 10_000,
    "paragraph prefixes": lambda: "paragraph 1 of " * 7_000 + "Article 5",
    "nested paragraphs": lambda: "Article 5" + "(1)" * 35_000,
    "possessives": lambda: "its Article 5 " * 8_000,
    "of-phrases": lambda: "Article 5 of the " * 6_000,
    "anaphora": lambda: "Article 24 applies. This article is long. " * 2_500,
    "subject phrases": lambda: " ".join(
        f"the provision that lets police read message {i} quickly." for i in range(2_000)
    ),
    "whitespace": lambda: "Article 1," + " " * 100_000,
    "organisation": lambda: "ARTICLE 19 " * 10_000,
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_100_kb_of_adversarial_input_in_under_a_second(finder, name):
    text = ADVERSARIAL[name]()[:100_000]
    finder.find("warm up the provision that lets police read messages")  # load MiniLM first
    started = time.process_time()
    refs = finder.find(text)
    elapsed = time.process_time() - started
    check(refs, text)
    assert elapsed < 1.0, f"{name}: {elapsed:.2f}s of CPU for {len(text)} characters"


def test_time_grows_linearly(finder):
    unit = "Article 28(4), art. 29 para. 3 and Articles 44–46 of the zero draft; ARTICLE 19 said. "
    small, large = unit * 100, unit * 1_000

    def cpu(text):
        best = float("inf")
        for _ in range(3):
            started = time.process_time()
            finder.find(text)
            best = min(best, time.process_time() - started)
        return best

    ratio = cpu(large) / max(cpu(small), 1e-3)
    assert ratio < 20, f"10x the text took {ratio:.1f}x the time"
