"""Which documents the stance models can read: English ones.

spaCy's small English model and MiniLM were trained on English; on a French or Spanish statement
they still return holders and stances, but those are noise. Such documents keep their sentences
and article references (numbers read the same in most languages) and get no stance, and the
reason is recorded. A document counts as another language only when the identifier is sure:
short or mixed texts (a title, "OHCHR, ICC, EFF") stay English.
"""

from __future__ import annotations

from functools import cache

SAMPLE_CHARS = 20_000  # enough to decide; a long page's start says what language it is in
SURE = 0.9  # normalised probability the other language needs
MIN_CHARS = 200  # shorter texts are too little to go on


@cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def other_language(text: str) -> str | None:
    """The document's language when it is surely not English, else None."""
    sample = text[:SAMPLE_CHARS]
    if len(sample.strip()) < MIN_CHARS:
        return None
    language, probability = _identifier().classify(sample)
    return language if language != "en" and probability >= SURE else None
