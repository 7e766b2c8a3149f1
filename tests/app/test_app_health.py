"""The Journey health page through Streamlit's AppTest: signals, burn rates, static against dynamic,
the threshold preview and calibration."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = "views/health.py"


@pytest.fixture
def workspace(sample_dir, monkeypatch, clear_streamlit_caches) -> Path:
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(sample_dir))
    return sample_dir


TABLE_COLUMNS = {"signals_table": "peak_z", "burn_status": "status", "static_vs_dynamic": "static_alerts"}


def table(at: AppTest, key: str):
    """A shown table, told apart by a column only it has (AppTest does not expose dataframe keys)."""
    found = [df.value for df in at.dataframe if TABLE_COLUMNS[key] in df.value.columns]
    assert found, f"table {key} is shown"
    return found[0]


def test_page_shows_signals_burn_rates_and_the_comparison(workspace, open_page):
    at = open_page(PAGE)
    assert at.title[0].value == "Journey health"
    assert not at.error
    signals = table(at, "signals_table")
    assert signals["title"].str.startswith("checkout conversion −").any()
    status = table(at, "burn_status")
    assert set(status["stage"]) == {"discovery", "signup", "onboarding", "checkout", "renewal"}
    assert set(status["status"]) <= {"ok", "ticket", "page"}
    compare = table(at, "static_vs_dynamic")
    checkout = compare[(compare["stage"] == "checkout") & (compare["segment"] == "all")
                       & (compare["metric"] == "conversion")].iloc[0]
    # the interruption budget: a static line fires far more often for the same caught incident
    assert checkout["static_alerts"] > 5 * checkout["dynamic_alerts"] >= 5
    assert checkout["dynamic_caught_ids"] == "INC-1007"
    specs = [c.proto.spec for c in (at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart"))]
    assert any('"facet"' in s and "signals that fired" in s for s in specs)  # every stage at a glance
    assert any("Static: " in s and "Dynamic: " in s and "band_lower" in s for s in specs)


def test_threshold_preview_changes_what_would_have_fired(workspace, open_page):
    at = open_page(PAGE)
    before = len(table(at, "signals_table"))
    at.sidebar.slider(key="detector-z_min").set_value(8.0)
    at.run()
    assert not at.exception, at.exception
    after = len(table(at, "signals_table"))
    assert after < before
    at.sidebar.slider(key="detector-z_min").set_value(3.0)
    at.run()
    assert len(table(at, "signals_table")) > before


def test_page_without_metrics_says_what_to_do(tmp_path, monkeypatch, clear_streamlit_caches, open_page):
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(tmp_path / "empty"))
    at = open_page(PAGE)
    assert any("No journey metrics yet" in i.value for i in at.info)
