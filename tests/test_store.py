"""The store: migrations, stable ids, upserts, one transaction per document, nothing lost."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from db.store import Store, StoreError, document_id, sentence_id
from db.treaty import load_treaty


def doc(
    url: str = "https://example.org/a", text: str = "The convention text is discussed here."
) -> dict:
    return {"url": url, "title": "A statement", "text": text, "published": "2024-08-09"}


def test_opening_twice_applies_migrations_once(db_path: Path):
    Store(db_path).close()
    with Store(db_path) as store:
        applied = store.db.execute("select count(*) from _sqlite_migrations").fetchone()[0]
        assert applied >= 1
        assert {"documents", "sentences", "mentions", "stances", "runs"} <= set(
            store.db.table_names()
        )
    with Store(db_path) as store:
        assert store.db.execute("select count(*) from _sqlite_migrations").fetchone()[0] == applied


def test_treaty_loads_articles_versions_and_concordance(db_path: Path):
    with Store(db_path) as store:
        store.sync_treaty(load_treaty())
        store.sync_treaty(load_treaty())
        assert store.db["articles"].count == 68
        assert store.db["chapters"].count == 9
        assert store.db["text_versions"].count == 5
        row = store.db.execute(
            "select article_number, confidence from article_concordance "
            "where text_version = 'zero' and cited_number = 5"
        ).fetchone()
        assert row == (6, "high")
        # Rev.2's numbering is unknown: no concordance rows are invented for it.
        assert store.db.execute(
            "select count(*) from article_concordance where text_version='rev2'"
        ).fetchone() == (0,)


def test_save_document_is_stable_and_skips_unchanged_text(db_path: Path):
    with Store(db_path) as store:
        first = store.save_document(doc(), raw={"body": b"<html>raw</html>", "status": 200})
        assert first.status == "stored" and first.document_id == document_id(
            "https://example.org/a"
        )
        assert store.save_document(doc()).status == "unchanged"
        changed = store.save_document(doc(text="The convention text changed today."))
        assert changed.status == "updated" and changed.document_id == first.document_id
        assert store.db["documents"].count == 1
        assert store.raw_body(first.document_id) == b"<html>raw</html>"


def test_save_analysis_replaces_a_documents_rows(db_path: Path):
    with Store(db_path) as store:
        store.save_document(doc())
        row = store.db["documents"].get(document_id("https://example.org/a"))

        def sentences(n: int) -> list[dict]:
            return [
                {
                    "id": sentence_id(row["id"], i),
                    "document_id": row["id"],
                    "position": i,
                    "start": 0,
                    "end": 3,
                    "text": "The",
                }
                for i in range(n)
            ]

        store.save_analysis(row, "m1", sentences(3), [], [])
        store.save_analysis(row, "m1", sentences(2), [], [])
        assert store.db["sentences"].count == 2
        assert list(store.documents_to_analyze("m1")) == []
        assert [d["id"] for d in store.documents_to_analyze("m2")] == [row["id"]]


def test_a_failed_analysis_leaves_the_previous_one_whole(db_path: Path):
    with Store(db_path) as store:
        store.save_document(doc())
        row = store.db["documents"].get(document_id("https://example.org/a"))
        good = [
            {
                "id": sentence_id(row["id"], 0),
                "document_id": row["id"],
                "position": 0,
                "start": 0,
                "end": 3,
                "text": "The",
            }
        ]
        store.save_analysis(row, "m1", good, [], [])
        broken_stance = [
            {
                "id": "s1",
                "document_id": row["id"],
                "holder_id": "no-such-organization",
                "stance": "oppose",
            }
        ]
        with pytest.raises(sqlite3.IntegrityError):
            store.save_analysis(row, "m2", good + good[:0], [], broken_stance)
        assert store.db["sentences"].count == 1
        assert store.db["analyses"].get(row["id"])["model"] == "m1"


def test_not_a_database_is_a_clear_error(tmp_path: Path):
    path = tmp_path / "notes.db"
    path.write_text("hello, not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable SQLite database"):
        Store(path)


def test_missing_database_without_create(tmp_path: Path):
    with pytest.raises(StoreError, match="no such database"):
        Store(tmp_path / "absent.db", create=False)


def test_full_text_search_finds_sentences(db_path: Path):
    with Store(db_path) as store:
        store.save_document(doc())
        row = store.db["documents"].get(document_id("https://example.org/a"))
        store.save_analysis(
            row,
            "m1",
            [
                {
                    "id": sentence_id(row["id"], 0),
                    "document_id": row["id"],
                    "position": 0,
                    "start": 0,
                    "end": 20,
                    "text": "Interception of content data",
                }
            ],
            [],
            [],
        )
        hits = list(store.db["sentences"].search("interception"))
        assert len(hits) == 1
