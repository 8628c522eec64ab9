"""Reporting structures of wire and policy coverage, one case each, in our own words with
fictional names: who holds the stance each sentence reports."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def nlp():
    from nlp.pipeline import build_nlp

    return build_nlp()


def holders(nlp, text: str, author_type: str = "press", author: str = "The Quillport Wire",
            url: str | None = None) -> list[set[str]]:
    doc = nlp.make_doc(text)
    doc._.meta = {"author": author, "author_type": author_type, "url": url}
    for _, component in nlp.pipeline:
        doc = component(doc)
    return [{h.name for h in sent._.holders or []} for sent in doc.sents]


def sole(names: set[str]) -> str:
    """The one holder of a sentence (exactly one is expected)."""
    assert len(names) == 1, names
    return next(iter(names))


def test_ministers_speak_for_the_government_not_the_outlet(nlp):
    (sentence,) = holders(nlp, "Ministers insist the new powers will be used sparingly.")
    assert sentence == {"Ministers"}


def test_an_office_named_for_its_holder_speaks_for_it(nlp):
    (sentence,) = holders(nlp, "The proposal was praised by the Harbourmaster General's office, "
                               "which said it would speed up seizures of stolen funds.")
    assert "Harbourmaster General" in sole(sentence)


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


# Reported speech in organisations' own texts and in coverage: verb classes, frames and
# references that the first rounds of rules had not met.


def test_a_capitalised_description_is_not_part_of_the_authors_name(nlp):
    (sentence,) = holders(nlp, "Digital rights groups argue that the new powers reach far "
                               "beyond cybercrime.",
                          author_type="ngo", author="Quennel Digital Futures Trust")
    assert sentence == {"Digital rights groups"}


def test_the_place_in_the_authors_name_is_someone_else(nlp):
    text = ("The Guild of Court Interpreters of Marrowdale urges Parliament to ratify the "
            "treaty. Marrowdale signed the treaty last spring.")
    author = "Guild of Court Interpreters of Marrowdale"
    own, state = holders(nlp, text, author_type="ngo", author=author)
    assert own == {author}
    assert state == {"Marrowdale"}


def test_member_states_of_a_body_are_not_the_body(nlp):
    (sentence,) = holders(nlp, "Seven of the Council's nine member states signed the treaty on "
                               "Monday.",
                          author_type="igo", author="Tessel Basin Council")
    assert "member states" in sole(sentence)


def test_a_named_member_speaks_in_a_parliaments_own_release(nlp):
    (sentence,) = holders(nlp, "Delegate Tobin Erskvall (Green Left) urged the Chamber to "
                               "reject the bill.",
                          author_type="state", author="Chamber of Deputies of Orvale")
    assert sentence == {"Delegate Tobin Erskvall"}


def test_a_title_in_an_organisations_own_text_is_not_a_new_name(nlp):
    (sentence,) = holders(nlp, "The Secretary General welcomes the adoption of the treaty.",
                          author_type="igo", author="Pell Sea Customs Organisation")
    assert sentence == {"Pell Sea Customs Organisation"}


def test_an_office_holder_acts_for_the_state_the_title_names(nlp):
    text = ("On Monday the Permanent Representative of the Kingdom of Ostrel deposited the "
            "instrument of ratification in New York.")
    (reported,) = holders(nlp, text)
    assert reported == {"Kingdom of Ostrel"}
    author = "Ministry of External Affairs of the Kingdom of Ostrel"
    (own,) = holders(nlp, text, author_type="state", author=author)
    assert own == {author}


def test_a_person_named_after_the_authors_title_is_the_author(nlp):
    author = "Special Rapporteur on Online Assembly"
    text = ("The Special Rapporteur on Online Assembly, Dr Ilka Moravec, today urged states not "
            "to sign the treaty. She warned that its secrecy rules would shield abuse.")
    first, second = holders(nlp, text, author_type="un_body", author=author)
    assert first == {author}
    assert second == {author}


def test_on_behalf_of_gives_the_body_with_its_envoy_as_speaker(nlp):
    doc = nlp.make_doc("The trade minister, Osvald Brenn, signed the treaty on behalf of the "
                       "Republic of Pellin.")
    doc._.meta = {"author": "The Quillport Wire", "author_type": "press", "url": None}
    for _, component in nlp.pipeline:
        doc = component(doc)
    (sentence,) = list(doc.sents)
    assert {(h.name, h.speaker) for h in sentence._.holders} == {
        ("Republic of Pellin", "Osvald Brenn")
    }


def test_dismissing_a_view_is_a_way_of_saying(nlp):
    (sentence,) = holders(nlp, "Deputies from the ruling bloc, along with the Corrin Bankers' "
                               "Guild, dismissed the warnings as alarmist.")
    assert any("Deputies" in name for name in sentence)
    assert any("Bankers' Guild" in name for name in sentence)


def test_an_act_that_states_its_content_is_said_by_the_stand_in(nlp):
    text = ("Tarvonia opened the session with a call for a stronger rights clause. "
            "The delegation also proposed that the article on data transfers be deleted.")
    _, second = holders(nlp, text)
    assert second == {"Tarvonia"}


def test_what_others_would_prefer_is_theirs(nlp):
    (sentence,) = holders(nlp, "We are aware that some consumer groups would prefer that no "
                               "state sign the treaty.",
                          author_type="ngo", author="Harrow Families Online Trust")
    assert sentence == {"some consumer groups"}


def test_states_ought_to_is_the_writers_recommendation(nlp):
    author = "Prof. Anneli Roost, Pellin Law School"
    (sentence,) = holders(nlp, "States implementing the treaty ought to add a defence for "
                               "security research.", author_type="academic", author=author)
    assert sentence == {author}


def test_a_passive_without_agent_has_no_speaker_but_raising_has(nlp):
    author = "Prof. Anneli Roost, Pellin Law School"
    text = ("The Tarvonian delegation said the chapter was balanced. "
            "Article 16 is its best provision, and it is to be welcomed without reservation.")
    _, welcomed = holders(nlp, text, author_type="academic", author=author)
    assert welcomed == {author}
    (raised,) = holders(nlp, "Justice Minister Edda Pellworth is said to favour signing only "
                             "with declarations.")
    assert any("Edda Pellworth" in name for name in raised)


def test_an_indefinite_subject_of_a_possible_act_is_anyone(nlp):
    author = "Prof. Anneli Roost, Pellin Law School"
    (permitted,) = holders(nlp, "Article 42 allows a state to ask another to preserve stored "
                                "data.", author_type="academic", author=author)
    assert permitted == {author}
    (possible,) = holders(nlp, "A state already bound by the older convention would find "
                               "little in the chapter to object to.", author_type="academic",
                          author=author)
    assert possible == {author}


def test_an_indefinite_subject_of_a_past_act_is_a_holder(nlp):
    (sentence,) = holders(nlp, "A union representing 900 court translators asked the "
                               "Constitutional Court on Friday to halt ratification.")
    assert "union" in sole(sentence)


def test_a_relative_clause_on_an_object_says_what_the_noun_is(nlp):
    author = "Prof. Anneli Roost, Pellin Law School"
    (sentence,) = holders(nlp, "Protocols bind only their parties, a safeguard against the "
                               "treaty growing in directions its original parties never agreed "
                               "to.", author_type="academic", author=author)
    assert sentence == {author}


def test_a_relative_clause_that_judges_its_noun_is_reported(nlp):
    (sentence,) = holders(nlp, "The revised text adds a defence for testing tools, a change "
                               "that the Corrin Open Web League called long overdue.")
    assert sentence == {"Corrin Open Web League"}


def test_a_restrictive_relative_clause_only_says_which_ones(nlp):
    author = "Harrow Families Online Trust"
    (sentence,) = holders(nlp, "The Trust commends the states that defended the article "
                               "against deletion.", author_type="ngo", author=author)
    assert sentence == {author}


def test_your_government_is_the_readers(nlp):
    author = "Harrow Families Online Trust"
    (sentence,) = holders(nlp, "A signature tells the world that your government endorses "
                               "this text.", author_type="ngo", author=author)
    assert sentence == {author}


def test_what_the_author_notes_is_held_by_whom_it_reports(nlp):
    (ours,) = holders(nlp, "We note that the delegation of Ostrakia has proposed deleting the "
                           "paragraph.", author_type="state", author="Delegation of Velmora")
    assert any("Ostrakia" in name for name in ours)
    (its,) = holders(nlp, "The Legal Service notes that the Tessel Privacy Board called on "
                          "member states to ratify only with declarations.",
                     author_type="igo", author="Legal Service of the Tessel Union",
                     url="https://tessel.example/legal-service/opinions/2025-07")
    assert its == {"Tessel Privacy Board"}


def test_a_lone_paragraph_number_has_no_holder(nlp):
    found = holders(nlp, "4. The Service notes that the treaty enters into force in May.",
                    author_type="igo", author="Legal Service of the Tessel Union")
    if len(found) == 2:
        assert found[0] == set()


def test_a_view_the_author_answers_is_the_authors(nlp):
    author = "Marrowdale Payments Association"
    (but,) = holders(nlp, "Critics describe Article 24 as an empty shell, but it requires "
                          "every power to respect proportionality.",
                     author_type="industry", author=author)
    assert but == {author}
    (semicolon,) = holders(nlp, "Critics have told us that the treaty hands the police too much "
                                "power; with respect, it was the lack of shared rules that "
                                "helped the criminals.", author_type="industry", author=author)
    assert semicolon == {author}


def test_a_condition_is_not_what_anyone_did(nlp):
    author = "Harrow Families Online Trust"
    (sentence,) = holders(nlp, "Orders should cover only data stored at home, unless the state "
                               "where the data is held has agreed.",
                          author_type="ngo", author=author)
    assert sentence == {author}


def test_who_made_a_petition_or_a_motion_holds_it(nlp):
    (petition,) = holders(nlp, "The court is now weighing a petition from the Marrowdale Union "
                               "of Translators to halt ratification.")
    assert petition == {"Marrowdale Union of Translators"}
    (column,) = holders(nlp, "Our Constitutional Court is weighing a petition from the "
                             "Marrowdale Union of Translators to halt ratification.",
                        author="Ilse Varnhold", url="https://ledger.example/columns/2026/treaty")
    assert column == {"Marrowdale Union of Translators"}


def test_in_a_column_a_participle_shares_the_main_subject(nlp):
    (sentence,) = holders(nlp, "The Orvale Greens go further, warning that the treaty will be "
                               "used against reporters abroad.",
                          author="Ilse Varnhold", url="https://ledger.example/columns/2026/x")
    assert "Greens" in sole(sentence)


def test_a_document_seen_by_the_outlet_relays_its_authors(nlp):
    (sentence,) = holders(nlp, "A coalition of cloud firms has written to forty governments "
                               "asking them to sign only with declarations, according to a copy "
                               "of the letter seen by the Quillport Wire.")
    assert "coalition of cloud firms" in sole(sentence)


def test_former_colleagues_hold_their_own_view_in_a_column(nlp):
    (sentence,) = holders(nlp, "Some of my former colleagues would ratify the treaty as it "
                               "stands.",
                          author="Ilse Varnhold", url="https://ledger.example/opinion/2026/x")
    assert "colleagues" in sole(sentence)
