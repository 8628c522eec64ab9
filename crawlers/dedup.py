"""Near-duplicate statements: the same text republished by a mirror, an aggregator or a
coalition partner is one statement, linked to its original.

Each stored text gets a MinHash signature of its word 5-shingles. Locality-sensitive hashing
(bands of the signature) finds candidate copies in memory; a candidate is confirmed on the exact
shingle sets (Jaccard resemblance), so a speech that quotes a paragraph of another statement is
not taken for a copy of it.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

SHINGLE_WORDS = 5
PERMUTATIONS = 64
BANDS = 16  # 4 rows per band: pairs above ~0.5 resemblance almost always share a band
# Resemblance at or above which two texts are one statement. Independent statements on the
# same treaty share well under 0.1 of their 5-shingles; a copy with a syndication note, a new
# headline or a trimmed footer keeps far above 0.5.
NEAR_DUPLICATE_RESEMBLANCE = 0.5
MIN_SHINGLES = 20  # shorter texts are too small to call copies of anything

_MERSENNE = np.uint64((1 << 61) - 1)
_rng = np.random.default_rng(20240808)  # fixed: signatures must be stable across runs
_A = _rng.integers(1, 1 << 32, size=PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, 1 << 32, size=PERMUTATIONS, dtype=np.uint64)
WORD = re.compile(r"\w+")


def shingles(text: str) -> set[int]:
    """32-bit hashes of the text's overlapping runs of five words (case and punctuation
    ignored, so re-typeset copies still match)."""
    words = WORD.findall(text.lower())
    runs = (" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1))
    return {
        int.from_bytes(hashlib.blake2b(run.encode("utf-8"), digest_size=4).digest(), "little")
        for run in runs
    }


def minhash(shingle_set: set[int]) -> np.ndarray:
    if not shingle_set:
        return np.full(PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64)
    values = np.fromiter(shingle_set, dtype=np.uint64, count=len(shingle_set))
    # (a * x + b) mod p with a, x < 2**32 cannot overflow 64 bits.
    hashed = (np.outer(values, _A) + _B) % _MERSENNE
    return hashed.min(axis=0)


def resemblance(first: set[int], second: set[int]) -> float:
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


@dataclass(frozen=True)
class Signature:
    shingles: frozenset[int]
    minhash: np.ndarray

    @classmethod
    def of(cls, text: str) -> Signature:
        found = shingles(text)
        return cls(frozenset(found), minhash(found))

    def to_bytes(self) -> bytes:
        return self.minhash.astype("<u8").tobytes()

    @property
    def usable(self) -> bool:
        return len(self.shingles) >= MIN_SHINGLES


def _bands(signature: np.ndarray) -> list[bytes]:
    rows = PERMUTATIONS // BANDS
    return [
        band.to_bytes(1, "little") + signature[band * rows : (band + 1) * rows].tobytes()
        for band in range(BANDS)
    ]


class NearDuplicateIndex:
    """In-memory LSH over the stored documents' signatures."""

    def __init__(self) -> None:
        self._buckets: dict[bytes, set[str]] = defaultdict(set)
        self._keys: dict[str, list[bytes]] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, doc_id: str, signature: np.ndarray | bytes) -> None:
        if isinstance(signature, bytes):
            signature = np.frombuffer(signature, dtype="<u8")
        self.remove(doc_id)
        keys = _bands(np.asarray(signature, dtype="<u8"))
        self._keys[doc_id] = keys
        for key in keys:
            self._buckets[key].add(doc_id)

    def remove(self, doc_id: str) -> None:
        for key in self._keys.pop(doc_id, []):
            self._buckets[key].discard(doc_id)

    def candidates(self, signature: np.ndarray) -> set[str]:
        found: set[str] = set()
        for key in _bands(np.asarray(signature, dtype="<u8")):
            found |= self._buckets.get(key, set())
        return found


def prefer_as_original(new: dict, stored: dict) -> bool:
    """Should the ``new`` page replace the ``stored`` one as the original of a pair of copies?

    Only on a clear claim: the stored page names the new one as its source (a canonical link
    to it), or the new one was published on an earlier day. Otherwise what is stored stays the
    original, so crawling again, in any order, changes nothing.
    """
    if new.get("declared_original") and new["declared_original"] == stored.get("canonical_url"):
        return False
    if stored.get("declared_original") and stored["declared_original"] == new.get("canonical_url"):
        return True
    new_day, stored_day = (new.get("published") or "")[:10], (stored.get("published") or "")[:10]
    return bool(new_day and stored_day and new_day < stored_day)
