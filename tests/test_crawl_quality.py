"""The crawler's quality floors (tests/fixtures/crawl/floors.yaml): main-text extraction and
publication dates on the hand-labelled fixture pages, and relevance precision and recall on
those pages and on the demo web. The gate is shown to fail on a worse extractor and a worse
relevance rule."""

from __future__ import annotations

import pytest
import yaml
from crawl_server import FIXTURES

from crawlers import quality
from crawlers.extract import Extracted

FLOORS = yaml.safe_load((FIXTURES / "floors.yaml").read_text(encoding="utf-8"))


def below_floors(report: dict) -> list[str]:
    return [
        f"{section}.{measure}: {report[section][measure]} < {floor}"
        for section, measures in FLOORS.items()
        if section in report
        for measure, floor in measures.items()
        if report[section][measure] < floor
    ]


@pytest.fixture(scope="module")
def report() -> dict:
    result = quality.report()
    print(
        f"extraction F1 {result['extraction']['mean_token_f1']}, dates "
        f"{result['extraction']['date_accuracy']}; relevance fixtures "
        f"P {result['relevance_fixtures']['precision']} R {result['relevance_fixtures']['recall']}"
        f"; demo P {result['relevance_demo']['precision']} R {result['relevance_demo']['recall']}"
    )
    return result


def test_the_fixture_corpus_is_large_enough(report):
    assert report["extraction"]["pages"] >= 30
    assert report["relevance_fixtures"]["relevant"] >= 15
    assert report["relevance_fixtures"]["pages"] - report["relevance_fixtures"]["relevant"] >= 10
    assert report["relevance_demo"]["pages"] >= 60


def test_quality_is_above_the_floors(report):
    assert below_floors(report) == []


def test_the_gate_fails_an_extractor_that_keeps_the_boilerplate():
    """Text of the whole page (menus, sidebars, comments, footers) and no date."""
    from lxml import html

    def whole_page(page: quality.LabelledPage) -> Extracted:
        if "pdf" in page.content_type:
            return quality.read_page(page)
        tree = html.fromstring(page.file.read_bytes())
        for junk in tree.xpath("//script|//style"):
            junk.drop_tree()
        return Extracted(text=tree.text_content(), published=None)

    worse = {"extraction": quality.evaluate_extraction(quality.fixture_pages(), whole_page)}
    failed = below_floors(worse)
    assert any("mean_token_f1" in f for f in failed) and any("date_accuracy" in f for f in failed)


KEYWORDS = ("treaty", "convention", "cyber", "ransomware", "united nations", "protocol")


def test_the_gate_fails_a_relevance_rule_of_keywords(monkeypatch):
    from crawlers.relevance import Relevance

    def any_mention(treaty, title, text):
        hit = any(word in f"{title} {text}".lower() for word in KEYWORDS)
        return Relevance(score=1.0, relevant=hit, reason="keywords")

    monkeypatch.setattr(quality, "assess", any_mention)
    worse = {"relevance_fixtures": quality.evaluate_relevance(quality.fixture_pages())}
    assert any("precision" in f for f in below_floors(worse))


def test_token_f1_is_bag_of_words_f1():
    assert quality.token_f1("a b c", "a b c") == 1.0
    assert quality.token_f1("", "a") == 0.0
    assert quality.token_f1("a b", "a b c d") == pytest.approx(2 * 1.0 * 0.5 / 1.5)
