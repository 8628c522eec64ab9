"""The seed press article (shared/seed/, beside the repository; never copied into it) through
`stancemap tag` with the real models: the positions it reports, and no false holders."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli

from stancemap.config import REPOSITORY

SEEDS = sorted((REPOSITORY.parent / "shared" / "seed").glob("000_*.txt"))


@pytest.fixture(scope="module")
def tagged() -> dict:
    if not SEEDS:
        pytest.skip(f"the seed article is not at {REPOSITORY.parent / 'shared' / 'seed'}")
    text = SEEDS[0].read_text(encoding="utf-8")
    result = run_cli("tag", "--author", "Infosecurity Magazine", "--author-type", "press",
                     "--date", "2024-08-09", input=text)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def position(tagged: dict, holder: str, target: str) -> str | None:
    for row in tagged["positions"]:
        if holder.lower() in row["holder"].lower() and row["target"] == target:
            return row["stance"]
    return None


@pytest.mark.slow
@pytest.mark.parametrize(
    "holder, target, stance",
    [
        ("Iran", "article:6", "oppose"),
        ("High Commissioner for Human Rights", "article:28", "oppose"),
        ("High Commissioner for Human Rights", "article:29", "oppose"),
        ("High Commissioner for Human Rights", "article:30", "oppose"),
        ("International Chamber of Commerce", "article:28", "oppose"),
        ("International Chamber of Commerce", "article:29", "oppose"),
        ("International Chamber of Commerce", "article:30", "oppose"),
        ("International Press Institute", "convention", "oppose"),
        ("Committee to Protect Journalists", "convention", "oppose"),
        ("Electronic Frontier Foundation", "convention", "oppose"),
        ("Cybersecurity Tech Accord", "convention", "oppose"),
        pytest.param(
            "Global Initiative", "convention", "mixed",
            marks=pytest.mark.xfail(
                strict=True,
                reason="known gap: its concession sentence reads mixed (0.74) but the two "
                "criticisms that follow read oppose (0.81, 0.51), and the vote over its three "
                "sentences makes the position oppose (oppose share 0.48)",
            ),
        ),
    ],
)
def test_positions_the_article_reports(tagged, holder, target, stance):
    assert position(tagged, holder, target) == stance, [
        (r["holder"], r["target"], r["stance"]) for r in tagged["positions"]
    ]


@pytest.mark.slow
def test_the_states_that_sided_with_iran_take_its_article_not_the_convention(tagged):
    # "Among those who supported Iran's position were Russia, India, ..." (the seed misspells
    # "position"): Iran's stance was against Article 6, not the whole text.
    for state in ("Russian Federation", "India", "Sudan", "Libya", "Democratic People's Republic"):
        assert position(tagged, state, "article:6") == "oppose", state
        assert position(tagged, state, "convention") is None, state


@pytest.mark.slow
def test_the_outlet_and_member_companies_are_not_holders(tagged):
    holders = {row["holder"] for row in tagged["stances"]}
    for name in ("Infosecurity", "Microsoft", "Meta"):
        assert not any(name in holder for holder in holders), (name, holders)
    assert tagged["document"]["stance"] == "neutral"


@pytest.mark.slow
def test_every_row_names_the_model(tagged):
    assert tagged["model"].count("stance-minilm/") == 1
    assert all(row["evidence"] and row["end"] > row["start"] for row in tagged["stances"])
