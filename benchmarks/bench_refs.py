"""How much reference resolution adds to the spaCy pipeline it runs in.

The corpus is every text the project has: the labelled documents, the labelled sentences (in
documents of 25), the demo web's pages and the reference test cases, about 0.7 MB; each text is
run a second time dated in the negotiation (June 2023 instead of its own date), which sends it
down the draft-mapping path, to pass 1 MB. The phrase cache is cleared first, so the second pass
pays for MiniLM again.

The pipeline (``nlp.pipeline.build_nlp``: spaCy's tagger, parser, NER, plus the project's
components) runs once over the corpus; the reference component's own work is timed inside that
run, so the share is not at the mercy of a noisy neighbour between two runs.
"""

from __future__ import annotations

import time
from pathlib import Path

from crawlers.extract import decode_html, extract_html
from nlp.corpus import load_documents, load_sentences
from nlp.eval_references import load_cases
from nlp.pipeline import MAX_CHARS, build_nlp
from nlp.references import ArticleReferences

ROOT = Path(__file__).resolve().parent.parent
DRAFT_ERA = "2023-06-20"


def corpus() -> list[tuple[str, str | None]]:
    texts = [(d.text, d.date) for d in load_documents()]
    sentences = [s.text for s in load_sentences()]
    texts += [(" ".join(sentences[i : i + 25]), None) for i in range(0, len(sentences), 25)]
    for page in sorted((ROOT / "demo" / "web").rglob("*.html")):
        text = extract_html(
            decode_html(page.read_bytes(), "text/html"), f"http://demo/{page.name}"
        ).text
        if text:
            texts.append((text, None))
    texts += [(case.text, case.date) for case in load_cases()]
    return texts + [(text, DRAFT_ERA) for text, _ in texts]


class Timed:
    """Accumulates the time the reference component spends on its own work."""

    def __init__(self, component: ArticleReferences):
        self.seconds = 0.0
        self.references = 0
        self.implicit = 0
        original = component._annotate

        def annotate(docs):
            started = time.perf_counter()
            out = original(docs)
            self.seconds += time.perf_counter() - started
            for doc in out:
                self.references += len(doc._.references)
                self.implicit += sum(1 for r in doc._.references if r.method == "implicit")
            return out

        component._annotate = annotate


def run() -> dict:
    texts = corpus()
    size = sum(len(text.encode("utf-8")) for text, _ in texts)
    nlp = build_nlp()
    component = nlp.get_pipe("stancemap_article_refs")
    component.finder.find("warm up: the provision that lets police read messages")  # load MiniLM
    component.finder.linker.cache.clear()
    timed = Timed(component)

    def docs():
        for text, day in texts:
            doc = nlp.make_doc(text[:MAX_CHARS])
            doc._.meta = {"date": day}
            yield doc

    started = time.perf_counter()
    for _ in nlp.pipe(docs(), batch_size=16):
        pass
    total = time.perf_counter() - started
    others = total - timed.seconds
    started = time.perf_counter()
    component.finder.linker.cache.clear()
    component.finder.find_many([(text, None, None) for text, _ in texts])
    alone = time.perf_counter() - started
    return {
        "corpus_documents": len(texts),
        "corpus_mb": round(size / 1e6, 2),
        "pipeline_seconds": round(total, 1),
        "pipeline_without_references_seconds": round(others, 1),
        "references_seconds": round(timed.seconds, 2),
        "references_share_of_pipeline_pct": round(100 * timed.seconds / others, 2),
        "references_found": timed.references,
        "implicit_and_anaphora_found": timed.implicit,
        "references_alone_mb_per_second": round(size / 1e6 / alone, 2),
    }
