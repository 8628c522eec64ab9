"""Holder positions end to end: who holds which stance on which target, per document.

This is the product's claim ("EFF opposes Article 29 in this piece"), so it is scored as one:
the whole pipeline runs on each labelled document (attribution, target finding, the stance
model, aggregation), and its positions are compared with positions built the same way from the
gold sentence labels and gold holders.

Definition (README, model card): a gold position is a (holder, target, stance) whose gold
sentence stances aggregate (``nlp.positions.aggregate``, one vote per labelled sentence) to
support, oppose or mixed; sentences without a gold holder belong to the author. A predicted
position is right when a gold position has the same target and stance and a matching holder
(``HolderMatcher``: the same registry stakeholder, or one name within the other; the author
matches the author). Precision is over predicted positions, recall over gold ones, F1 their
harmonic mean. ``holder_target_recall`` ignores the stance: the share of gold positions whose
holder and target were found at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from nlp.attribution import Holder
from nlp.corpus import Document, load_documents
from nlp.eval_attribution import HolderMatcher, gold_holders, normalise
from nlp.positions import aggregate, positions
from nlp.stance import Prediction

AUTHOR = "\0author"  # the gold holder of sentences no one else holds


@dataclass(frozen=True)
class Claim:
    holder: str | Holder  # a gold name (or AUTHOR), or the pipeline's holder
    target: str
    stance: str


def gold_positions(document: Document) -> list[Claim]:
    grouped: dict[tuple[str, str], list[str]] = {}
    for sentence, holders in zip(document.sentences, gold_holders(document), strict=True):
        names = [normalise(name) for name in holders or []] or [AUTHOR]
        for label in sentence.labels:
            for name in dict.fromkeys(names):
                grouped.setdefault((name, label["target"]), []).append(label["stance"])
    claims = []
    for (name, target), stances in grouped.items():
        stance = aggregate(Prediction(s, 1.0, {s: 1.0}) for s in stances).stance
        if stance != "neutral":
            claims.append(Claim(name, target, stance))
    return claims


def predicted_positions(analysis) -> list[Claim]:
    rows = list(analysis.stances())
    holders = {holder.id: holder for _, holder, _, _ in rows}
    return [Claim(holders[p.holder_id], p.target, p.stance) for p in positions(rows)]


def _same_holder(matcher: HolderMatcher, gold: str, predicted: Holder) -> bool:
    if gold == AUTHOR or predicted.how == "author":
        return gold == AUTHOR and predicted.how == "author"
    return matcher.matches(gold, predicted)


def score_positions(
    matcher: HolderMatcher, pairs: Iterable[tuple[list[Claim], list[Claim]]]
) -> dict:
    """(gold claims, predicted claims) per document to precision, recall and F1."""
    gold_total = predicted_total = found = right = located = 0

    def agree(g: Claim, p: Claim, stance: bool = True) -> bool:
        return (g.target == p.target and (not stance or g.stance == p.stance)
                and _same_holder(matcher, g.holder, p.holder))

    for gold, predicted in pairs:
        gold_total += len(gold)
        predicted_total += len(predicted)
        found += sum(1 for g in gold if any(agree(g, p) for p in predicted))
        located += sum(1 for g in gold if any(agree(g, p, stance=False) for p in predicted))
        right += sum(1 for p in predicted if any(agree(g, p) for g in gold))
    precision = right / predicted_total if predicted_total else 0.0
    recall = found / gold_total if gold_total else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "gold_positions": gold_total,
        "predicted_positions": predicted_total,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "holder_target_recall": round(located / gold_total, 4) if gold_total else 0.0,
    }


def _with_rule_stances(analysis):
    """The same analysis with the rules-only stance in place of the model's (the baseline)."""
    from copy import copy

    from nlp.rules import rule_stance

    ruled = copy(analysis)
    ruled.sentences = []
    for sentence in analysis.sentences:
        stance = rule_stance(sentence.text)
        clone = copy(sentence)
        ruled_prediction = Prediction(stance, 1.0, {stance: 1.0})
        clone.predictions = dict.fromkeys(sentence.predictions, ruled_prediction)
        ruled.sentences.append(clone)
    return ruled


def evaluate_positions(
    analyzer,
    documents: Iterable[Document] | None = None,
    split: str = "test",
    author_types: tuple[str, ...] | None = None,
    predict: Callable | None = None,
) -> dict:
    """Position precision/recall/F1 over a split's documents, with the rules-only baseline.
    ``predict`` turns an analysis into claims (default: the stored positions)."""
    from nlp.pipeline import DocumentInput

    if documents is None:
        documents = [d for d in load_documents() if d.split == split]
    documents = [d for d in documents if author_types is None or d.author_type in author_types]
    predict = predict or predicted_positions
    model_pairs, rule_pairs = [], []
    for analysis in analyzer.analyze(DocumentInput.of_labelled(d) for d in documents):
        gold = gold_positions(analysis.input.key)
        model_pairs.append((gold, predict(analysis)))
        rule_pairs.append((gold, predict(_with_rule_stances(analysis))))
    matcher = HolderMatcher(analyzer.nlp)
    report = {"documents": len(documents), **score_positions(matcher, model_pairs)}
    report["baseline_rules_f1"] = score_positions(matcher, rule_pairs)["f1"]
    return report
