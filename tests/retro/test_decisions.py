"""notebooks/retro/governance.py decisions: a decided suggestion leaves the open list for good, the decided
list says what was decided, and the audit trail names the person who decided, not the OS user."""

import json

import pytest
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.retro.governance import decide, decisions, open_suggestions, verify_audit
from journeylens.notebooks.retro.suggestions import decision_of

TIGHTEN = {"kind": "threshold", "action": "tighten", "stage": "checkout", "segment": "all", "metric": "conversion",
           "z_min_now": 4.0, "z_min_suggested": 6.0, "evidence": "3 alerts, none before an incident", "effect": "-3"}
PLAYBOOK = {"kind": "playbook", "incident_id": "INC-7", "playbook": "restart-payments", "evidence": "e",
            "effect": "restart the payments pods"}


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("JOURNEYLENS_USER", "os-user")  # what the trail would name without the person
    ws = tmp_path / "ws"
    path = tmp_path / "changes.csv"
    path.write_text("ts,service,kind,description\n2026-01-01T00:00:00Z,svc,deploy,v1\n")
    ingest_file(ws, "changes", path)
    return ws


def audit(ws) -> list:
    return [json.loads(line) for line in (ws / "audit.jsonl").read_text().splitlines()]


def test_a_decided_suggestion_is_no_longer_open(workspace):
    assert open_suggestions(workspace, [TIGHTEN, PLAYBOOK]) == [TIGHTEN, PLAYBOOK]
    decide(workspace, decision_of(TIGHTEN), accepted=True, who="ana", why="cuts noise")
    assert open_suggestions(workspace, [TIGHTEN, PLAYBOOK]) == [PLAYBOOK]
    decide(workspace, decision_of(PLAYBOOK), accepted=False, who="bo", why="already in the runbook")
    assert open_suggestions(workspace, [TIGHTEN, PLAYBOOK]) == []
    # a new suggestion on the same threshold (from the new z_min) is a different one: it is open
    again = {**TIGHTEN, "z_min_now": 6.0, "z_min_suggested": 7.0}
    assert open_suggestions(workspace, [again]) == [again]


def test_decisions_say_what_was_decided_by_whom_and_why(workspace):
    decide(workspace, decision_of(TIGHTEN), accepted=True, who="ana", why="cuts noise")
    decide(workspace, decision_of(PLAYBOOK), accepted=False, who="bo", why="already in the runbook")
    table = decisions(workspace)
    rows = {r["suggestion"]: r for r in table.to_dict("records")}
    assert set(rows) == {"Tighten checkout · all · conversion", "Offer restart-payments for incidents like INC-7"}
    tighten = rows["Tighten checkout · all · conversion"]
    assert (tighten["decision"], tighten["who"], tighten["why"]) == ("accepted", "ana", "cuts noise")
    playbook = rows["Offer restart-payments for incidents like INC-7"]
    assert (playbook["decision"], playbook["who"], playbook["why"]) == ("rejected", "bo", "already in the runbook")
    assert list(table["when"]) == sorted(table["when"], reverse=True)  # newest first
    assert not any(str(v).startswith("s-") for v in table["suggestion"])


def test_the_audit_trail_names_the_person_who_decided(workspace):
    decide(workspace, decision_of(TIGHTEN), accepted=True, who="ana", why="cuts noise")
    entries = audit(workspace)
    assert entries[0]["who"] == "os-user"  # the upload, made outside any decision
    assert [(e["action"], e["who"]) for e in entries[1:]] == [("decision.saved", "ana"), ("threshold.saved", "ana")]
    assert verify_audit(workspace)["ok"]
    decide(workspace, decision_of(PLAYBOOK), accepted=False, who="bo")
    assert audit(workspace)[-1]["who"] == "bo"
    # the person does not stick once the decision is recorded
    path = workspace.parent / "more.csv"
    path.write_text("ts,service,kind,description\n2026-01-02T00:00:00Z,svc,deploy,v2\n")
    ingest_file(workspace, "changes", path)
    assert audit(workspace)[-1]["who"] == "os-user"
