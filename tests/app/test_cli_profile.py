"""`journeylens profile show|set|history` in process: a set saves one version, show and history reflect
it, refusals exit 2 and save nothing (app/cli_profile.py)."""

import json
import sys
from pathlib import Path

import yaml
from journeylens.app.cli import main
from journeylens.notebooks.queue.profiles import load_profile

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "queue"))
from ops_world import ops_workspace  # noqa: E402


def saved_versions(ws) -> list:
    entries = [json.loads(line) for line in (ws / "audit.jsonl").read_text().splitlines()]
    return [e["what"]["version"] for e in entries if e["action"] == "profile.saved"]


def test_set_then_show_reflects_it(tmp_path, capsys):
    ws = ops_workspace(tmp_path)
    w = ["--workspace", str(ws)]
    assert main(["profile", "show", *w]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("# weight profile default, version 0\n") and "shadow_min_days: 7" in shown
    assert main(["profile", "set", "shadow_min_days=14", "outcome_values.checkout_helper=2.5", "threshold=6",
                 *w, "--why", "pilot ROI", "--who", "alice"]) == 0
    said = capsys.readouterr().out
    assert "profile default is now version 1 (3 setting(s) changed)" in said
    assert "outcome_values.checkout_helper: (not set) -> 2.5" in said and "shadow_min_days: 7 -> 14" in said
    assert main(["profile", "show", *w]) == 0
    shown = capsys.readouterr().out
    assert "# weight profile default, version 1" in shown and "alice" in shown and "pilot ROI" in shown
    body = yaml.safe_load(shown)
    assert body["shadow_min_days"] == 14 and body["outcome_values"] == {"checkout_helper": 2.5}
    assert body["threshold"] == 6 and body == load_profile(ws)["profile"]
    assert main(["profile", "show", *w, "--version", "0"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["shadow_min_days"] == 7
    assert saved_versions(ws) == [1] and load_profile(ws)["author"] == "alice"


def test_set_ai_weights_then_history_shows_the_diff(tmp_path, capsys):
    ws = ops_workspace(tmp_path)
    w = ["--workspace", str(ws)]
    assert main(["profile", "history", *w]) == 0
    assert "no saved versions" in capsys.readouterr().out
    assert main(["profile", "set", "ai_weights.relevance=0.4", *w, "--why", "relevance matters"]) == 0
    assert main(["profile", "set", "weights.severity=0.2", "ai_latency_budgets.search=1500", *w,
                 "--why", "search budget", "--author", "bo"]) == 0
    capsys.readouterr()
    assert main(["profile", "history", *w]) == 0
    out = capsys.readouterr().out
    assert "2 version(s) of profile default" in out
    first, second = out.split("version 2 ")
    assert "set ai_weights.relevance: relevance matters" in first and "ai_weights.relevance: 0.3 -> 0.4" in first
    assert "by bo: set weights.severity, ai_latency_budgets.search: search budget" in second
    assert "ai_latency_budgets.search: (not set) -> 1500" in second and "weights.severity: 0.3 -> 0.2" in second
    assert "ai_weights" not in second
    assert load_profile(ws)["profile"]["ai_weights"] == {"task_completion": 0.5, "relevance": 0.4, "safety": 0.2}
    assert saved_versions(ws) == [1, 2]


def test_refusals_exit_2_and_save_nothing(tmp_path, capsys):
    ws = ops_workspace(tmp_path)
    w = ["--workspace", str(ws)]
    assert main(["profile", "set", "threshold=6", *w, "--why", "start"]) == 0
    capsys.readouterr()
    for bad in (["set", "ai_weight.relevance=0.4", *w, "--why", "x"],
                ["set", "ai_weights.relevance=-1", *w, "--why", "x"],
                ["set", "shadow_min_days=7", "threshold=.inf", *w, "--why", "x"],
                ["set", "threshold", *w, "--why", "x"],
                ["set", "threshold=7", *w, "--why", ""],
                ["set", "threshold=7", *w, "--why", "x", "--profile", "never-saved"],
                ["show", *w, "--version", "9"],
                ["history", *w, "--profile", "never-saved"],
                ["set", "threshold=7", "--why", "x", "--workspace", str(tmp_path / "nothing")]):
        assert main(["profile", *bad]) == 2, bad
        err = capsys.readouterr().err
        assert err.startswith("refused:") and "Traceback" not in err, err
    assert main(["profile", "set", "ai_weight.relevance=0.4", *w, "--why", "x"]) == 2
    err = capsys.readouterr().err
    assert "column ai_weight.relevance" in err and "did you mean ai_weights.relevance" in err
    assert "shadow_min_days" in err and "outcome_values.<feature>" in err
    assert load_profile(ws)["version"] == 1 and load_profile(ws)["profile"]["threshold"] == 6
    assert saved_versions(ws) == [1] and not (tmp_path / "nothing").exists()


def test_a_set_that_changes_nothing_saves_nothing(tmp_path, capsys):
    ws = ops_workspace(tmp_path)
    w = ["--workspace", str(ws)]
    assert main(["profile", "set", "shadow_min_days=7", "ai_weights.safety=0.2", *w, "--why", "same"]) == 0
    assert "nothing changed: profile default stays at version 0" in capsys.readouterr().out
    assert main(["profile", "set", "shadow_min_days=8", *w, "--why", "one"]) == 0
    assert main(["profile", "set", "shadow_min_days=9", *w, "--why", "two"]) == 0
    assert main(["profile", "set", "shadow_min_days=9", *w, "--why", "three"]) == 0
    assert "stays at version 2" in capsys.readouterr().out
    assert saved_versions(ws) == [1, 2] and load_profile(ws)["profile"]["shadow_min_days"] == 9
