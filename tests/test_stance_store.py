"""The analyze stage on a real SQLite store: sentence stances with their holders, one position
per (document, holder, target), the author's row, and the model version on every row."""

from __future__ import annotations

from pathlib import Path

from db.store import Store
from db.treaty import load_treaty
from nlp.analyze import analyze_store

PRESS_TEXT = (
    "Kenya and Norway said on Friday that they would vote to keep Article 6 in the convention. "
    "The Brackwater Rights Forum, backed by the Electronic Frontier Foundation, urged every "
    "government to reject the treaty outright. "
    "The vote is expected next week."
)


def test_analyze_writes_stances_and_positions_with_the_model(db_path: Path, analyzer):
    with Store(db_path) as store:
        store.sync_treaty(load_treaty())
        store.sync_organizations(
            [{"id": "harbour-ledger", "name": "The Harbour Ledger", "type": "press"}],
            origin="registry",
        )
        saved = store.save_document({
            "url": "http://127.0.0.1/ledger/vote",
            "organization_id": "harbour-ledger",
            "title": "States split before the cybercrime vote",
            "published": "2024-12-20",
            "text": PRESS_TEXT,
            "language": "en",
            "content_type": "text/html",
        })
        stats = analyze_store(store, lambda orgs: analyzer)
        assert stats["documents"] == 1
        stances = list(store.db["stances"].rows_where("document_id = ?", [saved.document_id]))
        positions = list(store.db["positions"].rows_where("document_id = ?", [saved.document_id]))

    assert {row["model"] for row in stances} == {analyzer.version}
    assert {row["model"] for row in positions} == {analyzer.version}
    author_rows = [row for row in stances if row["sentence_id"] is None]
    assert len(author_rows) == 1 and author_rows[0]["holder_id"] == "harbour-ledger"
    assert author_rows[0]["stance"] == "neutral"  # the paper reports; it takes no side

    held = {(row["holder_name"], row["target"]) for row in stances if row["sentence_id"]}
    assert ("Kenya", "article:6") in held and ("Norway", "article:6") in held
    assert {"Brackwater Rights Forum", "Electronic Frontier Foundation"} <= {h for h, _ in held}
    assert "The Harbour Ledger" not in {h for h, _ in held}

    by_holder = {(row["holder_name"], row["target"]): row for row in positions}
    assert by_holder[("Kenya", "article:6")]["stance"] == "support"
    assert by_holder[("Electronic Frontier Foundation", "convention")]["stance"] == "oppose"
    assert by_holder[("Electronic Frontier Foundation", "convention")]["holder_id"] == "eff"
    assert all(row["sentences"] >= 1 for row in positions)


def test_a_statement_in_another_language_is_stored_without_stances(db_path: Path, analyzer):
    from test_stance_language import FRENCH

    with Store(db_path) as store:
        store.sync_treaty(load_treaty())
        saved = store.save_document({
            "url": "http://127.0.0.1/valmont/declaration",
            "title": "Déclaration sur la convention",
            "published": "2024-12-20",
            "text": FRENCH,
            "language": "fr",
            "content_type": "text/html",
        })
        stats = analyze_store(store, lambda orgs: analyzer)
        where = ("document_id = ?", [saved.document_id])
        sentences = list(store.db["sentences"].rows_where(*where))
        mentions = list(store.db["mentions"].rows_where(*where))
        stances = list(store.db["stances"].rows_where(*where))
    assert stats["not_english"] == 1
    assert len(sentences) == 3 and {m["article_number"] for m in mentions} == {29}
    # Only the author's row, which claims nothing.
    assert [(s["sentence_id"], s["stance"]) for s in stances] == [(None, "neutral")]
