"""A compaction killed at every step of the commit protocol leaves the workspace and its trail in agreement,
with every row visible exactly once: the small uploads before the commit point, the compacted one after."""

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.workspace.snapshot import connect, list_uploads
from journeylens.notebooks.workspace.store import verify_workspace

REPO = Path(__file__).resolve().parents[2]
STEPS = ("staged", "intent", "committed", "published", "headed", "done")
KILLER = """
import os, signal, sys
import journeylens.notebooks.workspace.trail as trail
import journeylens.notebooks.workspace.store as store
import journeylens.notebooks.live.compact as compact

def step(name):
    if name == sys.argv[1]:
        os.kill(os.getpid(), signal.SIGKILL)

trail.protocol_step = store.protocol_step = step
compact.compact_workspace(sys.argv[2], at=3)
print("finished")
"""


@pytest.mark.parametrize("step", STEPS)
def test_a_killed_compaction_shows_every_row_once(tmp_path, step):
    ws = tmp_path / "ws"
    for number in range(4):
        body = tmp_path / f"{number}.json"
        body.write_text(json.dumps({"version": "4", "receiver": "r", "status": "firing", "alerts": [
            {"status": "firing", "labels": {"alertname": "A", "service": "s", "severity": "critical"},
             "startsAt": f"2026-11-30T1{number}:00:00Z", "fingerprint": f"f{number}"}]}))
        ingest_file(ws, "alerts", body, file_name=f"live-alertmanager-alertmanager_webhook-{number}.jsonl")
    small = set(list_uploads(ws)["upload_id"])
    result = subprocess.run([sys.executable, "-c", KILLER, step, str(ws)], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, result.stderr[-2000:]
    visible = set(list_uploads(ws)["upload_id"])  # a reader finishes or undoes the interrupted commit first
    committed = step in ("committed", "published", "headed", "done")
    assert (visible == small) != committed and (len(visible) == 1) == committed
    con = connect(ws)
    assert con.execute("select count(*), count(distinct fingerprint) from alert_notices").fetchall() == [(4, 4)]
    con.close()
    assert verify_workspace(ws)["ok"]
