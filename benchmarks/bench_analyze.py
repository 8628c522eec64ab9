"""Analyze throughput against raw MiniLM encoding of the same sentences, in the same run.

The documents are the labelled corpus's documents (press, NGO, state, UN, industry...):
real-length prose with reported speech. Measured on two threads:
- encode: MiniLM mean-pooled embeddings of every sentence once (the reference cost);
- analyze: the whole stage (spaCy, references, actors, attribution, the stance cross-encoder
  on each (sentence, target) pair that has a holder, aggregation);
- peak memory of the process (resident set).
"""

from __future__ import annotations

import os
import resource
import time


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _component_seconds(analyzer, items) -> dict[str, float]:
    docs = [analyzer._make_doc(item) for item in items]
    seconds = {}
    for name, component in analyzer.nlp.pipeline:
        started = time.perf_counter()
        if hasattr(component, "pipe"):
            docs = list(component.pipe(docs, batch_size=16))
        else:
            docs = [component(doc) for doc in docs]
        seconds[name] = time.perf_counter() - started
    return seconds


def run() -> dict:
    import torch

    from nlp.corpus import load_documents
    from nlp.models import Encoder
    from nlp.pipeline import Analyzer, DocumentInput
    from nlp.stance import StanceModel

    threads = int(os.environ.get("STANCEMAP_BENCH_THREADS", "2"))
    torch.set_num_threads(threads)
    documents = load_documents()
    limit = os.environ.get("STANCEMAP_BENCH_DOCUMENTS")  # a quicker run on the first N
    documents = documents[: int(limit)] if limit else documents
    items = [DocumentInput.of_labelled(d) for d in documents]
    figures: dict = {"threads": threads, "documents": len(items)}

    analyzer = Analyzer(stance_model=StanceModel())
    list(analyzer.analyze(items[:4]))  # warm-up: first calls allocate
    started = time.perf_counter()
    analyses = list(analyzer.analyze(items))
    analyze_seconds = time.perf_counter() - started

    sentences = [s.text for a in analyses for s in a.sentences]
    encoder = Encoder()
    encoder.encode(sentences[:64])
    started = time.perf_counter()
    encoder.encode(sentences)
    encode_seconds = time.perf_counter() - started

    encode_rate = len(sentences) / encode_seconds
    analyze_rate = len(sentences) / analyze_seconds
    figures["model"] = analyzer.version
    figures["sentences"] = len(sentences)
    figures["sentences_with_a_holder"] = sum(1 for a in analyses for s in a.sentences if s.holders)
    figures["sentence_target_pairs_classified"] = sum(
        len(s.predictions) for a in analyses for s in a.sentences
    )
    figures["encode_sentences_per_s"] = round(encode_rate, 1)
    figures["analyze_sentences_per_s"] = round(analyze_rate, 1)
    figures["analyze_over_encode_ratio"] = round(analyze_rate / encode_rate, 2)
    # Where the analyze time goes: each spaCy component over the same documents, warm.
    for name, seconds in _component_seconds(analyzer, items).items():
        figures[f"component_{name}_sentences_per_s"] = round(len(sentences) / max(seconds, 1e-9), 1)
    pairs = [(s.text, t) for a in analyses for s in a.sentences if s.holders for t in s.targets]
    started = time.perf_counter()
    analyzer.stance_model.predict(pairs)
    figures["stance_model_pairs_per_s"] = round(len(pairs) / (time.perf_counter() - started), 1)
    figures["peak_memory_mb"] = _peak_mb()
    return figures
