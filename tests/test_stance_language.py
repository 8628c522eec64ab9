"""Statements in other languages keep their sentences and references but get no stance: the
English models would read noise into them."""

from __future__ import annotations

from nlp.language import other_language
from nlp.pipeline import DocumentInput
from stancemap.tagging import tag_json

# A fictional NGO's statement, written for this test.
FRENCH = (
    "La Ligue de Valmont pour les libertés numériques s'oppose fermement à la convention. "
    "L'article 29 permettrait aux États de collecter en temps réel les données relatives au "
    "trafic sans contrôle judiciaire indépendant. Nous demandons aux parlements de refuser la "
    "ratification tant que ces garanties ne seront pas inscrites dans le texte."
)
ENGLISH = (
    "The Valmont League for Digital Liberties firmly opposes the convention. Article 29 would "
    "let states collect traffic data in real time without independent judicial oversight. We "
    "ask parliaments to refuse ratification until those safeguards are written into the text."
)


def test_only_a_sure_other_language_counts():
    assert other_language(FRENCH) == "fr"
    assert other_language(ENGLISH) is None
    assert other_language("La convention menace les droits humains.") is None  # too short
    assert other_language(ENGLISH + " " + FRENCH[:80]) is None  # an English text quoting French


def test_a_french_statement_keeps_its_references_and_claims_no_stance(analyzer):
    french, english = analyzer.analyze([
        DocumentInput(text=FRENCH, author="Ligue de Valmont", author_type="ngo"),
        DocumentInput(text=ENGLISH, author="Valmont League", author_type="ngo"),
    ])
    tagged = tag_json(french)
    assert tagged["language"] == "fr"
    assert tagged["stances"] == [] and tagged["positions"] == []
    assert tagged["document"]["stance"] == "neutral"
    assert [m["articles"] for m in tagged["mentions"]] == [[29]]
    assert french.new_holders == {}
    # The same statement in English is read as usual, in the same batch.
    assert tag_json(english)["language"] == "en"
    assert ("article:29", "oppose") in {(t, p.stance) for _, _, t, p in english.stances()}
