"""notebooks/retro/weekly.py, retro_report.py and `journeylens retro`: SPEC §4.3 per stage, ISO weeks, reports."""

import csv
import random
from datetime import datetime, timedelta

import pandas as pd
import pytest
from journeylens.app.cli import main
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.retro.weekly import retro_stages, week_window
from journeylens.notebooks.workspace.snapshot import connect

MAP = """\
journey: shop
stages:
  - {id: signup, impact: 6, sensitivity: 0.5}
  - {id: checkout, impact: 9, sensitivity: 1.0}
touchpoints:
  - {stage: checkout, match: {service: "pay-*"}}
"""
FIELDS = ["incident_id", "opened_at", "acknowledged_at", "resolved_at", "journey_restored_at", "stage", "outcome"]


def iso(t):
    return "" if t is None else t.strftime("%Y-%m-%dT%H:%M:%SZ")


def random_incidents(seed=1, n=60):
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        opened = datetime(2026, 10, 19) + timedelta(minutes=rng.randrange(0, 21 * 1440))
        def later(lo, hi, opened=opened):
            return opened + timedelta(minutes=rng.randrange(lo, hi)) if rng.random() < 0.8 else None

        rows.append({"incident_id": f"INC-{i}", "opened_at": opened, "acknowledged_at": later(1, 30),
                     "resolved_at": later(10, 300), "journey_restored_at": later(20, 400),
                     "stage": rng.choice(["signup", "checkout", "checkout", "search", None]),
                     "outcome": rng.choice(["actioned", "noise", "duplicate", "escalated", "auto_mitigated", None])})
    return rows


def workspace_with(tmp_path, incidents):
    ws = tmp_path / "ws"
    (tmp_path / "map.yaml").write_text(MAP)
    ingest_file(ws, "journey-map", tmp_path / "map.yaml")
    with open(tmp_path / "incidents.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        for row in incidents:
            writer.writerow({k: iso(v) if isinstance(v, datetime) or (v is None and k.endswith("_at")) else (v or "")
                             for k, v in row.items()})
    ingest_file(ws, "incidents", tmp_path / "incidents.csv")
    return ws


def reference(incidents, start=None, end=None):
    """SPEC §4.3 read literally."""
    rows = [r for r in incidents if r["stage"] and (start is None or start <= r["opened_at"] < end)]
    out = {}
    for stage in {r["stage"] for r in rows} | {"signup", "checkout"}:
        mine = [r for r in rows if r["stage"] == stage]
        counted = [r for r in mine if r["outcome"] not in ("noise", "duplicate")]

        def mean(field, counted=counted):
            values = [(r[field] - r["opened_at"]).total_seconds() / 60 for r in counted if r[field] is not None]
            return sum(values) / len(values) if values else None

        out[stage] = {"incidents": len(counted), "noise_incidents": sum(r["outcome"] == "noise" for r in mine),
                      "mtta_min": mean("acknowledged_at"), "mttr_min": mean("resolved_at"),
                      "restore_min": mean("journey_restored_at")}
    return out


def check(frame, expected):
    assert set(frame["stage"]) == set(expected)
    for row in frame.to_dict("records"):
        want = expected[row["stage"]]
        for key, value in want.items():
            if value is None:
                assert pd.isna(row[key]), (row["stage"], key)
            else:
                assert row[key] == pytest.approx(value), (row["stage"], key)


def test_retro_stages_match_the_spec_for_all_data_and_for_a_week(tmp_path):
    incidents = random_incidents()
    ws = workspace_with(tmp_path, incidents)
    con = connect(ws)
    try:
        check(retro_stages(con), reference(incidents))
        start, end = week_window("2026-W44")
        check(retro_stages(con, "2026-W44"), reference(incidents, start, end))
    finally:
        con.close()
    assert list(retro_stages(connect(ws))["stage"])[:2] == ["signup", "checkout"]  # journey order first


def test_sunday_2350_utc_belongs_to_the_week_it_ends(tmp_path):
    sunday = datetime(2026, 11, 1, 23, 50)  # Sunday of ISO week 2026-W44
    ws = workspace_with(tmp_path, [{"incident_id": "late", "opened_at": sunday, "acknowledged_at": sunday
                                    + timedelta(minutes=20), "resolved_at": None, "journey_restored_at": None,
                                    "stage": "checkout", "outcome": "actioned"}])
    con = connect(ws)
    try:
        week44 = retro_stages(con, "2026-W44").set_index("stage")
        week45 = retro_stages(con, "2026-W45").set_index("stage")
    finally:
        con.close()
    assert week44.loc["checkout", "incidents"] == 1 and week44.loc["checkout", "mtta_min"] == 20.0
    assert week45.loc["checkout", "incidents"] == 0


def test_week_window_checks_its_input():
    assert week_window("2026-W44") == (datetime(2026, 10, 26), datetime(2026, 11, 2))
    assert week_window("2026-W53")[0] == datetime(2026, 12, 28)
    with pytest.raises(ValueError, match="no ISO week 53"):
        week_window("2025-W53")
    with pytest.raises(ValueError, match="YYYY-Www"):
        week_window("2026-44")


def test_cli_writes_the_three_files(tmp_path, capsys):
    ws = workspace_with(tmp_path, random_incidents(seed=2))
    out = tmp_path / "retro"
    assert main(["retro", "--workspace", str(ws), "--week", "2026-W44", "--out", str(out)]) == 0
    for name in ("retro_stages.csv", "retro.md", "retro.html"):
        assert (out / name).stat().st_size > 0
    stages = pd.read_csv(out / "retro_stages.csv")
    assert list(stages.columns[:6]) == ["stage", "incidents", "noise_incidents", "mtta_min", "mttr_min", "restore_min"]
    page = (out / "retro.html").read_text()
    assert "<script src=" not in page and "vegaEmbed" in page and "2026-W44" in page
    assert "Week 2026-W44 (" in capsys.readouterr().err, "the counts line names its period, as the Retro page does"
    assert main(["retro", "--workspace", str(ws), "--week", "2026-13"]) == 2
    assert "YYYY-Www" in capsys.readouterr().err


def test_sample_week_over_week_trends_and_ai_changes(sample_dir):
    from journeylens.notebooks.retro.weekly import retro, retro_context, retro_trends

    context = retro_context(sample_dir)
    week = retro(sample_dir, "2026-W44", context=context)
    ai = week["ai_week_over_week"].set_index(["feature", "segment"])
    overall = ai.loc[("all", "all")]
    assert overall["task_completion_rate_change"] == pytest.approx(
        overall["task_completion_rate"] - overall["task_completion_rate_before"])
    assert overall["interactions"] > 0 and overall["interactions_before"] > 0
    trends = retro_trends(sample_dir, context=context).set_index("week")
    assert {"2026-W44", "2026-W45", "2026-W46"} <= set(trends.index)
    assert trends.loc["2026-W44", "alerts"] == week["volume"]["alerts"]
    assert trends.loc["2026-W44", "mttr_checkout"] == pytest.approx(74.0)  # INC-1007: 14:06 -> 15:20
    assert trends["alerts"].sum() == retro(sample_dir, context=context)["volume"]["alerts"]


def test_retro_lists_map_changes_and_assumptions_due(tmp_path, capsys):
    from journeylens.notebooks.retro.governance import save_assumption

    ws = workspace_with(tmp_path, random_incidents(seed=3))
    save_assumption(ws, "Shoppers retry a declined card once", "ana", "2020-01-01")
    out = tmp_path / "retro"
    assert main(["retro", "--workspace", str(ws), "--out", str(out)]) == 0
    text = (out / "retro.md").read_text()
    assert "Assumptions due for review" in text and "Shoppers retry a declined card once" in text
    what_changed = text.split("## What changed")[1].split("##")[0]
    assert "journey-map" in what_changed and "assumption.saved" in what_changed


def test_conversion_stability_measures_the_deepest_drop_and_how_long_it_lasted():
    from journeylens.notebooks.retro.weekly import conversion_stability

    hours = pd.date_range("2026-01-01", periods=10, freq="h")
    conversion = [0.5, 0.5, 0.4, 0.2, 0.3, 0.5, 0.44, 0.5, 0.5, 0.5]
    frame = pd.DataFrame({"stage": "checkout", "hour": hours, "conversion": conversion, "conversion_baseline": 0.5})
    row = conversion_stability(frame).iloc[0]
    assert row["deepest_drop"] == pytest.approx(-0.6)
    assert row["deepest_drop_hours"] == 3  # 0.4, 0.2, 0.3 in a row; 0.44 later is a separate dip
    assert row["hours_below_10pct"] == 4
    assert row["conversion_variance"] == pytest.approx(pd.Series(conversion).var())
