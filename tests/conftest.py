"""Shared fixtures: a temporary database, the demo web served on 127.0.0.1, the models loaded
once per session, and a way to run the real CLI in a child process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from stancemap.config import DEMO_DIR, REPOSITORY
from stancemap.webserver import StaticSite

ARTIFACTS = REPOSITORY / "test-artifacts"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture(scope="session")
def demo_web():
    """The bundled demo web, served over HTTP for the whole session."""
    with StaticSite(DEMO_DIR / "web") as site:
        yield site


def run_cli(
    *args: str,
    input: str | None = None,
    env: dict | None = None,
    timeout: int = 900,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess:
    """Run `stancemap ...` in a child process, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "stancemap", *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})},
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def analyzer():
    """The real analysis pipeline (spaCy + MiniLM), loaded once."""
    from nlp.pipeline import Analyzer

    return Analyzer()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The demo database, built once per session the way `make demo` builds it (`stancemap demo
    --no-serve`: serve the demo web, crawl it over HTTP, analyze, publish). Read-only for tests:
    copy it before writing."""
    folder = tmp_path_factory.mktemp("demo")
    db = folder / "demo.db"
    result = run_cli(
        "demo",
        "--no-serve",
        "--db",
        str(db),
        "--out",
        str(folder / "site"),
        "--web-port",
        str(free_port()),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return db
