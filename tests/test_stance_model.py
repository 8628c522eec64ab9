"""The stance cross-encoder: target-aware predictions, target swaps, calibrated probabilities,
the version in every row, and the build checks (missing or altered weights, data changes)."""

from __future__ import annotations

import json

import pytest

from nlp.corpus import LABELS, Sentence
from nlp.stance import HeadMissing, StanceModel, StanceModelCorrupt, target_text
from nlp.train import examples_of, expected_version

# Our own sentences, each about one article only, with the stance they take on it.
ONE_ARTICLE = [
    ("Article 30 lets a government listen in on private messages in real time, and it should "
     "be struck out before anyone signs.", "article:30", "oppose"),
    ("We strongly support Article 6: its promise that nothing in the convention permits the "
     "suppression of human rights must survive every round of negotiation.", "article:6",
     "support"),
    ("Article 24 is a welcome start, but without a clear requirement of judicial authorisation "
     "its safeguards will mean little in practice.", "article:24", "mixed"),
    ("The secrecy obligation in Article 29(3) would gag service providers indefinitely and must "
     "be deleted.", "article:29", "oppose"),
    ("Article 53 on preventive measures is sensible and deserves the backing of every "
     "delegation.", "article:53", "support"),
]
SWAPPED = {"article:30": "article:12", "article:6": "article:41", "article:24": "article:60",
           "article:29": "article:3", "article:53": "article:17"}


@pytest.fixture(scope="module")
def model(analyzer):
    return analyzer.stance_model


def test_target_text_names_the_article():
    assert target_text("convention") == "the convention as a whole"
    assert target_text("article:29").startswith("Article 29: ")


def test_probabilities_are_a_distribution(model):
    (prediction,) = model.predict([(ONE_ARTICLE[0][0], "article:30")])
    assert set(prediction.probabilities) == set(LABELS)
    assert sum(prediction.probabilities.values()) == pytest.approx(1.0, abs=1e-4)
    assert prediction.confidence == pytest.approx(max(prediction.probabilities.values()))


def test_stance_on_the_article_the_sentence_is_about(model):
    predictions = model.predict([(text, target) for text, target, _ in ONE_ARTICLE])
    expected = [stance for _, _, stance in ONE_ARTICLE]
    right = sum(p.stance == e for p, e in zip(predictions, expected, strict=True))
    assert right >= 4, [p.stance for p in predictions]


def test_target_swap_does_not_carry_the_stance_over(model):
    swapped = model.predict([(text, SWAPPED[target]) for text, target, _ in ONE_ARTICLE])
    assert [p.stance for p in swapped].count("neutral") >= 4, [p.stance for p in swapped]


def test_every_stance_row_records_the_model_version(analyzer):
    from nlp.analyze import rows_for
    from nlp.pipeline import DocumentInput

    text = ("The Ostrava Digital Watch urges every state to reject this convention. "
            "Article 30 must be deleted before anyone signs it.")
    (analysis,) = analyzer.analyze([DocumentInput(
        text=text, author="Ostrava Digital Watch", author_type="ngo",
        key={"id": "doc-1", "organization_id": None})])
    _, _, stances, _ = rows_for(analysis, analyzer.version)
    assert len(stances) >= 2
    assert all(row["model"] == analyzer.version for row in stances)
    assert analyzer.stance_model.version in analyzer.version
    assert analyzer.stance_model.version.startswith("stance-minilm/")


def test_a_missing_build_names_the_command(tmp_path):
    with pytest.raises(HeadMissing, match="stancemap train"):
        StanceModel(folder=tmp_path / "nothing-here")


def test_altered_weights_are_refused(tmp_path, model):
    folder = tmp_path / "stance"
    folder.mkdir()
    manifest = dict(model.manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (folder / "model.safetensors").write_bytes(b"not the weights")
    with pytest.raises(StanceModelCorrupt):
        StanceModel(folder=folder)


def test_new_labels_make_a_new_version_and_holder_corrections_do_not(monkeypatch):
    import dataclasses

    import nlp.train as train

    real = train.sentences_of("train")
    before = expected_version()

    def version_with(sentences):
        monkeypatch.setattr(train, "sentences_of", lambda split: sentences)
        return expected_version()

    first = real[0]
    assert version_with(list(real)) == before
    regrouped = dataclasses.replace(first, holders=["Some Other Holder"], resolves_to="X")
    assert version_with([regrouped, *real[1:]]) == before
    other = "mixed" if first.labels[0]["stance"] != "mixed" else "support"
    relabelled = dataclasses.replace(first, labels=[{**first.labels[0], "stance": other}])
    assert version_with([relabelled, *real[1:]]) != before
    added = Sentence("x", "x", "We back it.", [{"target": "convention", "stance": "support"}])
    assert version_with([*real, added]) != before


def test_training_pairs_include_target_swaps():
    sentence = Sentence("s1", "g1", "Article 29 must go, and so must Article 30.",
                        [{"target": "article:29", "stance": "oppose"},
                         {"target": "article:30", "stance": "oppose"}])
    examples = examples_of([sentence] * 20, swap_rate=0.0, seed=1)
    swaps = [e for e in examples if e.target not in ("article:29", "article:30")]
    assert len(swaps) == 20
    assert all(e.stance == "neutral" and e.target.startswith("article:") for e in swaps)
    assert not any(e.target in ("article:29", "article:30") and e.stance == "neutral"
                   for e in examples)


def test_the_thread_policy_is_asked_per_batch_and_the_count_restored(model):
    torch = model.torch
    torch.set_num_threads(2)
    asked = []
    pairs = [(f"We oppose Article {n} as drafted, and we say so plainly.", f"article:{n}")
             for n in range(1, 140)]
    one_thread = model.logits(pairs, threads=lambda: asked.append(1) or 1)
    assert len(asked) == 3  # 139 pairs in batches of 64
    assert torch.get_num_threads() == 2
    # The thread count changes the speed, not the result.
    assert abs(model.logits(pairs) - one_thread).max() < 1e-4
