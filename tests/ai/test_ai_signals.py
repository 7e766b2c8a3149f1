"""notebooks/ai/outcome_signals.py: task-completion drops per segment, queued on the feature's stage, and the
low-success slices for the prompt-engineering backlog."""

from datetime import datetime, timedelta

import numpy as np
from journeylens.notebooks.ai.outcome_signals import ai_deviations, ai_signal_list, low_success_slices
from journeylens.notebooks.workspace.snapshot import new_connection

T0 = datetime(2026, 1, 1)


def world(drop_from_day=60, days=90, per_day=40):
    rng = np.random.default_rng(0)
    rows = []
    for day in range(days):
        for k in range(per_day):
            segment = "enterprise" if k % 4 == 0 else "free"
            model = "m2" if day >= drop_from_day else "m1"
            p = 0.45 if (segment == "enterprise" and model == "m2") else 0.85
            rows.append((f"i{day}-{k}", T0 + timedelta(days=day, minutes=k), "helper", bool(rng.random() < p),
                         segment, model, "checkout", f"prompt {k}"))
    con = new_connection()
    con.execute("create table ai_interactions (interaction_id varchar, ts timestamp, feature varchar, "
                "accepted boolean, segment varchar, model_version varchar, stage varchar, prompt varchar)")
    con.executemany("insert into ai_interactions values (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    for column, kind in (("shadow", "boolean default false"), ("fallback", "boolean"), ("feedback", "varchar"),
                         ("intent_mismatch", "boolean"), ("cost_usd", "double"), ("fallback_reason", "varchar")):
        con.execute(f"alter table ai_interactions add column {column} {kind}")
    con.execute("update ai_interactions set shadow = false")
    con.execute("create table eval_scores (interaction_id varchar, name varchar, value double, source varchar)")
    return con


def test_a_segment_regression_fires_once_near_its_start():
    signals = ai_signal_list(ai_deviations(world()))
    enterprise = signals[signals["segment"] == "enterprise"]
    assert len(enterprise) == 1
    start = enterprise.iloc[0]["started_at"]
    assert T0 + timedelta(days=60) <= start <= T0 + timedelta(days=66)
    assert "helper task completion −" in enterprise.iloc[0]["title"] and "for enterprise" in enterprise.iloc[0]["title"]
    assert signals[signals["segment"] == "free"].empty


def test_low_success_slices_name_the_regressed_model_and_segment():
    slices = low_success_slices(world())
    assert list(zip(slices["segment"], slices["model_version"], strict=True)) == [("enterprise", "m2")]
    assert slices.iloc[0]["task_completion_rate"] < 0.55 and "prompt" in slices.iloc[0]["examples"]
