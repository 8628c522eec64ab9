"""Rebuild ``nlp/trained/document_head.json``: python -m nlp.train_document_head [--work DIR]

1. Four stance models trained out of fold over the training split (folds by group hash, the
   committed recipe), kept in ``--work`` so an interrupted build resumes (about 11 min each).
2. Each model analyses the training documents of its own fold: the author's (target,
   prediction) pairs are what the real pipeline would give a document it never saw.
3. The regularisation is chosen by 5-fold cross-validation over those documents, the head is
   fitted on all of them and written with the cross-validated scores of head and voting rule.
The held-out split is never read.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from nlp.corpus import LABELS, hash_bucket, load_documents, sentences_of
from nlp.document_head import HEAD_PATH, fit
from nlp.eval_stance import macro_f1
from nlp.positions import document_position

FOLDS = 4
C_GRID = (0.1, 0.3, 1.0, 3.0)


def fold_of(group: str) -> int:
    return hash_bucket(f"fold:{group}", FOLDS)


def train_fold_models(work: Path, log=print) -> None:
    from safetensors.torch import save_file

    from nlp.stance import sha256_file
    from nlp.train import Trainer, examples_of, fit_temperature, recipe

    config = recipe()
    examples = examples_of(sentences_of("train"), config["swap_rate"], config["seed"])
    for k in range(FOLDS):
        folder = work / str(k)
        if (folder / "manifest.json").exists():
            continue
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        trainer = Trainer(config, log)
        network = trainer.fit([e for e in examples if fold_of(e.group) != k])
        calibration = [e for e in examples if fold_of(e.group) == k]
        logits = trainer.logits(network, calibration)
        gold = np.array([LABELS.index(e.stance) for e in calibration])
        weights = folder / "model.safetensors"
        save_file({n: v.contiguous() for n, v in network.state_dict().items()}, str(weights))
        manifest = {"version": f"fold{k}", "labels": list(LABELS),
                    "temperature": fit_temperature(logits, gold),
                    "max_length": config["max_length"], "weights_sha256": sha256_file(weights)}
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        log(f"fold {k} trained in {time.perf_counter() - started:.0f}s")


def out_of_fold_pairs(work: Path) -> tuple[list, list[str]]:
    from nlp.pipeline import Analyzer, DocumentInput
    from nlp.stance import StanceModel

    documents = [d for d in load_documents() if d.split == "train"]
    pairs, gold = [], []
    for k in range(FOLDS):
        analyzer = Analyzer(stance_model=StanceModel(folder=work / str(k)))
        mine = (DocumentInput.of_labelled(d) for d in documents if fold_of(d.group) == k)
        for analysis in analyzer.analyze(mine):
            pairs.append(analysis.author_pairs())
            gold.append(analysis.input.key.stance)
    return pairs, gold


def cross_validated(pairs: list, gold: list[str], c: float) -> float:
    from sklearn.model_selection import StratifiedKFold

    from nlp.document_head import DocumentHead

    predicted = [""] * len(gold)
    splitter = StratifiedKFold(5, shuffle=True, random_state=0)
    for train, test in splitter.split(np.zeros(len(gold)), gold):
        head = DocumentHead(fit([pairs[i] for i in train], [gold[i] for i in train], c))
        for i in test:
            predicted[i] = head.predict(pairs[i]).stance
    return macro_f1(gold, predicted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=None,
                        help="where the fold models go (default: models/, by version)")
    args = parser.parse_args()
    from nlp.stance import models_home
    from nlp.train import expected_version

    version = expected_version()
    # Fold models are reused only for the same data and recipe: the folder names the version.
    work = args.work or models_home() / f"document-head-folds-{version}"
    train_fold_models(work)
    pairs, gold = out_of_fold_pairs(work)
    scores = {c: cross_validated(pairs, gold, c) for c in C_GRID}
    best = max(C_GRID, key=lambda c: (scores[c], -c))
    weights = fit(pairs, gold, best)
    weights["stance_model"] = version
    weights["chosen_by"] = {
        "documents": len(gold),
        "cross_validated_macro_f1": {str(c): s for c, s in scores.items()},
        "voting_rule_macro_f1": macro_f1(gold, [document_position(p).stance for p in pairs]),
    }
    HEAD_PATH.write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(weights["chosen_by"], indent=1))


if __name__ == "__main__":
    main()
