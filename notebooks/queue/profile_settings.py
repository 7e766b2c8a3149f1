"""Weight-profile settings changed one KEY=VALUE at a time (`journeylens profile set|show|history`).

KEY is a setting of DEFAULT_PROFILE (`threshold`, `shadow_min_days`) or, for a mapping setting, a
dotted key into it (`ai_weights.relevance`, `outcome_values.checkout_helper`); VALUE is read as one
bounded YAML scalar or flow value (`0.4`, `true`, `[g1, g2]`, `{safety: 0.5}`). Every change of one
command becomes one new version of the profile (profiles.save_profile: author, comment, an audit
entry); a value out of range is refused by resolve_profile before anything is saved, and a set that
changes nothing saves nothing."""

import copy
import difflib
import json
import re

import yaml
from journeylens.notebooks.ingest.yaml_input import load_yaml
from journeylens.notebooks.queue.profile_checks import AI_WEIGHT_NAMES
from journeylens.notebooks.queue.profile_defaults import DEFAULT_PROFILE
from journeylens.notebooks.queue.profiles import (
    DEFAULT_NAME,
    load_profile,
    profile_diff,
    profile_history,
    save_profile,
)
from journeylens.notebooks.queue.scoring import resolve_profile
from journeylens.notebooks.workspace.contract import IngestError, shown
from journeylens.notebooks.workspace.versions import diff_payloads, list_names

SOURCE = "profile set"
MAX_ASSIGNMENT_CHARS = 10_000  # one KEY=VALUE of a command line; a whole rule list fits easily
# mapping settings whose keys are fixed (a typo is refused); the others name features freely
FIXED_KEYS = {"weights": tuple(DEFAULT_PROFILE["weights"]), "ai_weights": AI_WEIGHT_NAMES}
MAPPING_SETTINGS = tuple(key for key, value in DEFAULT_PROFILE.items() if isinstance(value, dict))
# YAML 1.1 (PyYAML) reads 1e3 and 7e9 as text (it wants 1.0e+3); on a command line they mean numbers
EXPONENT_NUMBER = re.compile(r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)[eE][-+]?[0-9]+")


def valid_keys() -> list:
    """Every KEY `profile set` accepts, as a refusal lists them: the settings, then the dotted forms."""
    dotted = [f"{key}.{'|'.join(FIXED_KEYS[key])}" if key in FIXED_KEYS else f"{key}.<feature>"
              for key in MAPPING_SETTINGS]
    return [*DEFAULT_PROFILE, *dotted]


def refuse_key(key: str, expected: str | None = None):
    """IngestError naming `key`, listing the valid keys, with the closest one as a hint."""
    names = [*DEFAULT_PROFILE, *(f"{k}.{n}" for k, names in FIXED_KEYS.items() for n in names)]
    close = difflib.get_close_matches(key, names, n=1)
    found = shown(key) + (f" (did you mean {close[0]}?)" if close else "")
    return IngestError(SOURCE, None, key, expected or "a weight-profile setting: " + ", ".join(valid_keys()), found)


def parse_assignment(text: str) -> tuple:
    """"ai_weights.relevance=0.4" -> (("ai_weights", "relevance"), 0.4); "threshold=7" -> (("threshold",), 7).
    The key must name a setting (or a mapping setting's entry); the value is bounded YAML, and `null` on
    a dotted key removes the entry (a fixed weight then falls back to its built-in default)."""
    text = str(text)
    key, sep, value_text = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise IngestError(SOURCE, None, None, "KEY=VALUE, e.g. ai_weights.relevance=0.4", shown(text))
    if len(text) > MAX_ASSIGNMENT_CHARS:
        raise IngestError(SOURCE, None, key, f"KEY=VALUE of at most {MAX_ASSIGNMENT_CHARS:,} characters",
                          f"{len(text):,}")
    setting, dot, entry = key.partition(".")
    if setting not in DEFAULT_PROFILE:
        raise refuse_key(key)
    if dot:
        if setting not in MAPPING_SETTINGS:
            raise refuse_key(key, f"{setting} without a dotted part ({setting} is not a mapping)")
        if not entry or (setting in FIXED_KEYS and entry not in FIXED_KEYS[setting]):
            raise refuse_key(key)
    if not value_text.strip():
        raise IngestError(SOURCE, None, key, "a value after = (null removes a dotted entry)", "nothing")
    try:
        value = load_yaml(value_text, SOURCE)
    except IngestError as err:  # one line of a command: the key says where, not a line number
        raise IngestError(SOURCE, None, key, f"{err.expected} as VALUE", err.found) from None
    if isinstance(value, str) and EXPONENT_NUMBER.fullmatch(value.strip()):
        value = float(value)
    return ((setting, entry) if dot else (setting,)), value


def apply_assignments(profile: dict, assignments: list) -> dict:
    """A copy of `profile` with every KEY=VALUE of `assignments` applied in order, resolved and checked
    (resolve_profile: IngestError for a value out of range). A dotted key changes one entry and keeps
    the others; a whole mapping given to its setting replaces it (fixed weights not named fall back to
    their built-in defaults). The same KEY twice is refused: which one was meant?"""
    parsed = [parse_assignment(text) for text in assignments]
    if not parsed:
        raise IngestError(SOURCE, None, None, "at least one KEY=VALUE", "none")
    seen = set()
    changed = copy.deepcopy(profile)
    for path, value in parsed:
        key = ".".join(path)
        if key in seen:
            raise IngestError(SOURCE, None, key, "each KEY once", f"{key} given twice")
        seen.add(key)
        if len(path) == 1:
            changed[path[0]] = value
            continue
        mapping = changed.get(path[0])
        mapping = dict(mapping) if isinstance(mapping, dict) else {}
        if value is None:
            mapping.pop(path[1], None)
        else:
            mapping[path[1]] = value
        changed[path[0]] = mapping
    # saved profiles are resolved against the defaults; a fixed mapping given whole must not be merged
    # into the old one (resolve_profile merges key by key), so the defaults fill what it leaves out
    whole = {path[0] for path, value in parsed if len(path) == 1}
    base = {key: value for key, value in changed.items() if not (key in whole and key in MAPPING_SETTINGS)}
    resolved = resolve_profile(base)
    for key in whole & set(MAPPING_SETTINGS):
        replaced = resolve_profile({key: changed[key]})[key]
        resolved[key] = replaced
    return resolved


def start_record(workspace, name: str | None, new: bool = False) -> dict:
    """The version `profile set` starts from: the latest one (the built-in defaults for "default" never
    saved). With `new`, the built-in defaults for a name never saved (refused if it exists)."""
    name = name or DEFAULT_NAME
    if not new:
        return load_profile(workspace, name)
    if name in list_names(workspace, "profiles"):
        raise IngestError(SOURCE, None, "--new", "a profile name not saved yet", f"{name} (it has versions)")
    return {"name": name, "version": 0, "profile": resolve_profile(None)}


def set_settings(workspace, assignments: list, name: str | None = None, author: str | None = None,
                 why: str = "", new: bool = False) -> dict:
    """Applies `assignments` to the latest version of profile `name` and saves ONE new version with all
    of them; returns {name, version, saved, changes: [(setting, old, new)]}. Nothing saved when a value
    is refused (IngestError) or nothing changes (saved False, version the current one)."""
    if not str(why or "").strip():
        raise IngestError(SOURCE, None, "--why", "a reason (kept with the version and in the audit trail)", "nothing")
    record = start_record(workspace, name, new)
    profile = apply_assignments(record["profile"], assignments)
    changes = diff_payloads(record["profile"], profile)
    if not changes and not new:
        return {"name": record["name"], "version": record["version"], "saved": False, "changes": []}
    keys = ", ".join(dict.fromkeys(text.partition("=")[0].strip() for text in assignments))
    saved = save_profile(workspace, record["name"], profile, author, f"set {keys}: {why.strip()}")
    return {"name": record["name"], "version": saved["version"], "saved": True, "changes": changes}


def show_record(workspace, name: str | None = None, version: int | None = None) -> dict:
    """load_profile's record of `version` (latest when None; 0 = the built-in defaults). A version never
    saved is refused (KeyError), also when the profile has none saved at all."""
    name = name or DEFAULT_NAME
    if version == 0:
        load_profile(workspace, name)  # an unknown name is refused, not shown as defaults
        return {"name": name, "version": 0, "author": "journeylens", "comment": "built-in defaults",
                "saved_at": None, "profile": resolve_profile(None)}
    record = load_profile(workspace, name, version)
    if version is not None and record["version"] != version:
        raise KeyError(f"profile {name!r} has no version {version} (none saved: version 0 is the built-in defaults)")
    return record


def profile_yaml(record: dict) -> str:
    """The record as YAML text: a comment header (name, version, author, when, comment), then every
    setting in DEFAULT_PROFILE's order; the body reads back as a profile (`audit --profile`)."""
    comment = str(record.get("comment") or "").splitlines() or [""]
    header = [f"# weight profile {record['name']}, version {record['version']}",
              f"# saved by {record.get('author') or '-'} at {record.get('saved_at') or '-'}",
              *(f"# comment: {line}" if n == 0 else f"#   {line}" for n, line in enumerate(comment))]
    body = yaml.safe_dump(record["profile"], sort_keys=False, allow_unicode=True, default_flow_style=False)
    return "\n".join(header) + "\n" + body


def value_text(value) -> str:
    """A setting's value in one line, as `profile history` shows it (None: not set)."""
    return "(not set)" if value is None else json.dumps(value, ensure_ascii=False)


def history_with_diffs(workspace, name: str | None = None) -> dict:
    """{name, versions: [{version, author, comment, saved_at, changes: [(setting, old, new)]}]} oldest
    first, each version diffed against the one before it (version 1 against the built-in defaults).
    A name never saved other than "default" is refused (KeyError)."""
    name = name or DEFAULT_NAME
    load_profile(workspace, name)
    rows, previous = [], 0
    for row in profile_history(workspace, name):
        rows.append({**row, "changes": profile_diff(workspace, name, previous, row["version"])})
        previous = row["version"]
    return {"name": name, "versions": rows}
