"""`journeylens suppress list|add|remove`, `journeylens ingest playbooks FILE` and `journeylens playbooks
...` in process: each change a new version with an audit entry, refusals said and exit 2
(app/cli_suppress.py, app/cli_playbooks.py)."""

import json
import sys
from pathlib import Path

from journeylens.app.cli import main
from journeylens.notebooks.ingest.playbook_file import load_catalogue
from journeylens.notebooks.queue.profiles import load_profile
from journeylens.notebooks.queue.ranking import ranked_alerts

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "queue"))
from ops_world import CATALOGUE, by_alert, iso, ops_workspace  # noqa: E402


def trail(ws) -> list:
    return [json.loads(line) for line in (ws / "audit.jsonl").read_text().splitlines()]


def test_suppress_add_list_remove(tmp_path, capsys):
    ws = ops_workspace(tmp_path)
    w = ["--workspace", str(ws)]
    assert main(["suppress", "list", *w]) == 0
    assert "no suppression rules" in capsys.readouterr().out
    assert main(["suppress", "add", *w, "--stage", "checkout", "--from", iso(500), "--until", iso(700),
                 "--reason", "PSP maintenance", "--author", "alice"]) == 0
    assert "profile default is now version 1" in capsys.readouterr().out
    assert main(["suppress", "add", *w, "--match", "service=ci-*", "name=Build*", "--reason", "CI noise"]) == 0
    assert main(["suppress", "list", *w]) == 0
    listed = capsys.readouterr().out
    assert "1. [maintenance window] stage checkout" in listed and "2. [known noise]" in listed
    assert "name=Build*, service=ci-*" in listed
    rows = by_alert(ranked_alerts(ws))
    assert rows["a3"]["suppressed_reason"] == "PSP maintenance" and not rows["a1"]["suppressed"]
    assert main(["suppress", "remove", "1", *w, "--why", "over"]) == 0
    assert [r["reason"] for r in load_profile(ws)["profile"]["suppress"]] == ["CI noise"]
    assert [e["what"]["version"] for e in trail(ws) if e["action"] == "profile.saved"] == [1, 2, 3]
    assert load_profile(ws, version=1)["author"] == "alice"


def test_suppress_refusals_exit_2_and_store_nothing(tmp_path, capsys):
    ws = ops_workspace(tmp_path)
    w = ["--workspace", str(ws)]
    for bad in (["add", *w, "--match", "colour=red", "--reason", "x"],
                ["add", *w, "--stage", "checkout", "--from", "soon", "--reason", "x"],
                ["add", *w, "--stage", "checkout", "--from", iso(10), "--until", iso(5), "--reason", "x"],
                ["add", *w, "--reason", "everything"],
                ["add", *w, "--match", "service", "--reason", "x"],
                ["remove", "3", *w],
                ["list", *w, "--profile", "never-saved"],
                ["list", "--workspace", str(tmp_path / "nothing")]):
        assert main(["suppress", *bad]) == 2, bad
        err = capsys.readouterr().err
        assert err.startswith("refused:") and "Traceback" not in err
    assert load_profile(ws)["version"] == 0
    assert not (tmp_path / "nothing").exists()


def test_ingest_playbooks_list_approve(tmp_path, capsys):
    ws = ops_workspace(tmp_path)
    w = ["--workspace", str(ws)]
    (tmp_path / "team.yaml").write_text(CATALOGUE)
    assert main(["ingest", "playbooks", str(tmp_path / "team.yaml"), *w]) == 0
    assert "stored playbook catalogue version 1 (2 playbooks)" in capsys.readouterr().out
    assert main(["ingest", "playbooks", str(tmp_path / "team.yaml"), *w]) == 0
    assert "nothing stored" in capsys.readouterr().out
    (tmp_path / "bad.yaml").write_text(CATALOGUE.replace("{stage: signup, ", "{stage: signup, colour: red, "))
    assert main(["ingest", "playbooks", str(tmp_path / "bad.yaml"), *w]) == 2
    assert "playbooks[1], column when.all[2].colour" in capsys.readouterr().err
    assert load_catalogue(ws)["version"] == 1
    assert main(["playbooks", "list", *w]) == 0
    listed = capsys.readouterr().out
    assert "approval required for: auto-mitigate" in listed and "when all of [stage=checkout" in listed
    group = by_alert(ranked_alerts(ws))["a1"]["group_id"]
    assert main(["playbooks", "approve", group, "--playbook", "review", *w]) == 2
    assert "needs none" in capsys.readouterr().err
    assert main(["playbooks", "approve", group, "--playbook", "checkout-latency-in-signup-surge", "--why", "ok",
                 "--author", "erin", *w]) == 0
    assert trail(ws)[-1]["action"] == "playbook.approved" and trail(ws)[-1]["who"] == "erin"
    assert main(["playbooks", "approvals", *w]) == 0
    assert group in capsys.readouterr().out
