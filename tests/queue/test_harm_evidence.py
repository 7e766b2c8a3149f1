"""Harm is evidence read against each metric's own noise (issue 14 §1): properties on generated metrics."""

import math
import random
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from journeylens.notebooks.queue.scoring import resolve_profile, score_groups
from journeylens.notebooks.workspace.snapshot import new_connection

T0 = datetime(2026, 9, 7)
DAYS = 21


def metrics_rows(seed, drop=0.0, drop_hours=(), ttv_cv=0.5, blip=None, noise_metric=False, exact=False):
    """Three weeks of hourly metrics for checkout, two segments: conversion 0.6 (minus `drop` in
    `drop_hours`, every segment), time to value lognormal with coefficient of variation `ttv_cv`, doubled in
    the one (segment, hour) `blip`; optionally a pure-noise extra column. exact: conversions without
    sampling noise, so that only the drop's size and length differ between two worlds."""
    rng = random.Random(seed)
    sigma = math.sqrt(math.log(1 + ttv_cv ** 2))
    rows = []
    for h in range(DAYS * 24):
        ts = T0 + timedelta(hours=h)
        for segment in ("standard", "premium"):
            entered = rng.randint(300, 500)
            rate = 0.6 * (1 - drop) if h in drop_hours else 0.6
            completed = sum(rng.random() < rate for _ in range(entered))
            completed = round(entered * rate) if exact else completed
            ttv = 60 * math.exp(rng.gauss(0, sigma)) * (2.0 if blip == (segment, h) else 1.0)
            extra = f'{{"nps": {rng.gauss(40, 15):.3f}}}' if noise_metric else None
            rows.append((ts, "checkout", segment, entered, completed, ttv, None, extra, "u"))
    return rows


def harm_of(groups, rows, profile=None):
    con = new_connection()
    for view in ("stages", "segments", "journey_metrics"):
        con.execute(f"create view {view} as select * from canonical.{view}")
    con.execute("insert into canonical.stages values ('j', 'checkout', 'Checkout', 1, 6, 0.5, null, 'u')")
    con.executemany("insert into canonical.journey_metrics values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute("""create temp table alert_groups (group_id varchar, stage varchar, severity_rank int,
        confidence double, alert_count int, duration_min double, first_fired_at timestamp,
        last_fired_at timestamp, last_resolved_at timestamp, kind varchar default 'alert_group',
        service varchar default 'svc', touchpoint varchar)""")
    for gid, start, hours in groups:
        first = T0 + timedelta(hours=start)
        con.execute("insert into alert_groups (group_id, stage, severity_rank, confidence, alert_count, duration_min, "
                    "first_fired_at, last_fired_at, last_resolved_at) values (?, 'checkout', 3, null, 1, ?, ?, ?, ?)",
                    [gid, hours * 60.0, first, first, first + timedelta(hours=hours)])
    score_groups(con, resolve_profile(profile))
    return dict(con.execute("select group_id, harm from scored_groups").fetchall())


def test_a_one_hour_blip_of_a_noisy_metric_in_one_segment_is_no_harm_and_a_stage_wide_drop_is():
    blip_hour, drop_start = 15 * 24 + 13, 17 * 24 + 10
    rows = metrics_rows(1, drop=0.35, drop_hours=range(drop_start, drop_start + 3), blip=("premium", blip_hour))
    harm = harm_of([("blip", blip_hour, 1), ("drop", drop_start, 3)], rows)
    assert harm["blip"] == 0.0
    assert harm["drop"] > 0.5


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 1000))
def test_harm_grows_with_the_size_and_the_length_of_a_real_drop(seed):
    start = 16 * 24 + 9
    by_size = [harm_of([("g", start, 2)], metrics_rows(seed, drop=d, drop_hours=range(start, start + 2),
                                                    exact=True))["g"]
               for d in (0.05, 0.15, 0.3, 0.5)]
    assert by_size == sorted(by_size) and by_size[-1] > by_size[0]
    # the same small drop, longer: more entries, a smaller standard error, more of its size counts (read
    # with no observed-harm floor, so the evidence ramp itself is what is tested)
    by_length = [harm_of([("g", start, n)], metrics_rows(seed, drop=0.04, drop_hours=range(start, start + n),
                                                      exact=True), {"harm_observed_min": 0.0})["g"]
                 for n in (1, 3, 6)]
    assert by_length == sorted(by_length) and by_length[-1] > by_length[0]


def test_a_pure_noise_metric_a_team_adds_changes_no_harm():
    start = 16 * 24 + 9
    groups = [("drop", start, 3), ("calm", start + 30, 2), ("calm2", start + 60, 4)]
    plain = harm_of(groups, metrics_rows(4, drop=0.35, drop_hours=range(start, start + 3)))
    noisy = harm_of(groups, metrics_rows(4, drop=0.35, drop_hours=range(start, start + 3), noise_metric=True),
                    {"harm_metrics": [{"metric": "nps", "worse": "down", "full": 0.3}]})
    assert plain["drop"] > 0.5 and noisy["drop"] > 0.5
    assert noisy["calm"] == plain["calm"] == 0.0 and noisy["calm2"] == plain["calm2"] == 0.0
