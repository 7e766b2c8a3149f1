"""`journeylens ai-signals` in process (app/cli_ai_signals.py, notebooks/ai/signal_report.py): the summary
per kind with each signal's title and the actions, --out CSV (formulas neutralised), --kind, refusals
said with exit 2, and quiet or empty workspaces, on the synthetic worlds of tests/ai."""

import io
import sys
from pathlib import Path

import pandas as pd
import pytest
from journeylens.app.cli import main
from journeylens.app.cli_ai_signals import KIND_NAMES
from journeylens.notebooks.ai.signal_report import KINDS, REPORT_COLUMNS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ai"))
import signal_worlds  # noqa: E402 (the worlds live with the AI signal tests)
from churn_worlds import world as churn_world  # noqa: E402

FORMULA = "=HYPERLINK(1)"  # a feature name a spreadsheet would run


@pytest.fixture(scope="module")
def kinds_world(tmp_path_factory):
    """An edit-rate rise on 'edits', a fallback spike on 'falls', the same edit-rate rise on a feature
    named like a formula, and a steady feature."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(signal_worlds.EVENTS, FORMULA, "edit_rate")
        return signal_worlds.build_world(tmp_path_factory.mktemp("cli-ai-signals"),
                                         features=("edits", "falls", "steady", FORMULA))


def test_the_kind_choices_are_the_reports_kinds():
    assert set(KIND_NAMES) == set(KINDS)


@pytest.fixture(scope="module")
def listed(kinds_world, tmp_path_factory):
    """What `ai-signals --out` prints, says on standard error and writes, on the kinds world (run once)."""
    target = tmp_path_factory.mktemp("cli-ai-signals-out") / "signals.csv"
    with pytest.MonkeyPatch.context() as patch:
        out, err = io.StringIO(), io.StringIO()
        patch.setattr(sys, "stdout", out)
        patch.setattr(sys, "stderr", err)
        status = main(["ai-signals", "--workspace", str(kinds_world), "--out", str(target)])
    return {"status": status, "out": out.getvalue(), "err": err.getvalue(), "target": target,
            "table": pd.read_csv(target)}


def test_an_edit_rate_rise_is_listed_with_its_title_and_counted(listed):
    out = listed["out"]
    assert listed["status"] == 0
    assert "AI signals (28,800 AI interactions, profile default v0): " in out
    assert "  edit rate " in out and "(edit_rate)" in out and "(fallback_reason)" in out
    lines = out.splitlines()
    assert any(line.startswith("  [edit_rate] edits edit rate up ") for line in lines)
    assert any(line.startswith("  [fallback_reason] falls fallback 'timeout' up ") for line in lines)
    # the kinds beyond task completion stay quiet on the steady feature (task completion's own detector,
    # z 3 on daily rates, may flag a short dip in one segment: these worlds are not built for it)
    assert not any(" steady " in line for line in lines if line.startswith("  [") and "[task_completion]" not in line)
    assert out.index("signals:") < out.index("actions:")
    assert any("investigate falls: fallback spike ('timeout')" in line for line in lines)


def test_out_writes_one_csv_with_formulas_neutralised(listed):
    assert f"wrote {listed['target']} (" in listed["err"]
    table = listed["table"]
    assert list(table.columns) == REPORT_COLUMNS
    assert len(table) == listed["out"].count("\n  [")
    edits = table[(table["kind"] == "edit_rate") & (table["feature"] == "edits") & (table["slice"] == "all")]
    assert len(edits) == 1 and edits["source"].iloc[0] == "outcome" and edits["change"].iloc[0] > 0.5
    assert edits["title"].iloc[0].startswith("edits edit rate up ")
    assert "'" + FORMULA in set(table["feature"]) and FORMULA not in set(table["feature"])
    assert not table["title"].str.startswith("=").any()


def test_kind_filters_signals_and_actions(kinds_world, tmp_path, capsys):
    target = tmp_path / "edits.csv"
    assert main(["ai-signals", "--workspace", str(kinds_world), "--kind", "edit_rate", "--out", str(target)]) == 0
    out = capsys.readouterr().out
    assert "[edit_rate] edits edit rate up " in out and "[fallback_reason]" not in out and "investigate" not in out
    assert set(pd.read_csv(target)["kind"]) == {"edit_rate"}
    assert main(["ai-signals", "--workspace", str(kinds_world), "--kind", "tickets"]) == 0
    assert "0 fired" in capsys.readouterr().out
    with pytest.raises(SystemExit) as stop:
        main(["ai-signals", "--workspace", str(kinds_world), "--kind", "vibes"])
    assert stop.value.code == 2


def test_churn_signals_are_listed_with_the_others(tmp_path, capsys):
    ws = churn_world(tmp_path, adoption_drop=True)
    assert main(["ai-signals", "--workspace", str(ws), "--kind", "adoption", "--out", str(tmp_path / "c.csv")]) == 0
    out = capsys.readouterr().out
    assert "[adoption] summarise new users a week −" in out
    table = pd.read_csv(tmp_path / "c.csv")
    assert set(table["source"]) == {"churn"} and "all" in set(table["slice"])


def test_a_steady_world_lists_none(tmp_path, capsys):
    ws = churn_world(tmp_path)  # steady users, no signal of any source (test_churn_signals: quiet)
    assert main(["ai-signals", "--workspace", str(ws), "--out", str(tmp_path / "none.csv")]) == 0
    out = capsys.readouterr().out
    assert ": 0 fired" in out and "signals:" not in out and "actions: none suggested" in out
    assert list(pd.read_csv(tmp_path / "none.csv").columns) == REPORT_COLUMNS
    assert pd.read_csv(tmp_path / "none.csv").empty


def test_a_steady_feature_fires_no_kind_beyond_task_completion(tmp_path, capsys):
    ws = signal_worlds.build_world(tmp_path, features=("steady",))
    kinds = [k for k in KIND_NAMES if k != "task_completion"]
    assert main(["ai-signals", "--workspace", str(ws), *[f"--kind={k}" for k in kinds]]) == 0
    out = capsys.readouterr().out
    assert ": 0 fired" in out and "signals:" not in out


def test_refusals_exit_2(kinds_world, tmp_path, capsys):
    assert main(["ai-signals", "--workspace", str(tmp_path)]) == 2
    assert "is no journeylens workspace" in capsys.readouterr().err
    assert main(["ai-signals", "--workspace", str(kinds_world), "--profile", "nope"]) == 2
    assert "no weight profile named 'nope'" in capsys.readouterr().err
    assert main(["ai-signals", "--workspace", str(kinds_world), "--out", str(kinds_world / "audit.jsonl")]) == 2


def test_a_workspace_without_ai_interactions_says_so(tmp_path, capsys):
    (tmp_path / "ws" / "uploads").mkdir(parents=True)
    assert main(["ai-signals", "--workspace", str(tmp_path / "ws")]) == 0
    assert "no AI interactions" in capsys.readouterr().out
