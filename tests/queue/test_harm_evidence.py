"""Harm is evidence read against each metric's own noise (issue 14 §1): properties on generated metrics."""

import math
import random
from datetime import datetime, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st
from journeylens.notebooks.queue.scoring import resolve_profile, score_groups
from journeylens.notebooks.workspace.snapshot import new_connection

T0 = datetime(2026, 9, 7)
DAYS = 21


def metrics_rows(seed, drop=0.0, drop_hours=(), ttv_cv=0.5, blip=None, noise_metric=False, exact=False,
                 stage="checkout", spike_rate=0.0):
    """Three weeks of hourly metrics for checkout, two segments: conversion 0.6 (minus `drop` in
    `drop_hours`, every segment), time to value lognormal with coefficient of variation `ttv_cv`, doubled in
    the one (segment, hour) `blip`; optionally a pure-noise extra column. exact: conversions without
    sampling noise, so that only the drop's size and length differ between two worlds. spike_rate: the share
    of (segment, hour)s whose time to value alone jumps 2-3x (drawn apart, so the other values stay the same)."""
    rng, spikes = random.Random(seed), random.Random(seed + 7919)
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
            if spike_rate and spikes.random() < spike_rate and blip != (segment, h):
                ttv *= spikes.uniform(2.0, 3.0)
            extra = f'{{"nps": {rng.gauss(40, 15):.3f}}}' if noise_metric else None
            rows.append((ts, stage, segment, entered, completed, ttv, None, extra, "u"))
    return rows


def scored(groups, rows, profile=None, stages=(("checkout", 6),)):
    """scored_groups of `groups` (group_id, start hour, hours[, stage, severity_rank]) over the metric `rows`,
    on `stages` (stage, impact), each of sensitivity 0.5."""
    con = new_connection()
    for view in ("stages", "segments", "journey_metrics"):
        con.execute(f"create view {view} as select * from canonical.{view}")
    for position, (stage, impact) in enumerate(stages, start=1):
        con.execute("insert into canonical.stages values ('j', ?, ?, ?, ?, 0.5, null, 'u')",
                    [stage, stage.title(), position, impact])
    con.executemany("insert into canonical.journey_metrics values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute("""create temp table alert_groups (group_id varchar, stage varchar, severity_rank int,
        confidence double, alert_count int, duration_min double, first_fired_at timestamp,
        last_fired_at timestamp, last_resolved_at timestamp, kind varchar default 'alert_group',
        service varchar default 'svc', touchpoint varchar)""")
    for gid, start, hours, *rest in groups:
        stage, severity_rank = rest or ("checkout", 3)
        first = T0 + timedelta(hours=start)
        con.execute("insert into alert_groups (group_id, stage, severity_rank, confidence, alert_count, duration_min, "
                    "first_fired_at, last_fired_at, last_resolved_at) values (?, ?, ?, null, 1, ?, ?, ?, ?)",
                    [gid, stage, severity_rank, hours * 60.0, first, first, first + timedelta(hours=hours)])
    score_groups(con, resolve_profile(profile))
    return con.execute("select * from scored_groups").df().set_index("group_id")


def harm_of(groups, rows, profile=None):
    return scored(groups, rows, profile)["harm"].to_dict()


def test_a_one_hour_blip_of_a_noisy_metric_in_one_segment_is_no_harm_and_a_stage_wide_drop_is():
    blip_hour, drop_start = 15 * 24 + 13, 17 * 24 + 10
    rows = metrics_rows(1, drop=0.35, drop_hours=range(drop_start, drop_start + 3), blip=("premium", blip_hour))
    harm = harm_of([("blip", blip_hour, 1), ("drop", drop_start, 3)], rows)
    assert harm["blip"] == 0.0
    assert harm["drop"] > 0.5


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 1000))
def test_harm_grows_with_the_size_and_the_length_of_a_real_drop(seed):
    # only the drop moves (time to value steady): the property is about the drop's own reading; what noise in
    # another metric may add is test_windows_of_pure_noise_almost_never_show_harm's business
    start = 16 * 24 + 9
    by_size = [harm_of([("g", start, 2)], metrics_rows(seed, drop=d, drop_hours=range(start, start + 2),
                                                    exact=True, ttv_cv=0.0))["g"]
               for d in (0.05, 0.15, 0.3, 0.5)]
    assert by_size == sorted(by_size) and by_size[-1] > by_size[0]
    # the same small drop, longer: more entries, a smaller standard error, more of its size counts (read
    # with no observed-harm floor, so the evidence ramp itself is what is tested)
    by_length = [harm_of([("g", start, n)], metrics_rows(seed, drop=0.04, drop_hours=range(start, start + n),
                                                      exact=True, ttv_cv=0.0), {"harm_observed_min": 0.0})["g"]
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


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 1000), medium_at=st.integers(14 * 24, 20 * 24))
@example(seed=100, medium_at=352)  # a window where billing's noise does clear its level
def test_a_stage_wide_drop_with_criticals_on_impact_6_outranks_an_uncorroborated_medium_alert_on_impact_10(
        seed, medium_at):
    # checkout (impact 6) loses 35% of its conversion for 3 hours under critical alerts; billing (impact 10)
    # has only its usual noise (time to value with CV 0.5) and a medium alert, at any hour of the last week
    drop_start = 17 * 24 + 10
    rows = (metrics_rows(seed, drop=0.35, drop_hours=range(drop_start, drop_start + 3))
            + metrics_rows(seed + 1, stage="billing"))
    scores = scored([("outage", drop_start, 3, "checkout", 1), ("medium", medium_at, 1, "billing", 3)], rows,
                    stages=(("checkout", 6), ("billing", 10)))
    # billing's noise may, rarely, clear its family-wise 99% level under the medium alert (2 of 61 seeded
    # windows did: a time-to-value tail of CV 0.5): such a reading stays small, and never outranks the outage
    assert scores.loc["medium", "harm"] < 0.25 < 0.5 < scores.loc["outage", "harm"]
    assert scores.loc["outage", "score"] > scores.loc["medium", "score"]


def test_windows_of_pure_noise_almost_never_show_harm():
    # 192 windows of 1 and 3 hours over four worlds with no drop at all: the family-wise 99% level lets at
    # most a few readings through (a ramp starting below it let 7 of them show harm)
    groups = [(f"g{h}_{n}", h, n) for h in range(14 * 24, 21 * 24 - 6, 7) for n in (1, 3)]
    harmed = sum(int((scored(groups, metrics_rows(seed))["harm"] > 0).sum()) for seed in range(4))
    assert harmed <= 2


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 1000))
def test_a_spike_of_a_metric_that_spikes_alone_every_few_days_is_no_harm_but_of_a_steady_one_is(seed):
    # time to value steady (CV 0.05) but, in the spiky world, jumping 2-3x alone in 2% of hours: one more
    # jump under a routine alert is its normal behaviour (its own tail), while the same jump of a metric that
    # never jumps is news. A conversion drop in the spiky world still shows harm.
    blip_hour, drop_start = 15 * 24 + 13, 17 * 24 + 10
    groups = [("blip", blip_hour, 1), ("drop", drop_start, 3)]
    steady = harm_of(groups, metrics_rows(seed, ttv_cv=0.05, blip=("premium", blip_hour), drop=0.35,
                                          drop_hours=range(drop_start, drop_start + 3)))
    spiky = harm_of(groups, metrics_rows(seed, ttv_cv=0.05, blip=("premium", blip_hour), spike_rate=0.02,
                                         drop=0.35, drop_hours=range(drop_start, drop_start + 3)))
    assert steady["blip"] > 0.5
    # the tail read discounts the jump in every spiky world; it is no harm at all in almost every one
    # (test_a_jump_of_a_metric_that_jumps_alone_is_almost_never_harm counts them): seed 356 left 0.25
    assert spiky["blip"] < steady["blip"] / 2
    assert spiky["drop"] > 0.5 and steady["drop"] > 0.5


def test_a_jump_of_a_metric_that_jumps_alone_is_almost_never_harm():
    # forty seeded spiky worlds, as above: about one in a hundred keeps a little harm at the jump (its earlier
    # spikes happened to be small), so at most two here, and none of it much
    blip_hour = 15 * 24 + 13
    harms = [harm_of([("blip", blip_hour, 1)], metrics_rows(seed, ttv_cv=0.05, blip=("premium", blip_hour),
                                                           spike_rate=0.02))["blip"] for seed in range(0, 1000, 25)]
    assert sum(h > 0 for h in harms) <= 2 and max(harms) < 0.4
