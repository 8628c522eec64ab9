"""How the site is served: Datasette's settings for a public instance, the command line, and a
server that tests and benchmarks start on 127.0.0.1 and stop again."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

SITE = Path(__file__).resolve().parent
TEMPLATES = SITE / "templates"
PLUGINS = SITE / "plugins"

# Safe in public: every query is cut off after a second, no page returns more than 1,000 rows,
# and the (immutable) database file can be downloaded whole instead of scraped page by page.
SETTINGS = {
    "sql_time_limit_ms": 1000,
    "max_returned_rows": 1000,
    "facet_time_limit_ms": 300,
    "allow_download": True,
    "default_page_size": 50,
}


class ServerError(RuntimeError):
    """Datasette did not start; the message carries its error output."""


def datasette_args(
    db_path: Path, metadata_path: Path, port: int | None = 8001, host: str | None = "127.0.0.1"
) -> list[str]:
    """Arguments of ``datasette serve``: the file opened immutable, with the site's metadata,
    templates, plugins and settings."""
    args = [
        "serve",
        "--immutable",
        str(db_path),
        "--metadata",
        str(metadata_path),
        "--template-dir",
        str(TEMPLATES),
        "--plugins-dir",
        str(PLUGINS),
    ]
    if port is not None:
        args += ["--port", str(port)]
    if host is not None:
        args += ["--host", host]
    for key, value in SETTINGS.items():
        args += ["--setting", key, setting_text(value)]
    return args


def setting_text(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def datasette_command(
    db_path: Path, metadata_path: Path, port: int = 8001, host: str = "127.0.0.1"
) -> list[str]:
    return [sys.executable, "-m", "datasette", *datasette_args(db_path, metadata_path, port, host)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DatasetteServer:
    """Datasette in a child process on 127.0.0.1 and a free port, for tests and benchmarks.

    ``DatasetteServer.for_folder(out)`` serves a published folder the way ``datasette serve
    out/`` does (configuration-directory mode); ``DatasetteServer(command_args)`` runs any
    ``datasette`` arguments, given without ``--port``/``--host``; ``module="stancemap"`` runs
    ``stancemap`` instead (``["serve", "--db", path]``), which takes the same two options.
    """

    def __init__(
        self, args: list[str], startup_seconds: float = 60, module: str = "datasette"
    ) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.command = [
            sys.executable,
            "-m",
            module,
            *args,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        self.startup_seconds = startup_seconds
        self.process: subprocess.Popen | None = None

    @classmethod
    def for_folder(cls, folder: Path) -> DatasetteServer:
        return cls(["serve", str(folder)])

    @classmethod
    def for_database(cls, db_path: Path, metadata_path: Path) -> DatasetteServer:
        return cls(datasette_args(db_path, metadata_path, port=None, host=None))

    def __enter__(self) -> DatasetteServer:
        # A file, not a pipe: nobody reads the log while the server runs, and a full pipe would
        # block it.
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + self.startup_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"Datasette exited: {self.errors()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/-/versions.json", timeout=2):
                    return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.stop()
        raise ServerError(f"Datasette did not answer within {self.startup_seconds:.0f}s")

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def errors(self) -> str:
        """What Datasette wrote to stderr so far."""
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def get(self, path: str, timeout: float = 30) -> tuple[int, bytes]:
        """Status and body of a GET, errors included (a 400 is an answer, not an exception)."""
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def get_json(self, path: str, timeout: float = 30) -> tuple[int, dict]:
        status, body = self.get(path, timeout)
        return status, json.loads(body)
