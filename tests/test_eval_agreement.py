"""The blind second annotation: it refers to real labelled sentences, never held-out ones, and
its agreement is computed the standard way."""

import json

import pytest

from nlp.corpus import CorpusError, split_of
from nlp.eval_agreement import (
    AGREEMENT,
    _sentences_by_id,
    agreement_pairs,
    cohen_kappa,
    evaluate_agreement,
)
from nlp.train import dev_split


def test_the_second_annotation_covers_only_the_calibration_tenth_of_training():
    sentences = _sentences_by_id()
    ids = [
        json.loads(line)["id"]
        for path in sorted(AGREEMENT.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert len(ids) >= 300
    for sentence_id in ids:
        group = sentences[sentence_id].group
        assert split_of(group) == "train" and dev_split(group, 10)


def test_agreement_figures_are_consistent():
    report = evaluate_agreement()
    assert report["pairs"] == len(agreement_pairs())
    assert 0.0 < report["cohen_kappa"] <= report["second_annotator_accuracy"] <= 1.0
    disagreeing = sum(report["disagreements"].values())
    assert round(1 - disagreeing / report["pairs"], 4) == report["second_annotator_accuracy"]


def test_cohen_kappa_by_hand():
    # observed 3/4; expected (2*1 + 2*3)/16 = 0.5 -> kappa 0.5
    first = ["support", "support", "oppose", "oppose"]
    second = ["support", "oppose", "oppose", "oppose"]
    assert cohen_kappa(first, second) == 0.5
    assert cohen_kappa(first, first) == 1.0


def test_an_unknown_sentence_or_target_is_a_clear_error(tmp_path):
    (tmp_path / "bad.jsonl").write_text(
        json.dumps({"id": "no-such-sentence", "labels": []}) + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="no-such-sentence"):
        agreement_pairs(tmp_path)
    (tmp_path / "bad.jsonl").write_text(
        json.dumps({"id": "ext-0801", "labels": [{"target": "article:70", "stance": "oppose"}]})
        + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="article:70"):
        agreement_pairs(tmp_path)
