"""The AI notebooks as an analyst opens them: run headless (app.run()) on the sample workspace, and on a
mistyped path, which they refuse without creating it. Each test checks what the notebook shows."""


import pytest
from notebook_views import run_notebook
from notebook_views import shown as shown_text

NOTEBOOKS = ("outcomes", "outcome_signals", "validation", "shadow")


def run(name: str, workspace, monkeypatch) -> tuple:
    """(outputs, definitions) of notebooks/ai/<name>.py run top to bottom on `workspace`."""
    return run_notebook(f"ai.{name}", workspace, monkeypatch)


def html(outputs) -> str:
    return "\n".join(o.text for o in outputs if hasattr(o, "text"))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_a_mistyped_workspace_is_refused_and_not_created(name, tmp_path, monkeypatch):
    typo = tmp_path / "worksapce"
    outputs, defs = run(name, typo, monkeypatch)
    assert "is no journeylens workspace" in html(outputs)
    assert not typo.exists() and "con" not in defs and "found" not in defs


def test_outcomes_shows_feature_by_segment_trends(sample_dir, monkeypatch):
    outputs, defs = run("outcomes", sample_dir, monkeypatch)
    assert defs["chosen"] == {"feature": "checkout_helper", "segments": ["all", "enterprise", "free", "pro"],
                              "metric": "task_completion", "window": "7d"}
    shown = shown_text(outputs)
    assert "checkout_helper: task completion per segment, rolling 7d" in shown and "task_completion_7d" in shown
    rows = defs["feature_rows"]
    assert set(rows["feature"]) == {"checkout_helper"} and set(rows["segment"]) == {"all", "enterprise", "free", "pro"}
    assert 0.7 < float(rows.loc[rows["segment"] == "all", "task_completion_rate"].iloc[0]) < 0.9
    assert "retention_90d per signup cohort" in shown and defs["cohorts"]["eligible"].sum() > 0
    assert "judge verdict against the user signal" in shown


def test_outcome_signals_shows_the_band_drops_and_slices(sample_dir, monkeypatch):
    outputs, defs = run("outcome_signals", sample_dir, monkeypatch)
    shown = shown_text(outputs)
    assert "task completion against its band" in shown and "band_lower" in shown
    assert "low-success slices" in html(outputs)
    assert set(defs["slices"]["segment"]) == {"enterprise"}  # the sample world's weak slice


def test_outcome_signals_shows_the_other_kinds_and_their_actions(sample_dir, monkeypatch):
    outputs, defs = run("outcome_signals", sample_dir, monkeypatch)
    assert "signals beyond task completion" in html(outputs) and "Suggested actions" in html(outputs)
    assert "p95_latency" in set(defs["kinds"]["kind"])  # support_answer over its 2 s budget
    assert (defs["kind_rows"]["slice"].str.startswith("task_type ")).any()


def test_validation_shows_agreement_and_the_review_queue(sample_dir, monkeypatch):
    outputs, defs = run("validation", sample_dir, monkeypatch)
    stats = defs["judge_stats"]
    assert stats["n"] == 350 and stats["kappa"] == pytest.approx(0.7846469381775563)
    text = html(outputs)
    assert "Cohen" in text and "0.78" in text and "Corrected pass rate" in text
    assert "judge against humans on 350 interactions" in shown_text(outputs)
    assert len(defs["queue"]) == 20 and defs["queue"]["human"].isna().all()


def test_shadow_shows_the_verdict_and_model_drift(sample_dir, monkeypatch):
    outputs, defs = run("shadow", sample_dir, monkeypatch)
    assert defs["verdict"]["pairs"] == 139 and defs["verdict"]["promote"]
    assert "non-inferior" in html(outputs) and "Shadow − production: mean" in shown_text(outputs)
    drift = defs["model_change"]
    assert (drift["before"], drift["after"]) == ("gpt-small-2026-07", "gpt-small-2026-09")
    assert list(drift["table"]["column"]) == ["latency_ms", "cost_usd", "accepted", "feedback"]
