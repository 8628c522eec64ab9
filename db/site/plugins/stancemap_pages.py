"""Datasette plugin: the pages people read — one page per article of the convention, each
evidence sentence in the context of its statement — and links from every stance to them.

Self-contained (Datasette, markupsafe and the standard library only): the published folder's
``plugins/`` is copied to whatever host serves the data, where stancemap is not installed.
Everything scraped goes through Jinja's autoescaping or ``markupsafe.escape``; links are made
only from ``http(s)`` URLs, so a ``javascript:`` address in a statement stays text.
"""

from __future__ import annotations

import functools
import urllib.parse
from collections import defaultdict

import datasette.handle_exception as datasette_errors
from datasette import hookimpl
from datasette.plugins import pm
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

STANCE_ORDER = ("support", "oppose", "mixed", "neutral")
HOLDERS_PER_STANCE = 50
EVIDENCE_PER_HOLDER = 3
CONTEXT_SENTENCES = 2
LINKED_COLUMNS = frozenset({"context", "article", "holder_id", "sentence_id", "article_number"})
LINKED_ARTICLE_TABLES = ("stances", "mentions", "positions", "article_concordance")


def http_url(value: object) -> str:
    """The URL if it is an http(s) address, else "" (never a link to ``javascript:`` & co.)."""
    if not isinstance(value, str):
        return ""
    url = value.strip()
    scheme = urllib.parse.urlsplit(url).scheme.lower() if url else ""
    return url if scheme in ("http", "https") and not any(c.isspace() for c in url) else ""


async def stancemap_database(datasette):
    """The first served database that holds stancemap's tables."""
    for name, database in datasette.databases.items():
        if name.startswith("_"):
            continue
        if await database.table_exists("stances") and await database.table_exists("articles"):
            return database
    raise NotFound("No stancemap database is served here")


def _page_context(datasette, database) -> dict:
    labels = datasette.metadata("labels") or {}
    return {
        "database_name": database.name,
        "stance_labels": labels.get("stance") or {},
        "holder_type_labels": labels.get("holder_type") or {},
        "stance_order": STANCE_ORDER,
    }


# --- article list and article pages -----------------------------------------------------------


async def article_list(request, datasette):
    database = await stancemap_database(datasette)
    articles = (
        await database.execute(
            "select number, title, chapter, chapter_title from articles order by number"
        )
    ).rows
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in await database.execute(
        "select article_number, stance, count(*) from stances "
        "where article_number is not null group by article_number, stance"
    ):
        counts[row[0]][row[1]] = row[2]
    mentions = dict(
        (
            await database.execute(
                "select article_number, count(*) from mentions "
                "where article_number is not null group by article_number"
            )
        ).rows
    )
    chapters: dict[str, dict] = {}
    for article in articles:
        chapter = chapters.setdefault(
            article["chapter"],
            {"number": article["chapter"], "title": article["chapter_title"], "articles": []},
        )
        chapter["articles"].append(
            {
                **dict(article),
                "stances": counts.get(article["number"], {}),
                "mentions": mentions.get(article["number"], 0),
            }
        )
    return Response.html(
        await datasette.render_template(
            "stancemap_articles.html",
            {**_page_context(datasette, database), "chapters": list(chapters.values())},
            request=request,
        )
    )


# The evidence of each holder's stances on one article: the best EVIDENCE_PER_HOLDER sentences
# of the HOLDERS_PER_STANCE holders with most sentences per stance. Ranked on narrow rows first,
# so only the rows shown are joined to their text (a popular article has thousands).
ARTICLE_EVIDENCE_SQL = """
with picked as (
  select s.rowid as stance_rowid, s.stance, s.holder_id, s.confidence, d.published
  from stances s
  join documents d on d.id = s.document_id
  where s.article_number = :number
),
per_holder as (
  select
    stance_rowid, stance, holder_id,
    row_number() over (partition by stance, holder_id
                       order by confidence desc, published desc) as rank,
    count(*) over (partition by stance, holder_id) as holder_stances,
    max(published) over (partition by stance, holder_id) as latest
  from picked
),
ranked as (
  -- A holder's rows share holder_stances, latest and holder_id: dense_rank numbers holders.
  select stance_rowid, stance, holder_id, rank, holder_stances,
         dense_rank() over (partition by stance
                            order by holder_stances desc, latest desc, holder_id) as holder_rank
  from per_holder
)
select
  p.stance, p.holder_stances, p.rank, p.holder_rank,
  s.holder_id, s.holder_name, s.holder_type, s.confidence, s.evidence, s.sentence_id, s.model,
  d.id as document_id, d.title, d.url, d.published
from ranked p
join stances s on s.rowid = p.stance_rowid
join documents d on d.id = s.document_id
where p.rank <= :per_holder and p.holder_rank <= :holders
order by p.stance, p.holder_rank, p.rank
"""


def group_evidence(rows) -> dict[str, list[dict]]:
    """Rows of ARTICLE_EVIDENCE_SQL -> {stance: [holder with its evidence list]}."""
    sections: dict[str, list[dict]] = {stance: [] for stance in STANCE_ORDER}
    holders: dict[tuple, dict] = {}
    for row in rows:
        key = (row["stance"], row["holder_id"])
        holder = holders.get(key)
        if holder is None:
            section = sections.setdefault(row["stance"], [])
            if len(section) >= HOLDERS_PER_STANCE:
                continue
            holder = {
                "id": row["holder_id"],
                "name": row["holder_name"],
                "type": row["holder_type"],
                "stances": row["holder_stances"],
                "evidence": [],
            }
            holders[key] = holder
            section.append(holder)
        holder["evidence"].append(dict(row))
    return sections


async def article_page(request, datasette):
    database = await stancemap_database(datasette)
    number = int(request.url_vars["number"])
    found = (
        await database.execute(
            "select number, title, chapter, chapter_title, title_confirmed "
            "from articles where number = ?",
            [number],
        )
    ).rows
    if not found:
        raise NotFound(f"The convention has no article {number}")
    totals = {
        row["stance"]: dict(row)
        for row in await database.execute(
            "select stance, count(*) as stances, count(distinct holder_id) as holders, "
            "count(distinct document_id) as statements "
            "from stances where article_number = ? group by stance",
            [number],
        )
    }
    evidence = await database.execute(
        ARTICLE_EVIDENCE_SQL,
        {"number": number, "per_holder": EVIDENCE_PER_HOLDER, "holders": HOLDERS_PER_STANCE},
    )
    cited_as = (
        await database.execute(
            "select text_version, cited_number, count(*) as mentions, "
            "count(distinct document_id) as statements from mentions "
            "where article_number = ? group by text_version, cited_number "
            "order by mentions desc",
            [number],
        )
    ).rows
    neighbours = (
        await database.execute(
            "select max(case when number < :n then number end) as previous, "
            "min(case when number > :n then number end) as next from articles",
            {"n": number},
        )
    ).first()
    context = {
        **_page_context(datasette, database),
        "article": dict(found[0]),
        "totals": totals,
        "sections": group_evidence(evidence.rows),
        "holders_per_stance": HOLDERS_PER_STANCE,
        "cited_as": [dict(row) for row in cited_as],
        "previous": neighbours["previous"],
        "next": neighbours["next"],
    }
    return Response.html(
        await datasette.render_template("stancemap_article.html", context, request=request)
    )


# --- a sentence in the context of its statement -------------------------------------------------


async def sentence_page(request, datasette):
    database = await stancemap_database(datasette)
    sentence_id = urllib.parse.unquote(request.url_vars["sentence_id"])
    found = (
        await database.execute(
            "select s.id, s.document_id, s.position, s.text, d.title, d.url, d.published, "
            "d.organization_id, o.name as organization, o.type as organization_type "
            "from sentences s join documents d on d.id = s.document_id "
            "left join organizations o on o.id = d.organization_id where s.id = ?",
            [sentence_id],
        )
    ).rows
    if not found:
        raise NotFound("No such sentence")
    sentence = dict(found[0])
    around = await database.execute(
        "select id, position, text from sentences where document_id = ? "
        "and position between ? and ? order by position",
        [
            sentence["document_id"],
            sentence["position"] - CONTEXT_SENTENCES,
            sentence["position"] + CONTEXT_SENTENCES,
        ],
    )
    stances = await database.execute(
        "select holder_id, holder_name, holder_type, target, article_number, stance, "
        "confidence, model from stances where sentence_id = ? order by confidence desc",
        [sentence_id],
    )
    author_position = await database.execute(
        "select holder_name, stance, confidence, model from stances "
        "where document_id = ? and sentence_id is null",
        [sentence["document_id"]],
    )
    mentions = await database.execute(
        "select surface, cited_number, text_version, article_number, method, confidence "
        "from mentions where sentence_id = ? order by start",
        [sentence_id],
    )
    context = {
        **_page_context(datasette, database),
        "sentence": sentence,
        "around": [dict(row) for row in around],
        "stances": [dict(row) for row in stances],
        "author_position": [dict(row) for row in author_position],
        "mentions": [dict(row) for row in mentions],
    }
    return Response.html(
        await datasette.render_template("stancemap_sentence.html", context, request=request)
    )


@hookimpl
def register_routes():
    return [
        (r"^/-/articles$", article_list),
        (r"^/-/articles/(?P<number>\d{1,4})$", article_page),
        (r"^/-/sentences/(?P<sentence_id>[^/]{1,200})$", sentence_page),
    ]


# --- links from tables and query results --------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _link_prefixes(datasette, database: str) -> dict[str, str]:
    """URL prefixes, built once: render_cell runs for every cell of a 1,000-row page."""
    return {
        "sentence": datasette.urls.path("-/sentences/"),
        "article": datasette.urls.path("-/articles/"),
        "holder": datasette.urls.query(database, "positions_by_stakeholder") + "?holder=",
    }


def _link(href: str, text: object) -> Markup:
    return Markup('<a href="{}">{}</a>').format(href, text)


@hookimpl
def render_cell(value, column, table, database, datasette):
    """Stances link to their sentence in context, articles to their page, holders to their
    positions. Only ever returns escaped text inside links stancemap builds itself."""
    if column not in LINKED_COLUMNS:
        return None
    label = None
    if isinstance(value, dict) and "value" in value:  # an expanded foreign key
        label, value = value.get("label"), value["value"]
    if value in (None, ""):
        return None
    prefixes = _link_prefixes(datasette, database)
    if table is None:  # a canned or arbitrary query
        if column == "context" and isinstance(value, str):
            return _link(prefixes["sentence"] + urllib.parse.quote(value, safe=""), "in context")
        if column == "article" and isinstance(value, int):
            return _link(f"{prefixes['article']}{value}", f"Article {value}")
        if column == "holder_id" and isinstance(value, str):
            return _link(prefixes["holder"] + urllib.parse.quote(value, safe=""), value)
        return None
    if column == "sentence_id" and table in ("stances", "mentions") and isinstance(value, str):
        href = prefixes["sentence"] + urllib.parse.quote(value, safe="")
        return _link(href, label or value)
    if column == "article_number" and table in LINKED_ARTICLE_TABLES and isinstance(value, int):
        return _link(f"{prefixes['article']}{value}", f"{value} — {label}" if label else value)
    return None


# datasette-render-markdown comes with datasette-dashboards, for Markdown charts this site does
# not use. Its render_cell turns any column named *_markdown into HTML, including one a visitor
# names in their own SQL over scraped text, and looks up its settings for every cell (most of
# the time a 1,000-row page takes). Here scraped text is shown as text, so it is switched off.
UNWANTED_PLUGINS = ("render_markdown",)


@hookimpl
def startup(datasette):
    for name in UNWANTED_PLUGINS:
        if pm.get_plugin(name) is not None:
            pm.unregister(name=name)
    # When `rich` is installed, Datasette prints every error (a 404, a visitor's bad or slow SQL)
    # with all local variables — the whole metadata — which takes half a second or more and
    # blocks the server meanwhile: a stream of bad queries could stall the site, and a timed-out
    # query answered 0.7 s late. Without rich, server faults (500) still print a traceback.
    datasette_errors.rich = None


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["http_url"] = http_url
    env.filters["path_part"] = lambda value: urllib.parse.quote(str(value), safe="")


@hookimpl
def menu_links(datasette):
    return [{"href": datasette.urls.path("-/articles"), "label": "Articles"}]
