"""The CLI contract: every command exists with --help, bad input is one clear line and a
non-zero exit (no traceback), and `refs` / `tag` follow the JSON contracts of DESIGN.md."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import run_cli

COMMANDS = (
    "demo",
    "crawl",
    "analyze",
    "publish",
    "serve",
    "refs",
    "tag",
    "evaluate",
    "sources",
    "train",
)
REF_KEYS = {
    "surface",
    "start",
    "end",
    "cited",
    "chapter",
    "paragraph",
    "text_version",
    "articles",
    "method",
    "confidence",
}


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str):
    result = run_cli(command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout


def assert_clean_error(result, *fragments: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    message = result.stderr.strip()
    assert message.startswith("Error:") or "Error:" in message
    for fragment in fragments:
        assert fragment in message, message


def test_missing_sources_file_is_one_line(tmp_path: Path):
    result = run_cli("sources", "--sources", str(tmp_path / "nope.yaml"))
    assert_clean_error(result, "nope.yaml", "no such sources file")


def test_malformed_sources_entry_names_the_entry_and_field(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "organizations:\n"
        "  - id: good-org\n    name: Good\n    type: ngo\n    country: null\n    sources: []\n"
        "  - id: bad-org\n    name: Bad\n    type: lobby\n    sources: []\n",
        encoding="utf-8",
    )
    result = run_cli("crawl", "--sources", str(path), "--db", str(tmp_path / "x.db"))
    assert_clean_error(result, "bad-org", "type must be one of")


def test_bad_source_url_is_reported(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "organizations:\n  - id: x\n    name: X\n    type: ngo\n    sources:\n"
        "      - url: not-a-url\n        kind: listing\n",
        encoding="utf-8",
    )
    assert_clean_error(run_cli("sources", "--sources", str(path)), "not-a-url")


def test_unreadable_database_is_one_line(tmp_path: Path):
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not a database" * 200)
    result = run_cli("analyze", "--db", str(path))
    assert_clean_error(result, "garbage.db")
    assert path.read_bytes() == b"this is not a database" * 200


def test_analyze_without_database_is_one_line(tmp_path: Path):
    result = run_cli("analyze", "--db", str(tmp_path / "missing.db"))
    assert_clean_error(result, "missing.db", "no such database")
    assert not (tmp_path / "missing.db").exists()


def test_publish_without_database_is_one_line(tmp_path: Path):
    result = run_cli(
        "publish", "--db", str(tmp_path / "missing.db"), "--out", str(tmp_path / "out")
    )
    assert_clean_error(result, "missing.db")


def test_the_real_registry_validates():
    result = run_cli("sources")
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stderr
    assert len(result.stdout.splitlines()) >= 40


def test_refs_writes_one_json_object_per_reference():
    text = (
        "In 2023 the zero draft's Article 5 on human rights was praised, "
        "while Articles 28 to 30 worried us."
    )
    result = run_cli("refs", "--date", "2023-09-01", input=text)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 2
    for line in lines:
        assert set(line) == REF_KEYS
        assert text[line["start"] : line["end"]] == line["surface"]
    assert lines[0]["articles"] == [6] and lines[0]["text_version"] == "zero"
    assert lines[1]["cited"] == ["28", "29", "30"] and lines[1]["articles"] == [28, 29, 30]


def test_refs_jsonl_keeps_order_and_reports_bad_lines():
    lines = [
        json.dumps({"text": "Article 6 must stay.", "date": "2025-01-10"}),
        "{not json",
        json.dumps({"text": "Nothing cited here."}),
        json.dumps({"text": "Article 5 of the zero draft is welcome."}),
    ]
    result = run_cli("refs", "--jsonl", input="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 4
    assert [m["articles"] for m in out[0]["mentions"]] == [[6]]
    assert "error" in out[1] and out[1]["mentions"] == []
    assert out[2]["mentions"] == []
    assert out[3]["mentions"][0]["articles"] == [6]


@pytest.mark.slow
def test_tag_follows_the_contract():
    text = (
        "We call on every state to reject the UN cybercrime convention. "
        "Article 29 would let governments collect traffic data in real time without a judge."
    )
    result = run_cli(
        "tag",
        "--author",
        "Fictional Rights Forum",
        "--author-type",
        "ngo",
        "--date",
        "2024-08-10",
        input=text,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    # The contract's keys; more are welcome (positions, model).
    assert set(out) >= {"document", "stances", "mentions"}
    assert set(out["document"]) == {"holder", "holder_type", "stance", "confidence"}
    assert out["document"]["holder"] == "Fictional Rights Forum"
    assert out["document"]["stance"] in {"support", "oppose", "mixed", "neutral"}
    for stance in out["stances"]:
        assert set(stance) >= {
            "holder",
            "holder_type",
            "target",
            "stance",
            "confidence",
            "evidence",
            "start",
            "end",
        }
        assert text[stance["start"] : stance["end"]] == stance["evidence"]
    assert [m["articles"] for m in out["mentions"]] == [[29]]


@pytest.mark.slow
def test_tag_jsonl_one_line_per_input_in_order():
    lines = [
        json.dumps(
            {"text": "The treaty is a triumph and every state should ratify it.", "author": "A"}
        ),
        "",
        json.dumps({"text": "Article 6 is fine.", "author": "B", "author_type": "state"}),
    ]
    result = run_cli("tag", "--jsonl", input="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 3
    assert out[0]["document"]["holder"] == "A"
    assert "error" in out[1]
    assert out[2]["document"]["holder_type"] == "state"


def test_crawl_of_an_unreachable_source_records_the_failure(tmp_path: Path):
    registry = tmp_path / "sources.yaml"
    registry.write_text(
        "organizations:\n  - id: nowhere\n    name: Nowhere Institute (fictional)\n"
        "    type: academic\n    country: null\n    sources:\n"
        "      - url: http://127.0.0.1:9/listing/\n        kind: listing\n",
        encoding="utf-8",
    )
    db = tmp_path / "crawl.db"
    result = run_cli(
        "crawl",
        "--sources",
        str(registry),
        "--db",
        str(db),
        "--set",
        "RETRY_TIMES=0",
        "--set",
        "DOWNLOAD_TIMEOUT=5",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    connection = sqlite3.connect(db)
    statuses = connection.execute("select status, reason from fetches").fetchall()
    assert statuses and all(status in ("failed", "skipped") for status, _ in statuses)
    assert connection.execute("select count(*) from documents").fetchone() == (0,)


POSITIONS_MIGRATION = "m005_positions"  # the migration that adds the positions table


def _database_before_positions(path: Path) -> None:
    """A database as an older stancemap left it: the positions migration not yet applied."""
    from db.store import Store

    Store(path).close()
    connection = sqlite3.connect(path)
    with connection:
        connection.execute(
            "DELETE FROM _sqlite_migrations WHERE name = ?", [POSITIONS_MIGRATION]
        )
        connection.execute("DROP TABLE positions")
    connection.close()


def test_serve_brings_an_older_database_up_to_date(tmp_path: Path):
    from db.site import DatasetteServer

    db = tmp_path / "old.db"
    _database_before_positions(db)
    with DatasetteServer(["serve", "--db", str(db)], module="stancemap") as server:
        status, body = server.get("/old/positions.json?_shape=array")
        errors = server.errors()
    assert status == 200
    assert json.loads(body) == []
    assert f"schema brought up to date ({POSITIONS_MIGRATION})" in errors
    names = {row[0] for row in sqlite3.connect(db).execute("SELECT name FROM _sqlite_migrations")}
    assert POSITIONS_MIGRATION in names


def test_serve_leaves_an_up_to_date_database_unwritten(tmp_path: Path):
    from db.store import Store, upgrade_schema

    db = tmp_path / "current.db"
    Store(db).close()
    before = db.stat().st_mtime_ns, db.read_bytes()
    assert upgrade_schema(db) == []
    assert (db.stat().st_mtime_ns, db.read_bytes()) == before
