"""Stance classification: a fine-tuned MiniLM cross-encoder that reads a target and a sentence.

The input is the pair ``(target description, sentence)``: "Article 29: Real-time collection of
traffic data" or "the convention as a whole", then the sentence. The network is MiniLM with its
top layers fine-tuned and a linear head over the mean-pooled tokens; confidences are
temperature-calibrated. Because the target is part of the input, a sentence about one article
paired with another article reads as ``neutral`` (the model is trained with such target swaps).

The weights (~90 MB) are not committed: ``stancemap train`` builds them reproducibly from the
team's corpus and a seed into ``models/stance-<version>/`` (``STANCEMAP_MODELS`` overrides the
folder). The version is a hash of the training data and the recipe, so a change to either asks
for a new build; the manifest's sha256 of the weights is checked at load. Every stance row
records ``StanceModel.version``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from db.treaty import DEFAULT_TREATY, load_treaty
from nlp.corpus import LABELS
from nlp.models import MINILM_NAME, check_weights, length_batches, minilm_dir

REPOSITORY = Path(__file__).resolve().parent.parent
RECIPE_PATH = Path(__file__).resolve().parent / "trained" / "stance_recipe.json"
MODEL_PREFIX = "stance-minilm"
CONVENTION_TEXT = "the convention as a whole"


class HeadMissing(FileNotFoundError):
    """No trained stance model for the current data and recipe: run `stancemap train`."""


class StanceModelCorrupt(RuntimeError):
    """The built weights are not the ones their manifest describes."""


def models_home() -> Path:
    return Path(os.environ.get("STANCEMAP_MODELS") or REPOSITORY / "models")


def recipe() -> dict:
    """The committed training recipe (hyper-parameters, seed), chosen on the training split."""
    return json.loads(RECIPE_PATH.read_text(encoding="utf-8"))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@cache
def _titles(treaty: str) -> dict[int, str]:
    return {number: article.title for number, article in load_treaty(treaty).articles.items()}


def target_text(target: str, treaty: str = DEFAULT_TREATY) -> str:
    """What the model reads as the target: the convention, or an article's number and title."""
    if target == "convention":
        return CONVENTION_TEXT
    number = int(target.split(":", 1)[1])
    title = _titles(treaty).get(number)
    return f"Article {number}: {title}" if title else f"Article {number}"


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def build_network(labels: int = len(LABELS)):
    """MiniLM (the pinned, sha-checked weights) with a dropout and linear head on mean pooling."""
    import torch
    from transformers import AutoModel

    folder = minilm_dir()
    check_weights(folder)

    class StanceNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.body = AutoModel.from_pretrained(str(folder), local_files_only=True)
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(self.body.config.hidden_size, labels)

        def pool(self, hidden, mask):
            mask = mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            hidden = self.body(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            return self.head(self.dropout(self.pool(hidden, attention_mask)))

    return StanceNet()


def tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(minilm_dir()), local_files_only=True)


@dataclass(frozen=True)
class Prediction:
    stance: str
    confidence: float
    probabilities: dict[str, float]


class StanceModel:
    """The built cross-encoder, loaded once; ``predict`` takes (sentence, target) pairs."""

    def __init__(self, folder: Path | None = None, threads: int | None = None):
        import torch
        from safetensors.torch import load_file

        from nlp.train import expected_version

        self.torch = torch
        if threads:
            torch.set_num_threads(threads)
        version = expected_version()
        folder = folder or models_home() / f"{MODEL_PREFIX}-{version}"
        manifest_path = folder / "manifest.json"
        if not manifest_path.exists():
            raise HeadMissing(
                f"{folder}: no stance model built for version {version}; run `stancemap train` "
                "(or `make model`)"
            )
        self.manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        weights = folder / "model.safetensors"
        if not weights.exists() or sha256_file(weights) != self.manifest["weights_sha256"]:
            raise StanceModelCorrupt(f"{weights}: missing or not the weights its manifest records")
        self.labels = tuple(self.manifest["labels"])
        self.temperature = float(self.manifest["temperature"])
        self.max_length = int(self.manifest["max_length"])
        self.batch_size = 64
        self.tokenizer = tokenizer()
        network = build_network(len(self.labels))
        network.load_state_dict(load_file(str(weights)))
        network.eval()
        self.network = network
        self._version = self.manifest["version"]

    @property
    def version(self) -> str:
        return f"{MODEL_PREFIX}/{self._version}"

    @property
    def encoder_name(self) -> str:
        return MINILM_NAME

    def logits(
        self, pairs: list[tuple[str, str]], threads: Callable[[], int] | None = None
    ) -> np.ndarray:
        """Raw logits for (sentence, target) pairs, batched and sorted by length. ``threads``
        says before each batch how many threads torch may use (the pipeline gives it one while
        spaCy parses on the other core)."""
        out = np.zeros((len(pairs), len(self.labels)), dtype=np.float32)
        if not pairs:
            return out
        firsts = [target_text(target) for _, target in pairs]
        lengths = [len(text) + len(first) for (text, _), first in zip(pairs, firsts, strict=True)]
        torch = self.torch
        before = torch.get_num_threads()
        try:
            with torch.inference_mode():
                for index in length_batches(lengths, self.batch_size):
                    if threads:
                        torch.set_num_threads(threads())
                    batch = self.tokenizer(
                        [firsts[i] for i in index],
                        [pairs[i][0] for i in index],
                        padding=True,
                        truncation="only_second",
                        max_length=self.max_length,
                        return_tensors="pt",
                    )
                    out[index] = self.network(**batch).numpy()
        finally:
            torch.set_num_threads(before)  # the caller's count, also when a batch fails
        return out

    def predict(
        self, pairs: list[tuple[str, str]], threads: Callable[[], int] | None = None
    ) -> list[Prediction]:
        if not pairs:
            return []
        probabilities = softmax(self.logits(pairs, threads) / self.temperature)
        return [self._prediction(row) for row in probabilities]

    def _prediction(self, row: np.ndarray) -> Prediction:
        best = int(row.argmax())
        return Prediction(
            stance=self.labels[best],
            confidence=float(row[best]),
            probabilities={label: float(p) for label, p in zip(self.labels, row, strict=True)},
        )


@cache
def shared_stance_model() -> StanceModel:
    return StanceModel()
