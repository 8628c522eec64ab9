"""`stancemap demo`: serve the bundled demo web, crawl it over HTTP with the real spider,
analyze, publish, then serve Datasette.

The crawl runs in a child process (Twisted's reactor starts once per process), against the demo
web served from this one.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from stancemap.config import DEMO_DIR
from stancemap.webserver import StaticSite

# The demo web is ours and local: no need to wait between requests.
DEMO_CRAWL_SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "LOG_LEVEL": "WARNING",
}


def demo_sources() -> Path:
    return DEMO_DIR / "sources.yaml"


def crawl_in_child(db: Path, sources: Path, base_url: str | None, settings: dict[str, str]) -> int:
    command = [
        sys.executable,
        "-m",
        "stancemap",
        "crawl",
        "--db",
        str(db),
        "--sources",
        str(sources),
    ]
    if base_url:
        command += ["--base-url", base_url]
    for key, value in settings.items():
        command += ["--set", f"{key}={value}"]
    return subprocess.run(command, check=False).returncode


DEMO_WEB_PORT = 8780


def build_demo(
    db: Path, out: Path, progress: Callable[[str], None], web_port: int = DEMO_WEB_PORT
) -> dict:
    """Serve the demo web, crawl it, analyze and publish; returns the database counts.

    The demo web's port is part of every page's URL, so a fixed port keeps a rebuild of the
    same database incremental (a second run changes nothing).
    """
    from db.site import publish
    from db.store import Store
    from nlp.analyze import analyze_store
    from nlp.pipeline import Analyzer

    started = time.monotonic()
    with StaticSite(DEMO_DIR / "web", port=web_port) as site:
        progress(f"demo web serving at {site.base_url}")
        progress("crawling the demo web over HTTP ...")
        code = crawl_in_child(db, demo_sources(), site.base_url, DEMO_CRAWL_SETTINGS)
        if code != 0:
            raise RuntimeError(f"the crawl exited with status {code}")
    progress(f"crawl done in {time.monotonic() - started:.1f}s; analyzing ...")
    with Store(db) as store:
        analyze_store(store, lambda orgs: Analyzer(organizations=orgs), progress=progress)
        counts = store.counts()
    progress("publishing ...")
    publish(db, out)
    progress(f"demo built in {time.monotonic() - started:.1f}s: {counts}")
    return counts
