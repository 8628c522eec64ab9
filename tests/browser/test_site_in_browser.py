"""The published site in a real browser (Debian's Chromium, headless, driven by Playwright): every
kind of page loads without console errors and without fetching anything from the internet, the
dashboard draws every chart, and a statement full of script payloads stays text. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import HOSTILE_ORG

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
QUERY_PAGES = {
    "query-stance_by_article": "/demo/stance_by_article?article=29&stance=",
    "query-positions_by_stakeholder": "/demo/positions_by_stakeholder?holder=EFF",
    "query-holder_article_matrix": "/demo/holder_article_matrix?holder_type=&article=",
    "query-stance_over_time": "/demo/stance_over_time?article=&holder=&holder_type=",
    "query-evidence_search": "/demo/evidence_search?q=surveillance",
}
PAGES = {
    "home": "/",
    "table-stances": "/demo/stances",
    "articles": "/-/articles",
    "article-29": "/-/articles/29",
    **QUERY_PAGES,
}
CHARTS = ("heatmap", "by-holder-type", "over-time", "most-cited")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("browser tests need Debian's Chromium: apt-get install chromium (see .ci/run)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        yield chromium
        chromium.close()


class Visit:
    """A page with everything that went wrong on it: console errors, page errors, dialogs (an
    alert() from injected script) and requests that left 127.0.0.1."""

    def __init__(self, browser, site) -> None:
        self.site = site
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.set_default_timeout(30_000)
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.outside: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.on("request", self._request)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _request(self, request) -> None:
        if urlsplit(request.url).hostname not in ("127.0.0.1", None) and not request.url.startswith(
            ("data:", "blob:")
        ):
            self.outside.append(request.url)

    def open(self, path: str) -> None:
        response = self.page.goto(self.site.base_url + path, wait_until="networkidle")
        assert response is not None and response.status == 200, path

    def screenshot(self, artifacts: Path, name: str) -> None:
        self.page.screenshot(path=str(artifacts / f"browser-{name}.png"), full_page=True)

    def assert_clean(self, path: str) -> None:
        assert not self.errors, f"{path}: console errors {self.errors}"
        assert not self.dialogs, f"{path}: a script ran and opened {self.dialogs}"
        assert not self.outside, f"{path}: fetched from outside 127.0.0.1: {self.outside}"

    def close(self) -> None:
        self.page.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_pages_load_cleanly(browser, public_site, artifacts, name):
    visit = Visit(browser, public_site)
    try:
        visit.open(PAGES[name])
        visit.screenshot(artifacts, name)
        visit.assert_clean(PAGES[name])
        assert visit.page.locator("h1").count() >= 1
        if name.startswith("query-"):
            rows = visit.page.locator("table.rows-and-columns tbody tr").count()
            assert rows > 0, f"{name}: no result rows"
    finally:
        visit.close()


def test_dashboard_draws_every_chart(browser, public_site, artifacts):
    visit = Visit(browser, public_site)
    try:
        visit.open("/-/dashboards/stances")
        for chart in CHARTS:
            drawn = visit.page.locator(f"#chart-{chart} svg, #chart-{chart} canvas").first
            drawn.wait_for(state="attached", timeout=30_000)
            box = drawn.bounding_box()
            assert box and box["width"] > 50 and box["height"] > 50, chart
        visit.page.wait_for_timeout(500)  # let the last chart settle before the picture
        visit.screenshot(artifacts, "dashboard")
        visit.assert_clean("/-/dashboards/stances")
        # The filter narrows the charts and they draw again.
        visit.open("/-/dashboards/stances?holder_type=ngo")
        for chart in CHARTS:
            visit.page.locator(f"#chart-{chart} svg, #chart-{chart} canvas").first.wait_for(
                state="attached", timeout=30_000
            )
        visit.assert_clean("/-/dashboards/stances?holder_type=ngo")
    finally:
        visit.close()


def test_evidence_link_leads_to_the_sentence_in_context(browser, public_site, artifacts):
    visit = Visit(browser, public_site)
    try:
        visit.open("/-/articles/29")
        visit.page.locator("#oppose a", has_text="in context").first.click()
        visit.page.wait_for_load_state("networkidle")
        assert "/-/sentences/" in visit.page.url
        assert visit.page.locator("mark").inner_text().strip()
        assert visit.page.locator("text=Stances in this sentence").count() == 1
        visit.screenshot(artifacts, "sentence-in-context")
        visit.assert_clean(visit.page.url)
    finally:
        visit.close()


def hostile_paths(site) -> list[str]:
    _, found = site.get_json(
        "/demo.json?"
        + urllib.parse.urlencode(
            {"sql": "select id from sentences where text like '%__xss_text%'", "_shape": "objects"}
        )
    )
    sentence = found["rows"][0]["id"]
    return [
        "/-/articles/29",
        "/-/sentences/" + urllib.parse.quote(sentence, safe=""),
        "/demo/stance_by_article?article=29&stance=oppose",
        "/demo/evidence_search?q=xss",
        "/demo/positions_by_stakeholder?holder=" + HOSTILE_ORG["id"],
        "/demo/stances?holder_id=" + HOSTILE_ORG["id"],
        "/demo/documents?organization_id=" + HOSTILE_ORG["id"],
        "/demo/sentences?_search=xss",
    ]


def test_script_payloads_are_shown_as_text_and_never_run(browser, public_site, artifacts):
    for index, path in enumerate(hostile_paths(public_site)):
        visit = Visit(browser, public_site)
        try:
            visit.open(path)
            page = visit.page
            flags = page.evaluate("Object.keys(window).filter(k => k.startsWith('__xss'))")
            assert flags == [], f"{path}: injected script ran ({flags})"
            assert "window.__xss" in page.locator("body").inner_text(), f"{path}: payload hidden"
            hrefs = page.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href'))")
            assert not [h for h in hrefs if h and h.strip().lower().startswith("javascript:")], path
            assert page.locator("img[onerror], [onmouseover]").count() == 0, path
            if index == 0:
                visit.screenshot(artifacts, "hostile-statement-article-29")
            visit.assert_clean(path)
        finally:
            visit.close()
