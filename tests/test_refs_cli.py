"""`stancemap refs` as users run it: text or JSON lines on stdin, JSON lines on stdout."""

from __future__ import annotations

import json

from tests.conftest import run_cli


def test_refs_reads_text_and_writes_one_object_per_reference():
    text = (
        "Article 5 of the zero draft became Article 6. ARTICLE 19 said Article 19 of the ICCPR "
        "is the standard, and the data protection article is weak."
    )
    result = run_cli("refs", "--date", "2024-09-01", input=text)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["surface"], r["articles"], r["text_version"], r["method"]) for r in lines] == [
        ("Article 5", [6], "zero", "explicit"),
        ("Article 6", [6], "final", "explicit"),
        ("the data protection article", [36], "final", "implicit"),
    ]
    for ref in lines:
        assert text[ref["start"] : ref["end"]] == ref["surface"]


def test_refs_jsonl_keeps_order_and_reports_bad_lines():
    records = [
        {"text": "Articles 6-10 lack intent.", "date": "2023-07-01"},
        "not json",
        {"text": "Articles 6-10 lack intent.", "date": "2025-01-01"},
        {"text": "Article 17 must go.", "text_version": "rev1"},
        {"no_text": True},
    ]
    lines = "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n"
    result = run_cli("refs", "--jsonl", input=lines)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == len(records)
    assert out[0]["mentions"][0]["articles"] == [7, 8, 9, 10, 11]
    assert "error" in out[1] and out[1]["mentions"] == []
    assert out[2]["mentions"][0]["articles"] == [6, 7, 8, 9, 10]
    assert out[3]["mentions"][0]["articles"] == [4]
    assert "error" in out[4]


def test_refs_rejects_a_bad_date():
    result = run_cli("refs", "--date", "2024-13-45", input="Article 6")
    assert result.returncode != 0
    assert "YYYY-MM-DD" in result.stderr
