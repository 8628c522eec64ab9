"""A small static web server for the bundled demo web (and for tests): serves a folder on
127.0.0.1, filling ``{{base}}`` in text files with the server's own base URL."""

from __future__ import annotations

import mimetypes
import threading
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

TEXT_SUFFIXES = {".html", ".htm", ".xml", ".txt", ".rss", ".atom"}
CONTENT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".txt": "text/plain",
    ".pdf": "application/pdf",
}


class StaticHandler(BaseHTTPRequestHandler):
    server_version = "stancemap-demo/1"

    def __init__(self, *args, root: Path, **kwargs):
        self.root = root
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
        pass

    def _resolve(self) -> Path | None:
        path = unquote(urlsplit(self.path).path)
        candidate = (self.root / path.lstrip("/")).resolve()
        if self.root not in candidate.parents and candidate != self.root:
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def do_HEAD(self) -> None:  # noqa: N802 - the stdlib's name
        self._serve(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        path = self._resolve()
        if path is None:
            body = b"<html><body><h1>Not found</h1></body></html>"
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)
            return
        body = path.read_bytes()
        suffix = path.suffix.lower()
        if suffix in TEXT_SUFFIXES:
            host, port = self.server.server_address[:2]
            body = body.replace(b"{{base}}", f"http://{host}:{port}".encode("ascii"))
        content_type = (
            CONTENT_TYPES.get(suffix)
            or mimetypes.guess_type(path.name)[0]
            or "application/octet-stream"
        )
        # Pages declare their own charset in a meta tag where it is not UTF-8.
        if content_type.startswith("text/") and b"charset=windows-1252" not in body[:2048].lower():
            content_type += "; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)


class StaticSite:
    """Serve ``root`` on 127.0.0.1 (a free port by default) in a background thread."""

    def __init__(self, root: Path, port: int = 0):
        self.root = Path(root).resolve()
        self.server = ThreadingHTTPServer(
            ("127.0.0.1", port), partial(StaticHandler, root=self.root)
        )
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> StaticSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
