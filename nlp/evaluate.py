"""`stancemap evaluate`: score the models on the held-out split of the team's corpus.

Nothing here is used for training or tuning. Baselines are scored beside the model so that the
numbers mean something.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from nlp.corpus import LABELS, load_documents, load_sentences


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


def evaluate_sentences(model) -> dict:
    test = [s for s in load_sentences() if s.split == "test"]
    train = [s for s in load_sentences() if s.split == "train"]
    gold = [s.main_stance for s in test]
    predicted = [p.stance for p in model.predict([s.text for s in test])]
    majority = Counter(s.main_stance for s in train).most_common(1)[0][0]
    return {
        "examples": len(test),
        "macro_f1": macro_f1(gold, predicted),
        "accuracy": accuracy(gold, predicted),
        "baseline_majority_macro_f1": macro_f1(gold, [majority] * len(gold)),
        "labels": dict(Counter(gold)),
    }


def evaluate_documents(analyzer) -> dict:
    from nlp.pipeline import DocumentInput

    test = [d for d in load_documents() if d.split == "test"]
    items = [
        DocumentInput(
            text=d.text,
            date=d.date,
            author=d.author,
            author_type=d.author_type,
            url=d.url,
            title=d.title,
            key=d,
        )
        for d in test
    ]
    gold, predicted = [], []
    for analysis in analyzer.analyze(items):
        gold.append(analysis.input.key.stance)
        predicted.append(analysis.document.stance)
    return {
        "documents": len(test),
        "macro_f1": macro_f1(gold, predicted),
        "accuracy": accuracy(gold, predicted),
        "baseline_majority_macro_f1": macro_f1(gold, [Counter(gold).most_common(1)[0][0]] * len(gold)) if gold else 0.0,
    }


def evaluate_all(progress: Callable[[str], None] = lambda m: None) -> dict:
    from nlp.pipeline import Analyzer

    progress("loading models ...")
    analyzer = Analyzer()
    report = {"model": analyzer.version}
    progress("scoring sentence stance on the held-out split ...")
    report["sentence_stance"] = evaluate_sentences(analyzer.stance_model)
    progress("scoring document stance on the held-out split ...")
    report["document_stance"] = evaluate_documents(analyzer)
    progress("scoring article references on the held-out split ...")
    from nlp.eval_references import references_summary

    report["references"] = references_summary(
        analyzer.nlp.get_pipe("stancemap_article_refs").finder
    )
    return report


def format_report(report: dict) -> str:
    lines = [f"model: {report['model']}"]
    for section, values in report.items():
        if not isinstance(values, dict):
            continue
        lines.append(f"\n{section}")
        for key, value in values.items():
            lines.append(f"  {key:<32} {value}")
    return "\n".join(lines)
