"""`stancemap evaluate`: score the models on the held-out split of the team's corpus.

Nothing here is used for training or tuning. Baselines are scored beside the model so that the
numbers mean something. The stance measures are defined in ``nlp.eval_stance``, holder
attribution in ``nlp.eval_attribution``, holder positions end to end in ``nlp.eval_positions``.
"""

from __future__ import annotations

from collections.abc import Callable

from nlp.eval_stance import accuracy, evaluate_documents, evaluate_sentences, macro_f1

__all__ = ["accuracy", "evaluate_all", "evaluate_documents", "evaluate_sentences", "format_report",
           "macro_f1"]


def evaluate_all(progress: Callable[[str], None] = lambda m: None) -> dict:
    from nlp.eval_attribution import evaluate_attribution
    from nlp.pipeline import Analyzer

    progress("loading models ...")
    analyzer = Analyzer()
    report = {"model": analyzer.version}
    progress("scoring sentence stance on the held-out split ...")
    report["sentence_stance"] = evaluate_sentences(analyzer.stance_model)
    progress("scoring document stance on the held-out split ...")
    report["document_stance"] = evaluate_documents(analyzer)
    progress("scoring holder attribution on the held-out split ...")
    report["attribution_press"] = evaluate_attribution(analyzer.nlp)
    report["attribution_all"] = evaluate_attribution(analyzer.nlp, author_types=None)
    progress("scoring holder positions on the held-out split ...")
    from nlp.eval_positions import evaluate_positions

    report["positions_all"] = evaluate_positions(analyzer)
    report["positions_press"] = evaluate_positions(analyzer, author_types=("press",))
    progress("scoring article references on the held-out split ...")
    from nlp.eval_references import references_summary

    report["references"] = references_summary(
        analyzer.nlp.get_pipe("stancemap_article_refs").finder
    )
    progress("scoring the labels' own consistency (a blind second annotation) ...")
    from nlp.eval_agreement import evaluate_agreement

    report["annotation_agreement"] = evaluate_agreement(analyzer.stance_model)
    return report


def format_report(report: dict) -> str:
    lines = [f"model: {report['model']}"]
    for section, values in report.items():
        if not isinstance(values, dict):
            continue
        lines.append(f"\n{section}")
        for key, value in values.items():
            lines.append(f"  {key:<40} {value}")
    return "\n".join(lines)
