"""The Overview page in a real browser (Debian's Chromium, never a downloaded one): the empty-workspace start
(load the sample world, then the funnel shows) and a top entry's link landing on the Ranked page with the entry
in the URL. One app is served for the module, on a workspace that starts empty; the fixtures that find Chromium
and launch it are those of tests/app/test_playwright.py."""

import re
import shutil
from urllib.parse import parse_qs, urlparse

import pytest
from journeylens.notebooks.workspace.snapshot import list_uploads
from test_playwright import browser, chromium_path, serve  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
HEADLINE = re.compile(r"[\d,]+ alerts became [\d,]+ alert groups and [\d,]+ queue entries worth a look")


@pytest.fixture(scope="module")
def served(tmp_path_factory, chromium_path):  # noqa: F811 (the imported fixture)
    """(url, workspace): the app served on a workspace that starts empty."""
    workspace = tmp_path_factory.mktemp("overview-browser") / "ws"
    with serve(workspace) as url:
        yield url, workspace


def test_an_empty_workspace_starts_by_loading_the_sample_world(served, browser):  # noqa: F811
    from playwright.sync_api import expect

    url, workspace = served
    if len(list_uploads(workspace)):
        pytest.skip("the served workspace was loaded by an earlier test")
    page = browser.new_page()
    try:
        page.goto(url)
        expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible(timeout=30_000)
        expect(page.get_by_role("link", name="Upload your exports")).to_be_visible(timeout=30_000)
        page.get_by_role("button", name="Load the sample world").click()
        expect(page.get_by_text(HEADLINE)).to_be_visible(timeout=240_000)
        assert len(list_uploads(workspace)) >= 5
        assert not page.get_by_test_id("stException").count(), "no traceback on the page"
    finally:
        page.close()


def test_a_top_entry_opens_its_drill_down_on_the_ranked_page(served, browser, sample_dir):  # noqa: F811
    from playwright.sync_api import expect

    url, workspace = served
    if not len(list_uploads(workspace)):  # run alone: the built sample, copied in
        shutil.copytree(sample_dir, workspace, dirs_exist_ok=True)
    page = browser.new_page()
    try:
        page.goto(url)
        expect(page.get_by_text(HEADLINE)).to_be_visible(timeout=180_000)
        first = page.get_by_role("link", name=re.compile(r"^1\. "))
        expect(first).to_be_visible(timeout=30_000)
        entry = parse_qs(urlparse(first.get_attribute("href")).query)["entry"][0]
        assert entry
        first.click()
        expect(page.get_by_role("heading", name="Ranked alerts", exact=True)).to_be_visible(timeout=60_000)
        expect(page).to_have_url(re.compile(rf"ranked.*[?&]entry={re.escape(entry)}"), timeout=30_000)
        # the Overview's first entry is the queue's first: its drill-down is open, with the score explained
        expect(page.locator("h4").filter(has_text=re.compile(r"^#1 · "))).to_be_visible(timeout=120_000)
        expect(page.get_by_text(re.compile(r"(drove|cut) this score")).first).to_be_visible(timeout=30_000)
        expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible(timeout=30_000)
        assert not page.get_by_test_id("stException").count(), "no traceback on the Ranked page"
    finally:
        page.close()
