"""The Audit page in a real browser (Debian's Chromium, never a downloaded one): a small alerts CSV and the
sample world's journey map uploaded, the audit run, and report.html downloaded and read. The app is served on
a workspace that the audit must leave untouched; the fixtures that find Chromium and launch it are those of
tests/app/test_playwright.py."""

from pathlib import Path

import pytest
from test_playwright import browser, chromium_path, serve  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
WORLD = Path(__file__).resolve().parents[2] / "sample_data" / "world"
# checkout-web is claimed by the sample world's journey map (stage checkout); the name is one to find again
ALERTS_CSV = (
    "fired_at,service,name,severity\n"
    "2026-11-03T10:00:00Z,checkout-web,AuditBrowserLatency,critical\n"
    "2026-11-03T10:02:00Z,checkout-web,AuditBrowserLatency,critical\n"
    "2026-11-03T11:00:00Z,search-api,AuditBrowserSlowQueries,warning\n"
)


@pytest.fixture(scope="module")
def served(tmp_path_factory, chromium_path):  # noqa: F811 (the imported fixture)
    """(url, workspace): the app served on a workspace that starts empty."""
    workspace = tmp_path_factory.mktemp("audit-browser") / "ws"
    with serve(workspace) as url:
        yield url, workspace


def test_an_audit_of_uploads_downloads_its_report(served, browser, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    url, workspace = served
    alerts = tmp_path / "audit-alerts.csv"
    alerts.write_text(ALERTS_CSV, encoding="utf-8")
    page = browser.new_page()
    try:
        page.goto(f"{url}/audit")
        expect(page.get_by_role("heading", name="Audit", exact=True)).to_be_visible(timeout=30_000)

        def uploader(label: str):
            return (page.get_by_test_id("stFileUploader").filter(has=page.get_by_text(label, exact=True))
                    .locator("input[type=file]"))

        uploader("Journey map (YAML, required)").set_input_files(str(WORLD / "journey_map.yaml"))
        uploader("Alerts (required; one or more files)").set_input_files(str(alerts))
        run = page.get_by_role("button", name="Run the audit")
        expect(run).to_be_enabled(timeout=30_000)
        run.click()

        expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("3 alerts became", timeout=180_000)
        button = page.get_by_role("button", name="Download report.html")
        expect(button).to_be_visible(timeout=30_000)
        with page.expect_download(timeout=60_000) as info:
            button.click()
        download = info.value
        assert download.suggested_filename == "report.html"
        report = Path(download.path()).read_text(encoding="utf-8")
        assert "journeylens audit" in report and "AuditBrowserLatency" in report
        assert "audit-alerts.csv" in report and "journey_map.yaml" in report, "the report names what was uploaded"
        assert not page.get_by_test_id("stException").count(), "no traceback on the page"
        assert not workspace.exists() or not any(workspace.iterdir()), "the served workspace is left alone"
    finally:
        page.close()
