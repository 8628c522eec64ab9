"""Stakeholder recognition: the registry (every UN member state under its common names, UN
bodies, organisations), demonyms, and new names found in text with a first guess of type."""

from __future__ import annotations

import pytest

from db.stakeholders import load_stakeholders
from nlp.actors import guess_type


@pytest.fixture(scope="module")
def nlp():
    from nlp.pipeline import build_nlp

    return build_nlp()


def actors(nlp, text: str) -> list[tuple[str, str, bool]]:
    doc = nlp(text)
    return [(s.text, s._.actor.id, s._.actor.known) for s in doc.spans["actors"]]


def test_registry_has_every_member_state_with_common_names():
    registry = load_stakeholders()
    states = [o for o in registry.organizations.values() if o["type"] == "state"]
    assert sum(1 for o in states if o.get("un_status") == "member") == 193
    names = {alias for o in states for alias in [o["name"], *o["aliases"]]}
    for common in ("Russia", "Russian Federation", "North Korea", "DPRK", "Iran", "UK", "Türkiye"):
        assert common in names, common


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Russia objected.", "russia"),
        ("The Russian Federation objected.", "russia"),
        ("North Korea objected.", "north-korea"),
        ("The DPRK objected.", "north-korea"),
        ("The Iranian UN delegation objected.", "iran"),
        ("OHCHR objected.", "ohchr"),
        ("The International Chamber of Commerce (ICC) objected.", "icc"),
    ],
)
def test_registry_names_and_demonyms(nlp, text, expected):
    found = {actor_id for _, actor_id, known in actors(nlp, text) if known}
    assert found == {expected}, (text, found)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Moscow rejected the amendment.", {"russia"}),
        ("Delegations voted with Tehran on the deletion.", {"iran"}),
        ("The Kremlin said it would not sign.", {"russia"}),
        ("Beijing and New Delhi abstained.", {"china", "india"}),
        ("The White House welcomed the vote.", {"united-states"}),
    ],
)
def test_a_capital_that_acts_is_its_government(nlp, text, expected):
    found = {actor_id for _, actor_id, known in actors(nlp, text) if known}
    assert found == expected, (text, found)


@pytest.mark.parametrize(
    "text",
    [
        "Talks in Cairo ended on Friday.",
        "The delegation returned from the Kremlin.",
        "The Paris Call was cited by a Beijing-based firm.",
        "Moscow State University hosted the seminar.",
        "After Hanoi, the text goes to parliaments.",  # the signing, not Viet Nam
        "The Budapest Convention has its own protocol.",
    ],
)
def test_a_capital_as_a_place_or_inside_a_name_is_not_a_state(nlp, text):
    states = {o["id"] for o in load_stakeholders().organizations.values() if o["type"] == "state"}
    found = {actor_id for _, actor_id, known in actors(nlp, text) if known and actor_id in states}
    assert found == set(), (text, found)


def test_capitals_must_name_a_state_of_the_registry(tmp_path):
    from db.stakeholders import FOLDER, StakeholderDataError

    (tmp_path / "states.yaml").write_text((FOLDER / "states.yaml").read_text(encoding="utf-8"))
    (tmp_path / "capitals.yaml").write_text("capitals:\n  atlantis: [Poseidonis]\n")
    with pytest.raises(StakeholderDataError, match="atlantis"):
        load_stakeholders(folder=tmp_path)


def test_un_member_states_are_not_the_united_nations(nlp):
    found = {actor_id for _, actor_id, _ in actors(nlp, "All UN member states adopted it.")}
    assert "united-nations" not in found
    assert "united-nations" in {a for _, a, _ in actors(nlp, "The UN adopted it.")}


def test_new_organisations_are_found_and_typed(nlp):
    found = {name: actor_id for name, actor_id, known in actors(
        nlp, "The Digital Trade Council of Namaro and the Republic of Veltrana disagreed.")
        if not known}
    assert any("Digital Trade Council of Namaro" in name for name in found)
    assert any("Republic of Veltrana" in name for name in found)
    assert all(actor_id.startswith("new-") for actor_id in found.values())


@pytest.mark.parametrize(
    "name, holder_type",
    [
        ("Republic of Veltrana", "state"),
        ("Digital Trade Council of Namaro", "industry"),
        ("Tollan Press Union", "ngo"),
        ("Calmoria Courier", "press"),
        ("University of Port Halvany", "academic"),
        ("Orison Payments Group", "industry"),
        ("Zephyr", None),
    ],
)
def test_type_guess_from_the_name(name, holder_type):
    assert guess_type(name) == holder_type


def test_a_hyphenated_surname_stays_in_the_name(nlp):
    names = [name for name, _, _ in actors(nlp, "Chief Prosecutor Hélène Marchetti-Obi urged "
                                                 "senators to approve the bill.")]
    assert any(name.endswith("Marchetti-Obi") for name in names), names


def test_a_name_found_once_is_found_where_it_is_repeated(nlp):
    text = ("The delegation of Quorvania spoke first. Quorvania went furthest, proposing to drop "
            "the interception power.")
    found = [(name, actor_id) for name, actor_id, _ in actors(nlp, text)]
    assert [name for name, _ in found].count("Quorvania") == 2, found
    assert len({actor_id for _, actor_id in found}) == 1


def test_a_common_noun_mistaken_for_a_name_is_not_repeated(nlp):
    text = "Ministers welcomed the convention. Ministers agreed to sign it in Hanoi."
    assert sum(1 for name, _, _ in actors(nlp, text) if name == "Ministers") <= 1
