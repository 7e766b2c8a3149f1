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
