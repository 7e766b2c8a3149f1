"""Feed health (notebooks/signals/feed_health.py, sql/signals/02-08): a gap, a stale feed, a volume change and
a schema change are each caught, on small worlds written here; a healthy world reports nothing."""

from datetime import datetime

import pandas as pd
import pytest
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.signals.feed_health import (
    feed_cadences,
    feed_health_section,
    feed_params,
    feed_problems,
    feed_summary,
    feed_tables,
    periods_text,
    workspace_feed_problems,
)
from journeylens.notebooks.workspace.snapshot import close_snapshot, connect

START = pd.Timestamp("2026-10-01 00:00")
DAYS = 20


def hours(days=DAYS, start=START):
    return list(pd.date_range(start, periods=days * 24, freq="h"))


def metrics_frame(times, stages=("checkout", "signup")):
    return pd.DataFrame([{"ts": t.isoformat(), "stage": s, "segment": "pro", "entered": 100, "completed": 40}
                         for t in times for s in stages])


def alerts_frame(times, source="nagios", labels="team=web;env=prod", per_time=1, region=None):
    rows = []
    for t in times:
        for k in range(per_time):
            row = {"fired_at": (t + pd.Timedelta(minutes=k)).isoformat(), "service": "web", "name": "cpu",
                   "severity": "warning", "source": source, "labels": labels}
            if region is not None:
                row["region"] = region
            rows.append(row)
    return pd.DataFrame(rows)


def store(ws, kind, frame, path, file_name=None):
    frame.to_csv(path, index=False)
    ingest_file(ws, kind, path, file_name=file_name)


def problems_of(ws, now=None, params=None):
    return workspace_feed_problems(ws, params, now=now or datetime(2026, 10, 21))


@pytest.fixture
def healthy(tmp_path):
    """Hourly metrics of two stages and hourly alerts in two uploads of one layout, all through DAYS days."""
    ws = tmp_path / "ws"
    store(ws, "metrics", metrics_frame(hours()), tmp_path / "metrics.csv")
    times = hours()
    store(ws, "alerts", alerts_frame(times[:240]), tmp_path / "alerts_a.csv")
    store(ws, "alerts", alerts_frame(times[240:]), tmp_path / "alerts_b.csv")
    return ws


def test_a_healthy_world_reports_nothing(healthy):
    problems = problems_of(healthy)
    assert problems.empty, problems["text"].tolist()
    assert feed_summary(problems).startswith("Every feed looks healthy")
    con = connect(healthy)
    try:
        feed_tables(con)
        cadences = feed_cadences(con)
    finally:
        close_snapshot(con)
    # the cadence is learned from the feed itself: an hour for both, per stage for the metrics
    assert set(cadences["period_s"]) == {3600}
    assert sorted(cadences["part"]) == ["", "checkout", "signup"]


def test_a_gap_in_one_stage_is_caught(tmp_path):
    ws = tmp_path / "ws"
    times = hours()
    frame = metrics_frame(times)
    hole = frame["ts"].isin([t.isoformat() for t in times[100:106]]) & frame["stage"].eq("checkout")
    store(ws, "metrics", frame[~hole], tmp_path / "metrics.csv")
    problems = problems_of(ws)
    assert problems["check"].tolist() == ["gap"]
    text = problems["text"].iloc[0]
    assert text.startswith("metrics: no data for 6 expected hours on checkout")
    assert "(2026-10-05 04:00 to 2026-10-05 10:00 UTC)" in text


def test_a_short_hole_under_the_threshold_is_no_gap(tmp_path):
    ws = tmp_path / "ws"
    times = hours()
    frame = metrics_frame(times)
    store(ws, "metrics", frame[~frame["ts"].isin([t.isoformat() for t in times[100:102]])], tmp_path / "m.csv")
    assert problems_of(ws).empty
    assert problems_of(ws, params={"gap_periods": 2})["check"].tolist() == ["gap"]


def test_a_stale_feed_is_caught_against_the_latest_data(tmp_path):
    ws = tmp_path / "ws"
    store(ws, "metrics", metrics_frame(hours()), tmp_path / "metrics.csv")
    store(ws, "alerts", alerts_frame(hours(days=15), source="alertmanager"), tmp_path / "alerts.csv")
    problems = problems_of(ws)
    assert problems["check"].tolist() == ["stale"]
    text = problems["text"].iloc[0]
    # data runs to 2026-10-20 23:00; the alerts stopped at 2026-10-15 23:00: 119 whole hours missed after it
    assert text.startswith("alerts from alertmanager: no data for 119 expected hours (last 2026-10-15 23:00 UTC")


def test_a_live_feed_goes_stale_on_the_wall_clock(tmp_path):
    ws = tmp_path / "ws"
    store(ws, "alerts", alerts_frame(hours()), tmp_path / "batch.csv", file_name="live-batch.csv")
    assert problems_of(ws, now=datetime(2026, 10, 21, 1, 0)).empty  # the last hour is not over yet
    late = problems_of(ws, now=datetime(2026, 10, 21, 6, 30))
    assert late["check"].tolist() == ["stale"]
    assert "no data for 6 expected hours" in late["text"].iloc[0]


def test_an_uploaded_feed_is_not_stale_on_the_wall_clock(tmp_path):
    ws = tmp_path / "ws"
    store(ws, "alerts", alerts_frame(hours()), tmp_path / "alerts.csv")
    assert problems_of(ws, now=datetime(2026, 12, 1)).empty


def test_a_volume_jump_is_caught(tmp_path):
    ws = tmp_path / "ws"
    times = hours()
    jump_day = [t for t in times if t.day == 14]
    frame = pd.concat([alerts_frame([t for t in times if t.day != 14]), alerts_frame(jump_day, per_time=8)])
    store(ws, "alerts", frame, tmp_path / "alerts.csv")
    problems = problems_of(ws)
    assert problems["check"].tolist() == ["volume"]
    assert problems["text"].iloc[0] == ("alerts from nagios: volume jump on 2026-10-14, 192 rows against a usual "
                                        "24 a day (8.0x)")


def test_a_volume_change_within_the_noise_is_not_reported(tmp_path):
    ws = tmp_path / "ws"
    times = hours()
    # a day with half again as many alerts: not twice, and within a robust spread of a noisy feed
    frame = pd.concat([alerts_frame(times), alerts_frame([t for t in times if t.day == 14 and t.hour < 12])])
    store(ws, "alerts", frame, tmp_path / "alerts.csv")
    assert problems_of(ws).empty


def test_a_new_column_and_a_vanished_label_are_caught(healthy, tmp_path):
    times = hours(days=3, start=START + pd.Timedelta(days=DAYS))
    store(healthy, "alerts", alerts_frame(times, labels="env=prod", region="eu-west-1"), tmp_path / "alerts_c.csv")
    store(healthy, "metrics", metrics_frame(times), tmp_path / "metrics_c.csv")
    problems = problems_of(healthy, now=datetime(2026, 10, 24))
    schema = problems[problems["check"].eq("schema")]
    assert len(schema) == 1, problems["text"].tolist()
    text = schema["text"].iloc[0]
    assert text.startswith("alerts: new column region; vanished label key team in alerts_c.csv")
    assert text.endswith("against alerts_b.csv")


def test_a_new_segment_value_is_caught(tmp_path):
    ws = tmp_path / "ws"
    store(ws, "metrics", metrics_frame(hours(days=10)), tmp_path / "a.csv")
    later = metrics_frame(hours(days=10, start=START + pd.Timedelta(days=10)))
    later.loc[later["stage"].eq("signup"), "segment"] = "enterprise"
    store(ws, "metrics", later, tmp_path / "b.csv")
    texts = problems_of(ws)["text"].tolist()
    assert texts == ["metrics: new segment enterprise in b.csv against a.csv"]


def test_a_small_upload_does_not_speak_for_the_schema(healthy, tmp_path):
    times = hours(days=1, start=START + pd.Timedelta(days=DAYS))[:3]
    store(healthy, "alerts", alerts_frame(times, labels="env=prod"), tmp_path / "small.csv")
    assert problems_of(healthy)["check"].tolist() == []


def test_problem_order_and_the_retro_section(tmp_path):
    ws = tmp_path / "ws"
    times = hours()
    frame = metrics_frame(times)
    store(ws, "metrics", frame[~frame["ts"].isin([t.isoformat() for t in times[30:40]])], tmp_path / "m.csv")
    store(ws, "alerts", alerts_frame(hours(days=15)), tmp_path / "alerts.csv")
    con = connect(ws)
    try:
        problems = feed_problems(con, now=datetime(2026, 10, 21))
    finally:
        close_snapshot(con)
    assert problems["check"].tolist() == ["stale", "gap"]
    heading, intro, columns, rows = feed_health_section(problems)
    assert heading == "Feed health" and columns == ["check", "feed", "problem"] and len(rows) == 2
    assert "2 feed problems: 1 stale, 1 gap." in intro
    # a week without the gap keeps the stale feed (silent now) only
    _, _, _, week_rows = feed_health_section(problems, pd.Timestamp("2026-10-12"), pd.Timestamp("2026-10-19"))
    assert [r[0] for r in week_rows] == ["stale"]


def test_params_and_words():
    assert feed_params({"gap_periods": 5, "unknown": 1})["gap_periods"] == 5
    assert "unknown" not in feed_params({"unknown": 1})
    assert periods_text(1, 86400) == "1 expected day"
    assert periods_text(3, 3600) == "3 expected hours"


def test_an_empty_workspace_has_no_problems(tmp_path):
    assert problems_of(tmp_path / "nothing").empty


@pytest.mark.parametrize("seed", [3, 8])
def test_a_variant_world_is_healthy_until_its_metrics_lose_half_a_day(tmp_path, seed):
    """Defaults that generalise: a seeded variant world (bursty alerts from several tools, incidents) reports
    nothing; the same world with twelve hours of its journey metrics cut out reports that gap, on every stage."""
    from journeylens.sample_data.world_variant import build

    world = build(seed, tmp_path / "files")
    ws = tmp_path / "ws"
    for kind, key in (("journey-map", "journey_map"), ("alerts", "alerts"), ("incidents", "incidents")):
        ingest_file(ws, kind, world[key])
    metrics = pd.read_csv(world["metrics"])
    assert problems_of(ws, now=datetime(2030, 1, 1)).empty
    stamps = pd.to_datetime(metrics["ts"], utc=True)
    cut_from = stamps.min().normalize() + pd.Timedelta(days=10)
    cut = (stamps >= cut_from) & (stamps < cut_from + pd.Timedelta(hours=12))
    store(ws, "metrics", metrics[~cut], tmp_path / "metrics.csv")
    problems = problems_of(ws, now=datetime(2030, 1, 1))
    assert problems["check"].tolist() == ["gap"], problems["text"].tolist()
    stages = sorted(metrics["stage"].unique())
    assert problems["text"].iloc[0].startswith(f"metrics: no data for 12 expected hours on {', '.join(stages)}")


def test_the_profile_carries_every_knob_in_range():
    from journeylens.notebooks.queue.scoring import DEFAULT_PROFILE, resolve_profile
    from journeylens.notebooks.workspace.contract import IngestError

    assert {k[len("feed_"):]: v for k, v in DEFAULT_PROFILE.items() if k.startswith("feed_")} == feed_params()
    assert feed_params(resolve_profile({"feed_gap_periods": 6}))["gap_periods"] == 6
    with pytest.raises(IngestError, match="feed_coverage"):
        resolve_profile({"feed_coverage": 2})


def test_a_tickets_feed_is_watched_too(tmp_path):
    ws = tmp_path / "ws"
    store(ws, "metrics", metrics_frame(hours()), tmp_path / "metrics.csv")
    tickets = pd.DataFrame({"ts": [t.isoformat() for t in hours(days=12)], "ticket_id": range(12 * 24)})
    store(ws, "tickets", tickets, tmp_path / "tickets.csv")
    problems = problems_of(ws)
    assert problems["check"].tolist() == ["stale"]
    assert problems["text"].iloc[0].startswith("tickets: no data for 191 expected hours (last 2026-10-12 23:00 UTC")
