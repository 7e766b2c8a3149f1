"""`journeylens audit --profile F` with the AI knobs (issue 18 §4): a file holding only `ai_weights` is
accepted, the rest comes from the defaults, and ai_metrics.csv's weighted_score follows it; a bad AI
setting is refused naming it (exit 2)."""

import csv

import pytest
from journeylens.notebooks.queue.scoring import DEFAULT_PROFILE
from journeylens.notebooks.retro.audit_report import read_profile_file, run_audit
from journeylens.notebooks.workspace.contract import IngestError
from test_audit import audit_args, run, sample_files


def inputs() -> list:
    return [("journey-map", sample_files("journey-map")[0]), ("alerts", sample_files("alerts")[0]),
            ("ai", sample_files("ai")[0]), ("scores", sample_files("scores")[0])]


def weighted(out) -> dict:
    with open(out / "ai_metrics.csv", newline="", encoding="utf-8") as handle:
        return {(r["feature"], r["segment"]): float(r["weighted_score"]) for r in csv.DictReader(handle)
                if r["weighted_score"]}


def test_a_file_with_only_ai_weights_is_completed_from_the_defaults(tmp_path):
    path = tmp_path / "ai.yaml"
    path.write_text("ai_weights: {task_completion: 1, relevance: 0}\noutcome_values: {checkout_helper: 2.5}\n"
                    "shadow_min_days: 14\n")
    profile = read_profile_file(path)
    assert profile["ai_weights"] == {"task_completion": 1, "relevance": 0, "safety": 0.2}
    assert profile["outcome_values"] == {"checkout_helper": 2.5} and profile["shadow_min_days"] == 14
    assert profile["weights"] == DEFAULT_PROFILE["weights"] and profile["threshold"] == DEFAULT_PROFILE["threshold"]


@pytest.mark.parametrize(("text", "named"), [
    ("ai_weights: {task_completon: 1}\n", "ai_weights.task_completon"),
    ("ai_weights: {safety: -1}\n", "ai_weights.safety"),
    ("ai_weights: {safety: .inf}\n", "ai_weights.safety"),
    ("ai_weights: {task_completion: 0, relevance: 0, safety: 0}\n", "ai_weights"),
    ("ai_weights: 0.5\n", "ai_weights"),
    ("outcome_values: {checkout_helper: cheap}\n", "outcome_values.checkout_helper"),
    ("outcome_values: [1, 2]\n", "outcome_values"),
    ("shadow_min_days: 400\n", "shadow_min_days"),
])
def test_a_bad_ai_setting_is_refused_naming_it(tmp_path, text, named):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(IngestError) as refused:
        read_profile_file(path)
    assert named in str(refused.value) and "bad.yaml" in str(refused.value)


def test_ai_weights_change_ai_metrics_weighted_score(tmp_path):
    run_audit(inputs(), tmp_path / "default")
    path = tmp_path / "task_only.json"
    path.write_text('{"ai_weights": {"task_completion": 1, "relevance": 0, "safety": 0}}')
    done = run_audit(inputs(), tmp_path / "task_only", profile_file=path)
    before, after = weighted(tmp_path / "default"), weighted(tmp_path / "task_only")
    assert before.keys() == after.keys() and ("all", "all") in before
    assert all(0 <= v <= 1 for v in after.values())
    assert after[("all", "all")] != pytest.approx(before[("all", "all")], abs=1e-6)
    # the rest of the profile is the defaults': the ranking is the same
    assert done["summary"]["profile_name"] == "audit"
    same = tmp_path / "same.json"  # the defaults, unnormalised: weighted_score unchanged
    same.write_text('{"ai_weights": {"task_completion": 5, "relevance": 3, "safety": 2}}')
    run_audit(inputs(), tmp_path / "same", profile_file=same)
    assert weighted(tmp_path / "same") == pytest.approx(before)


def test_cli_refuses_a_bad_ai_weight_with_exit_2(tmp_path):
    profile = tmp_path / "bad_ai.json"
    profile.write_text('{"ai_weights": {"helpfulness": 1}}')
    out = tmp_path / "out"
    result = run(*audit_args(out, alerts=sample_files("alerts")[:1], extra=["--profile", profile]))
    assert result.returncode == 2, result.stderr
    assert "bad_ai.json" in result.stderr and "ai_weights.helpfulness" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()
