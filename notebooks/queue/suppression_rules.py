"""Maintenance windows and known-noise rules: the weight profile's `suppress` list, edited without
hand-editing profile files (`journeylens suppress`, the Governance page). Every add or remove saves a
new version of the profile (profiles.save_profile: author, comment, an audit entry), so who suppressed
what, and why, stays in the history. A rule is {match: {key: glob}, stage: glob, from: ISO, until: ISO,
reason: text}; a rule with from/until is a maintenance window (groups whose first alert fired in it)."""

from journeylens.notebooks.ingest.rule_checks import check_rule
from journeylens.notebooks.queue.profiles import DEFAULT_NAME, load_profile, save_profile
from journeylens.notebooks.workspace.contract import IngestError, shown


def parse_match_args(pairs: list, source: str = "--match") -> dict:
    """["service=ci-*", "labels.env=staging"] -> {"service": "ci-*", ...}; a pair without "=" refused."""
    match = {}
    for pair in pairs or []:
        key, sep, pattern = str(pair).partition("=")
        if not sep or not key.strip():
            raise IngestError(source, None, "match", "key=glob, e.g. service=ci-*", shown(pair))
        match[key.strip()] = pattern.strip()
    return match


def current_rules(workspace, name: str | None = None) -> dict:
    """{name, version, rules}: the suppression rules of a profile's latest version."""
    record = load_profile(workspace, name or DEFAULT_NAME)
    return {"name": record["name"], "version": record["version"], "rules": list(record["profile"].get("suppress") or [])}


def rules_table(rules: list) -> list:
    """One flat row per rule (number from 1, kind, stage, match, from, until, reason), for a table."""
    return [{"rule": n, "kind": "maintenance window" if (r.get("from") or r.get("until")) else "known noise",
             "stage": r.get("stage") or "*", "match": ", ".join(f"{k}={v}" for k, v in (r.get("match") or {}).items()),
             "from": r.get("from") or "", "until": r.get("until") or "", "reason": r.get("reason") or ""}
            for n, r in enumerate(rules, start=1)]


def add_rule(workspace, rule: dict, name: str | None = None, author: str | None = None) -> dict:
    """Checks `rule` (rule_checks.check_rule, strict: a reason and a condition) and saves the profile
    with it appended as a new version; returns {name, version, rule, position}."""
    checked = check_rule(rule, "suppression rule", None, strict=True)
    record = load_profile(workspace, name or DEFAULT_NAME)
    rules = [*(record["profile"].get("suppress") or []), checked]
    what = "maintenance window" if checked.get("from") or checked.get("until") else "suppression rule"
    saved = save_profile(workspace, record["name"], {**record["profile"], "suppress": rules}, author,
                         f"{what} {len(rules)} added: {checked['reason']}")
    return {"name": record["name"], "version": saved["version"], "rule": checked, "position": len(rules)}


def remove_rule(workspace, position: int, name: str | None = None, author: str | None = None,
                why: str = "") -> dict:
    """Saves the profile without its rule number `position` (from 1) as a new version; returns
    {name, version, rule}. A number that names no rule is refused (IngestError)."""
    record = load_profile(workspace, name or DEFAULT_NAME)
    rules = list(record["profile"].get("suppress") or [])
    if not isinstance(position, int) or not 1 <= position <= len(rules):
        expected = f"a rule number from 1 to {len(rules)}" if rules else "a rule number (the profile has none)"
        raise IngestError(f"profile {record['name']}", None, "rule", expected, shown(position))
    removed = rules.pop(position - 1)
    comment = f"suppression rule {position} removed ({removed.get('reason') or 'no reason given'})"
    saved = save_profile(workspace, record["name"], {**record["profile"], "suppress": rules}, author,
                         comment + (f": {why}" if why else ""))
    return {"name": record["name"], "version": saved["version"], "rule": removed}


def suppressed_by_rule(ranked) -> dict:
    """{reason: groups suppressed for it} from a ranked queue (ranking.queue_select rows, which carry
    suppressed_reason; a rule's reason is its text). Cheap: the queue the page already ranked."""
    if ranked is None or len(ranked) == 0 or "suppressed_reason" not in ranked:
        return {}
    return ranked.loc[ranked["suppressed"].astype(bool), "suppressed_reason"].value_counts().to_dict()
