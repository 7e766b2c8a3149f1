"""The customer-impact score: bounded, monotone, order-independent, and the SQL equals the formula."""

import random
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from journeylens.notebooks.queue.scoring import (
    COMPONENTS,
    DEFAULT_PROFILE,
    reference_score,
    resolve_profile,
    resolved,
    score_groups,
    score_parameters,
)
from journeylens.notebooks.workspace.snapshot import new_connection

unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
rows = st.fixed_dictionaries({
    "impact": st.floats(min_value=1.0, max_value=10.0), "sensitivity": unit, "harm": unit,
    **{c: unit for c in COMPONENTS},
})
T0 = datetime(2026, 11, 9)


@given(rows)
def test_score_is_bounded(row):
    assert 0.0 <= reference_score(row) <= 100.0


@pytest.mark.parametrize("field", ["severity_component", "exposure", "harm", "impact", "sensitivity"])
@given(row=rows, bump=st.floats(min_value=0.0, max_value=1.0))
def test_score_is_monotone(field, row, bump):
    higher = dict(row)
    top = 10.0 if field == "impact" else 1.0
    higher[field] = min(top, row[field] + bump)
    assert reference_score(higher) >= reference_score(row) - 1e-9


def test_every_weight_lives_in_the_profile():
    params = score_parameters(resolve_profile({"weights": {"severity": 0.9}, "corroboration": 0.2, "harm_z": 3}))
    assert params["score"]["w_severity"] == 0.9 and params["score"]["corroboration"] == 0.2
    assert params["score"]["w_exposure"] == DEFAULT_PROFILE["weights"]["exposure"]
    assert params["impact"]["harm_z"] == 3.0
    assert resolve_profile(None) == DEFAULT_PROFILE and resolve_profile(None) is not DEFAULT_PROFILE


def test_a_ranking_takes_a_resolved_profile():
    assert resolved(None) == DEFAULT_PROFILE
    full = resolve_profile({"threshold": 9})
    assert resolved(full) is full, "a resolved profile passes as it is: resolved once per ranking"
    with pytest.raises(ValueError, match="threshold"):
        resolved({k: v for k, v in full.items() if k != "threshold"})
    with pytest.raises(ValueError, match="severity"):
        resolved(dict(full, weights={"exposure": 1.0}))


def groups_connection(groups, metrics=()):
    """A connection with the canonical tables, a two-stage map, metrics and the given alert groups."""
    con = new_connection()
    con.execute("create view stages as select * from canonical.stages")
    con.execute("create view segments as select * from canonical.segments")
    con.execute("create view journey_metrics as select * from canonical.journey_metrics")
    con.execute("insert into canonical.stages values ('j', 'checkout', 'Checkout', 1, 9, 1.0, null, 'u'), "
                "('j', 'discovery', 'Discovery', 2, 4, 0.4, null, 'u')")
    con.execute("insert into canonical.segments values ('j', 'enterprise', 2.0, null, 'u')")
    for m in metrics:
        con.execute("insert into canonical.journey_metrics values ($ts, $stage, $segment, $entered, $completed, "
                    "null, null, null, 'u')", m)
    con.execute("""create temp table alert_groups (group_id varchar, stage varchar, severity_rank int,
        confidence double, alert_count int, duration_min double, first_fired_at timestamp,
        last_fired_at timestamp, last_resolved_at timestamp, kind varchar default 'alert_group',
        service varchar default 'svc', touchpoint varchar)""")
    for g in groups:
        con.execute("insert into alert_groups (group_id, stage, severity_rank, confidence, alert_count, duration_min, "
                    "first_fired_at, last_fired_at, last_resolved_at) values ($group_id, $stage, $severity_rank, "
                    "$confidence, $alert_count, $duration_min, $first, $last, $resolved)", g)
    return con


def random_groups(seed, n=60):
    rng = random.Random(seed)
    out = []
    for i in range(n):
        first = T0 + timedelta(hours=rng.randrange(0, 48), minutes=rng.randrange(60))
        out.append({"group_id": f"g{i}", "stage": rng.choice(["checkout", "discovery", None]),
                    "severity_rank": rng.randint(1, 5), "confidence": rng.choice([None, rng.random()]),
                    "alert_count": rng.randint(1, 40), "duration_min": rng.uniform(0, 600), "first": first,
                    "last": first + timedelta(minutes=rng.randrange(90)),
                    "resolved": rng.choice([None, first + timedelta(minutes=rng.randrange(30, 300))])})
    return out


def hourly_metrics(seed, hours=72, drop=None):
    rng = random.Random(seed)
    out = []
    for h in range(hours):
        for segment in ("enterprise", "free"):
            entered = rng.randint(50, 400)
            rate = 0.15 if drop and drop[0] <= h < drop[1] else 0.8
            out.append({"ts": T0 + timedelta(hours=h), "stage": "checkout", "segment": segment, "entered": entered,
                        "completed": int(entered * rate)})
    return out


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), profile_seed=st.integers(0, 10_000))
def test_sql_agrees_with_the_documented_formula(seed, profile_seed):
    rng = random.Random(profile_seed)
    profile = resolve_profile({"weights": {k: rng.uniform(0.05, 1.0) for k in DEFAULT_PROFILE["weights"]},
                               "corroboration": rng.random(), "harm_exponent": rng.uniform(0.2, 2.0)})
    con = groups_connection(random_groups(seed), hourly_metrics(seed, drop=(10, 14)))
    score_groups(con, profile)
    scored = con.execute("select * from scored_groups").df().to_dict("records")
    assert len(scored) == 60
    for row in scored:
        assert row["score"] == pytest.approx(reference_score(row, profile), rel=1e-9, abs=1e-9)
        assert 0.0 <= row["score"] <= 100.0


def test_score_does_not_depend_on_input_order():
    groups = random_groups(7)
    metrics = hourly_metrics(7, drop=(20, 23))
    first = groups_connection(groups, metrics)
    shuffled = list(groups)
    random.Random(1).shuffle(shuffled)
    second = groups_connection(shuffled, list(reversed(metrics)))
    for con in (first, second):
        score_groups(con, resolve_profile(None))
    query = "select group_id, score, exposure, harm from scored_groups order by group_id"
    assert first.execute(query).fetchall() == second.execute(query).fetchall()


def test_harm_is_seen_during_a_real_drop_and_not_on_thin_noise():
    during = {"group_id": "outage", "stage": "checkout", "severity_rank": 3, "confidence": None, "alert_count": 1,
              "duration_min": 60, "first": T0 + timedelta(hours=10, minutes=5), "last": T0 + timedelta(hours=10),
              "resolved": T0 + timedelta(hours=12)}
    calm = dict(during, group_id="calm", first=T0 + timedelta(hours=30), last=T0 + timedelta(hours=30),
                resolved=T0 + timedelta(hours=31))
    con = groups_connection([during, calm], hourly_metrics(3, drop=(10, 12)))
    score_groups(con, resolve_profile(None))
    harm = dict(con.execute("select group_id, harm from scored_groups").fetchall())
    assert harm["outage"] > 0.9 and harm["calm"] == 0.0
    thin = [dict(m, entered=4, completed=1 if m["ts"] == T0 + timedelta(hours=30) else 3)
            for m in hourly_metrics(3)]
    con = groups_connection([calm], thin)
    score_groups(con, resolve_profile(None))
    assert con.execute("select harm from scored_groups").fetchall() == [(0.0,)]


def test_an_outage_of_one_segment_is_harm_even_when_the_others_hold_the_stage_up():
    outage = {"group_id": "enterprise-outage", "stage": "checkout", "severity_rank": 3, "confidence": None,
              "alert_count": 1, "duration_min": 60, "first": T0 + timedelta(hours=40, minutes=5),
              "last": T0 + timedelta(hours=40), "resolved": T0 + timedelta(hours=42)}
    # enterprise collapses for two hours, free (ten times the traffic) carries on as always
    metrics = [dict(m, entered=m["entered"] * (1 if m["segment"] == "enterprise" else 10),
                    completed=int(m["entered"] * (1 if m["segment"] == "enterprise" else 10)
                                  * (0.1 if m["segment"] == "enterprise" and 40 <= i // 2 < 42 else 0.8)))
               for i, m in enumerate(hourly_metrics(9))]
    con = groups_connection([outage], metrics)
    score_groups(con, resolve_profile(None))
    query = "select harm, harm_segment, window_conversion from scored_groups"
    harm, where, conversion = con.execute(query).fetchall()[0]
    assert harm == pytest.approx(1.0) and where == "enterprise" and conversion < 0.2
    # the same numbers without segments: read as a whole, the stage barely moved
    con = groups_connection([outage], [dict(m, segment="all") for m in metrics])
    score_groups(con, resolve_profile(None))
    harm, where, conversion = con.execute(query).fetchall()[0]
    assert harm < 0.5 and where == "all" and conversion > 0.6


def test_harm_below_the_observed_minimum_counts_as_none():
    group = {"group_id": "g", "stage": "checkout", "severity_rank": 2, "confidence": None, "alert_count": 1,
             "duration_min": 60, "first": T0 + timedelta(hours=10, minutes=5), "last": T0 + timedelta(hours=10),
             "resolved": T0 + timedelta(hours=12)}
    con = groups_connection([group], hourly_metrics(3, drop=(10, 12)))
    score_groups(con, resolve_profile({"harm_observed_min": 0.0}))
    measured = con.execute("select harm from scored_groups").fetchall()[0][0]
    assert measured > 0.9
    score_groups(con, resolve_profile({"harm_observed_min": measured + 1e-6}))
    assert con.execute("select harm, harm_observed from scored_groups").fetchall() == [(0.0, False)]
    score_groups(con, resolve_profile({"harm_observed_min": measured - 1e-6}))
    assert con.execute("select harm, harm_observed from scored_groups").fetchall() == [(measured, True)]
    # with no minimum at all, a stage measured fine is still no observed harm
    calm = dict(group, group_id="calm", first=T0 + timedelta(hours=30), last=T0 + timedelta(hours=30),
                resolved=T0 + timedelta(hours=31))
    con = groups_connection([calm], hourly_metrics(3, drop=(10, 12)))
    score_groups(con, resolve_profile({"harm_observed_min": 0.0}))
    assert con.execute("select harm, harm_observed from scored_groups").fetchall() == [(0.0, False)]


def test_exposure_follows_traffic():
    night = T0 + timedelta(hours=3)
    metrics = [{"ts": T0 + timedelta(hours=h), "stage": "checkout", "segment": "free",
                "entered": 20 if h % 24 < 6 else 1000, "completed": 10 if h % 24 < 6 else 800} for h in range(72)]
    groups = [{"group_id": "night", "stage": "checkout", "severity_rank": 1, "confidence": 0.9, "alert_count": 1,
               "duration_min": 30, "first": night, "last": night, "resolved": night + timedelta(minutes=30)},
              {"group_id": "day", "stage": "checkout", "severity_rank": 1, "confidence": 0.9, "alert_count": 1,
               "duration_min": 30, "first": night + timedelta(hours=11), "last": night + timedelta(hours=11),
               "resolved": night + timedelta(hours=11, minutes=30)}]
    con = groups_connection(groups, metrics)
    score_groups(con, resolve_profile(None))
    got = dict(con.execute("select group_id, exposure from scored_groups").fetchall())
    assert got["night"] < 0.05 and got["day"] == pytest.approx(1.0)


def test_duration_saturates_at_its_full_length():
    groups = [{"group_id": f"g{m}", "stage": "checkout", "severity_rank": 3, "confidence": None, "alert_count": 1,
               "duration_min": m, "first": T0, "last": T0, "resolved": None} for m in (0, 240, 10_000)]
    con = groups_connection(groups)
    score_groups(con, resolve_profile(None))
    got = dict(con.execute("select group_id, duration_component from scored_groups").fetchall())
    assert got["g0"] == 0.0 and got["g240"] == pytest.approx(1.0) and got["g10000"] == 1.0


def test_unmapped_critical_ranks_below_a_harmful_warning_on_checkout():
    internal = {"group_id": "ci", "stage": None, "severity_rank": 1, "confidence": 0.99, "alert_count": 30,
                "duration_min": 600, "first": T0 + timedelta(hours=10), "last": T0 + timedelta(hours=11),
                "resolved": None}
    warning = {"group_id": "pay", "stage": "checkout", "severity_rank": 3, "confidence": None, "alert_count": 2,
               "duration_min": 45, "first": T0 + timedelta(hours=10, minutes=5), "last": T0 + timedelta(hours=10),
               "resolved": T0 + timedelta(hours=11)}
    con = groups_connection([internal, warning], hourly_metrics(5, drop=(10, 12)))
    score_groups(con, resolve_profile(None))
    scores = dict(con.execute("select group_id, score from scored_groups").fetchall())
    assert scores["pay"] > 3 * scores["ci"]


def test_group_window_is_the_one_the_score_reads_and_is_capped():
    open_ended = {"group_id": "stuck", "stage": None, "severity_rank": 2, "confidence": None, "alert_count": 3,
                  "duration_min": 5000, "first": T0 + timedelta(minutes=20), "last": T0 + timedelta(days=3),
                  "resolved": None}
    short = dict(open_ended, group_id="short", last=T0 + timedelta(minutes=30),
                 resolved=T0 + timedelta(minutes=50))
    con = groups_connection([open_ended, short])
    score_groups(con, resolve_profile({"max_window_hours": 6}))
    got = {g: (s, e) for g, s, e in con.execute("select group_id, window_start, window_end from scored_groups")
           .fetchall()}
    assert got["stuck"] == (T0, T0 + timedelta(hours=6, minutes=20))
    assert got["short"] == (T0, T0 + timedelta(minutes=50))
