"""Attribution on invented press and NGO prose: who holds each sentence's stance.

The sentences are our own, with fictional organisations and people next to registry ones; each
case is a way real coverage reports positions."""

from __future__ import annotations

import pytest

from nlp.eval_attribution import HolderMatcher, gold_holders, sentence_correct


@pytest.fixture(scope="module")
def nlp():
    from nlp.pipeline import build_nlp

    return build_nlp()


def holders(nlp, text: str, author_type: str = "press", author: str = "The Harbour Ledger",
            url: str | None = None) -> list[list[tuple[str, str]]]:
    doc = nlp.make_doc(text)
    doc._.meta = {"author": author, "author_type": author_type, "url": url}
    for _, component in nlp.pipeline:
        doc = component(doc)
    return [[(h.name, h.how) for h in sent._.holders or []] for sent in doc.sents]


def names(found: list[tuple[str, str]]) -> set[str]:
    return {name for name, _ in found}


def test_reported_speaker_holds_the_stance_not_the_outlet(nlp):
    (sentence,) = holders(nlp, "The Brackwater Rights Forum said on Tuesday that states should "
                               "refuse to ratify the convention.")
    assert names(sentence) == {"Brackwater Rights Forum"}


def test_according_to(nlp):
    (sentence,) = holders(nlp, "The treaty would let police read messages in secret, according "
                               "to Human Rights Watch.")
    assert names(sentence) == {"Human Rights Watch"}


def test_supported_by_gives_both_holders(nlp):
    (sentence,) = holders(nlp, "The Tollan Press Union, supported by the Electronic Frontier "
                               "Foundation, called on governments to reject the treaty.")
    assert names(sentence) == {"Tollan Press Union", "Electronic Frontier Foundation"}


def test_states_such_as_each_hold_the_position(nlp):
    (sentence,) = holders(nlp, "States such as Brazil, Kenya and Norway supported keeping the "
                               "human rights clause.")
    assert names(sentence) == {"Brazil", "Kenya", "Norway"}


def test_common_names_resolve_to_the_registry(nlp):
    (sentence,) = holders(nlp, "Russia and North Korea voted for the amendment.")
    assert names(sentence) == {"Russian Federation", "Democratic People's Republic of Korea"}


def test_pronoun_and_the_delegation_follow_the_last_speaker(nlp):
    text = ("The Iranian delegation asked for a vote on the safeguards article. "
            "The delegation said the clause had no place in a criminal justice treaty. "
            "It later withdrew a second motion.")
    first, second, _ = holders(nlp, text)
    assert names(first) == {"Iran (Islamic Republic of)"}
    assert names(second) == {"Iran (Islamic Republic of)"}
    assert second[0][1] == "pronoun"


def test_person_speaks_for_the_organisation_the_text_names(nlp):
    text = ("Talia Renn, who heads the delegation of the Quayside Software Alliance, which groups "
            "firms such as Microsoft and Meta, said the final text was worse than the draft.")
    (sentence,) = holders(nlp, text)
    assert names(sentence) == {"Quayside Software Alliance"}


def test_quote_continues_with_its_speaker(nlp):
    text = ('"This text leaves journalists exposed," said Omar Feld of the Lantern Press Trust. '
            '"No government should sign it as it stands."')
    first, second = holders(nlp, text)
    assert names(first) == names(second) == {"Lantern Press Trust"}


def test_un_member_states_are_not_the_un(nlp):
    (sentence,) = holders(nlp, "UN member states adopted the convention without a vote, "
                               "officials said.")
    assert "United Nations" not in names(sentence)


def test_headings_name_no_holder(nlp):
    text = "Iran Fails to Strip Safeguards\n\nThe vote on the article was lost."
    heading, _ = holders(nlp, text)
    assert heading == []


def test_outlet_narration_has_no_holder_but_its_own_view_does(nlp):
    text = ("The convention was adopted on Thursday after two weeks of talks. "
            "We think parliament should not ratify it.")
    narration, view = holders(nlp, text)
    assert narration == []
    assert view == [("The Harbour Ledger", "author")]


def test_on_its_own_site_the_author_speaks(nlp):
    text = "Governments must not ratify this convention. Kenya should vote no."
    first, second = holders(nlp, text, author_type="ngo", author="Ostrava Digital Watch")
    assert first == [("Ostrava Digital Watch", "author")]
    assert second == [("Ostrava Digital Watch", "author")]  # a recommendation, not Kenya's view


def test_what_a_speaker_reports_is_not_a_second_speaker(nlp):
    (sentence,) = holders(nlp, "The Quayside Software Alliance said researchers had asked for "
                               "an exception for security testing.")
    assert names(sentence) == {"Quayside Software Alliance"}


def test_attribution_metric_matches_names_and_registry_ids(nlp):
    from nlp.attribution import Holder

    matcher = HolderMatcher(nlp)
    iran = Holder("iran", "Iran (Islamic Republic of)", "state", True, "reported")
    person = Holder("new-x", "Quayside Alliance", "ngo", False, "reported", speaker="Talia Renn")
    assert sentence_correct(matcher, ["the Iranian delegation"], [iran])
    assert sentence_correct(matcher, ["Talia Renn of the Quayside Alliance"], [person])
    assert not sentence_correct(matcher, ["Brazil"], [iran])
    assert not sentence_correct(matcher, ["Iran", "Brazil"], [iran])
    author = Holder("author", "Ostrava Digital Watch", "ngo", False, "author")
    assert sentence_correct(matcher, [], [author])
    assert not sentence_correct(matcher, [], [iran])


def test_gold_pronouns_resolve_to_the_last_named_holder():
    from nlp.corpus import Document, Sentence

    def sentence(text, holders, stance="oppose", resolves_to=None):
        return Sentence("x", "g", text, [{"target": "convention", "stance": stance}], holders,
                        resolves_to=resolves_to)

    document = Document("d", "g", "", "Ledger", "press", None, None, "neutral", [
        sentence("Kenya objected.", ["Kenya"]),
        sentence("It said so twice.", ["It"]),
        sentence("She agreed.", ["She"], resolves_to="Ana Vell"),
        sentence("The vote was held.", [], stance="neutral"),
        sentence("This is wrong.", []),
    ], [])
    assert gold_holders(document) == [["Kenya"], ["Kenya"], ["Ana Vell"], None, []]


def test_an_organisation_naming_itself_is_the_author(nlp):
    text = ("The Council of the Saltmarsh States welcomes the adoption of the convention. "
            "The Council urges its member states to sign it.")
    first, second = holders(nlp, text, author_type="igo",
                            author="Council of the Saltmarsh States")
    assert first == second == [("Council of the Saltmarsh States", "author")]


def test_a_paper_named_after_its_country_does_not_absorb_the_state(nlp):
    (sentence,) = holders(nlp, "Calmoria said it would not sign the convention.",
                          author="The Calmoria Courier")
    assert names(sentence) == {"Calmoria"}


def test_a_new_holder_is_typed_from_what_the_text_says_it_is(nlp):
    doc = nlp.make_doc("Helen Okafor, an independent expert, said the treaty was flawed.")
    doc._.meta = {"author_type": "press"}
    for _, component in nlp.pipeline:
        doc = component(doc)
    (holder,) = [h for sent in doc.sents for h in sent._.holders]
    assert (holder.name, holder.type, holder.known) == ("Helen Okafor", "academic", False)


def test_a_quote_belongs_to_the_speaker_named_where_it_closes(nlp):
    text = ("Kenya said the text was balanced. "
            '"We have a seat in the room. Whether anyone listens is another matter," said '
            "Ilse Marrow of the Brackwater Rights Forum.")
    found = holders(nlp, text)
    assert names(found[0]) == {"Kenya"}
    assert all(names(sentence) == {"Brackwater Rights Forum"} for sentence in found[1:]), found
