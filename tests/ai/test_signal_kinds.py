"""notebooks/ai/signal_kinds.py: edit rate, fallback spikes by reason, silent failures, thumbs-down, p95
latency against its budget and cost per success, each per feature x slice against its own history."""

import pandas as pd
import pytest
from journeylens.notebooks.ai.signal_kinds import kind_deviations, kind_signals, latency_budget, signal_series
from journeylens.notebooks.workspace.snapshot import close_snapshot, connect
from signal_worlds import CHANGE_DAY, EVENTS, T0, build_world


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The world's deviations and signals with the default profile."""
    con = connect(build_world(tmp_path_factory.mktemp("kinds")))
    try:
        series = signal_series(con)
        deviations = kind_deviations(con, series=series)
    finally:
        close_snapshot(con)
    return {"series": series, "deviations": deviations, "signals": kind_signals(deviations)}


@pytest.mark.parametrize("feature", [f for f, kind in EVENTS.items() if kind])
def test_each_kind_fires_on_its_feature_soon_after_the_change(world, feature):
    signals = world["signals"]
    kind = EVENTS[feature]
    whole = signals[(signals["feature"] == feature) & (signals["slice"] == "all")]
    assert list(whole["kind"]) == [kind]  # that kind, once, and no other kind on the feature
    started = whole.iloc[0]["started_at"]
    assert CHANGE_DAY <= (started - T0).days <= CHANGE_DAY + 7  # not before the change, within a week
    if kind == "fallback_reason":
        assert whole.iloc[0]["reason"] == "timeout" and "fallback 'timeout' up" in whole.iloc[0]["title"]


def test_titles_name_the_kind_and_the_slice(world):
    titles = set(world["signals"]["title"])
    assert any(t.startswith("edits edit rate up ") for t in titles)
    assert any(t.startswith("thumbs thumbs-down rate up ") for t in titles)
    assert any(t.startswith("silent silent-failure rate up ") for t in titles)
    assert any(t.startswith("pricey cost per success up ") for t in titles)
    assert any(t.startswith("edits edit rate up ") and "for enterprise" in t for t in titles)
    assert any("for task_type lookup" in t for t in titles) and any("for role admin" in t for t in titles)


def test_latency_over_its_budget_says_so(world):
    slow = world["signals"]
    slow = slow[(slow["feature"] == "slow") & (slow["slice"] == "all")].iloc[0]
    assert slow["over_budget"] and "over its 2,000 ms budget" in slow["title"] and slow["observed"] > 2000


def test_a_steady_feature_stays_quiet_in_every_slice(world):
    assert world["signals"][world["signals"]["feature"] == "steady"].empty
    slices = set(world["deviations"].loc[world["deviations"]["feature"] == "steady", "slice"])
    assert {"all", "enterprise", "free", "task_type lookup", "role admin"} <= slices  # watched, not skipped


def test_rates_count_only_interactions_whose_signal_is_known(world):
    daily = world["series"]["daily"]
    steady = daily[(daily["feature"] == "steady") & (daily["slice"] == "all")].iloc[-1]
    # half the interactions carry feedback: thumbs-down is over those, not over every interaction
    assert steady["feedback_known_7d"] < 0.6 * steady["interactions_7d"]
    assert steady["completed_evaluated_7d"] <= steady["completed_7d"] <= steady["interactions_7d"]


def test_a_budget_per_feature_and_its_default():
    profile = {"ai_latency_budget_ms": 1500, "ai_latency_budgets": {"slow": 5000}}
    assert latency_budget(profile, "slow") == 5000 and latency_budget(profile, "edits") == 1500
    assert latency_budget(None, "edits") == 2000


def test_a_generous_budget_and_no_deviation_keep_latency_quiet(tmp_path):
    ws = build_world(tmp_path, features=("steady",))
    con = connect(ws)
    try:
        tight = kind_signals(kind_deviations(con, {"ai_latency_budget_ms": 500}))
        loose = kind_signals(kind_deviations(con, {"ai_latency_budgets": {"steady": 10_000}}))
    finally:
        close_snapshot(con)
    over = tight[tight["kind"] == "p95_latency"]
    assert len(over) == 1 and over.iloc[0]["over_budget"] and over.iloc[0]["slice"] == "all"
    assert "over its 500 ms budget" in over.iloc[0]["title"] and pd.isna(over.iloc[0]["ended_at"])
    assert loose.empty


def test_the_profile_refuses_a_budget_that_is_no_number_of_milliseconds():
    from journeylens.notebooks.queue.scoring import resolve_profile
    from journeylens.notebooks.workspace.contract import IngestError

    merged = resolve_profile({"ai_latency_budgets": {"slow": 3000}})
    assert merged["ai_latency_budgets"] == {"slow": 3000} and merged["ai_latency_budget_ms"] == 2000
    for bad in ({"ai_latency_budgets": {"slow": 0}}, {"ai_latency_budgets": [3000]},
                {"ai_latency_budget_ms": float("inf")}, {"ai_edit_rate_target": 1.5}):
        with pytest.raises(IngestError):
            resolve_profile(bad)
