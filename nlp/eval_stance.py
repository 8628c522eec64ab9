"""Stance quality on the held-out split: sentences (per target), target swaps, calibration,
documents, and the baselines beside them.

Definitions (README, model card):
- sentence stance: every held-out sentence paired with each of its gold targets (the target
  finding is the references' job, scored there); macro-F1 over the four labels.
- main stance: one label per sentence, its per-target predictions combined the way the gold
  ``main_stance`` combines the labels.
- target swap: held-out sentences that take a stance on exactly one article, paired with an
  article they do not name; the share the model calls ``neutral``.
- calibration: expected calibration error of the confidences (10 bins) over the pairs.
- document stance: the author's aggregated position per held-out document, macro-F1.
Baselines: the majority label of the training split, and the rules-only stance (nlp/rules.py).
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from db.treaty import DEFAULT_TREATY, load_treaty
from nlp.corpus import (
    LABELS,
    Sentence,
    combine_stances,
    load_documents,
    load_sentences,
    sentences_of,
)
from nlp.rules import rule_stance


def macro_f1(gold: list[str], predicted: list[str], labels=LABELS) -> float:
    scores = []
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p != label)
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return round(sum(scores) / len(scores), 4)


def accuracy(gold: list, predicted: list) -> float:
    if not gold:
        return 0.0
    return round(sum(1 for g, p in zip(gold, predicted, strict=True) if g == p) / len(gold), 4)


def training_majority() -> str:
    counts = Counter(s.main_stance for s in load_sentences() if s.split == "train")
    return counts.most_common(1)[0][0]


def expected_calibration_error(
    confidences: np.ndarray, correct: np.ndarray, bins: int = 10
) -> float:
    edges = np.linspace(0.0, 1.0, bins + 1)
    error = 0.0
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        chosen = (confidences > low) & (confidences <= high)
        if chosen.any():
            error += chosen.mean() * abs(confidences[chosen].mean() - correct[chosen].mean())
    return round(float(error), 4)


def swap_target(sentence: Sentence) -> str | None:
    """A different article for a sentence that speaks of exactly one (deterministic)."""
    articles = [
        int(label["target"][8:]) for label in sentence.labels if label["target"] != "convention"
    ]
    if len(articles) != 1 or len(sentence.labels) != 1 or sentence.labels[0]["stance"] == "neutral":
        return None
    named = {int(n) for n in re.findall(r"\b(\d{1,2})\b", sentence.text)}
    count = len(load_treaty(DEFAULT_TREATY).articles)
    for offset in range(7, count):
        candidate = (articles[0] + offset - 1) % count + 1
        if candidate not in named and abs(candidate - articles[0]) > 2:
            return f"article:{candidate}"
    return None


def evaluate_sentences(model) -> dict:
    sentences = sentences_of("test")
    pairs = [(s.text, label["target"], label["stance"]) for s in sentences for label in s.labels]
    predictions = model.predict([(text, target) for text, target, _ in pairs])
    gold = [stance for _, _, stance in pairs]
    predicted = [p.stance for p in predictions]
    confidences = np.array([p.confidence for p in predictions])
    correct = np.array([g == p for g, p in zip(gold, predicted, strict=True)], dtype=float)

    per_sentence: list[str] = []
    index = 0
    for sentence in sentences:
        per_sentence.append(combine_stances(predicted[index : index + len(sentence.labels)]))
        index += len(sentence.labels)
    main_gold = [s.main_stance for s in sentences]

    swaps = [(s, swap_target(s)) for s in sentences]
    swaps = [(s, target) for s, target in swaps if target]
    swapped = model.predict([(s.text, target) for s, target in swaps])
    original = model.predict([(s.text, s.labels[0]["target"]) for s, _ in swaps])
    kept = [o.stance == s.labels[0]["stance"] for (s, _), o in zip(swaps, original, strict=True)]

    majority = training_majority()
    return {
        "sentences": len(sentences),
        "pairs": len(pairs),
        "macro_f1": macro_f1(gold, predicted),
        "accuracy": accuracy(gold, predicted),
        "per_label_f1": {label: macro_f1(gold, predicted, (label,)) for label in LABELS},
        "main_stance_macro_f1": macro_f1(main_gold, per_sentence),
        "calibration_ece": expected_calibration_error(confidences, correct),
        "target_swap_pairs": len(swaps),
        "target_swap_neutral_rate": round(
            sum(p.stance == "neutral" for p in swapped) / len(swaps), 4) if swaps else 0.0,
        "target_swap_neutral_rate_where_right": round(
            sum(p.stance == "neutral" for p, k in zip(swapped, kept, strict=True) if k)
            / max(1, sum(kept)), 4),
        "baseline_majority_macro_f1": macro_f1(gold, [majority] * len(gold)),
        "baseline_rules_macro_f1": macro_f1(gold, [rule_stance(t) for t, _, _ in pairs]),
        "labels": dict(Counter(gold)),
    }


def evaluate_documents(analyzer) -> dict:
    from nlp.pipeline import DocumentInput
    from nlp.positions import document_position
    from nlp.stance import Prediction

    test = [d for d in load_documents() if d.split == "test"]
    gold, predicted, rules = [], [], []
    for analysis in analyzer.analyze(DocumentInput.of_labelled(d) for d in test):
        gold.append(analysis.input.key.stance)
        predicted.append(analysis.document.stance)
        # The rules baseline through the same attribution: rule stances of the author's sentences.
        own = [
            (target, Prediction(rule_stance(s.text), 1.0, {rule_stance(s.text): 1.0}))
            for s in analysis.author_sentences()
            for target in s.targets
        ]
        rules.append(document_position(own).stance)
    counts = Counter(d.stance for d in load_documents() if d.split == "train")
    majority = counts.most_common(1)[0][0]
    return {
        "documents": len(test),
        "macro_f1": macro_f1(gold, predicted),
        "accuracy": accuracy(gold, predicted),
        "baseline_majority_macro_f1": macro_f1(gold, [majority] * len(gold)),
        "baseline_rules_macro_f1": macro_f1(gold, rules),
        "labels": dict(Counter(gold)),
    }
