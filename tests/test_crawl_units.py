"""The crawler's parts on their own: the real sources registry, URL identity, near-duplicate
signatures and the choice of the original, Retry-After parsing, encodings, feeds and
sitemaps, relevance traps, and the run summary."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse, XmlResponse

from crawlers.dedup import NearDuplicateIndex, Signature, prefer_as_original, resemblance
from crawlers.extract import decode_html
from crawlers.middlewares import retry_after_seconds
from crawlers.navigation import feed_links, looks_like, next_page_links, sitemap_links
from crawlers.progress import format_summary
from crawlers.relevance import assess
from crawlers.sources import SourcesError, load_sources
from crawlers.urls import canonical_url
from db.treaty import load_treaty

STATEMENT = (
    "Our organisation has studied the final text of the UN Convention against Cybercrime. We "
    "are concerned that the cooperation chapter reaches every serious crime, that the powers to "
    "intercept content data and collect traffic data in real time come without prior judicial "
    "authorisation, and that the human rights clause defers to domestic law. We ask parliaments "
    "to attach reservations and to publish statistics on every request they receive."
)


# --- the registry ------------------------------------------------------------------------------


def test_the_real_registry_validates_with_enough_stakeholders():
    organizations = load_sources()
    assert len(organizations) >= 40
    kinds = {org["type"] for org in organizations}
    assert kinds >= {"ngo", "industry", "press", "un_body", "state"}
    for org in organizations:
        assert org["homepage"].startswith(("https://", "http://")) and org["sources"], org["id"]
        for source in org["sources"]:
            assert source["kind"] in ("listing", "feed", "sitemap", "page")


def test_follow_patterns_never_filter_feed_items():
    """A feed's items are the organisation's own posts: its follow patterns are for listings
    and sitemaps. (The real registry's EFF feed lists press releases its patterns miss.)"""
    from crawlers.spiders.statements import StatementsSpider

    spider = StatementsSpider()
    eff = next(org for org in load_sources() if org["id"] == "eff")
    feed = next(s for s in eff["sources"] if s["kind"] == "feed")
    assert feed["follow"], "the organisation's follow patterns reach its sources"
    release = "https://www.eff.org/press/releases/un-cybercrime-treaty-statement"
    assert spider._allowed(release, feed, follow_patterns=False)
    assert not spider._allowed(release, feed)
    assert not spider._allowed("https://www.eff.org/logo.png", feed, follow_patterns=False)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


ORG = "organizations:\n- id: x\n  name: X\n  type: ngo\n  country: null\n"


def test_organisation_options_reach_each_source_and_a_source_may_override(tmp_path):
    path = write(tmp_path, ORG + "  follow: ['/news/']\n  allowed_domains: [www.x.org]\n"
                 "  sources:\n  - {url: 'https://www.x.org/news', kind: listing}\n"
                 "  - {url: 'https://www.x.org/feed', kind: feed, follow: ['/blog/']}\n")
    listing, feed = load_sources(path)[0]["sources"]
    assert listing["follow"] == ["/news/"] and listing["allowed_domains"] == ["www.x.org"]
    assert feed["follow"] == ["/blog/"]


def test_a_source_belongs_to_one_organisation(tmp_path):
    twice = ORG + "  sources:\n  - {url: 'https://x.org/', kind: listing}\n" + ORG.replace(
        "organizations:\n", ""
    ).replace("id: x", "id: y") + "  sources:\n  - {url: 'https://x.org/', kind: feed}\n"
    with pytest.raises(SourcesError, match="already registered for 'x'"):
        load_sources(write(tmp_path, twice))


@pytest.mark.parametrize("bad, message", [
    ("  follow: ['(']\n  sources:\n  - {url: 'https://x.org/', kind: listing}\n", "follow pattern"),
    ("  allowed_domains: [x.org]\n  sources:\n  - {url: 'https://y.org/', kind: listing}\n",
     "not in allowed_domains"),
    ("  allowed_domains: 'x.org'\n  sources:\n  - {url: 'https://x.org/', kind: listing}\n",
     "allowed_domains must be a list"),
    ("  sources:\n  - {url: 'https://x.org/', kind: atom}\n", "kind must be one of"),
])
def test_registry_errors_name_the_entry_and_the_field(tmp_path, bad, message):
    with pytest.raises(SourcesError, match=message) as error:
        load_sources(write(tmp_path, ORG + bad))
    assert "organization 'x'" in str(error.value)


# --- URL identity ------------------------------------------------------------------------------


def test_url_variants_are_one_url():
    clean = canonical_url("https://www.example.org/news/item?b=2&a=1")
    for variant in (
        "https://WWW.example.org/news/item?a=1&b=2#comments",
        "https://www.example.org/news/item?utm_source=x&a=1&b=2&fbclid=abc",
        "https://www.example.org/news/item?a=1&b=2&utm_campaign=y&mc_cid=1",
    ):
        assert canonical_url(variant) == clean
    assert canonical_url("https://www.example.org/news/item?id=2") != canonical_url(
        "https://www.example.org/news/item?id=3"
    )


# --- near duplicates ----------------------------------------------------------------------------


def test_a_syndicated_copy_resembles_its_original_and_an_unrelated_text_does_not():
    copy = "Syndicated from Example Org. Originally published yesterday.\n" + STATEMENT
    other = ("The ministry welcomes the adoption of the convention, which will help small police "
             "forces obtain electronic evidence held abroad, and will submit a ratification bill "
             "to parliament together with an explanatory memorandum next spring.")
    original, syndicated, unrelated = (Signature.of(t) for t in (STATEMENT, copy, other))
    assert resemblance(set(original.shingles), set(syndicated.shingles)) > 0.8
    assert resemblance(set(original.shingles), set(unrelated.shingles)) < 0.1
    index = NearDuplicateIndex()
    index.add("original", original.to_bytes())
    index.add("unrelated", unrelated.minhash)
    assert "original" in index.candidates(syndicated.minhash)
    assert "unrelated" not in index.candidates(syndicated.minhash)
    index.remove("original")
    assert not index.candidates(syndicated.minhash) - {"unrelated"}


def test_signatures_are_stable_across_processes():
    # Computed in a fresh interpreter: Python's own hash() is salted per process, ours is not.
    import subprocess
    import sys

    code = ("from crawlers.dedup import Signature; import sys; "
            "print(Signature.of(sys.stdin.read()).to_bytes().hex())")
    other = subprocess.run([sys.executable, "-c", code], input=STATEMENT, capture_output=True,
                           text=True, check=True).stdout.strip()
    assert other == Signature.of(STATEMENT).to_bytes().hex()
    assert len(Signature.of(STATEMENT).to_bytes()) == 64 * 8


def test_the_original_is_the_declared_source_then_the_earlier_one_then_what_is_stored():
    stored = {"canonical_url": "https://a.org/x", "published": "2024-08-09"}
    later_copy = {"canonical_url": "https://b.org/x", "published": "2024-08-10"}
    earlier = {"canonical_url": "https://c.org/x", "published": "2024-08-01"}
    same_day = {"canonical_url": "https://0.org/x", "published": "2024-08-09"}
    declares = {"canonical_url": "https://d.org/x", "published": "2024-07-01",
                "declared_original": "https://a.org/x"}
    assert not prefer_as_original(later_copy, stored)
    assert prefer_as_original(earlier, stored)
    assert not prefer_as_original(same_day, stored)
    assert not prefer_as_original(declares, stored)
    assert prefer_as_original(stored, {**later_copy, "declared_original": "https://a.org/x"})
    assert not prefer_as_original({"canonical_url": "https://e.org/x"}, stored)


# --- politeness ----------------------------------------------------------------------------------


def test_retry_after_takes_seconds_or_an_http_date():
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds(b"120") == 120.0
    assert retry_after_seconds("Wed, 01 Jan 2025 12:00:30 GMT", now=now) == 30.0
    assert retry_after_seconds("Wed, 01 Jan 2025 11:00:00 GMT", now=now) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


# --- encodings ------------------------------------------------------------------------------------


@pytest.mark.parametrize("body, content_type, expected", [
    ("Genève “quoted” – €5".encode("cp1252"), "text/html; charset=utf-8", "Genève “quoted” – €5"),
    ('<meta charset="iso-8859-1">Tōkyō'.encode(), "text/html", "Tōkyō"),
    ("Zürich".encode("latin-1"), "text/html", "Zürich"),
    ('<meta charset="koi8-r">Привет, мир'.encode("koi8-r"), "", "Привет, мир"),
    (b"\xef\xbb\xbfByte-order mark", "text/html; charset=latin-1", "Byte-order mark"),
    ("Café".encode("utf-16"), "", "Café"),
    (("<p>Конвенция ООН против киберпреступности принята Генеральной Ассамблеей.</p>" * 5)
     .encode("koi8-r"), "text/html", "Конвенция ООН"),
])
def test_declared_encodings_are_trusted_only_when_the_bytes_agree(body, content_type, expected):
    assert expected in decode_html(body, content_type)


# --- feeds, sitemaps, listings -----------------------------------------------------------------


def test_rss_and_atom_item_links():
    rss = (b'<?xml version="1.0"?><rss version="2.0"><channel><item><link>/a</link></item>'
           b'<item><guid isPermaLink="true">https://x.org/b</guid></item>'
           b'<item><guid isPermaLink="false">tag:1</guid></item></channel></rss>')
    atom = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>'
            b'<link rel="replies" href="/c#comments"/><link rel="alternate" href="/c"/></entry>'
            b'<entry><link href="/d"/></entry></feed>')
    rss_response = XmlResponse("https://x.org/feed", body=rss)
    assert feed_links(rss_response) == ["https://x.org/a", "https://x.org/b"]
    assert feed_links(XmlResponse("https://x.org/atom", body=atom)) == ["https://x.org/c", "https://x.org/d"]
    assert looks_like(rss_response) == "feed"
    with pytest.raises(ValueError, match="not an RSS or Atom feed"):
        feed_links(XmlResponse("https://x.org/f", body=b"<?xml version='1.0'?><html/>"))


def test_gzipped_sitemaps_and_sitemap_indexes():
    urlset = (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
              b"<url><loc>https://x.org/p1</loc></url><url><loc>https://x.org/p2</loc></url></urlset>")
    response = TextResponse("https://x.org/s.xml.gz", body=gzip.compress(urlset))
    assert looks_like(response) == "sitemap"
    assert sitemap_links(response) == (False, ["https://x.org/p1", "https://x.org/p2"])
    index = (b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             b"<sitemap><loc>https://x.org/s1.xml</loc></sitemap></sitemapindex>")
    assert sitemap_links(XmlResponse("https://x.org/s.xml", body=index)) == (True, ["https://x.org/s1.xml"])
    with pytest.raises(ValueError):
        sitemap_links(XmlResponse("https://x.org/s.xml", body=b"<html>not a sitemap</html>"))


def test_pagination_links_by_rel_or_by_label():
    body = (b'<html><head><link rel="next" href="/p/2"></head><body><a href="/post">Post</a>'
            b'<a href="/p/9">Older posts</a><a aria-label="Next page" href="/p/3">&gt;</a>'
            b"</body></html>")
    response = HtmlResponse("https://x.org/p/1", body=body, request=Request("https://x.org/p/1"))
    expected = {"https://x.org/p/2", "https://x.org/p/9", "https://x.org/p/3"}
    assert next_page_links(response) == expected


# --- relevance and the summary --------------------------------------------------------------------


def test_relevance_traps_and_a_statement_that_never_says_cybercrime():
    treaty = load_treaty()
    budapest = ("The Budapest cybercrime convention turns twenty this year. The Council of "
                "Europe treaty has more than seventy parties and a second protocol on electronic "
                "evidence. ")
    assert not assess(treaty, "Twenty years of Budapest", budapest * 3).relevant
    delegation = ("Madam Chair, our delegation supports the proposal that every procedural "
                  "measure be subject to conditions and safeguards, and that mutual legal "
                  "assistance for the real-time collection of traffic data require dual "
                  "criminality. We thank the Ad Hoc Committee for the revised draft text.")
    title = "Statement at the sixth session of the Ad Hoc Committee"
    assert assess(treaty, title, delegation).relevant
    assert assess(treaty, None, STATEMENT).relevant
    passing = ("Our annual report covers fisheries, schools and roads. " * 30
               + "The minister also mentioned the UN Convention against Cybercrime once.")
    assert not assess(treaty, "Annual report", passing).relevant


def test_the_summary_names_counts_rate_and_failure_reasons():
    text = format_summary(
        {"stored": 3, "off_topic": 2, "failed": 1, "close_reason": "finished", "seconds": 2.0,
         "responses": 10},
        {"http": 1},
    )
    assert text.splitlines()[0] == "crawl finished (finished): 3 stored, 2 off-topic, 1 failed"
    assert "10 responses in 2.0s (5.0/s)" in text and "1 http" in text


def test_pdf_extraction_runs_under_a_memory_limit(monkeypatch):
    """The PDF child gets an address-space limit: under a tiny one it fails, cleanly."""
    from crawlers import extract
    from crawlers.quality import FIXTURE_CORPUS

    letters = FIXTURE_CORPUS / "site" / "coalition-saltmarsh" / "letters"
    pdf = (letters / "2024-06-03-submission.pdf").read_bytes()
    assert "Saltmarsh" in extract.extract_pdf(pdf, "https://x.org/a.pdf").text
    monkeypatch.setattr(extract, "PDF_MEMORY_BYTES", 32 * 1024 * 1024)
    with pytest.raises(extract.ExtractionError, match="PDF extraction failed"):
        extract.extract_pdf(pdf, "https://x.org/a.pdf")
    with pytest.raises(extract.ExtractionError, match="not a PDF"):
        extract.extract_pdf(b"<html>", "https://x.org/a.pdf")
