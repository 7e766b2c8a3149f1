"""The app benchmark's core (bench/bench_app.py) on a copy of the sample workspace, one repetition: it gives a
wall time and a server time for every interaction it reports. Not its values: the machine is shared, and
timings are the benchmark's to report, not a test's to assert."""

import shutil
from pathlib import Path

import pytest
from test_playwright import browser, chromium_path  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]


def test_the_app_benchmark_times_every_interaction_on_the_sample(sample_dir, browser, tmp_path,  # noqa: F811
                                                                 monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))  # bench/ is a folder of scripts run from the repository root
    monkeypatch.setenv("JOURNEYLENS_RUN_TIMINGS", "")  # the bench sets it for its server: restored after
    from bench.bench_app import BASELINES, SAMPLE, measure_sample

    workspace = tmp_path / "ws"
    shutil.copytree(sample_dir, workspace)
    found = measure_sample(browser, workspace, repeats=1)

    for name, _, _ in SAMPLE + BASELINES:
        assert found.get(name), f"no figure for {name}"
        for figure in found[name]:
            assert figure["wall_s"] > 0 and figure["runs"] >= 1 and figure["server_s"] > 0, (name, figure)
    assert (tmp_path / "runs.jsonl").read_text().count("\n") >= len(found), "the app's timing hook wrote"


CANVAS_PAGE = ("<canvas id='grid' width='200' height='50'></canvas><script>"
               "document.getElementById('grid').getContext('2d').fillText('score 41.2', 10, 20);</script>")
REDRAW = """text => { const c = document.getElementById('grid').getContext('2d');
  c.clearRect(0, 0, 200, 50); c.fillText(text, 10, 20); }"""


def test_the_paint_watch_stamps_a_canvas_redrawn_with_other_numbers_and_nothing_else(browser,  # noqa: F811
                                                                                     monkeypatch):
    """The weight change is timed by the queue grid's pixels (glide-data-grid draws its cells on a canvas; its
    DOM copy lags by a 200 ms debounce): a redraw with the same numbers shows nothing new, one with others
    is stamped after the action and before the benchmark looked."""
    monkeypatch.syspath_prepend(str(ROOT))
    from bench.app_drive import WATCH_PAINTED

    page = browser.new_page()
    try:
        page.set_content(CANVAS_PAGE)
        page.evaluate(WATCH_PAINTED, "#grid")
        page.evaluate(REDRAW, "score 41.2")  # the same pixels
        page.wait_for_timeout(300)
        assert page.evaluate("window.__benchPaintedAt") == 0, "a redraw of the same numbers is no change"
        drawn = page.evaluate(f"(() => {{ ({REDRAW})('score 57.9'); return performance.now(); }})()")
        stamp = page.wait_for_function("window.__benchPaintedAt", timeout=5000).json_value()
        assert drawn <= stamp < drawn + 500, (drawn, stamp)
        page.evaluate(WATCH_PAINTED, "#missing")  # no canvas yet: waits, stamps nothing
        page.wait_for_timeout(200)
        assert page.evaluate("window.__benchPaintedAt") == 0
    finally:
        page.close()
