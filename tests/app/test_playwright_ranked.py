"""The Ranked page in a real browser, on the sample workspace: a row click opens the drill-down with the score's
breakdown, and a weight change moves the queue. Served and driven as tests/app/test_playwright.py does (its
helpers and the Chromium fixtures are imported from there); never downloads a browser."""

import re
import shutil
import time

import pytest
from test_playwright import browser, chromium_path, serve  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

ROW_PX = 35  # Streamlit's default dataframe row height (and its header's)


@pytest.fixture(scope="module")
def sample_url(sample_dir, tmp_path_factory, chromium_path):  # noqa: F811 (the imported fixture)
    """The app serving a private copy of the sample workspace on a free loopback port."""
    workspace = tmp_path_factory.mktemp("browser-ranked") / "ws"
    shutil.copytree(sample_dir, workspace)
    with serve(workspace) as url:
        yield url


@pytest.fixture
def ranked_page(sample_url, browser):  # noqa: F811 (the imported fixture)
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1600, "height": 1200})
    try:
        page.goto(f"{sample_url}/ranked")
        expect(page.get_by_role("heading", name="Ranked alerts", exact=True)).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Why this entry?")).to_be_visible(timeout=120_000)
        yield page
    finally:
        page.close()


def queue_grid(page):
    return page.get_by_test_id("stDataFrame").first


def visible_rows(page) -> list:
    """The queue table's rows on screen, as the grid's accessibility table gives them: each a list of cell
    texts (rank, score, stage, service, alert, ...)."""
    from playwright.sync_api import expect

    rows = queue_grid(page).locator("tr")
    expect(rows.nth(8)).to_be_attached(timeout=30_000)
    cells = [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]
    return [c for c in cells if len(c) > 4]  # the header row has th cells


def test_a_row_click_opens_its_drill_down_with_the_breakdown(ranked_page):
    from playwright.sync_api import expect

    page = ranked_page
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(0)  # nothing open yet
    rows = visible_rows(page)
    third = next(r for r in rows if r and r[0].strip() == "3")
    box = queue_grid(page).bounding_box()
    # the row marker (the checkbox column at the left) of the third row, under the header
    page.mouse.click(box["x"] + 15, box["y"] + ROW_PX * 3 + ROW_PX / 2)

    heading = page.locator("h4").filter(has_text=re.compile(r"^#3 · "))
    expect(heading).to_be_visible(timeout=60_000)
    assert third[3] in heading.inner_text(), (third, heading.inner_text())
    expect(page.get_by_text(re.compile(r"(drove|cut) this score")).first).to_be_visible()
    chart = page.get_by_test_id("stVegaLiteChart").first
    expect(chart).to_be_visible(timeout=30_000)
    drawn = chart.bounding_box()
    assert drawn["width"] > 300 and drawn["height"] > 150, drawn
    assert "entry=" in page.url, "the URL names the open entry, so it can be shared"
    assert not page.get_by_test_id("stException").count(), "no traceback on the page"


def test_a_weight_change_moves_the_queue(ranked_page):
    page = ranked_page
    before = [tuple(r[3:5]) for r in visible_rows(page) if r]
    assert len(before) >= 8, before
    # the evidence off (corroboration 0) and severity counting fully: harmless loud alerts rise
    for label, key in (("Weight of measured harm (corroboration)", "Home"), ("Severity weight", "End")):
        slider = page.get_by_test_id("stSlider").filter(has_text=label).get_by_role("slider").first
        slider.focus()
        slider.press(key)
    deadline = time.monotonic() + 60
    after = before
    while time.monotonic() < deadline and after == before:
        time.sleep(0.5)
        after = [tuple(r[3:5]) for r in visible_rows(page) if r]
    assert after != before, "the queue re-ranked"
    assert not page.get_by_test_id("stException").count(), "no traceback on the page"


def test_the_needs_mapping_tab_shows_the_lane_when_opened_and_stays_open(ranked_page):
    from playwright.sync_api import expect

    page = ranked_page
    said = "alert groups on services no touchpoint claims"
    expect(page.get_by_text(said)).to_have_count(0)  # read only when its tab is opened
    page.get_by_role("tab", name=re.compile(r"^Needs mapping \(")).click()
    expect(page.get_by_text(said)).to_be_visible(timeout=60_000)
    expect(page.get_by_role("tab", name=re.compile(r"^Needs mapping \("))).to_have_attribute("aria-selected", "true")
    # a threshold that empties the queue changes the Queue tab's label: the lane stays open
    queue_tab = page.get_by_role("tab", name=re.compile(r"^Queue \(")).inner_text()
    slider = page.locator(".st-key-knob-threshold").get_by_role("slider")
    slider.focus()
    slider.press("End")
    expect(page.get_by_role("tab", name=re.compile(r"^Queue \("))).not_to_have_text(queue_tab, timeout=60_000)
    expect(page.get_by_text(said)).to_be_visible()
    page.get_by_role("tab", name=re.compile(r"^Queue \(")).click()
    expect(page.get_by_text("Why this entry?")).to_be_visible(timeout=60_000)
    expect(page.get_by_text(said)).to_have_count(0)
    assert not page.get_by_test_id("stException").count(), "no traceback on the page"
