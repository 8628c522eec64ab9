"""References to other instruments, the organisation ARTICLE 19, news articles and preamble
paragraphs are not mentions of the convention; the words around them decide."""

from __future__ import annotations

import pytest

from nlp.references import ReferenceFinder


@pytest.fixture(scope="module")
def finder():
    return ReferenceFinder(encoder=None)


def surfaces(finder, text):
    return [r.surface for r in finder.find(text) if r.method == "explicit"]


@pytest.mark.parametrize(
    "text",
    [
        "Article 19 of the ICCPR protects the freedom to seek information.",
        "The Covenant's Article 17 forbids arbitrary interference with privacy.",
        "Article 8 ECHR has a long line of interception cases.",
        "The UDHR (Article 12) said it first.",
        "Article 15 of the Budapest Convention demands proportionality.",
        "The Convention on Cybercrime, in its Article 21, covers interception.",
        "Articles 2 to 6 of the Council of Europe Convention on Cybercrime define the offences.",
        "UNTOC's Article 18 is the template for assistance.",
        "Article 16 TFEU gives the Union its data protection competence.",
        "Article 21 of the Tesmarian Constitution requires a warrant.",
        "Article 4 of Varnland's Cybercrime Act has been used against bloggers.",
        "Article 51 of the UN Charter is about self-defence.",
        "Article 31 of the Vienna Convention on the Law of Treaties governs interpretation.",
        "Article 2 of the resolution adopting the text asks for staff.",
        "Our privacy policy (article 9) already allows this.",
        "Chapter 3 of our report explains the method.",
        "⁴ ICCPR, art. 17.",
        "- Council of Europe, Convention on Cybercrime (ETS No. 185), Articles 2–6.",
    ],
)
def test_other_instruments_are_not_the_convention(finder, text):
    assert surfaces(finder, text) == []


def test_its_and_whose_point_back_to_the_instrument_named_before(finder):
    text = (
        "The European Convention on Human Rights binds the Council's members. Its Article 8 "
        "has a rich case law, unlike the treaty's Article 24, whose safeguards are thin."
    )
    assert surfaces(finder, text) == ["Article 24"]


def test_an_article_coordinated_with_another_instruments_article_goes_with_it(finder):
    text = (
        "States must respect the Covenant on Civil and Political Rights, including Article 17 "
        "on privacy and Article 19 on expression, when they apply Article 24."
    )
    assert surfaces(finder, text) == ["Article 24"]


def test_the_convention_s_own_article_beside_another_instrument_s_is_kept(finder):
    text = "Articles 17 and 19 of the ICCPR, and Article 6 of the Convention, go together."
    assert surfaces(finder, text) == ["Article 6"]
    text = "Unlike the Budapest Convention, Article 24 never mentions a court."
    assert surfaces(finder, text) == ["Article 24"]


@pytest.mark.parametrize(
    "text",
    [
        "ARTICLE 19 and the Lantern Privacy Foundation oppose ratification.",
        "According to ARTICLE 19, the text is flawed.",
        "Article 19, the free expression group, said the vote was a mistake.",
        "Article 19 warned on Monday that journalists are at risk.",
        "Article 19's regional director spoke to reporters.",
        "Signatories include EFF, Article 19 and Corvid Digital Rights.",
        "ARTICLE 19 Eastern Africa welcomed the delay.",
    ],
)
def test_the_organisation_article_19_is_not_an_article(finder, text):
    assert surfaces(finder, text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Article 19 (participation and attempt) is standard criminal law.",
        "Article 19 of the Convention covers attempts.",
        "ARTICLE 19 – PARTICIPATION AND ATTEMPT",
    ],
)
def test_article_19_of_the_convention_is_still_found(finder, text):
    assert [r.articles for r in finder.find(text)] == [[19]]


def test_news_articles_and_preamble_paragraphs_are_not_references(finder):
    for text in (
        "We wrote an article 2 weeks ago about the vote.",
        "Paragraph 9 of the preamble mentions gender.",
        "Operative paragraph 5 of the resolution fixes the ceremony.",
        "This article was updated on 9 August.",
    ):
        assert finder.find(text) == [], text
