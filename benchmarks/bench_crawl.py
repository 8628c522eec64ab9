"""Crawl-and-extract throughput over a local site of 1,200 statement-like pages, next to
``scrapy bench`` run on the same machine in the same run; peak memory of the crawl; and the
extraction and relevance quality figures of ``python -m crawlers.quality``.

The crawl is the real one (``stancemap crawl`` in a child process: robots.txt, the spider,
trafilatura, relevance, near-duplicate signatures, SQLite writes) with politeness delays off,
since the site is local. ``scrapy bench`` follows links on its own local server and extracts
nothing: it is the ceiling of what Scrapy does on this machine.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
PAGES = 1200
PER_LISTING = 50
CRAWL_SETTINGS = {
    "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16", "LOG_LEVEL": "WARNING",
    "STANCEMAP_PROGRESS_INTERVAL": "0",
}
WORDS = (
    "states delegations court evidence data provider request cooperation safeguards oversight "
    "parliament ratification police investigation journalists researchers privacy security "
    "network servers offences powers judges notification secrecy interception traffic "
    "preservation assistance reform budget transparency report citizens victims fraud "
    "ransomware companies customers encryption access systems law rights treaty text article"
).split()


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(12, 24))
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def page_html(rng: random.Random, number: int) -> str:
    on_topic = number % 2 == 0
    title = (f"Statement {number} on the UN Convention against Cybercrime" if on_topic
             else f"Update {number} from our programme team")
    paragraphs = [" ".join(sentence(rng) for _ in range(rng.randint(3, 6)))
                  for _ in range(rng.randint(4, 8))]
    if on_topic:
        paragraphs.insert(1, "The United Nations Convention against Cybercrime and its Article "
                          f"{rng.randint(1, 68)} were discussed by the Ad Hoc Committee.")
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    sidebar = "".join(f'<li><a href="/posts/{rng.randint(0, PAGES - 1)}.html">Related</a></li>'
                      for _ in range(5))
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta property="article:published_time" content="{day}T09:00:00Z"></head><body>
<header><nav><a href="/">Home</a> <a href="/about.html">About</a>
<a href="/donate.html">Donate</a></nav></header>
<div class="cookie">We use cookies to improve this site. Accept or manage your settings.</div>
<main><article><h1>{title}</h1><p class="byline">Published {day} by the policy team</p>
{body}
<div class="share">Share: Mastodon, Email, Print</div></article>
<aside><h3>Related</h3><ul>{sidebar}</ul>
<p>Subscribe to our newsletter for monthly analysis.</p></aside></main>
<footer><p>Benchmark organisation, 1 Example Street. All content CC BY 4.0.</p></footer>
</body></html>"""


def build_site(root: Path, seed: int = 1) -> int:
    rng = random.Random(seed)
    (root / "posts").mkdir(parents=True)
    for number in range(PAGES):
        (root / "posts" / f"{number}.html").write_text(page_html(rng, number), encoding="utf-8")
    listings = (PAGES + PER_LISTING - 1) // PER_LISTING
    for index in range(listings):
        links = "".join(f'<li><a href="/posts/{n}.html">Post {n}</a></li>'
                        for n in range(index * PER_LISTING, min(PAGES, (index + 1) * PER_LISTING)))
        next_link = ""
        if index + 1 < listings:
            next_link = f'<a rel="next" href="/news/{index + 2}.html">Next</a>'
        (root / "news").mkdir(exist_ok=True)
        (root / "news" / f"{index + 1}.html").write_text(
            f"<html><body><ul>{links}</ul>{next_link}</body></html>", encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")
    return PAGES + listings


def run_crawl(base_url: str, folder: Path) -> dict:
    sources = folder / "sources.yaml"
    sources.write_text(
        "organizations:\n- id: bench\n  name: Benchmark Organisation\n  type: ngo\n"
        f"  country: null\n  sources:\n  - url: '{base_url}/news/1.html'\n    kind: listing\n",
        encoding="utf-8",
    )
    db = folder / "bench.db"
    command = [sys.executable, "-m", "stancemap", "crawl", "--db", str(db),
               "--sources", str(sources)]
    for key, value in CRAWL_SETTINGS.items():
        command += ["--set", f"{key}={value}"]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stderr = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"crawl failed: {stderr[-2000:]}")
    match = re.search(r"(\d+) responses in ([\d.]+)s", stderr)
    responses, seconds = (int(match.group(1)), float(match.group(2))) if match else (0, wall)
    stored = re.search(r"(\d+) stored", stderr)
    return {
        "responses": responses,
        "seconds": seconds,
        "wall_seconds_with_startup": round(wall, 1),
        "stored": int(stored.group(1)) if stored else 0,
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux: kilobytes
    }


def run_scrapy_bench() -> float:
    """Pages per second of ``scrapy bench`` (outside the project, with Scrapy's defaults)."""
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    scrapy = Path(sys.executable).with_name("scrapy")
    with tempfile.TemporaryDirectory() as folder:
        result = subprocess.run([str(scrapy), "bench", "-s", "LOG_LEVEL=INFO"], cwd=folder,
                                env=env, capture_output=True, text=True, timeout=300)
    responses = re.search(r"'response_received_count': (\d+)", result.stderr)
    elapsed = re.search(r"'elapsed_time_seconds': ([\d.]+)", result.stderr)
    if not responses or not elapsed:
        raise RuntimeError(f"could not read scrapy bench's stats: {result.stderr[-2000:]}")
    return int(responses.group(1)) / float(elapsed.group(1))


def run() -> dict:
    sys.path.insert(0, str(REPOSITORY))
    from crawlers.quality import report
    from stancemap.webserver import StaticSite

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "site"
        pages = build_site(root)
        with StaticSite(root) as site:
            crawl = run_crawl(site.base_url, Path(folder))
    scrapy_rate = run_scrapy_bench()
    rate = crawl["responses"] / crawl["seconds"]
    quality = report()
    return {
        "site_pages": pages,
        "crawl_responses": crawl["responses"],
        "crawl_statements_stored": crawl["stored"],
        "crawl_seconds": crawl["seconds"],
        "crawl_wall_seconds_with_startup": crawl["wall_seconds_with_startup"],
        "crawl_pages_per_second": round(rate, 1),
        "scrapy_bench_pages_per_second": round(scrapy_rate, 1),
        "ratio_to_scrapy_bench": round(rate / scrapy_rate, 3),
        "crawl_peak_rss_mb": crawl["peak_rss_mb"],
        "extraction_pages": quality["extraction"]["pages"],
        "extraction_mean_token_f1": quality["extraction"]["mean_token_f1"],
        "extraction_date_accuracy": quality["extraction"]["date_accuracy"],
        "relevance_fixture_precision": quality["relevance_fixtures"]["precision"],
        "relevance_fixture_recall": quality["relevance_fixtures"]["recall"],
        "relevance_demo_precision": quality["relevance_demo"]["precision"],
        "relevance_demo_recall": quality["relevance_demo"]["recall"],
    }
