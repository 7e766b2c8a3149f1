"""The Journey health page in a real browser (Debian's Chromium, never a downloaded one): pick a stage, its
chart fills the page's width and draws its marks (the series line, the band, the signals' spans), and the
time-range slider narrows what it draws. The fixtures that find Chromium, launch it and serve the app are
those of tests/app/test_playwright.py."""

import re
from datetime import datetime, timedelta

import pytest
from test_playwright import browser, chromium_path  # noqa: F401 (fixtures)
from test_playwright_ranked import sample_url  # noqa: F401 (the app on a copy of the sample workspace)

pytestmark = pytest.mark.browser
STAGE = "signup"  # not the first stage: picking it changes the chart


def axis_labels(chart) -> list:
    return chart.locator("svg .role-axis-label text").all_inner_texts()


def drawn(chart, mark: str) -> int:
    """How many `mark` (line, area, rect, rule, symbol) shapes the chart's SVG draws with a non-empty path."""
    return chart.locator(f"svg .mark-{mark} path").evaluate_all(
        "paths => paths.filter(p => (p.getAttribute('d') || '').length > 4).length")


def pick(page, box, option: str, tries: int = 4) -> None:
    """Opens the selectbox `box` and picks `option`. The page idle first, and the dropdown opened again when
    it closed before its options showed: a dropdown opened while the page re-renders can close at once."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    expect(box).to_be_visible(timeout=240_000)
    for _ in range(tries):
        expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=240_000)
        box.click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=10_000)
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    raise AssertionError(f"the {option!r} option never showed in {tries} tries")


def test_a_stage_fills_the_width_draws_its_marks_and_the_range_narrows_it(sample_url, browser):  # noqa: F811
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto(f"{sample_url}/health")
        expect(page.get_by_role("heading", name="Journey health", exact=True)).to_be_visible(timeout=30_000)
        pick(page, page.get_by_test_id("stSelectbox").filter(has_text="Stage"), STAGE)
        caption = page.get_by_text(re.compile(rf"^\d+ signals? fired on {STAGE} in this range"))
        expect(caption).to_be_visible(timeout=120_000)
        chart = page.get_by_test_id("stVegaLiteChart").first
        expect(chart.locator("svg .mark-line path").first).to_be_attached(timeout=30_000)

        # full width: as wide as the page's title block, not a fixed 600 px
        width = chart.bounding_box()["width"]
        column = page.get_by_test_id("stHeading").first.bounding_box()["width"]
        assert width >= 0.95 * column, (width, column)
        assert drawn(chart, "line") >= 1 and drawn(chart, "area") >= 1
        assert drawn(chart, "rect") >= 1, "the signals that fired on the stage are drawn as spans"
        before = axis_labels(chart)
        signals_before = int(caption.inner_text().split()[0])

        # narrow the range: the start thumb four days on, from the keyboard (an hour a step)
        slider = page.get_by_test_id("stSlider").filter(has_text="Time range (UTC)")
        thumb = slider.get_by_role("slider").first
        first = datetime.strptime(thumb.get_attribute("aria-valuetext"), "%Y-%m-%d %H:%M")
        thumb.focus()
        for _ in range(96):
            page.keyboard.press("ArrowRight")
        expect(thumb).to_have_attribute("aria-valuetext", f"{first + timedelta(hours=96):%Y-%m-%d %H:%M}")
        expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=120_000)
        page.wait_for_timeout(1500)
        after = axis_labels(page.get_by_test_id("stVegaLiteChart").first)
        assert after != before, "the chart redraws over the narrower range"
        assert int(caption.inner_text().split()[0]) <= signals_before
        assert not page.get_by_test_id("stException").count(), "no traceback on the page"
    finally:
        page.close()
