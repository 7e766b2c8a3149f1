"""Early churn signals (notebooks/ai/churn_signals.py): each fires on a world built to contain it, and all
stay quiet on a steady one; without tickets there is no ticket signal and no error. The worlds are weekly
AI interactions (and tickets) of churn_worlds.py."""

import duckdb
import pandas as pd
import pytest
from churn_worlds import CHANGE, START, world
from journeylens.notebooks.ai.churn_signals import (
    append_churn_signal_groups,
    churn_deviations,
    churn_signal_list,
    detect_weekly,
)
from journeylens.notebooks.workspace.snapshot import connect, sql_text


def fired(ws) -> pd.DataFrame:
    con = connect(ws)
    try:
        return churn_signal_list(churn_deviations(con))
    finally:
        con.close()


def onsets(signals: pd.DataFrame, signal: str) -> pd.DataFrame:
    return signals[(signals["signal"] == signal) & (signals["segment"] == "all") & (signals["task_type"] == "all")]


def test_a_steady_world_stays_quiet_and_without_tickets_has_no_ticket_series(tmp_path):
    ws = world(tmp_path)
    con = connect(ws)
    deviations = churn_deviations(con)
    assert set(deviations["signal"]) == {"adoption", "usage_decline"}  # no tickets kind: no ticket series
    assert set(deviations["task_type"]) == {"all", "draft", "reply"}  # sliced by task type...
    assert set(deviations["segment"]) == {"all", "pro", "free"}  # ...and by segment
    assert churn_signal_list(deviations).empty
    con.execute("create temp table alert_groups as select * from (select 1) where false")  # no queue when none fire
    assert append_churn_signal_groups(con) == 0
    con.close()


def test_adoption_drop_fires_at_the_change(tmp_path):
    signals = fired(world(tmp_path, adoption_drop=True))
    found = onsets(signals, "adoption")
    assert len(found) == 1 and found["started_at"].iloc[0] == START + pd.Timedelta(weeks=CHANGE)
    assert found["change"].iloc[0] < -0.5 and "new users a week" in found["title"].iloc[0]
    assert onsets(signals, "usage_decline").empty


def test_usage_decline_fires_when_most_users_halve_their_use(tmp_path):
    signals = fired(world(tmp_path, usage_drop=True))
    found = onsets(signals, "usage_decline")
    assert len(found) == 1 and found["started_at"].iloc[0] == START + pd.Timedelta(weeks=CHANGE)
    assert found["observed"].iloc[0] > 0.6  # the share of watched users whose use fell by half
    assert onsets(signals, "adoption").empty


def test_ticket_spike_fires_and_steady_tickets_do_not(tmp_path):
    spike = fired(world(tmp_path / "spike", tickets="spike"))
    found = spike[(spike["signal"] == "tickets") & (spike["segment"] == "all")]
    assert len(found) == 1 and found["started_at"].iloc[0] == START + pd.Timedelta(weeks=CHANGE)
    assert found["stage"].iloc[0] == "onboarding"  # the feature's stage, the tickets naming none
    steady = fired(world(tmp_path / "steady", tickets="steady"))
    assert steady.empty


def test_fired_signals_enter_the_queue_on_the_feature_stage(tmp_path):
    from journeylens.notebooks.queue.groups import create_alert_groups

    con = connect(world(tmp_path, adoption_drop=True, tickets="spike"))
    create_alert_groups(con)
    added = append_churn_signal_groups(con)
    rows = con.execute("select kind, stage, service, name from alert_groups where service like 'churn:%'").fetchall()
    con.close()
    assert added == len(rows) >= 2
    assert {r[:3] for r in rows} == {("ai_signal", "onboarding", "churn:summarise")}
    assert any("support tickets" in r[3] for r in rows) and any("new users" in r[3] for r in rows)


def test_weekly_sql_counts_newcomers_and_leaves_out_the_partial_week():
    con = duckdb.connect()
    con.execute("create table ai_interactions as select * from (values "
                "('u1', 'f', 'pro', 't', timestamp '2026-01-05 10:00', false), "
                "('u2', 'f', 'free', 't', timestamp '2026-01-06 10:00', false), "
                "('u1', 'f', 'pro', 't', timestamp '2026-01-13 10:00', false), "
                "('u3', 'f', 'pro', 't', timestamp '2026-01-25 10:00', false), "
                "('u4', 'f', 'pro', 't', timestamp '2026-01-26 10:00', true)) "  # shadow: not a user
                "as t(user_id, feature, segment, task_type, ts, shadow)")
    con.execute("insert into ai_interactions values ('u5', 'f', 'pro', 't', timestamp '2026-01-27 10:00', false)")
    weekly = con.execute(sql_text("churn_adoption_weekly")).df()
    whole = weekly[(weekly["segment"] == "all") & (weekly["task_type"] == "all")]
    # weeks of Jan 5, 12, 19 are complete; the week of Jan 26 is not (the data ends on its Tuesday)
    assert whole["new_users"].tolist() == [2, 0, 1]
    assert weekly[weekly["segment"] == "pro"]["new_users"].tolist() == [1, 0, 1]


def test_detector_needs_volume_before_it_alerts():
    weeks = pd.date_range("2026-01-05", periods=12, freq="7D")
    thin = detect_weekly(weeks, [2, 2, 3, 2, 2, 3, 2, 2, 3, 2, 0, 0], [2] * 12, "adoption")
    assert not thin["alert"].any()  # 2 newcomers a week dropping to 0 is no evidence
    thick = detect_weekly(weeks, [40, 42, 39, 41, 40, 38, 42, 40, 41, 39, 5, 5], [40] * 12, "adoption")
    assert thick["alert"].tolist().index(True) == 10


@pytest.mark.parametrize("name", ["churn_adoption_weekly", "churn_usage_decline_weekly", "churn_ticket_weekly"])
def test_sql_files_are_named_for_what_they_produce(name):
    assert "select" in sql_text(name)
