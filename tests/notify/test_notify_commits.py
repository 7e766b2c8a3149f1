"""The notification writes follow the commit protocol (trail.commit): a process killed just before its entry is
committed leaves nothing (no config version, no delivery state), one killed just after it is finished by the
next writer (the file published), and the trail agrees with the workspace either way. The two steps either
side of the commit point; tests/workspace/test_commit_protocol.py kills the protocol at every step."""

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from journeylens.notebooks.notify.config import load_config
from journeylens.notebooks.notify.state import load_state
from journeylens.notebooks.workspace.store import verify_workspace
from notify_configs import config_text

REPO = Path(__file__).resolve().parents[2]
# A writer that kills itself (SIGKILL: no cleanup, no finally) when the protocol reaches one step.
KILLER = """
import os, signal, sys
import journeylens.notebooks.workspace.trail as trail
import journeylens.notebooks.workspace.store as store

def step(name):
    if name == sys.argv[1]:
        os.kill(os.getpid(), signal.SIGKILL)

trail.protocol_step = store.protocol_step = step
operation, ws = sys.argv[2], sys.argv[3]
if operation == "config":
    from journeylens.notebooks.notify.config import save_config
    save_config(ws, open(sys.argv[4]).read())
else:
    from journeylens.notebooks.notify.records import record_delivery
    from journeylens.notebooks.notify.state import empty_state, told, utc_now
    change = {"rule": "r", "key": "k", "change": "fired", "level": 1, "title": "t", "stage": "checkout"}
    message = {"id": "m1", "rule": "r", "rule_kind": "queue", "destination": "oncall", "type": "slack",
               "summary": "FIRED t", "changes": [change]}
    outcome = {"status": "sent", "attempts": 1, "http_status": 200, "error": ""}
    now = utc_now("2026-11-16T09:00:00")
    record_delivery(ws, message, outcome, told(empty_state(), "oncall", [change], now), now.isoformat())
print("finished")
"""


@pytest.mark.parametrize("operation", ["config", "sent"])
@pytest.mark.parametrize("step", ["intent", "committed"])
def test_a_writer_killed_either_side_of_the_commit_point(tmp_path, operation, step):
    ws = tmp_path / "ws"
    (ws / "uploads").mkdir(parents=True)
    config = tmp_path / "notify.yaml"
    config.write_text(config_text())
    done = subprocess.run([sys.executable, "-c", KILLER, step, operation, str(ws), str(config)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    assert verify_workspace(ws)["ok"], "the next writer finished or undid it"
    lines = (ws / "audit.jsonl").read_text().splitlines() if (ws / "audit.jsonl").exists() else []
    committed = step == "committed"
    assert [json.loads(line)["action"] for line in lines] == (
        [f"notify.{operation}"] if committed else [])
    if operation == "config":
        stored = load_config(ws)
        assert (stored is not None) == committed
        assert not committed or stored["text"] == config.read_text()
    else:
        assert list(load_state(ws)["entries"]) == ([("r", "k", "oncall")] if committed else [])
