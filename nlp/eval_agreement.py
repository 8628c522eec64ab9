"""How consistent the corpus labels are: a blind second annotation against the gold labels.

A second annotator labelled a random sample of the calibration tenth of the training split
(``nlp.train.dev_split``; never the held-out split) from the guide alone, without seeing the
gold labels: ``nlp/data/agreement/*.jsonl``, one line per sentence with its ``id`` and its
``labels`` for the same targets. The agreement is the ceiling a model can be expected to reach
on these labels; a model well below it is limited by itself, not by noisy labels.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from nlp.corpus import DATA, LABELS, CorpusError, Sentence, load_documents, load_sentences
from nlp.eval_stance import accuracy, macro_f1

AGREEMENT = DATA / "agreement"


def cohen_kappa(first: list[str], second: list[str]) -> float:
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / len(first)
    one, two = Counter(first), Counter(second)
    expected = sum(one[label] * two[label] for label in LABELS) / len(first) ** 2
    return round((observed - expected) / (1 - expected), 4)


def _sentences_by_id() -> dict[str, Sentence]:
    sentences = load_sentences() + [s for d in load_documents() for s in d.sentences]
    return {s.id: s for s in sentences}


def agreement_pairs(folder: Path = AGREEMENT) -> list[tuple[str, str, str, str]]:
    """(text, target, gold, second) for every (sentence, target) the second annotation
    labelled."""
    sentences = _sentences_by_id()
    pairs = []
    for path in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            record = json.loads(line)
            where = f"{path}:{number}"
            sentence = sentences.get(record["id"])
            if sentence is None:
                raise CorpusError(f"{where}: no labelled sentence {record['id']!r}")
            gold = {label["target"]: label["stance"] for label in sentence.labels}
            for label in record["labels"]:
                if label["target"] not in gold:
                    raise CorpusError(f"{where}: target {label['target']!r} not in the gold labels")
                pairs.append((sentence.text, label["target"], gold[label["target"]],
                              label["stance"]))
    return pairs


def evaluate_agreement(model=None, folder: Path = AGREEMENT) -> dict:
    """The second annotator against the gold labels and, given a stance model, the model on
    the same pairs (it never trained on them: they are its calibration tenth)."""
    pairs = agreement_pairs(folder)
    gold = [g for _, _, g, _ in pairs]
    second = [s for _, _, _, s in pairs]
    report = {
        "pairs": len(pairs),
        "second_annotator_macro_f1": macro_f1(gold, second),
        "second_annotator_accuracy": accuracy(gold, second),
        "cohen_kappa": cohen_kappa(gold, second),
        "disagreements": {
            f"{g}->{s}": n
            for (g, s), n in Counter(zip(gold, second, strict=True)).most_common()
            if g != s
        },
    }
    if model is not None:
        predicted = [p.stance for p in model.predict([(t, target) for t, target, _, _ in pairs])]
        report["model_macro_f1_same_pairs"] = macro_f1(gold, predicted)
    return report
