"""The analyze stage: documents not yet analysed by the current model version, through the
pipeline, into sentences, mentions and stances (one transaction per document)."""

from __future__ import annotations

import json
from collections.abc import Callable

from db.stakeholders import load_stakeholders
from db.store import Store, code_version, sentence_id, stable_id
from nlp.pipeline import Analysis, Analyzer, DocumentInput
from nlp.positions import positions


def document_input(row: dict) -> DocumentInput:
    return DocumentInput(
        text=row["text"] or "",
        date=row.get("published"),
        author=row.get("organization_name") or row.get("author"),
        author_id=row.get("organization_id"),
        author_type=row.get("organization_type"),
        url=row.get("url"),
        title=row.get("title"),
        key=row,
    )


def rows_for(
    analysis: Analysis, model: str
) -> tuple[list[dict], list[dict], list[dict], list[dict]]:
    """The sentences, mentions, stances and new holders of one analysed document, as rows."""
    doc = analysis.input.key
    doc_id = doc["id"]
    sentences = [
        {
            "id": sentence_id(doc_id, s.position),
            "document_id": doc_id,
            "position": s.position,
            "start": s.start,
            "end": s.end,
            "text": s.text,
        }
        for s in analysis.sentences
    ]
    sentence_of = {}
    for s in analysis.sentences:
        for ref in s.references:
            sentence_of[ref.start] = sentence_id(doc_id, s.position)
    mentions = []
    for ref in analysis.references:
        # One row per cited number with the article it became (None when unknown).
        for index, (cited, article) in enumerate(ref.rows()):
            mentions.append(
                {
                    "id": stable_id(doc_id, ref.start, ref.end, index),
                    "document_id": doc_id,
                    "sentence_id": sentence_of.get(ref.start),
                    "surface": ref.surface,
                    "start": ref.start,
                    "end": ref.end,
                    "cited_number": cited,
                    "text_version": ref.text_version,
                    "article_number": article,
                    "chapter": ref.chapter,
                    "paragraph": ref.paragraph,
                    "method": ref.method,
                    "confidence": ref.confidence,
                    "model": model,
                }
            )
    stances = []
    for sentence, holder, target, prediction in analysis.stances():
        sid = sentence_id(doc_id, sentence.position)
        stances.append(
            {
                "id": stable_id(doc_id, sid, holder.id, target),
                "document_id": doc_id,
                "sentence_id": sid,
                "holder_id": _holder_id(holder, doc),
                "holder_name": holder.name,
                "holder_type": holder.type,
                "target": target,
                "article_number": int(target.split(":")[1])
                if target.startswith("article:")
                else None,
                "stance": prediction.stance,
                "confidence": round(prediction.confidence, 4),
                "evidence": sentence.text,
                "start": sentence.start,
                "end": sentence.end,
                "model": model,
            }
        )
    author = analysis.author
    stances.append(
        {
            "id": stable_id(doc_id, None, "document", "convention"),
            "document_id": doc_id,
            "sentence_id": None,
            "holder_id": doc.get("organization_id"),
            "holder_name": author.name,
            "holder_type": author.type,
            "target": "convention",
            "article_number": None,
            "stance": analysis.document.stance,
            "confidence": round(analysis.document.confidence, 4),
            "evidence": None,
            "start": None,
            "end": None,
            "model": model,
        }
    )
    holders = [
        {"id": h.id, "name": h.name, "type": h.type, "aliases": [h.name]}
        for h in analysis.new_holders.values()
    ]
    return sentences, mentions, stances, holders


def position_rows(analysis: Analysis, model: str) -> list[dict]:
    """One row per (holder, target) of a document: its sentence stances aggregated."""
    doc = analysis.input.key
    holders = {h.id: h for _, h, _, _ in analysis.stances()}
    rows = []
    for position in positions(analysis.stances()):
        holder = holders[position.holder_id]
        rows.append(
            {
                "id": stable_id(doc["id"], "position", position.holder_id, position.target),
                "document_id": doc["id"],
                "holder_id": _holder_id(holder, doc),
                "holder_name": position.holder_name,
                "holder_type": position.holder_type,
                "target": position.target,
                "article_number": int(position.target.split(":")[1])
                if position.target.startswith("article:")
                else None,
                "stance": position.stance,
                "confidence": round(position.confidence, 4),
                "sentences": position.sentences,
                "model": model,
            }
        )
    return rows


def _holder_id(holder, doc: dict) -> str | None:
    if holder.how == "author":
        return doc.get("organization_id")
    if holder.kind == "group":
        return None  # "several delegations": described, not a registered holder
    if holder.kind == "person" and holder.organization_id:
        return holder.organization_id
    return holder.id


def analyze_store(
    store: Store,
    analyzer_factory: Callable[[list[dict]], Analyzer],
    force: bool = False,
    progress: Callable[[str], None] = lambda message: None,
    batch_size: int = 16,
) -> dict:
    # States, UN bodies and the other known stakeholders, so that holders link to them.
    store.sync_organizations(load_stakeholders().organizations.values(), "registry", replace=False)
    organizations = list(store.db["organizations"].rows)
    aliases: dict[str, list[str]] = {}
    for row in store.db["organization_aliases"].rows:
        aliases.setdefault(row["organization_id"], []).append(row["alias"])
    analyzer = analyzer_factory(
        [{**org, "aliases": aliases.get(org["id"], [])} for org in organizations if org.get("type")]
    )
    model = analyzer.version
    run_id = store.start_run("analyze", code_version(), model=model, force=force)
    todo = list(store.documents_to_analyze(model, force=force))
    progress(f"analyzing {len(todo)} documents with {model}")
    stats = {"documents": 0, "sentences": 0, "mentions": 0, "stances": 0, "truncated": 0,
             "not_english": 0}
    for analysis in analyzer.analyze((document_input(row) for row in todo), batch_size=batch_size):
        sentences, mentions, stances, holders = rows_for(analysis, model)
        store.save_analysis(
            analysis.input.key, model, sentences, mentions, stances, holders,
            positions=position_rows(analysis, model),
        )
        stats["documents"] += 1
        stats["sentences"] += len(sentences)
        stats["mentions"] += len(mentions)
        stats["stances"] += len(stances)
        stats["truncated"] += int(analysis.truncated)
        if analysis.language:  # stored with its references but no stance: recorded here
            stats["not_english"] += 1
            progress(f"  {analysis.input.url or analysis.input.key['id']}: language "
                     f"{analysis.language}, no stances read")
        if stats["documents"] % 10 == 0 or stats["documents"] == len(todo):
            progress(f"  {stats['documents']}/{len(todo)} documents")
    store.finish_run(run_id, stats)
    progress(json.dumps(stats))
    return stats
