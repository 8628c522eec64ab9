"""Datasette plugin and exporter: Atom feeds of new statements — all of them, and one per article
of the convention (statements that take a stance on it or cite it).

The same code serves ``/-/feeds/statements.atom`` and ``/-/feeds/article-N.atom`` from Datasette
and writes the static ``feeds/`` files of ``stancemap publish`` (``db.site.export`` imports this
module). Self-contained: the published ``plugins/`` folder runs where stancemap is not installed.
XML is built with ElementTree, which escapes all text; characters XML cannot carry are dropped.
"""

from __future__ import annotations

import re
import sqlite3
import urllib.parse
import xml.etree.ElementTree as ET

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

ATOM = "http://www.w3.org/2005/Atom"
FEED_LIMIT = 50
STANCES_PER_ENTRY = 5
EPOCH = "1970-01-01T00:00:00Z"
# XML 1.0 forbids most control characters; scraped text sometimes has them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

ET.register_namespace("", ATOM)

ALL_STATEMENTS_SQL = """
select d.id, d.url, d.title, d.published, d.fetched_at, o.name as organization
from documents d
left join organizations o on o.id = d.organization_id
where d.duplicate_of is null
order by coalesce(d.published, d.fetched_at) desc, d.id
limit :limit
"""

ARTICLE_STATEMENTS_SQL = """
with picked as (
  select document_id from stances where article_number = :article
  union
  select document_id from mentions where article_number = :article
)
select d.id, d.url, d.title, d.published, d.fetched_at, o.name as organization
from picked p
join documents d on d.id = p.document_id
left join organizations o on o.id = d.organization_id
where d.duplicate_of is null
order by coalesce(d.published, d.fetched_at) desc, d.id
limit :limit
"""


def _text(value: object) -> str:
    return NOT_XML.sub("", "" if value is None else str(value))


def atom_time(value: str | None) -> str | None:
    """'2024-08-09' or '2024-08-09T10:00:00+00:00' -> RFC 3339 as Atom wants it."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value + "T00:00:00Z"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", value):
        return value.replace("+00:00", "Z")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}", value):
        return value.replace(" ", "T") + "Z"
    return None


def _web_url(value: object) -> str:
    # The rule of stancemap_pages.http_url: Datasette loads each plugin file on its own, so the
    # two cannot import each other.
    url = value.strip() if isinstance(value, str) else ""
    ok = urllib.parse.urlsplit(url).scheme.lower() in ("http", "https") if url else False
    return url if ok and not any(c.isspace() for c in url) else ""


def _sub(parent: ET.Element, tag: str, text: object = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(
        parent, f"{{{ATOM}}}{tag}", {k: _text(v) for k, v in attributes.items()}
    )
    if text is not None:
        element.text = _text(text)
    return element


def _entry_summary(
    conn: sqlite3.Connection, document_id: str, article: int | None
) -> tuple[str, list[str]]:
    """The entry's text and its categories (stance labels)."""
    if article is None:
        position = conn.execute(
            "select stance, confidence from stances where document_id = ? and sentence_id is null",
            [document_id],
        ).fetchone()
        cited = [
            str(row[0])
            for row in conn.execute(
                "select distinct article_number from mentions "
                "where document_id = ? and article_number is not null order by article_number",
                [document_id],
            )
        ]
        parts = []
        if position:
            parts.append(
                f"Position on the convention: {position[0]} (confidence {position[1]:.2f})."
            )
        if cited:
            parts.append("Articles cited: " + ", ".join(cited) + ".")
        return " ".join(parts) or "No stance read yet.", [position[0]] if position else []
    rows = conn.execute(
        "select holder_name, stance, confidence, evidence from stances "
        "where document_id = ? and article_number = ? order by confidence desc limit ?",
        [document_id, article, STANCES_PER_ENTRY],
    ).fetchall()
    lines = []
    for holder, stance, confidence, evidence in rows:
        line = f"{holder} — {stance} (confidence {confidence:.2f})"
        lines.append(f"{line}: {evidence}" if evidence else line)
    summary = "\n".join(lines) or f"Cites Article {article}; no stance on it was read."
    return summary, sorted({row[1] for row in rows})


def build_feed(
    conn: sqlite3.Connection,
    article: int | None = None,
    site_url: str = "",
    limit: int = FEED_LIMIT,
    title: str = "stancemap",
) -> bytes:
    """The Atom document for all statements (``article=None``) or those on one article.

    ``site_url`` (ending in "/") makes links to the site's pages; a static export without one
    links only to the statements' own pages.
    """
    name = "statements" if article is None else f"article-{article}"
    if article is None:
        rows = conn.execute(ALL_STATEMENTS_SQL, {"limit": limit}).fetchall()
        feed_title = f"{title}: new statements"
    else:
        found = conn.execute("select title from articles where number = ?", [article]).fetchone()
        if found is None:
            raise LookupError(f"no article {article}")
        rows = conn.execute(ARTICLE_STATEMENTS_SQL, {"article": article, "limit": limit}).fetchall()
        feed_title = f"{title}: new statements on Article {article} ({found[0]})"

    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "id", f"{site_url}-/feeds/{name}.atom" if site_url else f"urn:stancemap:feed:{name}")
    _sub(feed, "title", feed_title)
    if site_url:
        _sub(feed, "link", rel="self", href=f"{site_url}-/feeds/{name}.atom")
        page = "-/articles" if article is None else f"-/articles/{article}"
        _sub(feed, "link", rel="alternate", href=site_url + page)
    author = _sub(feed, "author")
    _sub(author, "name", title)
    updated = _sub(feed, "updated")
    newest = None
    for document_id, url, doc_title, published, fetched_at, organization in rows:
        when = atom_time(published) or atom_time(fetched_at) or EPOCH
        newest = max(newest or when, when)
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"urn:stancemap:statement:{document_id}")
        _sub(entry, "title", doc_title or "Untitled statement")
        _sub(entry, "updated", when)
        if atom_time(published):
            _sub(entry, "published", atom_time(published))
        entry_author = _sub(entry, "author")
        _sub(entry_author, "name", organization or "unknown publisher")
        source = _web_url(url)
        if source:
            _sub(entry, "link", rel="alternate", href=source)
        elif site_url:
            _sub(entry, "link", rel="alternate", href=f"{site_url}-/articles")
        summary, stances = _entry_summary(conn, document_id, article)
        for stance in stances:
            _sub(entry, "category", term=stance)
        _sub(entry, "summary", summary, type="text")
    updated.text = newest or _latest_fetch(conn)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _latest_fetch(conn: sqlite3.Connection) -> str:
    row = conn.execute("select max(fetched_at) from documents").fetchone()
    return atom_time(row[0]) if row and row[0] else EPOCH


def _site_title(datasette) -> str:
    return (datasette.metadata("title") or "stancemap").split(" — ")[0]


async def _feed_response(request, datasette, article: int | None) -> Response:
    database = None
    for name, candidate in datasette.databases.items():
        if not name.startswith("_") and await candidate.table_exists("stances"):
            database = candidate
            break
    if database is None:
        raise NotFound("No stancemap database is served here")
    site_url = datasette.absolute_url(request, datasette.urls.instance())
    title = _site_title(datasette)
    try:
        body = await database.execute_fn(
            lambda conn: build_feed(conn, article=article, site_url=site_url, title=title)
        )
    except LookupError as error:
        raise NotFound(str(error)) from error
    return Response(body, content_type="application/atom+xml; charset=utf-8")


async def statements_feed(request, datasette):
    return await _feed_response(request, datasette, None)


async def article_feed(request, datasette):
    return await _feed_response(request, datasette, int(request.url_vars["number"]))


@hookimpl
def register_routes():
    return [
        (r"^/-/feeds/statements\.atom$", statements_feed),
        (r"^/-/feeds/article-(?P<number>\d{1,4})\.atom$", article_feed),
    ]
