"""The one CLI. Commands parse options, call a library function and format the output;
library errors become one clear line and a non-zero exit."""

from __future__ import annotations

import functools
import json
import sqlite3
import sys
import tempfile
from datetime import date
from pathlib import Path

import click

from stancemap.config import default_db

DB_OPTION = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="SQLite database (default: stancemap.db here, or $STANCEMAP_DB).",
)
HOLDER_TYPES = ("ngo", "industry", "press", "un_body", "igo", "state", "academic", "coalition")


def friendly_errors(command):
    """Turn the library's specific exceptions into one line and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from crawlers.sources import SourcesError
        from db.site import PublishError
        from db.stakeholders import StakeholderDataError
        from db.store import StoreError
        from db.treaty import TreatyDataError
        from nlp.corpus import CorpusError
        from nlp.models import ModelError
        from nlp.stance import HeadMissing, StanceModelCorrupt

        try:
            return command(*args, **kwargs)
        except (
            SourcesError,
            StoreError,
            TreatyDataError,
            StakeholderDataError,
            PublishError,
            CorpusError,
            ModelError,
            HeadMissing,
            StanceModelCorrupt,
            sqlite3.DatabaseError,
        ) as error:
            raise click.ClickException(str(error)) from error

    return wrapper


def progress(message: str) -> None:
    click.echo(message, err=True)


def _db(db_path: Path | None) -> Path:
    return db_path or default_db()


def _day(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as error:
        raise click.BadParameter(f"{value!r} is not a YYYY-MM-DD date") from error


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="stancemap")
def cli() -> None:
    """stancemap: who says what about which article of a negotiated text."""


@cli.command()
@click.option("--no-serve", is_flag=True, help="Stop after building the database.")
@DB_OPTION
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to publish (default: demo-site/ beside the database).",
)
@click.option("--port", type=int, default=8001, show_default=True, help="Datasette port.")
@click.option(
    "--web-port",
    type=int,
    default=8780,
    show_default=True,
    help="Port of the bundled demo web (part of every demo page's URL).",
)
@friendly_errors
def demo(no_serve: bool, db_path: Path | None, out: Path | None, port: int, web_port: int) -> None:
    """Serve the bundled demo web, crawl it, analyze, publish, then serve Datasette."""
    from stancemap.config import DEMO_DIR
    from stancemap.demo import build_demo
    from stancemap.webserver import StaticSite

    db = db_path or Path("demo.db")
    out = out or db.parent / "demo-site"
    try:
        build_demo(db, out, progress, web_port=web_port)
    except OSError as error:
        raise click.ClickException(
            f"cannot serve the demo web on port {web_port}: {error}"
        ) from error
    if not no_serve:
        # Keep the demo web up while Datasette runs, so source links open the statements.
        with StaticSite(DEMO_DIR / "web", port=web_port):
            _serve(db, port, "127.0.0.1")


@cli.command()
@click.option(
    "--sources",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Sources registry (default: crawlers/sources.yaml).",
)
@DB_OPTION
@click.option("--base-url", default=None, help="Fills {{base}} placeholders in the sources file.")
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a Scrapy setting (repeatable).",
)
@click.option(
    "--reextract",
    is_flag=True,
    help="Fetch nothing: redo the text of stored documents from their raw pages where an "
    "older extractor made it.",
)
@friendly_errors
def crawl(
    sources: Path | None,
    db_path: Path | None,
    base_url: str | None,
    settings: tuple[str, ...],
    reextract: bool,
) -> None:
    """Crawl the sources registry into the documents table."""
    from crawlers.run import run_crawl

    if reextract:
        from crawlers.reextract import reextract as reextract_documents
        from db.store import Store
        from db.treaty import load_treaty

        with Store(_db(db_path), create=False) as store:
            reextract_documents(store, load_treaty(), progress=progress)
        return

    overrides = {}
    for setting in settings:
        name, sep, value = setting.partition("=")
        if not sep:
            raise click.BadParameter(f"{setting!r}: expected NAME=VALUE", param_hint="--set")
        overrides[name] = value
    from crawlers.progress import format_summary

    stats = run_crawl(_db(db_path), sources, base_url=base_url, **overrides)
    progress(format_summary(stats, stats.pop("failures", None)))
    progress(f"crawl stats: {json.dumps(stats)}")


@cli.command()
@DB_OPTION
@click.option(
    "--force", is_flag=True, help="Re-analyze every document, not only new or changed ones."
)
@click.option("--batch-size", type=int, default=16, show_default=True, help="Documents per batch.")
@friendly_errors
def analyze(db_path: Path | None, force: bool, batch_size: int) -> None:
    """Run the NLP over documents not yet analyzed by the current model version."""
    from db.store import Store
    from nlp.analyze import analyze_store
    from nlp.pipeline import Analyzer

    with Store(_db(db_path), create=False) as store:
        analyze_store(
            store,
            lambda orgs: Analyzer(organizations=orgs),
            force=force,
            progress=progress,
            batch_size=batch_size,
        )


@cli.command()
@DB_OPTION
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("published"),
    show_default=True,
    help="Output folder.",
)
@friendly_errors
def publish(db_path: Path | None, out: Path) -> None:
    """Write Datasette metadata, the database and open-data exports to a folder."""
    from db.site import publish as publish_site

    counts = publish_site(_db(db_path), out)
    progress(f"published to {out}: {json.dumps(counts)}")
    progress(f"serve it: datasette serve {out}  (deploying: README, section Publishing)")


def _serve(db: Path, port: int, host: str) -> None:
    from datasette.cli import cli as datasette_cli

    from db.site import datasette_args, write_metadata
    from db.store import upgrade_schema

    if not db.exists():
        raise click.ClickException(
            f"{db}: no such database (run `stancemap demo` or `crawl` first)"
        )
    applied = upgrade_schema(db)
    if applied:
        progress(f"{db}: schema brought up to date ({', '.join(applied)})")
    with tempfile.TemporaryDirectory() as folder:
        metadata = write_metadata(db, Path(folder) / "metadata.json")
        progress(f"Datasette serving {db} at http://{host}:{port}/ (Ctrl-C to stop)")
        # In this process, not a child: stopping `stancemap serve` stops Datasette too.
        try:
            datasette_cli.main(
                args=datasette_args(db, metadata, port=port, host=host),
                prog_name="datasette",
                standalone_mode=False,
            )
        except (KeyboardInterrupt, click.exceptions.Abort):
            pass


@cli.command()
@DB_OPTION
@click.option("--port", type=int, default=8001, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@friendly_errors
def serve(db_path: Path | None, port: int, host: str) -> None:
    """Serve the database with Datasette, read-only, with the project's metadata."""
    _serve(_db(db_path), port, host)


def _read_jsonl(stream):
    for number, line in enumerate(stream, 1):
        if not line.strip():
            yield number, None, "empty line"
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield number, None, f"line {number}: not JSON ({error.msg})"
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            yield number, None, f"line {number}: expected an object with a 'text' string"
            continue
        yield number, record, None


def _emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


@cli.command()
@click.option("--date", "day", default=None, help="Publication date of the text (YYYY-MM-DD).")
@click.option(
    "--text-version",
    default=None,
    type=click.Choice(["zero", "rev1", "rev2", "rev3", "final", "unknown"]),
    help="The text the statement discusses, when known.",
)
@click.option(
    "--jsonl", is_flag=True, help="Read JSON lines; write one result line per input line."
)
@friendly_errors
def refs(day: str | None, text_version: str | None, jsonl: bool) -> None:
    """Article references in text on stdin: one JSON object per reference."""
    from nlp.references import _as_date, find_references

    default_day = _day(day)
    if not jsonl:
        for ref in find_references(
            sys.stdin.read(), day=_as_date(default_day), text_version=text_version
        ):
            _emit(ref.to_json())
        return
    for _, record, error in _read_jsonl(sys.stdin):
        if error:
            _emit({"error": error, "mentions": []})
            continue
        found = find_references(
            record["text"],
            day=_as_date(record.get("date") or default_day),
            text_version=record.get("text_version") or text_version,
        )
        _emit({"mentions": [ref.to_json() for ref in found]})


@cli.command()
@click.option("--author", default=None, help="Who wrote the document.")
@click.option("--author-type", type=click.Choice(HOLDER_TYPES), default=None)
@click.option("--date", "day", default=None, help="Publication date (YYYY-MM-DD).")
@click.option("--url", default=None)
@click.option(
    "--jsonl", is_flag=True, help="Read JSON lines; write one result line per input line."
)
@friendly_errors
def tag(author, author_type, day, url, jsonl) -> None:
    """Stances and article mentions of one document on stdin, as one JSON object."""
    from nlp.pipeline import Analyzer, DocumentInput
    from stancemap.tagging import tag_json

    default_day = _day(day)
    progress("loading models ...")
    analyzer = Analyzer()

    def item(record: dict) -> DocumentInput:
        return DocumentInput(
            text=record["text"],
            date=record.get("date") or default_day,
            author=record.get("author") or author,
            author_type=record.get("author_type") or author_type,
            url=record.get("url") or url,
            text_version=record.get("text_version"),
        )

    if not jsonl:
        (analysis,) = analyzer.analyze([item({"text": sys.stdin.read()})])
        _emit(tag_json(analysis))
        return
    # Keep input order and one output line per input line, bad lines included.
    records = list(_read_jsonl(sys.stdin))
    good = [(n, r) for n, r, e in records if r is not None]
    results = dict(
        zip([n for n, _ in good], analyzer.analyze(item(r) for _, r in good), strict=True)
    )
    for number, _, error in records:
        if error:
            _emit({"error": error, "document": None, "stances": [], "mentions": []})
        else:
            _emit(tag_json(results[number]))
    progress(f"tagged {len(good)} documents")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@friendly_errors
def evaluate(as_json: bool) -> None:
    """Score the models on the project's own held-out split and print the metrics."""
    from nlp.evaluate import evaluate_all, format_report

    report = evaluate_all(progress=progress)
    click.echo(json.dumps(report, indent=2) if as_json else format_report(report))


@cli.command()
@click.option("--force", is_flag=True, help="Rebuild even when this version is already built.")
@friendly_errors
def train(force: bool) -> None:
    """Build the stance model from the labelled corpus (training split only), unless the
    current version is already built."""
    from nlp.train import train as build_model

    build_model(log=progress, force=force)


@cli.command()
@click.option(
    "--sources",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Sources registry (default: crawlers/sources.yaml).",
)
@friendly_errors
def sources(sources: Path | None) -> None:
    """List and validate the sources registry."""
    from crawlers.sources import load_sources

    organizations = load_sources(sources)
    for org in organizations:
        kinds = ", ".join(sorted({s["kind"] for s in org["sources"]})) or "no sources"
        country = org.get("country") or "--"
        count = len(org["sources"])
        name = org["name"]
        click.echo(f"{org['id']:<28} {org['type']:<9} {country:<3} {name} ({count}: {kinds})")
    total = sum(len(org["sources"]) for org in organizations)
    click.echo(f"{len(organizations)} organizations, {total} sources: OK", err=True)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
