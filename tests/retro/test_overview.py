"""notebooks/retro/overview.py: the Overview page's numbers, on the sample workspace and on an empty one."""

import pandas as pd
import pytest
from journeylens.notebooks.queue.queue_view import queue_counts, queue_entries, ranked_frame
from journeylens.notebooks.retro import overview


@pytest.fixture(scope="module")
def sample_frame(sample_dir):
    return ranked_frame(sample_dir)


def test_funnel_counts_the_queue_the_ranked_page_counts(sample_frame):
    found = overview.queue_overview(sample_frame)
    counts = queue_counts(sample_frame)
    funnel = found["funnel"]
    assert {k: funnel[k] for k in counts} == counts
    assert funnel["alerts"] > funnel["alert_groups"] > funnel["in_queue"] > 0
    assert funnel["headline"] == (f"{counts['alerts']:,} alerts became {counts['alert_groups']:,} alert groups and "
                                  f"{counts['in_queue']:,} queue entries worth a look")
    assert funnel["counted"].startswith(f"Counted {counts['alerts']:,} alerts")
    first, last = sample_frame["first_fired_at"].min(), sample_frame["last_fired_at"].max()
    assert funnel["scope"] == f"All the data ({first:%Y-%m-%d} to {last:%Y-%m-%d})"


def test_top_entries_are_the_first_five_unsuppressed_with_a_why(sample_frame):
    entries = queue_entries(sample_frame)
    top = overview.queue_overview(sample_frame)["top"]
    expected = entries[~entries["suppressed"]].head(5)
    assert list(top["entry_id"]) == list(expected["entry_id"].astype(str))
    assert list(top["rank"]) == list(expected["rank"])
    assert top["score"].is_monotonic_decreasing
    for row in top.itertuples():
        assert row.why.startswith(f"score {row.score:.1f}")
        assert "harm" in row.why
        assert row.stage and row.kind and row.title


def test_why_line_says_when_no_harm_was_measured():
    entry = pd.Series({"score": 5.7, "severity": "critical", "harm": 0.05, "harm_observed": False,
                       "harm_segment": None, "members": 1})
    assert overview.why_line(entry) == "score 5.7 · critical severity · no customer harm measured in its window"
    entry.update({"harm": 0.5, "harm_observed": True, "harm_segment": "pro", "members": 3})
    assert overview.why_line(entry) == ("score 5.7 · critical severity · customer harm measured on its stage in its "
                                        "window for pro customers (50% of full harm) · 3 alert groups of one outage")


def test_journey_glance_reads_the_last_day_against_the_band():
    ts = pd.date_range("2026-11-01", periods=72, freq="h")
    rows = pd.DataFrame({"ts": ts, "stage": "checkout", "segment": "all", "metric": "conversion",
                         "value": 0.6, "baseline": 0.6, "band_lower": 0.5, "band_upper": 0.7, "trials": 100.0})
    calm = overview.journey_glance(rows, pd.DataFrame())
    assert calm.loc[0, "status"] == "within its band" and calm.loc[0, "conversion"] == pytest.approx(0.6)
    low = rows.assign(value=rows["value"].where(rows["ts"] < ts[-24], 0.3))
    assert overview.journey_glance(low, pd.DataFrame()).loc[0, "status"] == "below its band"
    signals = pd.DataFrame({"stage": ["checkout", "checkout"], "started_at": [ts[10], ts[-2]],
                            "ended_at": [ts[12], None]})
    fired = overview.journey_glance(rows, signals).iloc[0]
    assert (fired["status"], fired["signals_24h"], fired["signals_7d"], fired["ongoing"]) == ("signal firing", 1, 2, 1)
    assert "2 signals in the last 7 days, 1 still going on" in fired["sentence"]


def test_sample_workspace_at_a_glance(sample_dir):
    journey = overview.workspace_journey(sample_dir)
    stages = journey["stages"]
    assert len(stages) >= 4 and stages["conversion"].between(0, 1).all()
    assert set(stages["status"]) <= {"signal firing", "below its band", "above its band", "within its band"}
    ai = overview.ai_glance(sample_dir)
    assert ai["interactions"] > 0 and 0 < ai["task_completion_rate"] <= 1 and ai["cost_per_success"] > 0
    uploads = overview.recent_uploads(sample_dir)
    assert len(uploads) >= 5  # built for this run, so within the week
    assert overview.recent_uploads(sample_dir, now=pd.Timestamp("2100-01-01", tz="UTC")).empty


def test_empty_workspace(tmp_path, sample_frame):
    ws = tmp_path / "empty"
    assert overview.is_empty(ws)
    assert overview.ai_glance(ws) is None
    assert overview.workspace_journey(ws)["stages"].empty
    assert overview.recent_uploads(ws).empty
    assert overview.retro_suggestions(ws, {}) == []
    assert overview.due_for_review(ws, []) == {"suggestions": 0, "open": [], "decided": 0, "assumptions_due": []}
    found = overview.queue_overview(sample_frame.iloc[:0])  # a ranking with nothing in it
    assert found["top"].empty
    assert found["funnel"]["headline"] == "0 alerts became 0 alert groups and 0 queue entries worth a look"


def test_load_sample_refuses_a_workspace_with_uploads(sample_dir):
    with pytest.raises(ValueError, match="already has uploads"):
        overview.load_sample(sample_dir)


def test_the_overview_ranks_once_and_counts_the_same_queue(sample_dir, sample_frame):
    found = overview.workspace_overview(sample_dir)
    alone = overview.queue_overview(sample_frame)
    assert found["queue"]["funnel"] == alone["funnel"]
    pd.testing.assert_frame_equal(found["queue"]["top"], alone["top"])
    suggestions = found["suggestions"]
    assert suggestions and all(s["title"] and s["decision"].startswith("s-") for s in suggestions)
    due = overview.due_for_review(sample_dir, suggestions)
    assert due["suggestions"] == len(suggestions) == len(due["open"]) + due["decided"]


def test_a_decided_suggestion_is_no_longer_open(tmp_path):
    suggestions = [{"title": "Map payments-ledger to checkout", "decision": "s-aaaaaaaaaaaa"},
                   {"title": "Tighten checkout · pro · conversion", "decision": "s-bbbbbbbbbbbb"}]
    (tmp_path / "decisions" / "s-aaaaaaaaaaaa").mkdir(parents=True)
    due = overview.due_for_review(tmp_path, suggestions)
    assert (due["open"], due["decided"], due["suggestions"]) == (["Tighten checkout · pro · conversion"], 1, 2)


def test_decision_name_is_the_folder_governance_decides_into(tmp_path):
    from journeylens.notebooks.retro.governance import decide
    from journeylens.notebooks.retro.suggestions import decision_of

    suggestion = {"kind": "playbook", "stage": "checkout", "playbook": "psp-failover", "incident_id": "INC-1",
                  "evidence": "it would have applied", "effect": "faster restore"}
    # as the Retro page decides: on what a decision records (decision_of), not on the evidence
    record = decide(tmp_path, decision_of(suggestion), accepted=False, who="ana", why="not yet")
    assert (tmp_path / "decisions" / overview.decision_name(suggestion)).is_dir(), record


def test_costs_read_in_cents_or_per_thousand():
    assert overview.cost_text(0.1234) == "$0.12"
    assert overview.cost_text(0.000133) == "$0.13 per 1,000"
    assert overview.cost_text(None) == "—"
