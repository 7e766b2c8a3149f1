"""The prompt backlog (notebooks/ai/backlog.py) on a small world where each interaction enters the backlog for
one known reason or stays out for one: which rows enter and why, the window, human over llm, triage, exports."""

import io
import json
import shutil

import pandas as pd
import pytest
from backlog_world import FORMULA, build_backlog_world
from journeylens.notebooks.ai.backlog import (
    TRIAGED,
    backlog_csv,
    backlog_jsonl,
    backlog_summary,
    mark_triaged,
    parse_since,
    triage_log,
    workspace_backlog,
    write_backlog,
)
from journeylens.notebooks.workspace.store import verify_workspace


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_backlog_world(tmp_path_factory.mktemp("backlog"))


@pytest.fixture
def own_world(world, tmp_path):
    """A private copy, for tests that record triage."""
    shutil.copytree(world, tmp_path / "ws")
    return tmp_path / "ws"


def test_rows_enter_for_their_reason_in_a_useful_order(world):
    backlog = workspace_backlog(world)
    assert list(backlog["interaction_id"]) == ["a1", "a4", "a2", "b1"]  # the feature with most first, worst first
    why = dict(zip(backlog["interaction_id"], backlog["why"], strict=True))
    assert why["a1"] == "thumbs-down; low judge score 0.20 (llm)"
    assert why["a2"] == "intent mismatch"
    assert why["b1"] == "low judge score 0.30 (llm)"
    row = backlog.set_index("interaction_id").loc["a1"]
    assert row["judge_reason"] == "missed the budget" and row["user_signal"] == "thumbs down; accepted"
    assert row["prompt"] == "find a desk" and row["output"] == "answer to a1" and row["segment"] == "free"


def test_shadow_unknown_and_fine_interactions_stay_out(world):
    ids = set(workspace_backlog(world, "all")["interaction_id"])
    assert not ids & {"s1", "a6", "b2"}


def test_a_human_evaluation_wins_over_the_llm_one(world):
    backlog = workspace_backlog(world).set_index("interaction_id")
    assert "a3" not in backlog.index  # the llm says 0.2, a human says 0.9
    assert backlog.loc["a4", "why"] == "low judge score 0.10 (human)"  # the llm says 0.9, a human 0.1
    assert backlog.loc["a4", "judge_reason"] == "reviewer: wrong item"


def test_the_window_counts_back_from_the_latest_interaction(world):
    assert "a5" not in set(workspace_backlog(world, "24h")["interaction_id"])
    assert "a5" in set(workspace_backlog(world, "7d")["interaction_id"])
    assert "a5" in set(workspace_backlog(world, "all")["interaction_id"])
    assert set(workspace_backlog(world, "45m")["interaction_id"]) == {"a1", "b1"}


@pytest.mark.parametrize("text, seconds", [("90m", 5400), ("24h", 86400), ("7d", 604800), ("2w", 1209600),
                                           ("ALL", None), (" 1.5h ", 5400)])
def test_since_durations(text, seconds):
    assert parse_since(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "24", "-1h", "0h", "7 days", "1y"])
def test_bad_since_is_refused_with_what_is_accepted(text):
    with pytest.raises(ValueError, match="90m, 24h, 7d"):
        parse_since(text)


def test_summary_per_feature(world):
    summary = backlog_summary(workspace_backlog(world)).set_index("feature")
    assert list(summary.index) == ["search", "billing"]
    assert summary.loc["search", ["items", "thumbs_down", "intent_mismatch", "low_judge_score"]].tolist() == [3, 1, 1, 2]
    assert summary.loc["billing", "lowest_judge_score"] == pytest.approx(0.3)


def test_triage_removes_from_the_open_backlog_and_is_recorded(own_world):
    done = mark_triaged(own_world, ["a1", "b1"], "prompt fixed in v7", who="ana")
    assert done["recorded"] == ["a1", "b1"] and done["already"] == []
    assert done["entry"]["action"] == TRIAGED and done["entry"]["who"] == "ana"
    assert list(workspace_backlog(own_world)["interaction_id"]) == ["a4", "a2"]
    shown = workspace_backlog(own_world, include_triaged=True).set_index("interaction_id")
    assert shown.loc["a1", "triaged"] and shown.loc["a1", "triaged_by"] == "ana"
    assert shown.loc["a1", "triage_why"] == "prompt fixed in v7" and not shown.loc["a2", "triaged"]
    again = mark_triaged(own_world, ["a1"], "", who="bo")
    assert again["recorded"] == [] and again["already"] == ["a1"] and again["entry"] is None
    assert verify_workspace(own_world)["ok"]  # the trail still agrees with the workspace


def test_unknown_ids_are_refused_and_nothing_is_recorded(own_world):
    with pytest.raises(ValueError, match="'nope'"):
        mark_triaged(own_world, ["a1", "nope"], "x", who="ana")
    with pytest.raises(ValueError, match="at least one"):
        mark_triaged(own_world, [" "], "x")
    assert triage_log(own_world).empty


def test_a_torn_triage_entry_is_no_triage(own_world):
    with open(own_world / "audit.jsonl", "a") as trail:  # a kill in the middle of an append
        trail.write(json.dumps({"action": TRIAGED, "what": {"interaction_ids": ["a2"]}})[:40])
    assert "a2" not in set(triage_log(own_world)["interaction_id"])


def test_a_folder_that_is_no_workspace_is_refused(tmp_path):
    with pytest.raises(ValueError, match="not a journeylens workspace"):
        workspace_backlog(tmp_path / "nowhere")
    assert not (tmp_path / "nowhere").exists()


def test_exports_round_trip(world, tmp_path):
    backlog = workspace_backlog(world, "7d")
    write_backlog(backlog, tmp_path / "b.jsonl", "jsonl")
    lines = [json.loads(line) for line in (tmp_path / "b.jsonl").read_text().splitlines()]
    assert [r["interaction_id"] for r in lines] == list(backlog["interaction_id"])
    assert lines[0]["ts"] == "2026-03-10T12:00:00" and lines[-1]["prompt"] == FORMULA  # JSON keeps the text
    assert lines[1]["judge_score"] == pytest.approx(0.1)
    write_backlog(backlog, tmp_path / "b.csv", "csv")
    back = pd.read_csv(tmp_path / "b.csv")
    assert list(back["interaction_id"]) == list(backlog["interaction_id"])
    assert list(back.columns) == list(backlog.columns)
    assert pd.read_json(io.StringIO(backlog_jsonl(backlog)), lines=True).shape == backlog.shape


def test_csv_neutralises_formulas(world):
    back = pd.read_csv(io.StringIO(backlog_csv(workspace_backlog(world))))
    row = back.set_index("interaction_id").loc["b1"]
    assert row["prompt"] == "'" + FORMULA and row["judge_reason"] == "'" + FORMULA
    assert back["judge_score"].dtype.kind == "f"  # numbers stay numbers
