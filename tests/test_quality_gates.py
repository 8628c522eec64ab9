"""The quality gate: every floor in nlp/floors.yaml holds on the held-out split, and the gate
itself fails when a score falls below its floor."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

FLOORS = yaml.safe_load(
    (Path(__file__).resolve().parent.parent / "nlp" / "floors.yaml").read_text()
)


def below_floor(report: dict, floors: dict) -> list[str]:
    """Every 'section.metric' whose measured score is under its floor (or was not measured)."""
    failures = []
    for section, metrics in floors.items():
        for metric, floor in metrics.items():
            measured = report.get(section, {}).get(metric)
            if measured is None or measured < floor:
                failures.append(f"{section}.{metric}: measured {measured}, floor {floor}")
    return failures


def test_gate_fails_below_a_floor():
    floors = {"stance": {"sentence_macro_f1": 0.8}}
    assert below_floor({"stance": {"sentence_macro_f1": 0.79}}, floors)
    assert below_floor({"stance": {}}, floors)
    assert not below_floor({"stance": {"sentence_macro_f1": 0.8}}, floors)


@pytest.fixture(scope="module")
def report(analyzer):
    from nlp.eval_attribution import evaluate_attribution
    from nlp.eval_positions import evaluate_positions
    from nlp.evaluate import evaluate_documents, evaluate_sentences

    sentence = evaluate_sentences(analyzer.stance_model)
    document = evaluate_documents(analyzer)
    attribution = evaluate_attribution(analyzer.nlp)
    held_positions = evaluate_positions(analyzer)
    return {
        "stance": {
            "sentence_macro_f1": sentence["macro_f1"],
            "main_stance_macro_f1": sentence["main_stance_macro_f1"],
            "target_swap_neutral_rate": sentence["target_swap_neutral_rate"],
            "calibration_ece_complement": round(1 - sentence["calibration_ece"], 4),
            "document_macro_f1": document["macro_f1"],
            "attribution_press_accuracy": attribution["accuracy"],
            "positions_f1": held_positions["f1"],
        }
    }


def test_models_meet_their_floors(report):
    failures = below_floor(report, {"stance": FLOORS.get("stance", {})})
    assert not failures, failures
