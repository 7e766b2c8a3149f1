"""notebooks/signals/journey_signals.py: journey metrics against their own history, fired signals, the stage
episodes the ranked queue shows, and the baselines harm is measured from."""

from datetime import timedelta

import pandas as pd
import pytest
from journeylens.notebooks.queue.ranking import queue_select, rank_alerts
from journeylens.notebooks.signals.journey_signals import (
    journey_deviations,
    stage_episodes,
    workspace_signals,
)
from journeylens.notebooks.workspace.snapshot import connect
from metrics_world import metrics_workspace


def test_a_conversion_drop_becomes_one_titled_signal(tmp_path):
    ws, onset = metrics_workspace(tmp_path)
    found = workspace_signals(ws)
    conversion = found["signals"][found["signals"]["metric"] == "conversion"]
    enterprise = conversion[conversion["segment"] == "enterprise"]
    assert len(enterprise) == 1
    signal = enterprise.iloc[0]
    assert pd.Timestamp(signal["started_at"]) == pd.Timestamp(onset)
    assert pd.Timestamp(signal["ended_at"]) == pd.Timestamp(onset + timedelta(hours=2))
    assert signal["change"] == pytest.approx(-0.35, abs=0.06)
    assert signal["title"].startswith("checkout conversion −3") and "for enterprise, 2026-03-20 14:00–16:00" in \
        signal["title"]
    assert (conversion["segment"] != "free").all()  # 2-9 sessions an hour never page


def test_no_drop_no_conversion_signal(tmp_path):
    ws, _ = metrics_workspace(tmp_path, drop=0.0)
    signals = workspace_signals(ws)["signals"]
    assert signals[signals["metric"] == "conversion"].empty


def test_deviations_are_causal_rows_with_a_band(tmp_path):
    ws, onset = metrics_workspace(tmp_path)
    con = connect(ws)
    try:
        deviations = journey_deviations(con)
        stored = con.execute("select count(*) from journey_deviations").fetchall()[0][0]
    finally:
        con.close()
    assert stored == len(deviations)
    row = deviations[(deviations["metric"] == "conversion") & (deviations["segment"] == "enterprise")
                     & (deviations["ts"] == pd.Timestamp(onset))].iloc[0]
    assert row["alert"] and row["value"] < row["band_lower"] < row["baseline"] < row["band_upper"]
    assert set(deviations["segment"]) == {"enterprise", "free", "all"}


def test_overlapping_signals_of_a_stage_are_one_episode():
    t = pd.Timestamp("2026-01-01 10:00")
    signals = pd.DataFrame({
        "signal_id": ["a", "b", "c"], "stage": ["checkout"] * 3, "segment": ["all", "pro", "all"],
        "metric": ["conversion", "time_to_value_s", "conversion"], "started_at": [t, t + pd.Timedelta("1h"),
                                                                                t + pd.Timedelta("9h")],
        "ended_at": [t + pd.Timedelta("2h"), t + pd.Timedelta("3h"), None], "peak_z": [5.0, 9.0, 4.5],
        "title": ["checkout conversion −40%, x", "checkout time to value +80% for pro, x", "checkout conversion −20%, x"],
    })
    episodes = stage_episodes(signals, last_ts=t + pd.Timedelta("12h"))
    assert len(episodes) == 2
    first, second = episodes.iloc[0], episodes.iloc[1]
    assert first["signals"] == 2 and first["title"].startswith("checkout: conversion −40%, time to value +80% for pro")
    assert pd.isna(second["ended_at"]) and "since" in second["title"]


def test_sample_incidents_fire_on_their_stages(sample_dir):
    signals = workspace_signals(sample_dir)["signals"]
    whole = signals[signals["segment"] == "all"]
    starts = {(r["stage"], r["metric"]): pd.Timestamp(r["started_at"]) for r in whole.to_dict("records")}
    # sample_data/README: checkout outage day 9 14:05, signup email day 17, onboarding slowdown day 24
    assert starts[("checkout", "conversion")] == pd.Timestamp("2026-10-26 14:00")
    assert starts[("signup", "conversion")].date() == pd.Timestamp("2026-11-03").date()
    assert starts[("onboarding", "time_to_value_s")].date() == pd.Timestamp("2026-11-10").date()
    assert len(signals) < 40  # quiet hours on thin traffic do not fire


def test_signals_join_the_app_queue_but_not_the_spec_csv(sample_dir):
    con = connect(sample_dir)
    try:
        rank_alerts(con, None, [], signals=True)
        queued = con.execute(queue_select(10)).df()
        rank_alerts(con, None, [])
        plain = con.execute(queue_select()).df()
        baselines = con.execute(
            "select h.conversion_baseline, d.baseline from stage_hourly h join journey_deviations d "
            "on d.stage = h.stage and d.ts = h.hour and d.segment = 'all' and d.metric = 'conversion' "
            "where d.baseline is not null").fetchall()
    finally:
        con.close()
    signal_rows = queued[queued["source"] == "journeylens"]
    assert len(signal_rows) >= 2 and any(signal_rows["name"].str.startswith("checkout: conversion −"))
    assert (signal_rows["alert_ids"] == "").all()
    # journey signals on journey:<stage>; AI drops and burn-rate pages join the same queue on ai: and slo:
    journey = signal_rows["kind"] == "journey_signal"
    assert signal_rows.loc[journey, "service"].str.startswith("journey:").all()
    assert signal_rows["service"].str.match(r"(journey|ai|slo):").all()
    assert not (plain["source"] == "journeylens").any()
    # harm is measured from the same baselines the signals fire against
    assert baselines and all(abs(a - b) < 1e-9 for a, b in baselines)


def test_the_series_holds_one_row_per_hour_stage_and_segment():
    """A stage measured per segment and also as a whole (rows without a segment) keeps its own whole: the
    segments are not added up into a second 'all' row of the same hour. A stage with segments only gets its
    'all' row added up; one without segments keeps its rows."""
    from journeylens.notebooks.workspace.snapshot import new_connection, sql_text

    con = new_connection()
    con.execute("create or replace temp table journey_metrics as select * from (values "
                "(timestamp '2026-01-01 10:00', 'checkout', null, 100, 50, null, null),"
                "(timestamp '2026-01-01 10:00', 'checkout', 'pro', 30, 20, null, null),"
                "(timestamp '2026-01-01 10:00', 'signup', 'pro', 10, 5, null, null),"
                "(timestamp '2026-01-01 10:00', 'signup', 'free', 20, 5, null, null),"
                "(timestamp '2026-01-01 10:00', 'browse', null, 7, 1, null, null)) "
                "as t(ts, stage, segment, entered, completed, time_to_value_s, satisfaction)")
    series = con.execute(sql_text("journey_series")).df()
    con.close()
    rows = {(r.stage, r.segment): r.entered for r in series.itertuples()}
    assert rows == {("checkout", "all"): 100, ("checkout", "pro"): 30, ("signup", "all"): 30,
                    ("signup", "free"): 20, ("signup", "pro"): 10, ("browse", "all"): 7}
    assert not series.duplicated(["ts", "stage", "segment"]).any()
