"""Scoring the reference finder on the team's hand-written test set
(``tests/data/references-*.jsonl``, annotation guide beside it).

Cases are split by a hash of their id: two buckets in five are held out (``split == "test"``);
``stancemap evaluate`` scores only those. The dev split is what the finder was built against.
Predictions are matched to gold by overlapping character spans, one to one.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from nlp.corpus import CorpusError

CASES = Path(__file__).resolve().parent.parent / "tests" / "data"
BUCKETS = 5
HELDOUT = (0, 1)  # two buckets in five: enough held-out references to measure 0.98 precision


def split_of(case_id: str) -> str:
    bucket = int(hashlib.sha256(case_id.encode("utf-8")).hexdigest(), 16) % BUCKETS
    return "test" if bucket in HELDOUT else "dev"


@dataclass
class Gold:
    start: int
    end: int
    cited: list[str]
    articles: list[int] | None
    chapter: str | None
    method: str
    via: str | None
    version: str | None
    paragraph: str | None


@dataclass
class Case:
    id: str
    text: str
    date: str | None
    text_version: str | None
    tags: list[str]
    gold: list[Gold] = field(default_factory=list)

    @property
    def split(self) -> str:
        return split_of(self.id)


def load_cases(folder: Path = CASES) -> list[Case]:
    cases = []
    for path in sorted(folder.glob("references*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise CorpusError(f"{where}: not valid JSON ({error})") from error
            case = Case(
                record["id"],
                record["text"],
                record.get("date"),
                record.get("text_version"),
                record.get("tags", []),
            )
            for entry in record.get("refs", []):
                position = -1
                for _ in range(entry.get("nth", 1)):
                    position = record["text"].find(entry["surface"], position + 1)
                if position < 0:
                    raise CorpusError(f"{where}: surface {entry['surface']!r} not in the text")
                case.gold.append(
                    Gold(
                        position,
                        position + len(entry["surface"]),
                        entry.get("cited", []),
                        entry.get("articles"),
                        entry.get("chapter"),
                        entry.get("method", "explicit"),
                        entry.get("via"),
                        entry.get("version"),
                        entry.get("paragraph"),
                    )
                )
            spans = sorted((g.start, g.end) for g in case.gold)
            for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
                if start < end:
                    raise CorpusError(f"{where}: gold references overlap (check 'nth')")
            cases.append(case)
    return cases


def _kind(method: str, via: str | None) -> str:
    if method == "explicit":
        return "explicit"
    return "anaphora" if via == "anaphora" else "implicit"


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def score(cases: list[Case], finder) -> dict:
    """Precision, recall, mapping and version accuracy per kind, plus the errors."""
    counts: Counter = Counter()
    errors: list[str] = []
    for case in cases:
        day = date.fromisoformat(case.date) if case.date else None
        predicted = finder.find(case.text, day=day, text_version=case.text_version)
        for kind in ("explicit", "implicit", "anaphora"):
            gold = [g for g in case.gold if _kind(g.method, g.via) == kind]
            pred = [p for p in predicted if _kind(p.method, p.via) == kind]
            _score_kind(kind, case, gold, pred, counts, errors)
    report: dict = {"cases": len(cases)}
    for kind in ("explicit", "implicit", "anaphora"):
        report[f"{kind}_precision"] = _ratio(counts[kind, "tp"], counts[kind, "predicted"])
        report[f"{kind}_recall"] = _ratio(counts[kind, "tp"], counts[kind, "gold"])
        report[f"{kind}_gold"] = counts[kind, "gold"]
    report["mapping_accuracy"] = _ratio(counts["mapping", "right"], counts["mapping", "total"])
    report["mapping_cases"] = counts["mapping", "total"]
    report["version_accuracy"] = _ratio(counts["version", "right"], counts["version", "total"])
    report["paragraph_accuracy"] = _ratio(
        counts["paragraph", "right"], counts["paragraph", "total"]
    )
    report["errors"] = errors
    return report


def _score_kind(
    kind: str, case: Case, gold: list[Gold], pred: list, counts: Counter, errors: list[str]
) -> None:
    counts[kind, "gold"] += len(gold)
    counts[kind, "predicted"] += len(pred)
    unmatched = list(pred)
    for g in gold:
        match = next((p for p in unmatched if p.start < g.end and g.start < p.end), None)
        if match is None:
            errors.append(f"{case.id} {kind}-missed {case.text[g.start : g.end]!r}")
            continue
        unmatched.remove(match)
        detected = (kind != "explicit" or match.cited == g.cited) and (
            g.chapter is None or match.chapter == g.chapter
        )
        if kind != "explicit":
            detected = detected and (g.articles is None or match.articles == g.articles)
        if detected:
            counts[kind, "tp"] += 1
        else:
            errors.append(
                f"{case.id} {kind}-wrong {match.surface!r}: cited {match.cited} "
                f"articles {match.articles} chapter {match.chapter}, want cited {g.cited} "
                f"articles {g.articles} chapter {g.chapter}"
            )
        if kind == "explicit" and g.articles is not None and g.cited:
            _tally(
                counts,
                errors,
                "mapping",
                match.articles == g.articles,
                f"{case.id} mapping-wrong {match.surface!r} ({match.text_version}): "
                f"{match.articles}, want {g.articles}",
            )
        if g.version:
            _tally(
                counts,
                errors,
                "version",
                match.text_version == g.version,
                f"{case.id} version-wrong {match.surface!r}: {match.text_version}, "
                f"want {g.version}",
            )
        if g.paragraph:
            _tally(
                counts,
                errors,
                "paragraph",
                match.paragraph == g.paragraph,
                f"{case.id} paragraph-wrong {match.surface!r}: {match.paragraph}, "
                f"want {g.paragraph}",
            )
    for p in unmatched:
        errors.append(f"{case.id} {kind}-spurious {p.surface!r} -> {p.articles or p.chapter}")


def _tally(counts: Counter, errors: list[str], what: str, right: bool, error: str) -> None:
    counts[what, "total"] += 1
    if right:
        counts[what, "right"] += 1
    else:
        errors.append(error)


def evaluate_references(finder=None, split: str = "test") -> dict:
    """Scores on one split (``test``: the held-out cases ``stancemap evaluate`` reports)."""
    from nlp.references import ReferenceFinder

    finder = finder or ReferenceFinder()
    cases = [c for c in load_cases() if split == "all" or c.split == split]
    report = score(cases, finder)
    report["split"] = split
    report["error_kinds"] = dict(Counter(error.split()[1] for error in report["errors"]))
    return report


def references_summary(finder=None) -> dict:
    """The held-out scores for ``stancemap evaluate``: the metrics and how many errors of
    each kind, without the error list itself."""
    report = evaluate_references(finder, "test")
    return {key: value for key, value in report.items() if key not in ("errors", "split")}
