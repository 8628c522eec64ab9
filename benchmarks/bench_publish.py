"""Publishing at scale: a generated database of 1,000,000 sentences and 200,000 stances is
published (`stancemap publish`) and served the way the public site is (`datasette serve OUT/`),
then every canned query, dashboard chart and site page is requested over HTTP and timed.

Reports p50/p95 latency per canned query (JSON, as a client gets it), per dashboard chart query
(the heat map is the heavy one) and per page, plus how long publishing took and how big the
release is. The generated database is cached in benchmarks/results/ (ignored by git); delete it,
or bump GENERATOR_VERSION, to regenerate.

The text is built from the project's own labelled sentences (nlp/data/stance), cut and
recombined, so full-text search sees a realistic vocabulary; holders, articles and dates follow
skewed distributions like real statement sets (a few prolific holders, a few hot articles).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import time
import urllib.parse
from pathlib import Path

from db.schema import HOLDER_ARTICLE_COUNTS
from db.site import DatasetteServer, metadata_for, publish
from db.site.metadata import canned_queries, dashboard_charts
from db.stakeholders import load_stakeholders
from db.store import Store
from db.treaty import load_treaty

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
CORPUS = HERE.parent / "nlp" / "data" / "stance"
GENERATOR_VERSION = 5
DOCUMENTS = 20_000
SENTENCES_PER_DOCUMENT = 50
SENTENCE_STANCES = 180_000  # plus one author position per document = 200,000 stances
MENTIONS = 150_000
EXTRA_HOLDERS = 1_200
REQUESTS = 40  # per query and parameter set, after one warm-up
SEED = 20240808

STANCES = ("support", "oppose", "mixed", "neutral")
STANCE_WEIGHTS = (0.3, 0.35, 0.25, 0.1)
HOLDER_TYPES = ("ngo", "industry", "press", "un_body", "igo", "state", "academic", "coalition")
HOT_ARTICLES = (6, 24, 29, 30, 35, 40, 4, 11, 14, 28)
VERSIONS = ("zero", "rev1", "rev2", "rev3", "final", "unknown")

# Parameters each canned query is timed with (several sets: popular and rare values).
QUERY_PARAMETERS = {
    "stance_by_article": [
        {"article": "29", "stance": ""},
        {"article": "6", "stance": "oppose"},
        {"article": "52", "stance": ""},
    ],
    "positions_by_stakeholder": [{"holder": "bench-000"}, {"holder": "eff"}, {"holder": "EFF"}],
    "holder_article_matrix": [
        {"holder_type": "", "article": ""},
        {"holder_type": "ngo", "article": ""},
        {"holder_type": "", "article": "29"},
    ],
    "stance_over_time": [
        {"article": "", "holder": "", "holder_type": ""},
        {"article": "29", "holder": "", "holder_type": ""},
        {"article": "", "holder": "bench-000", "holder_type": ""},
        {"article": "", "holder": "", "holder_type": "state"},
    ],
    "evidence_search": [
        {"q": "surveillance"},
        {"q": "human rights safeguards"},
        {"q": "dual criminality"},
        {"q": "convention"},
    ],
}
DASHBOARD_FILTERS = [{}, {"holder_type": "ngo"}]
PAGES = ["/-/articles", "/-/articles/29", "/-/articles/52", "/-/feeds/article-29.atom"]


def corpus_sentences() -> list[str]:
    texts = []
    for path in sorted(CORPUS.glob("sentences-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    return texts


def sentence_maker(rng: random.Random, texts: list[str]):
    """Sentences recombined from halves of the corpus's sentences, with fresh article numbers."""
    halves = [re.split(r"(?<=\w)\s", text, maxsplit=0) for text in texts]

    def make() -> str:
        first, second = rng.choice(halves), rng.choice(halves)
        cut_a, cut_b = len(first) // 2, len(second) // 2
        words = first[:cut_a] + second[cut_b:]
        text = " ".join(words)
        return re.sub(r"Article \d+", lambda _: f"Article {rng.randint(1, 68)}", text)

    return make


def skewed(rng: random.Random, count: int, power: float = 0.6) -> int:
    """An index in [0, count) with a heavy head (Zipf-like)."""
    return min(int(count * rng.random() ** (1 + power * 2)), count - 1)


def article_number(rng: random.Random) -> int:
    if rng.random() < 0.55:
        return HOT_ARTICLES[skewed(rng, len(HOT_ARTICLES), 0.5)]
    return rng.randint(1, 68)


def build_database(path: Path) -> dict:
    """Generate the benchmark database at ``path`` (schema and treaty from the real code)."""
    rng = random.Random(SEED)
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    started = time.perf_counter()
    registry = list(load_stakeholders().organizations.values())
    with Store(partial) as store:
        store.sync_treaty(load_treaty())
        store.sync_organizations(registry)
    extra = [
        {"id": f"bench-{n:03d}", "name": f"Bench Holder {n:03d}", "type": rng.choice(HOLDER_TYPES)}
        for n in range(EXTRA_HOLDERS)
    ]
    # The generated holders first: they are the prolific head of the distribution.
    holders = [(o["id"], o["name"], o["type"]) for o in extra] + [
        (o["id"], o["name"], o["type"]) for o in registry
    ]
    make_sentence = sentence_maker(rng, corpus_sentences())
    by_id = {holder[0]: holder for holder in holders}
    conn = sqlite3.connect(partial, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    triggers = conn.execute("select name, sql from sqlite_master where type = 'trigger'").fetchall()
    conn.execute("BEGIN")
    # Full-text indexes are rebuilt once at the end instead of row by row through triggers.
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER [{name}]")
    conn.executemany(
        "insert into organizations (id, name, type, origin, reviewed) "
        "values (?, ?, ?, 'registry', 1)",
        [(o["id"], o["name"], o["type"]) for o in extra],
    )
    documents, sentences, positions = [], [], []
    day0 = 18779  # 2021-06-01 as days since 1970-01-01
    for n in range(DOCUMENTS):
        doc_id = f"bench{n:06d}"
        author = holders[skewed(rng, len(holders))]
        texts = [make_sentence() for _ in range(SENTENCES_PER_DOCUMENT)]
        offset = 0
        for position, text in enumerate(texts):
            sentences.append(
                (f"{doc_id}-{position:04d}", doc_id, position, offset, offset + len(text), text)
            )
            offset += len(text) + 1
        # Dates cluster around the adoption (August 2024).
        day = day0 + int(min(max(rng.gauss(1165, 330), 0), 1855))
        published = time.strftime("%Y-%m-%d", time.gmtime(day * 86400))
        documents.append(
            (
                doc_id,
                f"https://statements.example/{author[0]}/{n}.html",
                author[0],
                f"Statement {n} by {author[1]}",
                published,
                published + "T12:00:00+00:00",
                " ".join(texts),
                f"hash{n}",
                "en",
                "text/html",
            )
        )
        positions.append(
            (
                f"pos{n:06d}",
                doc_id,
                None,
                author[0],
                author[1],
                author[2],
                "convention",
                None,
                rng.choices(STANCES, STANCE_WEIGHTS)[0],
                round(rng.uniform(0.3, 1), 4),
                None,
                None,
                None,
                "bench/1",
            )
        )
    conn.executemany(
        "insert into documents (id, url, organization_id, title, published, fetched_at, text, "
        "content_hash, language, content_type) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        documents,
    )
    conn.executemany(
        "insert into sentences (id, document_id, position, start, end, text) "
        "values (?, ?, ?, ?, ?, ?)",
        sentences,
    )
    stances = positions
    for n in range(SENTENCE_STANCES):
        sid, doc_id, _, start, end, text = sentences[rng.randrange(len(sentences))]
        if rng.random() < 0.3:  # someone the statement quotes or reports
            holder = holders[skewed(rng, len(holders))]
        else:
            holder = by_id[documents[int(doc_id[5:])][2]]
        article = article_number(rng) if rng.random() < 0.6 else None
        stances.append(
            (
                f"st{n:07d}",
                doc_id,
                sid,
                holder[0],
                holder[1],
                holder[2],
                f"article:{article}" if article else "convention",
                article,
                rng.choices(STANCES, STANCE_WEIGHTS)[0],
                round(rng.uniform(0.3, 1), 4),
                text,
                start,
                end,
                "bench/1",
            )
        )
    conn.executemany(
        "insert into stances (id, document_id, sentence_id, holder_id, holder_name, holder_type, "
        "target, article_number, stance, confidence, evidence, start, end, model) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        stances,
    )
    mentions = []
    for n in range(MENTIONS):
        sid, doc_id, _, start, _, _ = sentences[rng.randrange(len(sentences))]
        number = article_number(rng)
        mentions.append(
            (
                f"m{n:07d}",
                doc_id,
                sid,
                f"Article {number}",
                start,
                start + 10,
                str(number),
                rng.choice(VERSIONS),
                number,
                "explicit",
                0.9,
                "bench/1",
            )
        )
    conn.executemany(
        "insert into mentions (id, document_id, sentence_id, surface, start, end, cited_number, "
        "text_version, article_number, method, confidence, model) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        mentions,
    )
    for (fts,) in conn.execute(
        "select name from sqlite_master where type = 'table' and sql like 'CREATE VIRTUAL TABLE%'"
    ).fetchall():
        conn.execute(f"insert into [{fts}]([{fts}]) values ('rebuild')")
    for _, sql in triggers:
        conn.execute(sql)
    conn.execute("delete from holder_article_stances")  # kept by triggers, dropped for the load
    conn.execute(HOLDER_ARTICLE_COUNTS)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    partial.rename(path)
    return {
        "generated_seconds": round(time.perf_counter() - started, 1),
        "generated_documents": len(documents),
        "generated_sentences": len(sentences),
        "generated_stances": len(stances),
        "generated_mentions": len(mentions),
    }


def cached_database() -> tuple[Path, dict]:
    path = RESULTS / f"publish-bench-v{GENERATOR_VERSION}.db"
    if path.exists():
        return path, {"generated": f"cached ({path.name})"}
    RESULTS.mkdir(exist_ok=True)
    return path, build_database(path)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def timed(server: DatasetteServer, path: str, count: int = REQUESTS) -> tuple[list[float], int]:
    """Milliseconds per answered request after one warm-up, and how many were not answered
    (a time-limit error counts as not answered, with its time)."""
    server.get(path, timeout=60)
    times, failed = [], 0
    for _ in range(count):
        started = time.perf_counter()
        status, _ = server.get(path, timeout=60)
        times.append((time.perf_counter() - started) * 1000)
        failed += status != 200
    return times, failed


def summary(times: list[float], failed: int = 0) -> str:
    text = f"p50 {statistics.median(times):.0f} ms, p95 {percentile(times, 0.95):.0f} ms"
    return text + (f", {failed} of {len(times)} failed" if failed else "")


def chart_sql(sql: str, options: dict) -> str:
    """The chart's SQL with its optional [[ ... ]] parts kept or dropped, as the plugin does."""
    from datasette_dashboards import replace_opts_in_query

    return replace_opts_in_query(sql, options)


def measure(server: DatasetteServer, metadata: dict, db: str, figures: dict, p95: dict) -> None:
    for name in canned_queries(metadata):
        times, failed = [], 0
        for params in QUERY_PARAMETERS[name]:
            extra = {**params, "_shape": "objects"}
            more, bad = timed(server, f"/{db}/{name}.json?" + urllib.parse.urlencode(extra))
            times, failed = times + more, failed + bad
        figures[f"query {name}"] = summary(times, failed)
        p95[name] = percentile(times, 0.95) if not failed else float("inf")
        first = urllib.parse.urlencode(QUERY_PARAMETERS[name][0])
        html, bad = timed(server, f"/{db}/{name}?{first}", REQUESTS // 2)
        figures[f"query {name} (HTML page)"] = summary(html, bad)
    for key, chart in dashboard_charts(metadata).items():
        times, failed = [], 0
        for options in DASHBOARD_FILTERS:
            sql = chart_sql(chart["query"], options)
            extra = {"sql": sql, **options, "_shape": "objects"}
            more, bad = timed(server, f"/{db}.json?" + urllib.parse.urlencode(extra))
            times, failed = times + more, failed + bad
        figures[f"chart {key}"] = summary(times, failed)
        p95[key] = percentile(times, 0.95) if not failed else float("inf")
    for page in PAGES:
        figures[f"page {page}"] = summary(*timed(server, page, REQUESTS // 2))


def run() -> dict:
    source, figures = cached_database()
    out = RESULTS / "publish-bench-site"
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    counts = publish(source, out)
    figures["publish_seconds"] = round(time.perf_counter() - started, 1)
    figures["published_sentences"] = counts["sentences"]
    figures["published_stances"] = counts["stances"]
    figures["database_mb"] = round(counts["database_bytes"] / 1e6, 1)
    figures["csv_mb"] = round(sum(p.stat().st_size for p in (out / "csv").iterdir()) / 1e6, 1)
    metadata = metadata_for(out / f"{source.stem}.db")
    db = source.stem
    p95 = {}
    figures["load average before"] = round(os.getloadavg()[0], 1)
    with DatasetteServer.for_folder(out) as server:
        try:
            measure(server, metadata, db, figures, p95)
        except OSError as error:
            raise RuntimeError(
                f"{error}; Datasette exit status {server.process.poll()}: {server.errors()[-2000:]}"
            ) from error
    figures["load average after"] = round(os.getloadavg()[0], 1)
    slowest_query = max((v, k) for k, v in p95.items() if "/" not in k)
    figures["slowest canned query p95"] = f"{slowest_query[1]}: {slowest_query[0]:.0f} ms"
    figures["canned queries all under 200 ms p95"] = slowest_query[0] < 200
    heatmap = [v for k, v in p95.items() if k.endswith("/heatmap")]
    figures["heat map under 500 ms p95"] = bool(heatmap) and max(heatmap) < 500
    return figures
