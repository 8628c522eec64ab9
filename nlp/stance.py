"""Stance classification: MiniLM sentence embeddings and a trained, calibrated linear head.

The head (``nlp/trained/stance_head.json``) is small enough to commit and is rebuilt
reproducibly from the team's corpus by ``stancemap train``. Every stance row records
``StanceModel.version``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from nlp.corpus import LABELS
from nlp.models import Encoder, shared_encoder

HEAD_PATH = Path(__file__).resolve().parent / "trained" / "stance_head.json"


class HeadMissing(FileNotFoundError):
    """No trained head: run `stancemap train`."""


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


@dataclass
class StanceHead:
    coef: np.ndarray  # (labels, dimension)
    intercept: np.ndarray  # (labels,)
    temperature: float
    labels: tuple[str, ...]
    version: str
    info: dict

    @classmethod
    def load(cls, path: Path = HEAD_PATH) -> StanceHead:
        if not path.exists():
            raise HeadMissing(f"{path}: no trained stance head; run `stancemap train`")
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            coef=np.asarray(data["coef"], dtype=np.float32),
            intercept=np.asarray(data["intercept"], dtype=np.float32),
            temperature=float(data.get("temperature", 1.0)),
            labels=tuple(data["labels"]),
            version=data["version"],
            info={k: v for k, v in data.items() if k not in ("coef", "intercept")},
        )

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        logits = features @ self.coef.T + self.intercept
        return softmax(logits / self.temperature)


@dataclass(frozen=True)
class Prediction:
    stance: str
    confidence: float
    probabilities: dict[str, float]


class StanceModel:
    def __init__(self, encoder: Encoder | None = None, head: StanceHead | None = None):
        self.head = head or StanceHead.load()
        self.encoder = encoder or shared_encoder()

    @property
    def version(self) -> str:
        return f"stance-minilm/{self.head.version}"

    def predict(self, texts: list[str]) -> list[Prediction]:
        if not texts:
            return []
        probabilities = self.head.probabilities(self.encoder.encode(texts))
        out = []
        for row in probabilities:
            best = int(row.argmax())
            out.append(
                Prediction(
                    stance=self.head.labels[best],
                    confidence=float(row[best]),
                    probabilities={label: float(p) for label, p in zip(self.head.labels, row, strict=True)},
                )
            )
        return out


@cache
def shared_stance_model() -> StanceModel:
    return StanceModel()


def aggregate(predictions: list[Prediction], minimum: float = 0.45) -> Prediction:
    """One position from many sentences: the confident, non-neutral ones vote with their mass.

    Support and oppose both carrying real weight, or mixed sentences outweighing them, make a
    mixed position; no confident stance at all makes a neutral one.
    """
    mass = dict.fromkeys(LABELS, 0.0)
    for prediction in predictions:
        if prediction.stance != "neutral" and prediction.confidence >= minimum:
            for label in ("support", "oppose", "mixed"):
                mass[label] += prediction.probabilities.get(label, 0.0)
    total = mass["support"] + mass["oppose"] + mass["mixed"]
    if total < minimum:
        neutral = [p.probabilities.get("neutral", 0.0) for p in predictions] or [1.0]
        return Prediction("neutral", float(np.mean(neutral)), {**mass, "neutral": 1.0})
    share = {label: mass[label] / total for label in ("support", "oppose", "mixed")}
    if share["mixed"] >= max(share["support"], share["oppose"]) or min(share["support"], share["oppose"]) >= 0.3:
        stance = "mixed"
    else:
        stance = max(("support", "oppose"), key=share.get)
    return Prediction(stance, round(float(share[stance]), 4), {**share, "neutral": 0.0})
