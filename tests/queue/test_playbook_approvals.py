"""The human-approval gate of the playbook catalogue: shown in the queue, recorded in the audit trail
(notebooks/queue/playbook_approvals.py)."""

import json
import sys
from pathlib import Path

import pytest
from journeylens.notebooks.ingest.playbook_file import load_playbooks, store_catalogue
from journeylens.notebooks.queue.playbook_approvals import approval_status, approvals, approve_playbook
from journeylens.notebooks.queue.ranking import ranked_alerts
from journeylens.notebooks.workspace.contract import IngestError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ops_world import CATALOGUE, by_alert, ops_workspace  # noqa: E402


def test_approval_is_recorded_and_shown(tmp_path):
    ws = ops_workspace(tmp_path)
    store_catalogue(ws, CATALOGUE, "team.yaml")
    queue = ranked_alerts(ws)
    group = by_alert(queue)["a1"]["group_id"]
    status = dict(zip(queue["group_id"], approval_status(queue, approvals(ws)), strict=True))
    assert status[group] == "needs approval" and list(status.values()).count("") == 3
    entry = approve_playbook(ws, group, "checkout-latency-in-signup-surge", "PSP confirmed", author="erin")
    assert entry["who"] == "erin" and entry["action"] == "playbook.approved"
    recorded = approvals(ws)
    assert recorded[["who", "group_id", "playbook", "tier", "catalogue_version", "why"]].values.tolist() == [
        ["erin", group, "checkout-latency-in-signup-surge", "auto-mitigate", 1, "PSP confirmed"]]
    status = dict(zip(queue["group_id"], approval_status(queue, recorded), strict=True))
    assert status[group] == "approved by erin"
    trail = [json.loads(line) for line in (ws / "audit.jsonl").read_text().splitlines()]
    assert trail[-1]["action"] == "playbook.approved" and trail[-1]["why"] == "PSP confirmed"
    with pytest.raises(IngestError, match="needs none"):
        approve_playbook(ws, group, "review")
    with pytest.raises(IngestError, match="playbook of the catalogue"):
        approve_playbook(ws, group, "nope")
    with pytest.raises(IngestError):
        approve_playbook(ws, " ", "checkout-latency-in-signup-surge")
    assert len(approvals(ws)) == 1 and len(load_playbooks(ws)) == 2
