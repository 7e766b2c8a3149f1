"""The real app in a real browser: Streamlit served on a free loopback port, driven by Debian's Chromium.

Never downloads a browser. Without /usr/bin/chromium the tests skip locally and fail in CI (CI is set there,
and .ci/run installs chromium)."""

import importlib.util
import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

# bench/ is a folder of scripts run from the repository root, not part of the package: loaded by its path
_spec = importlib.util.spec_from_file_location(
    "app_server", Path(__file__).resolve().parents[2] / "bench" / "app_server.py")
app_server = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(app_server)
CHROMIUM, CHROMIUM_ARGS, serve = app_server.CHROMIUM, app_server.CHROMIUM_ARGS, app_server.serve
ALERTS_CSV = (
    "fired_at,service,name,severity\n"
    "2025-03-03T10:00:00Z,payments-api,HighLatency,critical\n"
    "2025-03-03T10:05:00Z,checkout-web,HighErrorRate,warning\n"
)


@pytest.fixture(scope="module")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; .ci/run installs it")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, chromium_path):
    with serve(tmp_path_factory.mktemp("browser-ws")) as url:
        yield url


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def test_data_page_uploads_and_stores_a_csv(app_url, browser, tmp_path):
    from playwright.sync_api import expect

    csv = tmp_path / "browser-alerts.csv"
    csv.write_text(ALERTS_CSV)
    page = browser.new_page()
    try:
        page.goto(f"{app_url}/data")  # the app opens on the Overview
        expect(page.get_by_role("heading", name="Data", exact=True)).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Nothing stored yet")).to_be_visible(timeout=30_000)

        # the page's own uploader ("File"), not the severity map's inside its expander
        uploader = page.get_by_test_id("stFileUploader").filter(has=page.get_by_text("File", exact=True))
        uploader.locator("input[type=file]").set_input_files(str(csv))
        expect(page.get_by_text("reads as layout")).to_be_visible(timeout=30_000)
        page.get_by_role("button", name="Store", exact=True).click()

        success = page.get_by_test_id("stAlertContentSuccess")
        expect(success).to_contain_text("browser-alerts.csv", timeout=30_000)
        expect(success).to_contain_text("2 rows")
        assert not page.get_by_test_id("stException").count(), "no traceback on the page"
    finally:
        page.close()


def test_every_page_opens_without_a_traceback(app_url, browser):
    from playwright.sync_api import expect

    page = browser.new_page()
    try:
        page.goto(app_url)
        # what each page says once it has computed, whether or not another test stored alerts first
        for title, says in (("Audit", r"needs a journey map"),
                            ("Ranked alerts", r"No alerts to rank yet|Why this entry\?"),
                            ("Journey health", r"No journey metrics yet"),
                            ("AI outcomes", r"No AI interactions yet"),
                            ("Retro", r"Per stage"), ("Governance", r"Audit chain")):
            page.get_by_role("link", name=title).click()
            expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=30_000)
            expect(page.get_by_text(re.compile(says)).first).to_be_visible(timeout=60_000)
            assert not page.get_by_test_id("stException").count(), f"no traceback on {title}"
    finally:
        page.close()


def test_the_app_asks_nothing_of_the_network(app_url, browser):
    # offline use: every request the pages make goes to the app's own server (no font, icon or script CDN)
    from urllib.parse import urlparse

    from playwright.sync_api import expect

    asked = []
    page = browser.new_page()
    page.on("request", lambda request: asked.append(request.url))
    try:
        page.goto(app_url)
        for title in ("Ranked alerts", "Journey health", "AI outcomes"):
            page.get_by_role("link", name=title).click()
            expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=30_000)
        page.wait_for_timeout(1000)
    finally:
        page.close()
    elsewhere = [url for url in asked if urlparse(url).scheme in ("http", "https", "ws", "wss")
                 and urlparse(url).hostname not in ("127.0.0.1", "localhost")]
    assert asked and not elsewhere, elsewhere
    icons = [url for url in asked if "favicon" in url or url.endswith(".png")]
    assert icons, "the tab icon is served by the app"
