"""Live in a real browser: with `journeylens serve` receiving into the workspace the app shows, the Overview
says so, and an alert posted to the receiver appears on the open page without a reload (app/live_status.py
re-runs the page when a batch is committed). Debian's Chromium; fixtures from tests/app/test_playwright.py."""

import re
import sys
from pathlib import Path

import pytest
from journeylens.notebooks.ingest.upload import ingest_file
from test_playwright import browser, chromium_path, serve  # noqa: F401 (fixtures)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "live"))
from serve_process import FIXTURES, Serve, fixture_bytes  # noqa: E402

pytestmark = pytest.mark.browser


def test_the_overview_refreshes_when_the_receiver_commits_a_batch(tmp_path, browser, chromium_path):  # noqa: F811
    from playwright.sync_api import expect

    ws = tmp_path / "ws"
    ingest_file(ws, "journey-map", FIXTURES / "journey_map.yaml")
    ingest_file(ws, "alerts", FIXTURES / "prometheus" / "webhook_zulip_resolved.json")
    receiver = Serve(ws, "--batch-seconds", "1")
    page = browser.new_page()
    try:
        with serve(ws) as url:
            page.goto(url)
            expect(page.get_by_text(re.compile("journeylens serve. is receiving|journeylens serve is receiving"))
                   ).to_be_visible(timeout=120_000)
            expect(page.get_by_text(re.compile(r"alerts, an upload\)"))).to_be_visible(timeout=30_000)
            alerts = page.get_by_test_id("stMetricValue").first  # the funnel's first figure, outside the watcher
            expect(alerts).to_have_text("1", timeout=60_000)
            answer = receiver.post("/hooks/alertmanager?wait=commit", fixture_bytes("prometheus/webhook_zulip_firing.json"))
            assert answer[0] == 200 and answer[1]["status"] == "stored"
            # no reload: the page's watcher sees the new upload and runs the page again
            expect(page.get_by_text(re.compile(r"alerts, from the live receiver\)"))).to_be_visible(timeout=60_000)
            expect(alerts).to_have_text("3", timeout=60_000)  # the whole page ran again
            assert not page.get_by_test_id("stException").count(), "no traceback on the page"
    finally:
        page.close()
        receiver.stop()
