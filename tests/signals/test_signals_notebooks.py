"""The signals notebooks as an analyst opens them: run headless (app.run()) on the sample workspace, and on a
mistyped path, which they refuse without creating it. Each test checks what the notebook shows."""


import pytest
from notebook_views import run_notebook, shown

NOTEBOOKS = ("thresholds", "journey_signals", "slo", "threshold_review")


def run(name: str, workspace, monkeypatch) -> tuple:
    """(outputs, definitions) of notebooks/signals/<name>.py run top to bottom on `workspace`."""
    return run_notebook(f"signals.{name}", workspace, monkeypatch)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_a_mistyped_workspace_is_refused_and_not_created(name, tmp_path, monkeypatch):
    typo = tmp_path / "worksapce"
    outputs, defs = run(name, typo, monkeypatch)
    assert "is no journeylens workspace" in shown(outputs)
    assert not typo.exists() and "deviations" not in defs and "series" not in defs


def test_thresholds_preview_on_the_checkout_conversion(sample_dir, monkeypatch):
    outputs, defs = run("thresholds", sample_dir, monkeypatch)
    text = shown(outputs)
    # the shipped setting on checkout · all · conversion: one episode, the incident that mattered caught
    assert list(defs["fired"]["title"]) == ["checkout conversion −48%, 2026-10-26 14:00–16:00"]
    assert defs["caught"] == ["INC-1007"] and defs["inside"] == [True]
    assert defs["nab"]["standard"] == pytest.approx(100.0)
    assert "checkout · all: conversion, 1 episodes, 1 of 1 incidents caught" in text and "band_lower" in text
    assert "Minimum deviation z_min" in text and "NAB score of the series" in text


def test_thresholds_preview_moves_with_the_settings(sample_dir, monkeypatch):
    """The cell behind the preview, called with a looser detector: more episodes over the same history."""
    from journeylens.notebooks.signals.journey_signals import journey_signals, metric_deviation
    from journeylens.notebooks.signals.thresholds import detector_params
    from journeylens.notebooks.workspace.snapshot import connect, sql_text

    con = connect(sample_dir)
    try:
        series = con.execute(sql_text("journey_series")).df()
    finally:
        con.close()
    rows = series[(series["stage"] == "checkout") & (series["segment"] == "all")]
    counts = [len(journey_signals(metric_deviation(rows, "conversion", detector_params({"z_min": z, "record_rows": 24}))))
              for z in (8.0, 4.0, 2.0)]
    assert counts[0] <= counts[1] < counts[2]


def test_journey_signals_lists_the_fired_signals_with_their_chart(sample_dir, monkeypatch):
    outputs, defs = run("journey_signals", sample_dir, monkeypatch)
    signals = defs["signals"]
    assert len(signals) >= 5 and signals["title"].str.startswith("checkout conversion −").any()
    text = shown(outputs)
    assert f"{len(signals)} signals fired" in text
    assert defs["chosen"]["title"] in text and "signals that fired" in text  # its chart, and every stage's


def test_slo_shows_burn_rates_per_stage(sample_dir, monkeypatch):
    outputs, defs = run("slo", sample_dir, monkeypatch)
    assert set(defs["status"]["stage"]) == {"discovery", "signup", "onboarding", "checkout", "renewal"}
    alerts = defs["alerts"]
    assert ((alerts["stage"] == "checkout") & (alerts["action"] == "page")
            & (alerts["started_at"].astype(str) == "2026-10-26 14:00:00")).any()  # the checkout incident pages
    assert "Burn rate per stage over 6h, objective 98.0%" in shown(outputs)


def test_threshold_review_compares_static_and_dynamic(sample_dir, monkeypatch):
    outputs, defs = run("threshold_review", sample_dir, monkeypatch)
    compare = defs["compare"]
    checkout = compare[(compare["stage"] == "checkout") & (compare["segment"] == "all")
                       & (compare["metric"] == "conversion")].iloc[0]
    assert checkout["static_alerts"] > 5 * checkout["dynamic_alerts"] >= 5 and checkout["dynamic_caught_ids"] == "INC-1007"
    assert defs["rules"]["static"].sum() == checkout["static_alerts"]
    text = shown(outputs)
    assert f"Static: {checkout['static_alerts']} alerts" in text and "Dynamic: " in text
    assert "Calibration suggestions" in text
