"""holder_article_stances, the running count behind the stakeholders × articles matrix and heat
map, always equals a fresh count of the stances table, whatever writes the stances."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from db.store import Store

pytestmark = pytest.mark.slow

FRESH = """
select holder_id, article_number, sum(stance = 'support'), sum(stance = 'oppose'),
       sum(stance = 'mixed'), sum(stance = 'neutral'), count(*)
from stances where article_number is not null and holder_id is not null
group by holder_id, article_number order by 1, 2
"""
KEPT = """
select holder_id, article_number, support, oppose, mixed, neutral, total
from holder_article_stances order by 1, 2
"""


def test_counts_follow_every_insert_update_and_delete(demo_db: Path, tmp_path: Path):
    db = tmp_path / "counts.db"
    shutil.copy(demo_db, db)
    with Store(db) as store:
        conn = store.db.conn
        kept = conn.execute(KEPT).fetchall()
        assert kept and kept == conn.execute(FRESH).fetchall()
        with conn:
            conn.execute(
                "update stances set stance = 'support' where rowid in "
                "(select rowid from stances where article_number is not null limit 5)"
            )
            conn.execute(
                "update stances set article_number = 7, holder_type = 'press' where rowid in "
                "(select rowid from stances where article_number is not null limit 3 offset 10)"
            )
            conn.execute(
                "update stances set article_number = null where rowid in "
                "(select rowid from stances where article_number is not null limit 2 offset 20)"
            )
        assert conn.execute(KEPT).fetchall() == conn.execute(FRESH).fetchall()
        # Re-analysing a document replaces its stances through the store.
        (doc_id,) = conn.execute(
            "select document_id from stances where article_number is not null limit 1"
        ).fetchone()
        doc = next(store.db["documents"].rows_where("id = ?", [doc_id]))
        sentences = list(store.db["sentences"].rows_where("document_id = ?", [doc_id]))
        mentions = list(store.db["mentions"].rows_where("document_id = ?", [doc_id]))
        stances = list(store.db["stances"].rows_where("document_id = ?", [doc_id]))
        store.save_analysis(doc, "test/1", sentences, mentions, stances[: len(stances) // 2])
        assert conn.execute(KEPT).fetchall() == conn.execute(FRESH).fetchall()
        with conn:
            conn.execute("delete from stances")
        assert conn.execute("select count(*) from holder_article_stances").fetchone() == (0,)
