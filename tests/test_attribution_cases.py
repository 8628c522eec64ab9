"""Reporting structures of wire and policy coverage, one case each, in our own words with
fictional names: who holds the stance each sentence reports."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def nlp():
    from nlp.pipeline import build_nlp

    return build_nlp()


def holders(nlp, text: str, author_type: str = "press", author: str = "The Quillport Wire"
            ) -> list[set[str]]:
    doc = nlp.make_doc(text)
    doc._.meta = {"author": author, "author_type": author_type, "url": None}
    for _, component in nlp.pipeline:
        doc = component(doc)
    return [{h.name for h in sent._.holders or []} for sent in doc.sents]


def test_ministers_speak_for_the_government_not_the_outlet(nlp):
    (sentence,) = holders(nlp, "Ministers insist the new powers will be used sparingly.")
    assert sentence == {"Ministers"}


def test_an_office_named_for_its_holder_speaks_for_it(nlp):
    (sentence,) = holders(nlp, "The proposal was praised by the Harbourmaster General's office, "
                               "which said it would speed up seizures of stolen funds.")
    assert len(sentence) == 1
    assert "Harbourmaster General" in next(iter(sentence))


def test_citing_and_singling_out_are_ways_of_saying(nlp):
    text = ("Marta Quelling of the Ferrowind Rights Forum spoke after the vote. "
            "She singled out the clause on secret orders as the worst in the text. "
            "She cited the lack of any review by a judge.")
    _, singled, cited = holders(nlp, text)
    assert singled == {"Ferrowind Rights Forum"}
    assert cited == {"Ferrowind Rights Forum"}


def test_a_group_in_apposition_describes_the_named_holder(nlp):
    (sentence,) = holders(nlp, "The Corrin Open Web Society, one of many rights groups watching "
                               "the talks, said the draft was still far too broad.")
    assert sentence == {"Corrin Open Web Society"}


def test_names_in_apposition_to_a_group_are_the_holders(nlp):
    (sentence,) = holders(nlp, "The three delegations that abstained, Velmora, Ostrakia and the "
                               "Republic of Daneth, said they needed more time to study the text.")
    assert "Velmora" in sentence and "Republic of Daneth" in sentence
    assert not any("delegations" in name for name in sentence)


def test_whose_spokesperson_speaks_for_the_antecedent(nlp):
    (sentence,) = holders(nlp, "The first to ratify was the Republic of Ostrakia, whose foreign "
                               "minister called the treaty a milestone.")
    assert sentence == {"Republic of Ostrakia"}


def test_whose_laws_are_not_a_speaker(nlp):
    (sentence,) = holders(nlp, "The offences matter most in countries whose laws say nothing "
                               "about online fraud.")
    assert not any("countries" in name for name in sentence)


def test_the_short_name_of_a_republic_is_the_same_holder(nlp):
    text = ("The Republic of Tarvonia opened the debate on technical assistance. "
            "Tarvonia, backed by a group of island states, wants a fund written into the treaty.")
    _, second = holders(nlp, text)
    assert any("Tarvonia" in name for name in second)
    assert any("island states" in name for name in second)


def test_short_names_of_states():
    from nlp.actors import short_state_name

    assert short_state_name(["Republic", "of", "Tarvonia"]) == ["Tarvonia"]
    assert short_state_name(["Federal", "Republic", "of", "Osk"]) == ["Osk"]
    assert short_state_name(["Republic", "of", "the", "Pell", "Islands"]) == ["Pell", "Islands"]
    assert short_state_name(["Union", "of", "Tarvonian", "Journalists"]) == []
    assert short_state_name(["Kingdom", "of", "the", "hills"]) == []


def test_a_proper_name_that_speaks_or_acts_is_a_holder_even_if_unrecognised(nlp):
    (sentence,) = holders(nlp, "Tessary went further, proposing that the whole chapter on "
                               "interception be dropped.")
    assert sentence == {"Tessary"}


def test_unnamed_sources_relay_what_a_named_holder_did(nlp):
    text = ("The Republic of Marvela has quietly circulated a draft amendment, according to two "
            "people familiar with the talks. "
            "The Republic of Ostrakia has rejected the amendment, the same people said.")
    first, second = holders(nlp, text)
    assert first == {"Republic of Marvela"}
    assert second == {"Republic of Ostrakia"}


def test_unnamed_sources_hold_their_own_forecast(nlp):
    (sentence,) = holders(nlp, "The Republic of Ostrakia will sign the treaty next month, "
                               "officials said.")
    assert sentence == {"officials"}


def test_the_last_word_of_a_name_refers_back_to_it(nlp):
    text = ("Lena Marsh of the Corrin Open Web League spoke at the hearing. "
            "Police unions said the treaty was overdue. "
            "The league asked senators to reject the bill.")
    *_, last = holders(nlp, text)
    assert last == {"Corrin Open Web League"}


def test_a_letter_drafted_by_one_group_speaks_for_its_signatories_too(nlp):
    text = ("Forty press freedom groups published an open letter on Monday. "
            "The letter, drafted by the Corrin Open Web League, urged states to vote no.")
    signed, letter = holders(nlp, text)
    assert letter == signed | {"Corrin Open Web League"}
    assert any("press freedom groups" in name for name in signed)


def test_one_group_in_a_compound_is_not_a_second_holder(nlp):
    (sentence,) = holders(nlp, "Dozens of civil society groups said the text was still too "
                               "broad.")
    assert len(sentence) == 1


def test_a_name_inside_a_hyphenated_number_is_not_recognised(nlp):
    doc = nlp("A group of twenty-nine rights organisations wrote to the Group of Twenty.")
    found = [span.text for span in doc.spans["actors"] if span._.actor.id == "g20"]
    assert found == ["the Group of Twenty"] or found == ["Group of Twenty"]


def test_speaking_for_an_organisation_its_named_officer_speaks(nlp):
    doc = nlp.make_doc("Speaking for the Corrin Open Web League, its chair, Dana Rell, said the "
                       "bill went too far.")
    doc._.meta = {"author": "The Quillport Wire", "author_type": "press", "url": None}
    for _, component in nlp.pipeline:
        doc = component(doc)
    (sentence,) = list(doc.sents)
    found = {(h.name, h.speaker) for h in sentence._.holders}
    assert found == {("Corrin Open Web League", "Dana Rell")}


def test_speaking_on_behalf_of_a_group_gives_both(nlp):
    (sentence,) = holders(nlp, "The Republic of Tarvonia, speaking on behalf of a group of "
                               "island states, said the fund must be binding.")
    assert "Republic of Tarvonia" in sentence
    assert any("island states" in name for name in sentence)


def test_along_with_names_a_second_holder(nlp):
    (sentence,) = holders(nlp, "Tarvonia's delegation, along with a large group of coastal "
                               "states, said the clause should be strengthened.")
    assert any("Tarvonia" in name for name in sentence)
    assert any("coastal states" in name for name in sentence)


def test_among_the_states_that_did_it_are_the_named_ones(nlp):
    (sentence,) = holders(nlp, "The Republic of Tarvonia and the Kingdom of Osk are among the "
                               "states that have decided not to sign the treaty.")
    assert sentence == {"Republic of Tarvonia", "Kingdom of Osk"}


def test_a_second_clause_with_its_own_subject_has_its_own_speaker(nlp):
    (sentence,) = holders(nlp, "Most delegations backed the clause, but states such as the "
                               "Republic of Tarvonia continued to call for its deletion.")
    assert "Republic of Tarvonia" in sentence
    assert any("delegations" in name for name in sentence)


def test_its_envoy_speaks_for_the_subject_of_the_sentence(nlp):
    text = ("The Corrin Open Web League welcomed the vote. "
            "The Republic of Tarvonia did not block the adoption by the General Assembly, but "
            "its ambassador told the hall that the government had serious doubts.")
    _, second = holders(nlp, text)
    assert second == {"Republic of Tarvonia"}


def test_a_proper_name_after_a_description_is_the_holder(nlp):
    (sentence,) = holders(nlp, "Retailers' association VELKO welcomed the bill.")
    assert sentence == {"VELKO"}


def test_joined_by_gives_both(nlp):
    (sentence,) = holders(nlp, "The ruling majority was joined by several independent senators "
                               "in approving the treaty.")
    assert any("majority" in name for name in sentence)
    assert any("senators" in name for name in sentence)


def test_such_as_after_a_description_of_the_group_names_its_members(nlp):
    (sentence,) = holders(nlp, "Other states with long privacy traditions, such as the Republic "
                               "of Tarvonia and the Kingdom of Osk, have found ways to join.")
    assert sentence == {"Republic of Tarvonia", "Kingdom of Osk"}


def test_ministers_in_a_communique_are_the_body_that_issues_it(nlp):
    (sentence,) = holders(nlp, "Ministers welcomed the adoption of the convention.",
                          author_type="igo", author="Council of the Pell Sea States")
    assert sentence == {"Council of the Pell Sea States"}


def test_the_office_in_an_offices_own_text_is_the_author(nlp):
    (sentence,) = holders(nlp, "The office also recommends that the powers be subject to "
                               "judicial review.",
                          author_type="un_body", author="Tarvonia Country Office")
    assert sentence == {"Tarvonia Country Office"}


def test_by_urging_is_the_subject_of_the_main_verb_speaking(nlp):
    (sentence,) = holders(nlp, "The Corrin Open Web League opened the hearing by urging states "
                               "that had not yet signed to stay out.")
    assert sentence == {"Corrin Open Web League"}


def test_a_coordinated_name_recognition_missed_still_holds(nlp):
    (sentence,) = holders(nlp, "Pellor and Kethra, backed by a number of other delegations, "
                               "replied that such offences had no place in the treaty.")
    assert {"Pellor", "Kethra"} <= sentence


def test_among_them_names_the_members_that_hold_it(nlp):
    text = ("Several delegations, among them Velmora and Ostrakia, said they had joined the "
            "consensus. They said they would study the text before signing.")
    first, second = holders(nlp, text)
    assert first == {"Velmora", "Ostrakia"}
    assert second == {"Velmora", "Ostrakia"}
