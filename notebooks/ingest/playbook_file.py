"""Playbooks.

What a stage and failure mode call for: an automated mitigation, a human review, or an incident
room, and who owns it. The ranked queue shows each group's playbook; whether one exists routes
the work (operational feasibility) and never lowers a score. A sample catalogue ships in
`sample_data/playbooks.yaml`.
"""

from journeylens.notebooks.ingest.yaml_input import load_yaml
from journeylens.notebooks.workspace.contract import IngestError, shown
from journeylens.notebooks.workspace.versions import load_version, save_version

TIERS = ("auto-mitigate", "human-review", "incident-room")
CATALOGUE = "catalogue"


def parse_playbooks(text: str, file_name: str = "playbooks.yaml") -> list:
    """Validates a playbook catalogue. Each entry maps a stage (glob, "*" for any) and a failure-mode
    pattern (`match`: the same keys and patterns as touchpoint rules, every key must match) to a
    suggested action, an automation tier and an owner. First match wins, so order matters. The YAML is
    bounded before it is built (yaml_input); fields are text (an id may be a whole number), patterns
    are text or numbers."""
    document = load_yaml(text, file_name)
    entries = document.get("playbooks") if isinstance(document, dict) else document
    if not isinstance(entries, list) or not entries:
        raise IngestError(file_name, None, "playbooks", "a non-empty list of playbooks", repr(type(entries).__name__))
    playbooks = []
    for index, entry in enumerate(entries, start=1):
        where = f"playbooks[{index}]"
        if not isinstance(entry, dict):
            raise IngestError(file_name, where, None, "a mapping", repr(entry))
        for field in ("id", "action", "tier", "owner", "stage"):
            value = entry.get(field, "*" if field == "stage" else None)
            if value is None or value == "":
                raise IngestError(file_name, where, field, "a value", "nothing")
            if not isinstance(value, str) and not (field == "id" and type(value) is int):
                raise IngestError(file_name, where, field, "text", shown(value))
        if entry["tier"] not in TIERS:
            raise IngestError(file_name, where, "tier", "one of " + ", ".join(TIERS), repr(entry["tier"]))
        match = entry.get("match") or {}
        if not isinstance(match, dict):
            raise IngestError(file_name, where, "match", "a mapping of column to pattern", shown(match))
        for key, pattern in match.items():
            if not isinstance(key, str) or isinstance(pattern, (bool, dict, list)) or pattern is None:
                raise IngestError(file_name, where, f"match.{key}", "a column name and a text pattern",
                                  shown(pattern))
        playbooks.append({"id": str(entry["id"]), "stage": str(entry.get("stage", "*")),
                          "match": {str(k): str(v) for k, v in match.items()}, "action": str(entry["action"]),
                          "tier": entry["tier"], "owner": str(entry["owner"])})
    return playbooks


def save_playbooks(workspace, playbooks: list, author: str | None = None, comment: str = "") -> dict:
    """Stores the catalogue as a new version (never overwrites)."""
    return save_version(workspace, "playbooks", CATALOGUE, {"playbooks": playbooks}, author, comment)


def load_playbooks(workspace, version: int | None = None) -> list:
    """The current catalogue (or one version of it); empty when none was saved."""
    record = load_version(workspace, "playbooks", CATALOGUE, version)
    return record["payload"]["playbooks"] if record else []
