"""`journeylens backlog` in process (app/cli_backlog.py): the summary, --since, --out CSV / JSON Lines,
--triage into the audit trail, and refusals said with exit 2."""

import json
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest
from journeylens.app.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ai"))
from backlog_world import FORMULA, build_backlog_world  # noqa: E402


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_backlog_world(tmp_path_factory.mktemp("cli-backlog"))


@pytest.fixture
def own_world(world, tmp_path):
    shutil.copytree(world, tmp_path / "ws")
    return tmp_path / "ws"


def test_summary_per_feature(world, capsys):
    assert main(["backlog", "--workspace", str(world)]) == 0
    out = capsys.readouterr().out
    assert "prompt backlog, the 24h before the latest interaction in the data: 4 items in 2 features" in out
    assert "search: 3 items (1 thumbs-down, 1 intent mismatch, 2 low judge score)" in out
    assert out.index("search:") < out.index("billing:")
    assert "a1  2026-03-10 12:00  thumbs-down; low judge score 0.20 (llm)" in out
    assert "judge:  missed the budget" in out and "a5" not in out
    assert main(["backlog", "--workspace", str(world), "--since", "7d", "--feature", "search"]) == 0
    out = capsys.readouterr().out
    assert "a5" in out and "billing" not in out


@pytest.mark.parametrize("since", ["soon", "24", "-2h"])
def test_a_bad_since_exits_2_saying_what_is_accepted(world, since, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["backlog", "--workspace", str(world), f"--since={since}"])
    assert stop.value.code == 2
    assert "90m, 24h, 7d" in capsys.readouterr().err


def test_out_writes_csv_or_jsonl_by_extension(world, tmp_path, capsys):
    assert main(["backlog", "--workspace", str(world), "--since", "all", "--out", str(tmp_path / "b.csv")]) == 0
    assert "wrote 5 backlog items (csv)" in capsys.readouterr().out
    table = pd.read_csv(tmp_path / "b.csv").set_index("interaction_id")
    assert table.loc["b1", "prompt"] == "'" + FORMULA
    assert main(["backlog", "--workspace", str(world), "--out", str(tmp_path / "b.jsonl")]) == 0
    rows = [json.loads(line) for line in (tmp_path / "b.jsonl").read_text().splitlines()]
    assert [r["interaction_id"] for r in rows] == ["a1", "a4", "a2", "b1"]
    assert main(["backlog", "--workspace", str(world), "--out", str(tmp_path / "b.txt"), "--format", "jsonl"]) == 0
    assert json.loads((tmp_path / "b.txt").read_text().splitlines()[0])["interaction_id"] == "a1"


def test_triage_is_recorded_and_leaves_the_open_backlog(own_world, capsys):
    w = ["--workspace", str(own_world)]
    assert main(["backlog", *w, "--triage", "a1", "a2", "--why", "known issue", "--who", "ana"]) == 0
    assert "marked 2 interactions triaged in the audit trail: a1, a2" in capsys.readouterr().out
    last = json.loads((own_world / "audit.jsonl").read_text().splitlines()[-1])
    assert last["action"] == "backlog.triaged" and last["who"] == "ana" and last["why"] == "known issue"
    assert last["what"] == {"interaction_ids": ["a1", "a2"]}
    assert main(["backlog", *w]) == 0
    out = capsys.readouterr().out
    assert "2 items" in out and "a1 " not in out
    assert main(["backlog", *w, "--include-triaged"]) == 0
    assert "[triaged by ana]" in capsys.readouterr().out
    assert main(["backlog", *w, "--triage", "a1"]) == 0
    assert "already triaged, not recorded again: a1" in capsys.readouterr().out


def test_refusals_exit_2(own_world, tmp_path, capsys):
    assert main(["backlog", "--workspace", str(own_world), "--triage", "nope"]) == 2
    assert "no AI interaction 'nope'" in capsys.readouterr().err
    assert main(["backlog", "--workspace", str(tmp_path / "nowhere")]) == 2
    assert "not a journeylens workspace" in capsys.readouterr().err
    assert main(["backlog", "--workspace", str(own_world), "--out", str(own_world / "audit.jsonl")]) == 2
    assert "refused" in capsys.readouterr().err
