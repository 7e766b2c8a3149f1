"""The workspace's severity map: a team's own severity words on journeylens' one scale.

Tools and teams say `严重`, `page`, `disaster-ish` or `P0`; the scale is critical, high, medium, low,
info (the `jl_severity_rank` macro knows the common spellings). The map is versioned configuration
(`<workspace>/severity_maps/default/v0001.json`, ...: a save never overwrites and is in the audit
trail) and ingest applies it before parsing, matching each value trimmed and case-insensitively. It
wins over the built-in spellings, so a team may also move `warning` to high.
"""

import re
import shlex

from journeylens.notebooks.ingest.yaml_input import load_yaml
from journeylens.notebooks.workspace.contract import IngestError, shown
from journeylens.notebooks.workspace.snapshot import sql_text
from journeylens.notebooks.workspace.versions import load_version, save_version

LABELS = ("critical", "high", "medium", "low", "info")
NAME = "default"
MAX_ENTRIES = 10_000
MAX_KEY_CHARS = 200


def map_key(value) -> str:
    """How a value is matched: trimmed and case-insensitive (the lookup in SQL is lower(trim(value)))."""
    return str(value).strip().lower()


def checked_entries(pairs, file_name: str) -> dict:
    """{value: label} with every key matchable (non-empty text) and every label on the scale. Two
    spellings of one key (`Page` and `page `) must agree."""
    entries = {}
    for row, (value, label) in enumerate(pairs, start=1):  # row: the entry, 1-based
        if isinstance(value, (dict, list, bool)) or value is None or not map_key(value):
            raise IngestError(file_name, row, None, "a severity value as text", shown(value))
        if len(str(value)) > MAX_KEY_CHARS:
            raise IngestError(file_name, row, None, f"a value of at most {MAX_KEY_CHARS} characters",
                              f"{len(str(value)):,} characters")
        target = map_key(label) if isinstance(label, str) else None
        pair = f"{shown(str(value), 60)}: {shown(label, 60)}"
        if target not in LABELS:
            raise IngestError(file_name, row, None, "a level, one of " + ", ".join(LABELS), pair)
        key = map_key(value)
        if entries.get(key, target) != target:
            raise IngestError(file_name, row, None, f"the same level as before for {key!r} ({entries[key]})", pair)
        entries[key] = target
    if len(entries) > MAX_ENTRIES:
        raise IngestError(file_name, None, None, f"at most {MAX_ENTRIES:,} entries", f"{len(entries):,}")
    return dict(sorted(entries.items()))


def parse_severity_map(text: str, file_name: str = "severity-map.yaml") -> dict:
    """A severity map from YAML or JSON text: `{"严重": critical, "page": high}` (a top-level
    `severity_map:` key is accepted too). Bounded like every YAML a user gives (yaml_input)."""
    document = load_yaml(text, file_name)
    if isinstance(document, dict) and set(document) == {"severity_map"}:
        document = document["severity_map"]
    if not isinstance(document, dict) or not document:
        raise IngestError(file_name, None, None, "a mapping of value to severity, e.g. {\"严重\": critical, "
                          "page: high}", shown(document))
    return checked_entries(document.items(), file_name)


def load_severity_map(workspace) -> dict:
    """The map in force ({value: label}, keys as matched); empty when none was saved."""
    record = load_version(workspace, "severity_maps", NAME)
    return dict(record["payload"]["entries"]) if record else {}


def severity_map_record(workspace):
    """The latest saved version (who, when, why, entries), or None."""
    return load_version(workspace, "severity_maps", NAME)


def save_severity_map(workspace, entries: dict, author: str | None = None, comment: str = "") -> dict:
    """Saves `entries` as the new map (a new version; the old ones stay)."""
    checked = checked_entries(entries.items(), "severity map")
    return save_version(workspace, "severity_maps", NAME, {"entries": checked}, author, comment)


def add_mappings(workspace, entries: dict, author: str | None = None, comment: str = "") -> dict:
    """Adds or changes some values of the map in force and saves the result as a new version."""
    current = load_severity_map(workspace)
    added = checked_entries(entries.items(), "severity map")
    return save_severity_map(workspace, {**current, **added}, author, comment)


def remove_mappings(workspace, values: list, author: str | None = None, comment: str = "") -> dict:
    """Removes values from the map in force; refuses a value the map does not hold."""
    current = load_severity_map(workspace)
    for value in values:
        if map_key(value) not in current:
            raise IngestError("severity map", None, None, "a value the map holds: " + (", ".join(current) or "none"),
                              repr(value))
    gone = {map_key(value) for value in values}
    return save_severity_map(workspace, {k: v for k, v in current.items() if k not in gone}, author, comment)


def builtin_spellings() -> dict:
    """{label: [spellings]} that `jl_severity_rank` knows, read from the macro (so the two never disagree).
    `severityN` is left out: the macro reads `sev`, `severity` and `p` prefixes alike."""
    spellings = {label: [] for label in LABELS}
    for word, rank in re.findall(r"when '([^']+)' then (\d)", sql_text("macro_jl_severity_rank")):
        if not word.startswith("severity") and word not in spellings[LABELS[int(rank) - 1]]:
            spellings[LABELS[int(rank) - 1]].append(word)
    return spellings


def known_spellings(workspace_map: dict) -> str:
    """`critical (crit, fatal, …, 严重); high (…)`: the scale with every spelling that reaches each level."""
    words = builtin_spellings()
    for value, label in workspace_map.items():
        words[label] = [w for w in words[label] if w != value] + [value]
    return "; ".join(f"{label} ({', '.join(w for w in words[label] if w != label)})" for label in LABELS)


def how_to_add(value, workspace=None) -> str:
    """The exact command that maps `value` (a refusal shows it; LEVEL is for the user to choose)."""
    where = f" --workspace {shlex.quote(str(workspace))}" if workspace else ""
    return f"journeylens severity-map add {shlex.quote(str(value).strip())} LEVEL{where}"


def severity_expectation(value, workspace_map: dict, workspace=None, first: bool = True) -> str:
    """What a refusal of an unknown severity expects: the known spellings (in the first such problem of a
    refusal), then how to add a mapping, with the exact command."""
    command = (f"`{how_to_add(value, workspace)}` with LEVEL one of {'/'.join(LABELS)}, or for this file only "
               f"--map-values {shlex.quote(f'severity={str(value).strip()}:LEVEL')}")
    if not first:
        return f"a known severity or a mapping: {command}"
    return (f"a severity on the scale, matched trimmed and in any case: {known_spellings(workspace_map)}; "
            f"to map this value, run {command}")
