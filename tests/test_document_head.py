"""The learned document head (nlp/document_head.py): its features, its numpy inference against
scikit-learn's, and the committed weights' provenance."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_stance_positions import said  # a Prediction with the rest of the mass spread evenly

from nlp.document_head import (
    HEAD_PATH,
    DocumentHead,
    beats_the_rule,
    committed_weights,
    features,
    fit,
    shared_document_head,
    stale_warning,
    usable,
)
from nlp.train import expected_version


def test_features_keep_the_convention_and_articles_apart():
    row = features([("convention", said("support")), ("article:29", said("oppose", 0.4))])
    assert len(row) == 1 + 2 * 9
    convention, articles = row[1:10], row[10:19]
    assert convention[0] == pytest.approx(0.9) and convention[4] == 1.0  # support, stated
    assert articles[1] == pytest.approx(0.4) and articles[5] == 0.0  # oppose, below 0.45
    assert convention[8] == articles[8] == 0.5


def test_numpy_inference_matches_scikit_learn():
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(3)
    stances = ("support", "oppose", "mixed", "neutral")
    documents = [
        [(("convention", "article:7")[i % 2], said(stances[rng.integers(4)], rng.uniform(0.3, 1)))
         for i in range(rng.integers(1, 12))]
        for _ in range(80)
    ]
    gold = [stances[i % 4] for i in range(80)]
    head = DocumentHead(fit(documents, gold, c=1.0))
    x = np.array([features(d) for d in documents])
    scaler = StandardScaler().fit(x)
    reference = LogisticRegression(C=1.0, class_weight="balanced", max_iter=5000)
    reference.fit(scaler.transform(x), gold)
    expected = reference.predict_proba(scaler.transform(x))
    for document, row in zip(documents, expected, strict=True):
        got = head.predict(document).probabilities
        assert [got[c] for c in reference.classes_] == pytest.approx(list(row), abs=1e-6)


def test_a_document_without_author_stances_is_neutral():
    head = DocumentHead(committed_weights())
    assert head.predict([]).stance == "neutral"


def test_the_committed_head_says_how_it_was_chosen():
    weights = json.loads(HEAD_PATH.read_text(encoding="utf-8"))
    chosen = weights["chosen_by"]
    assert chosen["documents"] >= 250
    best = max(chosen["cross_validated_macro_f1"].values())
    assert chosen["cross_validated_macro_f1"][str(weights["c"])] == best
    assert len(weights["mean"]) == len(features([]))
    # The head is used only where it beat the voting rule on the same predictions.
    assert beats_the_rule(weights) == (best > chosen["voting_rule_macro_f1"])
    assert (shared_document_head(expected_version()) is not None) == usable(
        weights, expected_version())


def test_a_head_without_a_record_of_its_choice_is_used():
    weights = {k: v for k, v in committed_weights().items() if k != "chosen_by"}
    assert beats_the_rule(weights)


def test_a_head_fitted_for_another_stance_model_is_not_used():
    weights = {**committed_weights(), "chosen_by": None}  # one that would be used otherwise
    assert usable(weights, weights["stance_model"])
    assert not usable(weights, "0123456789")
    assert not usable(None, weights["stance_model"])
    assert stale_warning(committed_weights()["stance_model"]) is None
    warning = stale_warning("0123456789")
    assert "voting rule decides" in warning and "python -m nlp.train_document_head" in warning
