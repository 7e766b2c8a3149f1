"""Governance: the audit trail, retro decisions, owners and the assumptions register.

Every change (uploads and removals, journey maps, weight profiles, thresholds, playbooks, human labels,
retro decisions, owners, assumptions) is an entry in `audit.jsonl` with who, when, what and why. Each
entry's hash covers its content and the previous hash, and `audit.head` names the last one: an edited,
deleted, reordered or cut entry is detected and reported by `verify_audit`. Owners per stage metric,
and an assumptions register with review dates that the retro lists when due.
"""

import hashlib
import json
from datetime import date
from pathlib import Path

import pandas as pd
from journeylens.notebooks.retro.suggestions import decision_of, suggestion_title
from journeylens.notebooks.retro.weekly import read_audit
from journeylens.notebooks.signals.journey_signals import threshold_overrides
from journeylens.notebooks.workspace.paths import acting_as
from journeylens.notebooks.workspace.store import verify_workspace
from journeylens.notebooks.workspace.versions import list_versions, load_version, save_version

REGISTER = "register"  # the one assumptions register and the one owners list of a workspace


def verify_audit(workspace, on_wait=None) -> dict:
    """{ok, entries, problems}: checks the hash chain of audit.jsonl (each entry's hash is the hash of its
    content and the next entry names it as `prev`), the head (audit.head names the last entry, so a log
    cut short shows), and the trail against what the workspace holds: every upload and every saved
    version of profiles, maps, thresholds, playbooks and the rest must be recorded, and everything
    recorded must be there. Reports every break: an edited entry, a deleted or reordered one, a log cut
    short (even re-headed), an upload deleted or planted by hand (workspace_store.verify_workspace)."""
    return verify_workspace(workspace, on_wait)


def audit_entries(workspace, contains: str = "") -> pd.DataFrame:
    """The audit log newest first (at, who, action, what, why); with `contains`, only the entries whose
    action, who, what or why holds that text, case-insensitive."""
    log = read_audit(workspace)
    if contains:
        text = log[["action", "who", "what", "why"]].astype(str).agg(" ".join, axis=1)
        log = log[text.str.contains(contains, case=False, regex=False)]
    return log.iloc[::-1]


def save_assumption(workspace, statement: str, owner: str, review_by: str, evidence: str = "",
                    author: str | None = None) -> dict:
    """Adds an assumption about user behaviour to the register (a new version of it), with who owns it
    and when it must be reviewed (YYYY-MM-DD)."""
    review = date.fromisoformat(review_by)
    if not statement.strip() or not owner.strip():
        raise ValueError("an assumption needs a statement and an owner")
    items = assumptions(workspace)
    item = {"id": f"A{len(items) + 1}", "statement": statement.strip(), "owner": owner.strip(),
            "review_by": review.isoformat(), "evidence": evidence.strip()}
    save_version(workspace, "assumptions", REGISTER, {"items": [*items, item]}, author, f"assumption {item['id']}")
    return item


def assumptions(workspace) -> list:
    record = load_version(workspace, "assumptions", REGISTER) if list_versions(workspace, "assumptions", REGISTER) else None
    return list(record["payload"]["items"]) if record else []


def due_assumptions(workspace, on: date | None = None) -> list:
    """Assumptions whose review date has come (the retro lists them)."""
    today = on or date.today()
    return [a for a in assumptions(workspace) if date.fromisoformat(a["review_by"]) <= today]


def owners(workspace) -> dict:
    """{'<stage>/<metric>': owner} for stage metrics (playbook owners live in the playbook catalogue)."""
    versions = list_versions(workspace, "owners", REGISTER)
    return dict(versions[-1]["payload"]["stage_metrics"]) if versions else {}


def set_owner(workspace, stage: str, metric: str, owner: str, author: str | None = None) -> dict:
    current = {**owners(workspace), f"{stage}/{metric}": owner.strip()}
    save_version(workspace, "owners", REGISTER, {"stage_metrics": current}, author, f"{stage}/{metric} -> {owner}")
    return current


def decide(workspace, suggestion: dict, accepted: bool, who: str, why: str = "") -> dict:
    """Records a retro decision on a suggestion (audit-logged, versioned under decisions/). An accepted
    threshold suggestion becomes a new version of the workspace's thresholds (a z_min for its stage,
    segment and metric); an accepted map suggestion a new journey-map version with its rule appended;
    an accepted suppress suggestion a new version of the default weight profile with the rule added.
    Other kinds (detect earlier, playbooks) are recorded decisions for people to act on.
    Every audit entry it writes (the decision and what it changes) names `who`, not the OS user."""
    with acting_as(who):
        return apply_decision(workspace, suggestion, accepted, who, why)


def decision_key(suggestion: dict) -> str:
    """The id a decision on `suggestion` is kept under (decisions/s-<key>): a hash of what it decides."""
    return "s-" + hashlib.md5(json.dumps(suggestion, sort_keys=True, default=str).encode()).hexdigest()[:12]


def apply_decision(workspace, suggestion: dict, accepted: bool, who: str, why: str) -> dict:
    record = save_version(workspace, "decisions", decision_key(suggestion), {
        "suggestion": suggestion, "accepted": bool(accepted), "who": who, "title": suggestion_title(suggestion)},
        who, why or ("accepted" if accepted else "rejected"))
    if accepted and suggestion.get("kind") == "map":
        from journeylens.notebooks.queue.map_versions import add_touchpoint

        add_touchpoint(workspace, {"stage": suggestion["stage"], "match": suggestion["match"]},
                       f"retro, by {who}: {why or 'accepted suggestion'}")
    if accepted and suggestion.get("kind") == "suppress":
        from journeylens.notebooks.queue.profiles import load_profile, save_profile

        profile = load_profile(workspace, "default")["profile"]
        rule = {"stage": suggestion["stage"], "match": {"service": suggestion["service"]},
                "reason": f"retro: never preceded harm ({suggestion.get('touchpoint') or suggestion['stage']})"}
        save_profile(workspace, "default", {**profile, "suppress": [*(profile.get("suppress") or []), rule]}, who,
                     f"retro: {why or 'accepted suggestion'}")
    if accepted and suggestion.get("kind") == "threshold":
        current = threshold_overrides(workspace)
        target = f"{suggestion['stage']}/{suggestion['segment']}/{suggestion['metric']}"
        save_version(workspace, "thresholds", "journey", {"overrides": {**current, target: {
            "z_min": float(suggestion["z_min_suggested"])}}}, who, f"retro: {why or 'accepted suggestion'}")
    return record


def decided_ids(workspace) -> set:
    """The ids (decision_key) of every suggestion decided so far, read from the decision store."""
    root = Path(workspace) / "decisions"
    return {p.name for p in root.glob("s-*") if p.is_dir()} if root.is_dir() else set()


def open_suggestions(workspace, suggestions: list) -> list:
    """The suggestions nobody has accepted or rejected yet: a decided one leaves the list for good."""
    decided = decided_ids(workspace)
    return [s for s in suggestions if decision_key(decision_of(s)) not in decided]


def decisions(workspace) -> pd.DataFrame:
    """Every decision, newest first: what was decided (the suggestion's title), accepted or rejected, who,
    why and when; `id` is the decision's key."""
    rows = []
    for name in decided_ids(workspace):
        last = list_versions(workspace, "decisions", name)[-1]
        payload = last["payload"]
        rows.append({"suggestion": payload.get("title") or suggestion_title(payload["suggestion"]),
                     "decision": "accepted" if payload["accepted"] else "rejected",
                     "accepted": payload["accepted"], "who": payload.get("who") or last["author"],
                     "why": last["comment"], "when": last["saved_at"], "id": name})
    table = pd.DataFrame(rows, columns=["suggestion", "decision", "accepted", "who", "why", "when", "id"])
    return table.sort_values("when", ascending=False, ignore_index=True)
