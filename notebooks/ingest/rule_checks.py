"""Checks one suppression rule or playbook condition: what a group may be matched on, a maintenance
window's bounds, and a reason. Used by the playbook reader (playbook_file), by queue/profile_checks (so a
profile file is refused as a whole) and by queue/suppression_rules (so the CLI and the app refuse a bad
rule before it is saved). Imports only the contract."""

import re
from datetime import UTC, datetime

from journeylens.notebooks.workspace.contract import IngestError, shown

# what a rule may match a group on, besides `stage` (ranking.GROUP_MATCH_KEYS, kept equal by a test)
RULE_MATCH_KEYS = ("service", "name", "source", "severity", "region", "fingerprint")
LABEL_KEY = re.compile(r"labels\.[A-Za-z0-9_.\-/]{1,100}")
RULE_FIELDS = ("match", "stage", "from", "until", "reason")
MAX_PATTERN = 500


def check_pattern(source: str, where, field: str, pattern) -> str:
    """A glob (text) or `re:<regular expression>` that compiles; numbers are read as text."""
    if isinstance(pattern, (bool, dict, list)) or pattern is None or str(pattern) == "":
        raise IngestError(source, where, field, "a text pattern (glob, or re:<expression>)", shown(pattern))
    text = str(pattern)
    if len(text) > MAX_PATTERN:
        raise IngestError(source, where, field, f"a pattern of at most {MAX_PATTERN} characters", shown(text))
    if text.startswith("re:"):
        try:
            re.compile(text[3:])
        except re.error as err:
            raise IngestError(source, where, field, "a valid regular expression", f"{text!r} ({err})") from None
    return text


def check_match(source: str, where, match, field: str = "match") -> dict:
    """{key: pattern} over RULE_MATCH_KEYS and labels.<key>, returned as text."""
    if match is None:
        return {}
    if not isinstance(match, dict):
        raise IngestError(source, where, field, "a mapping of key to pattern", shown(match))
    out = {}
    for key, pattern in match.items():
        if not isinstance(key, str) or (key not in RULE_MATCH_KEYS and not LABEL_KEY.fullmatch(key)):
            raise IngestError(source, where, f"{field}.{key}", "one of " + ", ".join(RULE_MATCH_KEYS)
                              + " or labels.<key>", shown(key))
        out[key] = check_pattern(source, where, f"{field}.{key}", pattern)
    return out


def parse_instant(source: str, where, field: str, value) -> str | None:
    """An ISO 8601 date or time (UTC when no offset is given), returned as ISO text; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise IngestError(source, where, field, "an ISO date or time, e.g. 2026-03-02T22:00",
                              shown(value)) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat()


def check_rule(rule, source: str = "suppression rule", where=None, strict: bool = True) -> dict:
    """A suppression rule ({match, stage, from, until, reason}) checked and normalised, else IngestError
    naming the field: known match keys, patterns that compile, ISO bounds with from before until. strict
    (a rule added through the CLI or the app) also wants a reason and at least one condition (a rule of
    nothing would suppress every group); profile files and stored profiles may lack them (ranking then
    says "suppression rule")."""
    if not isinstance(rule, dict):
        raise IngestError(source, where, None, "a suppression rule (a mapping)", shown(rule))
    unknown = [k for k in rule if k not in RULE_FIELDS]
    if unknown:
        raise IngestError(source, where, str(unknown[0]), "one of " + ", ".join(RULE_FIELDS), shown(unknown[0]))
    reason = rule.get("reason")
    if strict and (not isinstance(reason, str) or not reason.strip()):
        raise IngestError(source, where, "reason", "a reason (text people will read)", shown(reason))
    out = {"match": check_match(source, where, rule.get("match"))}
    stage = rule.get("stage")
    if stage not in (None, ""):
        out["stage"] = check_pattern(source, where, "stage", stage)
    for bound in ("from", "until"):
        moment = parse_instant(source, where, bound, rule.get(bound))
        if moment:
            out[bound] = moment
    if out.get("from") and out.get("until") and out["from"] >= out["until"]:
        raise IngestError(source, where, "until", f"a time after from ({out['from']})", shown(out["until"]))
    if strict and not out["match"] and out.get("stage") in (None, "*") and not (out.get("from") or out.get("until")):
        raise IngestError(source, where, "match", "at least one condition (match, stage, from or until)",
                          "none: the rule would suppress every group")
    if reason is not None:
        if not isinstance(reason, str):
            raise IngestError(source, where, "reason", "text", shown(reason))
        out["reason"] = reason.strip()
    return out


def check_rules(source: str, value, strict: bool = False) -> list:
    """The profile's `suppress` list, each rule checked (where = suppress[<n>], from 1)."""
    if not isinstance(value, list):
        raise IngestError(source, None, "suppress", "a list of suppression rules (mappings)", shown(value))
    return [check_rule(rule, source, f"suppress[{n}]", strict) for n, rule in enumerate(value, start=1)]
