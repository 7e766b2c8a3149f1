"""The commit protocol (audit_trail.commit): a process killed at every step of storing an upload, removing
one and saving a version leaves a workspace whose uploads and versions agree with its audit trail, and
never loses what was acknowledged."""

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.queue.profiles import save_profile
from journeylens.notebooks.retro.governance import verify_audit
from journeylens.notebooks.workspace.snapshot import connect, list_uploads
from journeylens.notebooks.workspace.trail import chain_check, read_lines, replay
from journeylens.notebooks.workspace.versions import list_versions

REPO = Path(__file__).resolve().parents[2]
STEPS = ("staged", "intent", "committed", "published", "headed", "done")
VERSION_STEPS = STEPS[1:]  # a version has no staged upload
REMOVE_STEPS = STEPS[1:]
COMMITTED = {"committed", "published", "headed", "done"}
ALERTS = "fired_at,service,name,severity\n2026-03-03T10:00:00Z,payments-api,HighLatency,critical\n"
MORE = "fired_at,service,name,severity\n2026-03-04T10:00:00Z,search,SlowQueries,low\n"
# A writer that kills itself (SIGKILL: no cleanup, no finally) when the protocol reaches one step.
KILLER = """
import os, signal, sys
import journeylens.notebooks.workspace.trail as trail
import journeylens.notebooks.workspace.store as store

def step(name):
    if name == sys.argv[1]:
        os.kill(os.getpid(), signal.SIGKILL)

trail.protocol_step = store.protocol_step = step
operation, ws, arg = sys.argv[2], sys.argv[3], sys.argv[4]
if operation == "ingest":
    from journeylens.notebooks.ingest.upload import ingest_file
    ingest_file(ws, "alerts", arg)
elif operation == "remove":
    from journeylens.notebooks.workspace.snapshot import remove_upload
    remove_upload(ws, arg)
else:
    from journeylens.notebooks.queue.profiles import save_profile
    save_profile(ws, arg, {"threshold": 7.5})
print("finished")
"""


def killed_at(step: str, operation: str, ws: Path, arg: str) -> None:
    result = subprocess.run([sys.executable, "-c", KILLER, step, operation, str(ws), arg], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, (result.returncode, result.stdout, result.stderr[-2000:])


def trail_state(ws: Path) -> dict:
    """What the trail on disk records, read raw (no journeylens recovery)."""
    lines, torn = read_lines(ws)
    assert torn is None
    return replay([entry for _, entry in chain_check(lines)["entries"]])


def visible_uploads(ws: Path) -> set:
    return set(list_uploads(ws)["upload_id"])


@pytest.fixture
def workspace(tmp_path):
    ws = tmp_path / "ws"
    first = ingest_file(ws, "alerts", _write(tmp_path / "first.csv", ALERTS))
    save_profile(ws, "weekday", {"threshold": 6.0})
    return ws, first["upload_id"]


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.mark.parametrize("step", STEPS)
def test_ingest_killed_at_every_step(workspace, tmp_path, step):
    ws, first = workspace
    killed_at(step, "ingest", ws, str(_write(tmp_path / "more.csv", MORE)))
    if step in ("intent", "committed", "published", "headed"):
        assert (ws / "audit.pending").exists(), "the kill did not land inside the commit"
    recorded = set(trail_state(ws)["uploads"])
    assert (len(recorded) == 2) == (step in COMMITTED)
    # the first reader finishes or undoes the commit: it sees exactly what the trail records
    assert visible_uploads(ws) == set(trail_state(ws)["uploads"])
    assert len(visible_uploads(ws)) == (2 if step in COMMITTED else 1) and first in visible_uploads(ws)
    assert not (ws / "audit.pending").exists()
    con = connect(ws)
    try:
        rows = con.execute("select count(*) from alerts").fetchall()[0][0]
    finally:
        con.close()
    assert rows == (2 if step in COMMITTED else 1)
    check = verify_audit(ws)
    assert check["ok"], check["problems"]
    # the workspace takes the next writer, and an upload that was undone can be stored again
    again = ingest_file(ws, "alerts", tmp_path / "more.csv")
    assert again["status"] == ("duplicate" if step in COMMITTED else "stored")
    assert not any((ws / ".staging").iterdir())
    assert verify_audit(ws)["ok"]


@pytest.mark.parametrize("step", REMOVE_STEPS)
def test_remove_killed_at_every_step(workspace, step):
    ws, first = workspace
    killed_at(step, "remove", ws, first)
    state = trail_state(ws)
    assert (first in state["removed"]) == (step in COMMITTED)
    assert visible_uploads(ws) == set(trail_state(ws)["uploads"])
    assert (first in visible_uploads(ws)) == (step not in COMMITTED)
    assert verify_audit(ws)["ok"]
    # a writer later reclaims the removed files, and nothing else
    save_profile(ws, "after", {"threshold": 5.0})
    assert (ws / "uploads" / first).exists() == (step not in COMMITTED)
    assert verify_audit(ws)["ok"]


@pytest.mark.parametrize("step", VERSION_STEPS)
def test_saving_a_version_killed_at_every_step(workspace, step):
    ws, _ = workspace
    killed_at(step, "profile", ws, "weekday")
    recorded = {key for key in trail_state(ws)["versions"] if key[:2] == ("profiles", "weekday")}
    assert len(recorded) == (2 if step in COMMITTED else 1)
    list_uploads(ws)  # any reader finishes or undoes the commit
    versions = [v["version"] for v in list_versions(ws, "profiles", "weekday")]
    assert versions == sorted(key[2] for key in recorded)
    assert verify_audit(ws)["ok"]
    record = save_profile(ws, "weekday", {"threshold": 8.0})
    assert record["version"] == len(versions) + 1


def test_a_torn_append_is_undone(workspace, tmp_path):
    """A kill in the middle of writing the entry's line: the half line never committed."""
    ws, _ = workspace
    killed_at("intent", "ingest", ws, str(_write(tmp_path / "more.csv", MORE)))
    pending = json.loads((ws / "audit.pending").read_text())
    with open(ws / "audit.jsonl", "a") as handle:
        handle.write(json.dumps(pending["entry"])[:40])
    assert len(visible_uploads(ws)) == 1
    assert (ws / "audit.jsonl").read_text().endswith("\n")
    assert verify_audit(ws)["ok"]
