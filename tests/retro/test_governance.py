"""notebooks/retro/governance.py: audit-chain tamper detection, retro decisions, owners, assumptions."""

import json
from datetime import date

import pytest
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.retro.governance import (
    assumptions,
    audit_entries,
    decide,
    decisions,
    due_assumptions,
    owners,
    save_assumption,
    set_owner,
    threshold_overrides,
    verify_audit,
)
from journeylens.notebooks.workspace.versions import list_versions


@pytest.fixture
def workspace(tmp_path):
    ws = tmp_path / "ws"
    for i in range(3):
        path = tmp_path / f"changes{i}.csv"
        path.write_text(f"ts,service,kind,description\n2026-01-0{i + 1}T00:00:00Z,svc{i},deploy,v{i}\n")
        ingest_file(ws, "changes", path)
    set_owner(ws, "checkout", "conversion", "ana")
    return ws


def lines(ws):
    return (ws / "audit.jsonl").read_text().splitlines()


def test_an_untouched_log_verifies(workspace):
    result = verify_audit(workspace)
    assert result["ok"] and result["entries"] == 4 and not result["problems"]


def test_an_edited_entry_is_detected(workspace):
    log = lines(workspace)
    entry = json.loads(log[1])
    entry["why"] = "nothing to see here"
    log[1] = json.dumps(entry)
    (workspace / "audit.jsonl").write_text("\n".join(log) + "\n")
    result = verify_audit(workspace)
    assert not result["ok"] and [(p["line"], p["problem"]) for p in result["problems"]] == [(2, "edited")]


def test_a_deleted_entry_is_detected(workspace):
    log = lines(workspace)
    (workspace / "audit.jsonl").write_text("\n".join(log[:1] + log[2:]) + "\n")
    problems = verify_audit(workspace)["problems"]
    assert any(p["line"] == 2 and p["problem"].startswith("chain broken") for p in problems)


def test_a_log_cut_short_is_detected(workspace):
    (workspace / "audit.jsonl").write_text("\n".join(lines(workspace)[:-1]) + "\n")
    problems = verify_audit(workspace)["problems"]
    # the head catches the cut, and the cross-check names the version the lost entry recorded
    assert [p["problem"] for p in problems] == ["cut short or rewritten at the end", "a saved version no entry records"]
    assert problems[1]["detail"] == "owners/register/v0001.json"


def test_audit_entries_newest_first_and_filtered_on_any_field(workspace):
    log = audit_entries(workspace)
    assert len(log) == 4 and log.iloc[0]["action"] == "owner.saved" and log["at"].is_monotonic_decreasing
    assert list(audit_entries(workspace, "CHANGES1.csv")["action"]) == ["upload.stored"]  # in what, any case
    assert len(audit_entries(workspace, "owners")) == 1 and audit_entries(workspace, "nothing like it").empty


def test_suggestion_accept_and_reject_round_trip(workspace):
    suggestion = {"kind": "threshold", "stage": "checkout", "segment": "all", "metric": "conversion",
                  "z_min_now": 4.0, "z_min_suggested": 6.0}
    decide(workspace, suggestion, accepted=True, who="ana", why="cuts 3 alerts, keeps INC-7")
    assert threshold_overrides(workspace) == {"checkout/all/conversion": {"z_min": 6.0}}
    other = {**suggestion, "segment": "pro", "z_min_suggested": 8.0}
    decide(workspace, other, accepted=False, who="bo", why="pro is too thin to judge")
    assert len(list_versions(workspace, "thresholds", "journey")) == 1  # a rejection changes nothing
    table = decisions(workspace)
    assert sorted(zip(table["accepted"], table["who"], strict=True)) == [(False, "bo"), (True, "ana")]
    actions = [json.loads(line)["action"] for line in lines(workspace)]
    assert actions[-3:] == ["decision.saved", "threshold.saved", "decision.saved"]
    assert verify_audit(workspace)["ok"]


def test_owners_and_assumptions(workspace):
    assert owners(workspace) == {"checkout/conversion": "ana"}
    item = save_assumption(workspace, "Enterprise users retry a failed payment within 10 minutes", "ana",
                           "2026-12-01", "support tickets, Q3")
    assert item["id"] == "A1" and assumptions(workspace) == [item]
    assert due_assumptions(workspace, date(2026, 11, 30)) == []
    assert due_assumptions(workspace, date(2026, 12, 1)) == [item]
    with pytest.raises(ValueError):
        save_assumption(workspace, "x", "ana", "next week")


def test_an_accepted_threshold_changes_what_the_journey_signals_see(tmp_path):
    from journeylens.notebooks.signals.journey_signals import workspace_signals
    from metrics_world import metrics_workspace

    ws, _ = metrics_workspace(tmp_path)
    before = workspace_signals(ws)["signals"]
    assert ((before["segment"] == "enterprise") & (before["metric"] == "conversion")).any()
    decide(ws, {"kind": "threshold", "stage": "checkout", "segment": "enterprise", "metric": "conversion",
                "z_min_suggested": 50.0}, accepted=True, who="ana")
    after = workspace_signals(ws)["signals"]
    assert not ((after["segment"] == "enterprise") & (after["metric"] == "conversion")).any()


def test_an_accepted_map_suggestion_is_a_new_map_version_with_a_diff(tmp_path):
    from journeylens.notebooks.queue.map_versions import map_diff, map_versions
    from journeylens.notebooks.queue.mapping import coverage
    from journeylens.notebooks.workspace.snapshot import connect

    ws = tmp_path / "ws"
    (tmp_path / "map.yaml").write_text(
        "journey: shop\nstages:\n  - {id: checkout, impact: 9, sensitivity: 1.0}\n"
        "touchpoints:\n  - {stage: checkout, match: {service: \"pay-*\"}}\nsegments:\n  - {id: pro, weight: 2}\n")
    ingest_file(ws, "journey-map", tmp_path / "map.yaml")
    (tmp_path / "alerts.csv").write_text("fired_at,service,name,severity\n2026-01-01T10:00:00Z,pay-api,E,critical\n"
                                         "2026-01-01T10:05:00Z,cart-api,E,warning\n")
    ingest_file(ws, "alerts", tmp_path / "alerts.csv")
    decide(ws, {"kind": "map", "stage": "checkout", "match": {"service": "cart-*"}}, accepted=True, who="ana",
           why="cart alerts hurt checkout")
    con = connect(ws)
    try:
        assert coverage(con)["summary"]["mapped"] == 2
    finally:
        con.close()
    versions = map_versions(ws)
    assert len(versions) == 2
    diff = map_diff(ws, versions["upload_id"][0], versions["upload_id"][1])
    assert list(zip(diff["part"], diff["change"], strict=True)) == [("touchpoints", "added")]
    assert "cart-*" in diff["detail"][0]
    assert verify_audit(ws)["ok"]
