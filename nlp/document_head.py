"""The author's position per document from their sentence stances: a small multinomial logistic
regression over summary features of the stance model's predictions, used where it reads
documents better than the voting rule (``nlp.positions.document_position``).

It is fitted on predictions the stance model made on documents it was not trained on: four
stance models trained out of fold (by group) over the training split, each predicting its
held-out quarter (``python -m nlp.train_document_head`` rebuilds it, about an hour on two
cores). The fitted weights are small and committed (``nlp/trained/document_head.json``) with
how they were chosen: C by 5-fold cross-validation over those 298 training documents, and the
voting rule's score on the same predictions. The head is used only with the stance model it
was fitted for and only when it beats the rule there: for stance model b6bf5537d2 it did (0.882
against 0.857); for 7d7aae4f7d (weights averaged over epochs 3-6) the rule read the out-of-fold
predictions better (0.886 against 0.871); it has not been refitted for 889c573272. The held-out
split is never read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import numpy as np

from nlp.positions import STATED
from nlp.stance import Prediction, softmax

HEAD_PATH = Path(__file__).resolve().parent / "trained" / "document_head.json"
LABELS = ("support", "oppose", "mixed", "neutral")


def features(targeted: list[tuple[str, Prediction]]) -> list[float]:
    """Size, then for the convention and for articles apart: mean probability per label, share
    of confidently stated labels, and the share of the document's pairs."""
    out = [float(np.log1p(len(targeted)))]
    for on_convention in (True, False):
        chosen = [p for target, p in targeted if (target == "convention") == on_convention]
        n = max(len(chosen), 1)
        out += [sum(p.probabilities.get(label, 0.0) for p in chosen) / n for label in LABELS]
        out += [
            sum(1 for p in chosen if p.stance == label and p.confidence >= STATED) / n
            for label in LABELS
        ]
        out.append(len(chosen) / max(len(targeted), 1))
    return out


WEIGHT_KEYS = ("classes", "mean", "scale", "coef", "intercept", "c")


class DocumentHead:
    def __init__(self, weights: dict):
        # The version hashes the weights only: notes on how they were chosen are not the head.
        self.version = "document-head/" + hashlib.sha256(
            json.dumps({k: weights[k] for k in WEIGHT_KEYS if k in weights}, sort_keys=True)
            .encode()
        ).hexdigest()[:10]
        # The stance model version whose recipe and data the head's fold models were trained
        # with: its features read that model's probabilities.
        self.stance_model = weights.get("stance_model")
        self.classes = tuple(weights["classes"])
        self.mean = np.array(weights["mean"])
        self.scale = np.array(weights["scale"])
        self.coef = np.array(weights["coef"])
        self.intercept = np.array(weights["intercept"])

    def predict(self, targeted: Iterable[tuple[str, Prediction]]) -> Prediction:
        targeted = list(targeted)
        if not targeted:
            return Prediction("neutral", 1.0, {"neutral": 1.0})
        x = (np.array(features(targeted)) - self.mean) / self.scale
        row = softmax((self.coef @ x + self.intercept)[None, :])[0]
        best = int(row.argmax())
        return Prediction(
            self.classes[best],
            round(float(row[best]), 4),
            {label: float(p) for label, p in zip(self.classes, row, strict=True)},
        )


def fit(targeted_documents: list[list[tuple[str, Prediction]]], gold: list[str], c: float) -> dict:
    """Weights for a head fitted on (author pairs, gold stance) per document."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    x = np.array([features(t) for t in targeted_documents])
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=5000)
    model.fit(scaler.transform(x), np.array(gold))
    return {
        "classes": [str(label) for label in model.classes_],
        "mean": scaler.mean_.tolist(),
        "scale": scaler.scale_.tolist(),
        "coef": model.coef_.tolist(),
        "intercept": model.intercept_.tolist(),
        "c": c,
    }


def committed_weights() -> dict | None:
    if not HEAD_PATH.exists():
        return None
    return json.loads(HEAD_PATH.read_text(encoding="utf-8"))


def beats_the_rule(weights: dict) -> bool:
    """Whether the head's cross-validated score beat the voting rule's on the same out-of-fold
    predictions (weights without that record are taken as chosen)."""
    chosen = weights.get("chosen_by")
    if not chosen:
        return True
    return max(chosen["cross_validated_macro_f1"].values()) > chosen["voting_rule_macro_f1"]


def stale_warning(stance_version: str) -> str | None:
    """What to tell the user when the committed head was fitted for another stance model."""
    weights = committed_weights()
    if weights is None or weights.get("stance_model") == stance_version:
        return None
    return (
        f"the document head was fitted for stance model {weights.get('stance_model')}, not "
        f"{stance_version}, so the voting rule decides until it is rebuilt with "
        "`python -m nlp.train_document_head` (about an hour)"
    )


def usable(weights: dict | None, stance_version: str) -> bool:
    """A head is used only for the stance model it was fitted for (its features read that
    model's probabilities) and only where it beat the voting rule."""
    return (weights is not None and weights.get("stance_model") == stance_version
            and beats_the_rule(weights))


@cache
def shared_document_head(stance_version: str) -> DocumentHead | None:
    """The committed head where it is usable with this stance model (its build version), else
    None (the voting rule decides)."""
    weights = committed_weights()
    return DocumentHead(weights) if usable(weights, stance_version) else None
