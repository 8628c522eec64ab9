"""A small threaded web server for the crawler's tests: the fixture web in
``tests/fixtures/crawl/site`` plus the hostile behaviours real servers show (503 with
Retry-After, 429, flaky 500s, redirects, slow answers, oversized bodies, a gzip bomb, a
robots.txt that answers 503 or drops the connection). It records every request it gets, so
tests can check what the crawler asked for, when, and with which headers.

Started on 127.0.0.1 on a free port by the tests (``with CrawlServer() as server: ...``).
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import yaml

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "crawl"
SITE = FIXTURES / "site"
LAST_MODIFIED = "Mon, 04 Nov 2024 10:00:00 GMT"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".xml": "application/xml", ".rss": "application/rss+xml",
    ".gz": "application/gzip", ".pdf": "application/pdf", ".txt": "text/plain",
}
REDIRECTS = {
    "/ngo-ashgrove/old/zero-draft": "/ngo-ashgrove/2023/07/first-look-zero-draft/",
}


def statement(title: str, paragraphs: list[str]) -> bytes:
    """A short on-topic page for the hostile routes."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
            f'<body><nav><a href="/hostile/">Index</a></nav><article><h1>{title}</h1>'
            f"<p>Published 3 May 2024.</p>{body}</article></body></html>").encode()


# Each page its own words, or the crawler rightly takes them for copies of one another.
HOSTILE_PAGES = {
    "/hostile/retry-after.html": [
        "Our association has followed the negotiation of the UN Convention against Cybercrime "
        "since the first session of the Ad Hoc Committee in New York.",
        "Small businesses lose money to online fraud every day, and police forces tell us "
        "that evidence held abroad is the hardest part of every case they open.",
        "We support the convention's chapter on mutual legal assistance, provided that "
        "requests are answered within weeks rather than months.",
    ],
    "/hostile/rate-limited.html": [
        "Librarians care about access to knowledge, and the cybercrime treaty adopted by the "
        "United Nations will shape how researchers may use computer systems.",
        "We ask that the offence of illegal access exclude text and data mining done for "
        "research and preservation, which libraries carry out lawfully.",
        "Archives of public web pages should never be treated as stolen data.",
    ],
    "/hostile/flaky.html": [
        "Teachers' unions have rarely spoken about international criminal law, but the UN "
        "cybercrime convention touches the devices our students carry to school.",
        "Any order to search a phone under the convention's procedural powers must respect "
        "the rights of children and involve a judge.",
        "We will ask our education ministry to consult us before ratification.",
    ],
    "/hostile/slow.html": [
        "A slow server still publishes statements on the United Nations Convention against "
        "Cybercrime, but a crawler cannot wait forever for them.",
    ],
}


@dataclass
class Hit:
    at: float
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Behaviour:
    robots: str = "file"  # file | 503 | drop
    delay: float = 0.0  # seconds added to every answer (for kill-and-resume tests)
    etags: bool = True
    hits: list[Hit] = field(default_factory=list)
    active: int = 0  # requests inside their `delay` right now
    most_active: int = 0  # the most at any one time (with a delay set)
    counts: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Handler(BaseHTTPRequestHandler):
    server_version = "stancemap-crawl-fixture/1"
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
        pass

    @property
    def behaviour(self) -> Behaviour:
        return self.server.behaviour  # type: ignore[attr-defined]

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        path = urlsplit(self.path).path
        behaviour = self.behaviour
        with behaviour.lock:
            behaviour.hits.append(Hit(time.monotonic(), "GET", self.path, dict(self.headers)))
            count = behaviour.counts[path] = behaviour.counts.get(path, 0) + 1
        if behaviour.delay:
            # Requests that overlap while the server "thinks" were sent concurrently.
            with behaviour.lock:
                behaviour.active += 1
                behaviour.most_active = max(behaviour.most_active, behaviour.active)
            time.sleep(behaviour.delay)
            with behaviour.lock:
                behaviour.active -= 1
        self.answer(path, count)

    def answer(self, path: str, count: int) -> None:
        if path == "/robots.txt" and self.behaviour.robots != "file":
            if self.behaviour.robots == "503":
                return self.send(503, b"<h1>Service unavailable</h1>", "text/html")
            self.close_connection = True
            self.connection.shutdown(2)  # drop the connection without an answer
            return
        if path in REDIRECTS:
            return self.send(301, b"", "text/html", {"Location": self.base + REDIRECTS[path]})
        if path.startswith("/hostile/"):
            return self.hostile(path, count)
        self.static(path)

    def send(self, status: int, body: bytes, content_type: str | None,
             headers: dict[str, str] | None = None, length: bool = True) -> None:
        try:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            if length:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler gave up (a timeout, a body over its size limit)

    def static(self, path: str) -> None:
        target = (SITE / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        if SITE not in target.parents or not target.is_file():
            return self.send(404, b"<h1>Not found</h1>", "text/html")
        body = target.read_bytes()
        if target.suffix in (".html", ".xml", ".rss", ".txt", ""):
            body = body.replace(b"{{base}}", self.base.encode())
        elif target.suffix == ".gz":
            body = gzip.compress(gzip.decompress(body).replace(b"{{base}}", self.base.encode()),
                                 mtime=0)
        default = CONTENT_TYPES.get(target.suffix, CONTENT_TYPES[".html"])
        content_type = overrides().get(path) or default
        headers = {}
        if self.behaviour.etags:
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
            if self.headers.get("If-None-Match") == etag:
                return self.send(304, b"", None, headers)
        self.send(200, body, content_type, headers)

    def hostile(self, path: str, count: int) -> None:
        html = "text/html; charset=utf-8"
        if path == "/hostile/":
            links = "".join(f'<li><a href="/hostile/{n}">{n}</a></li>' for n in HOSTILE_LINKS)
            return self.send(200, f"<html><body><ul>{links}</ul></body></html>".encode(), html)
        if path in HOSTILE_PAGES and path != "/hostile/slow.html":
            page = statement(path.rsplit("/", 1)[1], HOSTILE_PAGES[path])
            if path.endswith("retry-after.html") and count == 1:
                return self.send(503, b"busy", html, {"Retry-After": "2"})
            if path.endswith("rate-limited.html") and count == 1:
                return self.send(429, b"slow down", html, {"Retry-After": "1"})
            if path.endswith("flaky.html") and count == 1:
                return self.send(500, b"oops", html)
            return self.send(200, page, html)
        if path == "/hostile/broken.html":
            return self.send(500, b"<h1>Internal error</h1>", html)
        if path == "/hostile/come-back-tomorrow.html":
            return self.send(503, b"maintenance", html, {"Retry-After": "86400"})
        if path == "/hostile/oversized.html":
            return self.send(200, b"<html><body>" + b"<p>padding</p>" * 150_000, html)
        if path == "/hostile/oversized-streamed.html":
            return self.send(200, b"<html><body>" + b"<p>padding</p>" * 150_000, html, length=False)
        if path == "/hostile/gzip-bomb.html":
            return self.send(200, gzip_bomb(), html, {"Content-Encoding": "gzip"})
        if path == "/hostile/slow.html":
            time.sleep(4)
            return self.send(200, statement("slow", HOSTILE_PAGES[path]), html)
        if path == "/hostile/binary.bin":
            return self.send(200, bytes(range(256)) * 40, "application/octet-stream")
        if path == "/hostile/empty.html":
            return self.send(200, b"", html)
        return self.send(404, b"<h1>Not found</h1>", html)


HOSTILE_LINKS = [
    "retry-after.html", "rate-limited.html", "flaky.html", "broken.html",
    "come-back-tomorrow.html", "oversized.html", "oversized-streamed.html", "gzip-bomb.html",
    "slow.html", "binary.bin", "empty.html", "missing.html",
]


def gzip_bomb() -> bytes:
    """About 100 KB that inflate to 100 MB of zeros."""
    return _bomb.body


class _Bomb:
    @cached_property
    def body(self) -> bytes:
        compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip container
        chunk = b"\0" * (1 << 20)
        return b"".join(compressor.compress(chunk) for _ in range(100)) + compressor.flush()


_bomb = _Bomb()


def overrides() -> dict[str, str]:
    """Content-Type the server sends for hand-written pages (wrong or missing charsets)."""
    global _OVERRIDES
    if _OVERRIDES is None:
        corpus = yaml.safe_load((FIXTURES / "corpus.yaml").read_text(encoding="utf-8"))
        _OVERRIDES = {
            p["path"]: p["content_type"] for p in corpus["pages"] if p.get("content_type")
        }
    return _OVERRIDES


_OVERRIDES: dict[str, str] | None = None


class CrawlServer:
    """``with CrawlServer(robots="503") as server: server.base_url, server.hits``."""

    def __init__(self, **behaviour) -> None:
        self.behaviour = Behaviour(**behaviour)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.behaviour = self.behaviour  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def hits(self) -> list[Hit]:
        with self.behaviour.lock:
            return list(self.behaviour.hits)

    def requested(self, path: str) -> list[Hit]:
        return [hit for hit in self.hits if urlsplit(hit.path).path == path]

    def __enter__(self) -> CrawlServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

