"""`stancemap publish`: the open-data release — a compact read-only copy of the database, a CSV per
public table, a Frictionless data package that validates, and Atom feeds of new statements."""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import HOSTILE_ORG, run_cli
from frictionless import Package

from db.site.export import public_tables
from db.site.serving import SETTINGS, setting_text

pytestmark = pytest.mark.slow
ATOM = "{http://www.w3.org/2005/Atom}"


def rows(db: Path, sql: str, params=()) -> list[tuple]:
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def test_the_folder_holds_everything_a_deployment_needs(published_site: Path):
    for name in (
        "demo.db",
        "metadata.json",
        "settings.json",
        "inspect-data.json",
        "datapackage.json",
    ):
        assert (published_site / name).is_file(), name
    assert (published_site / "plugins" / "stancemap_pages.py").is_file()
    assert (published_site / "templates" / "stancemap_article.html").is_file()
    settings = json.loads((published_site / "settings.json").read_text())
    assert settings["sql_time_limit_ms"] <= 1000 and settings["max_returned_rows"] <= 1000
    inspected = json.loads((published_site / "inspect-data.json").read_text())
    assert inspected["demo"]["file"] == "demo.db"


def test_the_database_copy_is_compact_complete_and_immutable_friendly(
    published_site: Path, demo_db: Path
):
    db = published_site / "demo.db"
    assert rows(db, "pragma integrity_check") == [("ok",)]
    assert rows(db, "pragma journal_mode") == [("delete",)]
    tables = {name for (name,) in rows(db, "select name from sqlite_master where type='table'")}
    assert "raw_pages" not in tables, "raw pages are not published"
    assert "sqlite_stat1" in tables, "the planner statistics are there for the site's queries"
    # Everything else came across: the demo's stances plus the fixture's two.
    (demo_stances,) = rows(demo_db, "select count(*) from stances")[0]
    assert rows(db, "select count(*) from stances") == [(demo_stances + 2,)]
    assert not (published_site / "demo.db-wal").exists()


def test_every_public_table_has_a_csv_with_all_its_rows(published_site: Path):
    db = published_site / "demo.db"
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = public_tables(connection)
    finally:
        connection.close()
    assert {"documents", "sentences", "stances", "mentions", "organizations", "articles"} <= set(
        tables
    )
    assert not [t for t in tables if "_fts" in t], "full-text internals are not data"
    for table in tables:
        path = published_site / "csv" / f"{table}.csv"
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            count = sum(1 for _ in reader)
        columns = [name for (name,) in rows(db, f"select name from pragma_table_info('{table}')")]
        assert header == columns, table
        assert [(count,)] == rows(db, f"select count(*) from [{table}]"), table


def test_the_data_package_validates(published_site: Path):
    descriptor = json.loads((published_site / "datapackage.json").read_text())
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    names = {resource["path"] for resource in descriptor["resources"]}
    assert names == {f"csv/{p.name}" for p in (published_site / "csv").iterdir()}
    stances = next(r for r in descriptor["resources"] if r["name"] == "stances")
    fields = {field["name"]: field for field in stances["schema"]["fields"]}
    assert fields["confidence"]["type"] == "number"
    assert "support" in fields["stance"]["description"]
    assert {
        "fields": ["holder_id"],
        "reference": {"resource": "organizations", "fields": ["id"]},
    } in (stances["schema"]["foreignKeys"])
    report = Package(str(published_site / "datapackage.json")).validate()
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "type", "note"])


def test_the_data_package_check_can_fail(published_site: Path, tmp_path: Path):
    """A package whose data contradicts its schema (a word where a number belongs) is invalid."""
    copy = tmp_path / "package"
    shutil.copytree(published_site, copy, ignore=shutil.ignore_patterns("*.db"))
    path = copy / "csv" / "stances.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    column = table[0].index("confidence")
    table[1][column] = "very sure"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(table)
    descriptor = json.loads((copy / "datapackage.json").read_text())
    for resource in descriptor["resources"]:  # keep the hash check out of it: types alone
        resource.pop("hash", None)
        resource.pop("bytes", None)
    (copy / "datapackage.json").write_text(json.dumps(descriptor))
    report = Package(str(copy / "datapackage.json")).validate()
    assert not report.valid
    assert ["type-error", "confidence"] in report.flatten(["type", "fieldName"])


def atom(path: Path) -> ET.Element:
    return ET.fromstring(path.read_bytes())


def test_feeds_of_new_statements_all_and_per_article(published_site: Path):
    feeds = published_site / "feeds"
    assert (feeds / "statements.atom").is_file()
    assert len(list(feeds.glob("article-*.atom"))) == 68
    for path in [feeds / "statements.atom", *sorted(feeds.glob("article-*.atom"))]:
        feed = atom(path)
        assert feed.tag == f"{ATOM}feed", path
        for required in ("id", "title", "updated", "author"):
            assert feed.find(f"{ATOM}{required}") is not None, (path, required)
        for entry in feed.findall(f"{ATOM}entry"):
            for required in ("id", "title", "updated", "author", "summary"):
                assert entry.find(f"{ATOM}{required}") is not None, (path, required)
    article_29 = atom(feeds / "article-29.atom").findall(f"{ATOM}entry")
    assert article_29, "Article 29 is discussed in the demo: its feed has entries"
    dates = [entry.findtext(f"{ATOM}updated") for entry in article_29]
    assert dates == sorted(dates, reverse=True), "newest first"


def test_feeds_carry_hostile_text_as_text_and_no_script_links(published_site: Path):
    feed = atom(published_site / "feeds" / "article-29.atom")
    (entry,) = [
        e
        for e in feed.findall(f"{ATOM}entry")
        if HOSTILE_ORG["name"] == e.find(f"{ATOM}author").findtext(f"{ATOM}name")
    ]
    assert "<script>window.__xss_text=1</script>" in entry.findtext(f"{ATOM}summary")
    assert "javascript:" not in " ".join(link.get("href") for link in entry.iter(f"{ATOM}link"))
    raw = (published_site / "feeds" / "article-29.atom").read_text(encoding="utf-8")
    assert "<script>" not in raw, "markup in text is escaped in the XML"


def test_publish_command_writes_the_folder_and_is_repeatable(demo_db: Path, tmp_path: Path):
    db = tmp_path / "again.db"
    shutil.copy(demo_db, db)
    out = tmp_path / "out"
    first = run_cli("publish", "--db", str(db), "--out", str(out))
    assert first.returncode == 0, first.stderr
    assert "published to" in first.stderr
    csvs = {p.name: p.read_bytes() for p in (out / "csv").iterdir()}
    second = run_cli("publish", "--db", str(db), "--out", str(out))
    assert second.returncode == 0, second.stderr
    assert {p.name: p.read_bytes() for p in (out / "csv").iterdir()} == csvs
    assert Package(str(out / "datapackage.json")).validate().valid


def readme_deploy_command() -> str:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- section:publish -->")[1].split("<!-- /section:publish -->")[0]
    match = re.search(r"^datasette publish cloudrun .*?(?<!\\)\n", section, re.M | re.S)
    assert match, "the README shows a `datasette publish cloudrun` command"
    return match.group(0).replace("\\\n", " ")


def test_the_readme_deploy_command_ships_the_site_with_its_limits(published_site, tmp_path):
    """The README's Cloud Run command, run against a stand-in `gcloud` (no cloud here): it must
    build a container that serves the database immutable with the site and its limits."""
    command = readme_deploy_command()
    for key, value in SETTINGS.items():
        assert f"--setting {key} {setting_text(value)}" in command, key
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gcloud = bin_dir / "gcloud"
    gcloud.write_text('#!/bin/sh\necho "$@" >> "$GCLOUD_LOG"\necho stancemap-test\n')
    gcloud.chmod(0o755)
    args = shlex.split(command.replace("published/stancemap.db", "published/demo.db"))
    args = [a.replace("published/", f"{published_site}/") for a in args]
    assert args[:3] == ["datasette", "publish", "cloudrun"]
    result = subprocess.run(
        [sys.executable, "-m", "datasette", *args[1:], "--show-files"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={
            **os.environ,
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "GCLOUD_LOG": str(tmp_path / "gcloud.log"),
        },
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    dockerfile = result.stdout.split("==== Dockerfile ====")[1]
    assert "-i demo.db" in dockerfile, "served immutable"
    for expected in (
        "--template-dir templates/",
        "--plugins-dir plugins/",
        "datasette-dashboards==0.8.0",
        "--setting sql_time_limit_ms 1000",
        "--setting max_returned_rows 1000",
    ):
        assert expected in dockerfile, expected
    calls = (tmp_path / "gcloud.log").read_text()
    assert "builds submit" in calls and "run deploy" in calls and "--memory 2Gi" in calls


def test_a_database_from_an_older_stancemap_is_brought_up_to_date_in_the_copy(
    demo_db: Path, tmp_path: Path
):
    """Without the site's indexes and counts (as before migrations m003/m004) the published copy
    still has them; the source database is not touched."""
    db = tmp_path / "old.db"
    shutil.copy(demo_db, db)
    connection = sqlite3.connect(db)
    with connection:
        for trigger in (
            "stances_count_ai",
            "stances_count_ad",
            "stances_count_au_old",
            "stances_count_au_new",
            "stances_ai",
            "stances_ad",
            "stances_au",
        ):
            connection.execute(f"drop trigger if exists {trigger}")
        connection.execute("drop table holder_article_stances")
        connection.execute("drop table stances_fts")
        connection.execute(
            "delete from _sqlite_migrations where name in "
            "('m003_publish_indexes', 'm004_holder_article_counts')"
        )
    connection.close()
    out = tmp_path / "out"
    result = run_cli("publish", "--db", str(db), "--out", str(out))
    assert result.returncode == 0, result.stderr
    copy = out / "old.db"
    assert rows(copy, "select count(*) from holder_article_stances")[0][0] > 0
    assert rows(copy, "select count(*) from stances_fts where stances_fts match 'article'")[0][0]
    assert not rows(db, "select name from sqlite_master where name = 'holder_article_stances'")
