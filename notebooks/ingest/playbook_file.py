"""Playbooks.

What a stage and failure mode call for: an automated mitigation, a human review, or an incident
room, and who owns it. The ranked queue shows each group's playbook; whether one exists routes
the work (operational feasibility) and never lowers a score. The catalogue is a versioned workspace
configuration (`journeylens ingest playbooks FILE`, the Governance page): every save is a new version
with its author and an audit entry. Multi-signal playbooks (`when`) and the approval gate per tier
(`tiers`) are described in playbook_rules.py. A sample catalogue ships in `sample_data/playbooks.yaml`.
"""

from pathlib import Path

import yaml
from journeylens.notebooks.ingest.playbook_rules import check_tiers, check_when, tier_shown
from journeylens.notebooks.ingest.rule_checks import check_match
from journeylens.notebooks.ingest.yaml_input import load_yaml, read_yaml_text
from journeylens.notebooks.workspace.contract import IngestError, shown
from journeylens.notebooks.workspace.versions import load_version, save_version

TIERS = ("auto-mitigate", "human-review", "incident-room")
CATALOGUE = "catalogue"
__all__ = ("tier_shown",)  # ranking reads the tier as shown from here
PLAYBOOK_FIELDS = ("id", "stage", "match", "when", "action", "tier", "owner", "approval")


def parse_catalogue(text: str, file_name: str = "playbooks.yaml") -> dict:
    """{playbooks, tiers} of a catalogue (see parse_playbooks); each playbook carries `approval`
    (required | none) from its tier's gate."""
    document = load_yaml(text, file_name)
    entries = document.get("playbooks") if isinstance(document, dict) else document
    if isinstance(document, dict):
        unknown = [k for k in document if k not in ("playbooks", "tiers")]
        if unknown:
            raise IngestError(file_name, None, str(unknown[0]), "playbooks or tiers", shown(unknown[0]))
    tiers = check_tiers(file_name, document.get("tiers") if isinstance(document, dict) else None, TIERS)
    if not isinstance(entries, list) or not entries:
        raise IngestError(file_name, None, "playbooks", "a non-empty list of playbooks", repr(type(entries).__name__))
    playbooks, ids = [], set()
    for index, entry in enumerate(entries, start=1):
        where = f"playbooks[{index}]"
        if not isinstance(entry, dict):
            raise IngestError(file_name, where, None, "a mapping", repr(entry))
        unknown = [k for k in entry if k not in PLAYBOOK_FIELDS]
        if unknown:
            raise IngestError(file_name, where, str(unknown[0]), "one of " + ", ".join(PLAYBOOK_FIELDS[:-1]),
                              shown(unknown[0]))
        for field in ("id", "action", "tier", "owner", "stage"):
            value = entry.get(field, "*" if field == "stage" else None)
            if value is None or value == "":
                raise IngestError(file_name, where, field, "a value", "nothing")
            if not isinstance(value, str) and not (field == "id" and type(value) is int):
                raise IngestError(file_name, where, field, "text", shown(value))
        if entry["tier"] not in TIERS:
            raise IngestError(file_name, where, "tier", "one of " + ", ".join(TIERS), repr(entry["tier"]))
        if str(entry["id"]) in ids:
            raise IngestError(file_name, where, "id", "an id no other playbook has", shown(entry["id"]))
        ids.add(str(entry["id"]))
        playbook = {"id": str(entry["id"]), "stage": str(entry.get("stage", "*")),
                    "match": check_match(file_name, where, entry.get("match") or {}), "action": str(entry["action"]),
                    "tier": entry["tier"], "owner": str(entry["owner"]), "approval": tiers[entry["tier"]]["approval"]}
        if entry.get("when") is not None:
            playbook["when"] = check_when(file_name, where, entry["when"])
        playbooks.append(playbook)
    return {"playbooks": playbooks, "tiers": tiers}


def parse_playbooks(text: str, file_name: str = "playbooks.yaml") -> list:
    """Validates a playbook catalogue. Each entry maps a stage (glob, "*" for any) and a failure-mode
    pattern (`match`: the same keys and patterns as touchpoint rules, every key must match) to a
    suggested action, an automation tier and an owner; `when` adds conditions on other groups open at
    the same time (playbook_rules). First match wins, so order matters. The YAML is bounded before it is
    built (yaml_input); fields are text (an id may be a whole number), patterns are text or numbers.
    A refusal names the playbook (playbooks[<n>], from 1) and the field."""
    return parse_catalogue(text, file_name)["playbooks"]


def tiers_of(playbooks: list) -> dict:
    """The approval gate the playbooks carry, as a catalogue's `tiers`."""
    tiers = {tier: {"approval": "none"} for tier in TIERS}
    for playbook in playbooks:
        if playbook.get("approval") == "required":
            tiers[playbook["tier"]] = {"approval": "required"}
    return tiers


def save_playbooks(workspace, playbooks: list, author: str | None = None, comment: str = "",
                   tiers: dict | None = None) -> dict:
    """Stores the catalogue as a new version (never overwrites), with its approval gate per tier."""
    tiers = tiers or tiers_of(playbooks)
    stored = [{**p, "approval": tiers.get(p["tier"], {}).get("approval", "none")} for p in playbooks]
    return save_version(workspace, "playbooks", CATALOGUE, {"playbooks": stored, "tiers": tiers}, author, comment)


def load_catalogue(workspace, version: int | None = None) -> dict:
    """{version, author, comment, saved_at, playbooks, tiers}: the current catalogue (or one version);
    version 0 and no playbooks when none was saved. Versions saved before the gate need no approval."""
    record = load_version(workspace, "playbooks", CATALOGUE, version)
    if record is None:
        return {"version": 0, "author": None, "comment": "", "saved_at": None, "playbooks": [],
                "tiers": tiers_of([])}
    tiers = record["payload"].get("tiers") or tiers_of(record["payload"]["playbooks"])
    playbooks = [{**p, "approval": tiers.get(p["tier"], {}).get("approval", "none")}
                 for p in record["payload"]["playbooks"]]
    return {**{k: v for k, v in record.items() if k != "payload"}, "playbooks": playbooks, "tiers": tiers}


def load_playbooks(workspace, version: int | None = None) -> list:
    """The current catalogue (or one version of it); empty when none was saved."""
    return load_catalogue(workspace, version)["playbooks"]


def catalogue_text(catalogue: dict) -> str:
    """The catalogue as the YAML a person edits (parse_catalogue reads it back to the same catalogue)."""
    entries = [{k: v for k, v in p.items() if k != "approval" and (k != "match" or v)} for p in catalogue["playbooks"]]
    tiers = {t: s for t, s in (catalogue.get("tiers") or {}).items() if s.get("approval") == "required"}
    document = ({"tiers": tiers} if tiers else {}) | {"playbooks": entries}
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110)


def store_catalogue(workspace, text: str, file_name: str, author: str | None = None, why: str = "") -> dict:
    """Checks a catalogue's YAML text and stores it as a new version unless it equals the current one.
    {status: stored | unchanged, version, playbooks}; IngestError names playbook index and field."""
    parsed = parse_catalogue(text, file_name)
    current = load_catalogue(workspace)
    if current["version"] and current["playbooks"] == parsed["playbooks"] and current["tiers"] == parsed["tiers"]:
        return {"status": "unchanged", "version": current["version"], "playbooks": len(parsed["playbooks"])}
    saved = save_playbooks(workspace, parsed["playbooks"], author, f"from {file_name}" + (f": {why}" if why else ""),
                           parsed["tiers"])
    return {"status": "stored", "version": saved["version"], "playbooks": len(parsed["playbooks"])}


def ingest_playbooks(workspace, path, author: str | None = None, why: str = "") -> dict:
    """`journeylens ingest playbooks FILE`: a bounded YAML file read and stored (store_catalogue)."""
    name = Path(path).name
    return store_catalogue(workspace, read_yaml_text(path, name), name, author, why)
