"""Deciding on a weight calibration (calibration.calibrate): accept or reject, each in the audit trail.

Accepting saves the calibrated profile as the next version of the profile it was fitted from, and the
decision (held-out precision and recall before and after, the weights that moved, who and why) is that
version's own audit entry: one commit, so a kill leaves either both or neither. The entry's action is
`profile.saved` (the trail knows every profile version by it) and its `what` carries
`decision: calibration.accepted`. Rejecting records a `calibration.rejected` entry. A calibration fitted
from a version that is no longer the latest is refused: run it again on the profile as it is now.
"""

import hashlib
import json
from datetime import UTC, datetime

from journeylens.notebooks.queue.profiles import load_profile
from journeylens.notebooks.queue.scoring import resolve_profile
from journeylens.notebooks.workspace.paths import acting_as, current_user, fsync_path
from journeylens.notebooks.workspace.store import append_audit, new_staging, writer_lock
from journeylens.notebooks.workspace.trail import commit
from journeylens.notebooks.workspace.versions import config_dir, list_versions

ACCEPTED = "calibration.accepted"
REJECTED = "calibration.rejected"


def decision_summary(result: dict) -> dict:
    """What a decision records of a calibration: profile, version fitted from, held-out metrics, the diff."""
    return {"profile": result["profile_name"], "from_version": result["base_version"],
            "held_out": {k: round(v, 4) for k, v in result["overall"].items()},
            "weeks": len(result["weeks"]), "positive_incidents": result["evidence"]["positive_incidents"],
            "changes": [[setting, old, new] for setting, old, new in result["diff"]]}


def require_current(workspace, result: dict) -> None:
    latest = load_profile(workspace, result["profile_name"])["version"]
    if latest != result["base_version"]:
        raise ValueError(f"profile {result['profile_name']!r} changed since this calibration (version "
                         f"{result['base_version']} then, {latest} now): run the calibration again")


def accept_calibration(workspace, result: dict, who: str | None = None, why: str = "") -> dict:
    """Saves the proposal as a new version of its profile, recorded with the decision in one audit entry;
    returns the saved record. Refused (ValueError) when nothing was proposed or the profile moved on."""
    if result.get("status") != "proposed" or not result.get("proposal"):
        raise ValueError(f"nothing to accept: {result.get('reason') or 'no calibration was proposed'}")
    name = result["profile_name"]
    reason = why.strip() or "accepted the weight calibration"
    with acting_as(who), writer_lock(workspace) as dirs:
        require_current(workspace, result)
        folder = config_dir(workspace, "profiles", name)
        folder.mkdir(parents=True, exist_ok=True)
        versions = list_versions(workspace, "profiles", name)
        number = (versions[-1]["version"] + 1) if versions else 1
        record = {"name": name, "version": number, "author": current_user(), "saved_at": datetime.now(UTC).isoformat(),
                  "comment": f"calibration: {reason}", "payload": resolve_profile(result["proposal"])}
        data = json.dumps(record, indent=2, sort_keys=True).encode()
        staged = new_staging(workspace)[1] / f"v{number:04d}.json"
        staged.write_bytes(data)
        fsync_path(staged)
        what = {"kind": "profiles", "name": name, "version": number, "sha256": hashlib.sha256(data).hexdigest(),
                "decision": ACCEPTED, "calibration": decision_summary(result)}
        commit(dirs, "profile.saved", what, record["comment"], renames=[(staged, folder / staged.name)])
    return record


def reject_calibration(workspace, result: dict, who: str | None = None, why: str = "") -> dict:
    """Records that a proposed calibration was rejected (nothing else changes); returns the audit entry."""
    if result.get("status") != "proposed":
        raise ValueError("nothing to reject: no calibration was proposed")
    with acting_as(who), writer_lock(workspace):
        return append_audit(workspace, REJECTED, decision_summary(result), why.strip() or "rejected the calibration")
