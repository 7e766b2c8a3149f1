"""The human-approval gate of the playbook catalogue: a tier whose `approval` is `required`
(ingest/playbook_rules.py) shows "needs approval" in the queue, and running its playbook on a group waits
for a person's approval, recorded in the audit trail (`playbook.approved`: group, playbook, tier, catalogue
version; who and why). approval_status reads the trail back onto the queue's rows."""

import json
from pathlib import Path

import pandas as pd
from journeylens.notebooks.ingest.playbook_file import load_catalogue
from journeylens.notebooks.workspace.contract import IngestError, shown
from journeylens.notebooks.workspace.paths import acting_as, current_user
from journeylens.notebooks.workspace.store import append_audit, writer_lock
from journeylens.notebooks.workspace.trail import read_lines

APPROVED = "playbook.approved"
APPROVAL_COLUMNS = ["at", "who", "group_id", "playbook", "tier", "catalogue_version", "why"]


def approve_playbook(workspace, group_id: str, playbook_id: str, why: str = "", author: str | None = None) -> dict:
    """Records that a person approved running `playbook_id` on the group `group_id`. Refused
    (IngestError) for a playbook the catalogue does not hold, one whose tier needs no approval, or an
    empty group id; the entry is written under the writer lock, so it is in the trail or not at all."""
    if not isinstance(group_id, str) or not group_id.strip() or len(group_id) > 256:
        raise IngestError("approval", None, "group", "a group id from the queue", shown(group_id))
    catalogue = load_catalogue(workspace)
    found = [p for p in catalogue["playbooks"] if p["id"] == playbook_id]
    if not found:
        known = ", ".join(p["id"] for p in catalogue["playbooks"]) or "none stored"
        raise IngestError("approval", None, "playbook", f"a playbook of the catalogue ({known})", shown(playbook_id))
    playbook = found[0]
    if playbook.get("approval") != "required":
        raise IngestError("approval", None, "playbook", "a playbook whose tier needs approval "
                          f"({playbook['tier']} needs none in catalogue version {catalogue['version']})",
                          shown(playbook_id))
    what = {"group_id": group_id.strip(), "playbook": playbook_id, "tier": playbook["tier"],
            "catalogue_version": catalogue["version"]}
    with acting_as(author or current_user()), writer_lock(workspace):
        return append_audit(workspace, APPROVED, what, why)


def approvals(workspace) -> pd.DataFrame:
    """Every recorded approval, oldest first (APPROVAL_COLUMNS)."""
    rows = []
    for line in read_lines(Path(workspace))[0] if Path(workspace).is_dir() else []:
        entry = json.loads(line) if line.strip() else {}
        if entry.get("action") == APPROVED:
            rows.append({"at": entry["at"], "who": entry.get("who"), **entry.get("what", {}), "why": entry.get("why", "")})
    return pd.DataFrame(rows, columns=APPROVAL_COLUMNS)


def approval_status(queue: pd.DataFrame, recorded: pd.DataFrame) -> pd.Series:
    """Per queue row: "needs approval", "approved by <who>" (the latest approval of that group and
    playbook), or "" when its playbook's tier needs none."""
    latest = {(r["group_id"], r["playbook"]): r["who"] for r in recorded.to_dict("records")}
    gated = queue["automation_tier"].fillna("").astype(str).str.endswith("(needs approval)")
    return pd.Series([(f"approved by {latest[(g, p)]}" if (g, p) in latest else "needs approval") if gate else ""
                      for g, p, gate in zip(queue["group_id"], queue["playbook"], gated, strict=True)],
                     index=queue.index, dtype=object)
