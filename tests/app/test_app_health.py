"""The Journey health page through Streamlit's AppTest: signals, burn rates, static against dynamic,
the threshold preview and calibration."""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = "views/health.py"


@pytest.fixture
def workspace(sample_dir, monkeypatch, clear_streamlit_caches) -> Path:
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(sample_dir))
    return sample_dir


TABLE_COLUMNS = {"signals_table": "peak_z", "burn_status": "Status", "static_vs_dynamic": "static_alerts"}


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
    assert set(status["Stage"]) == {"discovery", "signup", "onboarding", "checkout", "renewal"}
    assert set(status["Status"]) <= {"ok", "ticket", "page"}
    compare = table(at, "static_vs_dynamic")
    shown = " ".join(str(df.proto) for df in at.dataframe)  # human headers ride in the column config
    assert "Peak deviation (SD)" in shown and "Detector alerts" in shown
    checkout = compare[(compare["stage"] == "checkout") & (compare["segment"] == "all")
                       & (compare["metric"] == "Conversion")].iloc[0]
    # the interruption budget: a static line fires far more often for the same caught incident
    assert checkout["static_alerts"] > 5 * checkout["dynamic_alerts"] >= 5
    assert checkout["dynamic_caught_ids"] == "INC-1007"
    specs = [c.proto.spec for c in (at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart"))]
    assert any("every signal that fired on this stage" in s for s in specs)  # the picked stage, full width
    assert any("Static: " in s and '"container"' in s for s in specs)  # full width, one above the other
    assert any("Dynamic: " in s and "band_lower" in s and '"container"' in s for s in specs)


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


def stage_chart(at: AppTest) -> tuple:
    """(spec, {dataset name: rows}) of the stage chart: Streamlit sends a chart's datasets as Arrow beside
    its spec."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    found = [c.proto for c in (at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart"))
             if "every signal that fired" in json.dumps(json.loads(c.proto.spec).get("title"))]
    assert len(found) == 1, "one stage chart"
    return json.loads(found[0].spec), {d.name: convert_arrow_bytes_to_pandas_df(d.data.data)
                                       for d in found[0].datasets}


def test_picking_a_stage_shows_its_chart_full_width_with_its_signals(workspace, open_page):
    at = open_page(PAGE)
    assert at.selectbox(key="health_stage").value == "checkout"  # the first stage, alphabetically
    assert stage_chart(at)[0]["title"]["text"].startswith("checkout: conversion")
    at.selectbox(key="health_stage").set_value("signup").run()
    assert not at.exception, at.exception
    spec, data = stage_chart(at)
    assert spec["title"]["text"].startswith("signup: conversion")
    assert spec["width"] == "container"
    signals = table(at, "signals_table")
    titles = {title for frame in data.values() if "title" in frame for title in frame["title"]}
    assert titles == set(signals.loc[signals["stage"] == "signup", "title"]) and titles
    assert any("signals fired on signup" in c.value for c in at.caption)


def test_a_time_range_zooms_the_stage_chart(workspace, open_page):
    at = open_page(PAGE)
    slider = at.slider(key="health_range")
    first, last = slider.value
    before = stage_chart(at)
    at.slider(key="health_range").set_value((last - timedelta(days=2), last)).run()
    assert not at.exception, at.exception
    after = stage_chart(at)
    rows = [data[spec["layer"][2]["data"]["name"]] for spec, data in (before, after)]
    assert len(rows[1]) == 49 < len(rows[0])


def test_the_slo_table_says_why_a_window_is_empty_and_shows_percentages(workspace, open_page):
    at = open_page(PAGE)
    status = table(at, "burn_status")
    assert "stage" not in status.columns and "Stage" in status.columns  # human headers
    cells = status.astype(str).to_numpy().ravel()
    assert not any(c in ("None", "nan", "NaN", "<NA>") for c in cells)
    burns = status[[c for c in status.columns if c.startswith("Budget burn")]]
    assert len(burns.columns) == 5
    values = burns.to_numpy().ravel()
    assert "not enough data" in values  # the sample's short windows are too thin to judge
    judged = [v for v in values if v != "not enough data"]
    assert judged and all(re.fullmatch(r"\d[\d,]*(\.\d)?%", v) for v in judged)  # 158%, 1.2%: no 1.5760
    assert any("not enough data" in c.value and "too few to judge" in c.value for c in at.caption)
