"""The parts of a playbook catalogue beyond one playbook per match: multi-signal conditions (`when`) and
the human-approval gate per automation tier (`tiers`). Checked here, named by playbook index and field;
queue/playbook_match.py turns `when` into SQL, queue/playbook_approvals.py records approvals.

    tiers:                          # optional; a tier not named needs no approval
      auto-mitigate: {approval: required}
    playbooks:
      - id: checkout-latency-in-signup-surge
        stage: checkout             # the group the playbook is shown on (as for any playbook)
        action: Shed recommendation traffic; scale checkout
        tier: auto-mitigate
        owner: payments-oncall
        when:                       # several signals at once
          within_minutes: 30        # "at once": open within this many minutes of the group (default 60)
          all:                      # every condition holds on some group open then (the group itself counts)
            - {stage: checkout, match: {name: "*latency*"}}
            - {stage: signup, match: {service: "journey:*", name: "*surge*"}}
"""

from journeylens.notebooks.ingest.rule_checks import check_match, check_pattern
from journeylens.notebooks.workspace.contract import IngestError, shown

APPROVALS = ("required", "none")
WHEN_FIELDS = ("all", "within_minutes")
CONDITION_FIELDS = ("stage", "match")
MAX_CONDITIONS = 10
MAX_WITHIN_MINUTES = 10_080  # a week


def check_tiers(file_name: str, tiers, known: tuple) -> dict:
    """{tier: {"approval": "required" | "none"}} for every known tier (unnamed ones: "none")."""
    out = {tier: {"approval": "none"} for tier in known}
    if tiers is None:
        return out
    if not isinstance(tiers, dict):
        raise IngestError(file_name, "tiers", None, "a mapping of tier to {approval: required|none}", shown(tiers))
    for tier, setting in tiers.items():
        if tier not in known:
            raise IngestError(file_name, "tiers", str(tier), "one of " + ", ".join(known), shown(tier))
        approval = setting.get("approval", "none") if isinstance(setting, dict) else setting
        approval = {True: "required", False: "none"}.get(approval, approval) if isinstance(approval, bool) else approval
        if approval not in APPROVALS:
            raise IngestError(file_name, "tiers", f"{tier}.approval", "required or none", shown(approval))
        out[tier] = {"approval": approval}
    return out


def check_when(file_name: str, where: str, when) -> dict:
    """{all: [{stage, match}, ...], within_minutes}: conditions that must all hold on groups open at once."""
    if not isinstance(when, dict):
        raise IngestError(file_name, where, "when", "a mapping with all: [conditions]", shown(when))
    unknown = [k for k in when if k not in WHEN_FIELDS]
    if unknown:
        raise IngestError(file_name, where, f"when.{unknown[0]}", "all or within_minutes", shown(unknown[0]))
    conditions = when.get("all")
    if not isinstance(conditions, list) or not 1 <= len(conditions) <= MAX_CONDITIONS:
        raise IngestError(file_name, where, "when.all", f"a list of 1 to {MAX_CONDITIONS} conditions", shown(conditions))
    within = when.get("within_minutes", 60)
    if isinstance(within, bool) or not isinstance(within, (int, float)) or not 0 <= within <= MAX_WITHIN_MINUTES:
        raise IngestError(file_name, where, "when.within_minutes", f"minutes from 0 to {MAX_WITHIN_MINUTES}",
                          shown(within))
    checked = []
    for n, condition in enumerate(conditions, start=1):
        field = f"when.all[{n}]"
        if not isinstance(condition, dict) or not condition:
            raise IngestError(file_name, where, field, "a mapping of stage and/or match", shown(condition))
        unknown = [k for k in condition if k not in CONDITION_FIELDS]
        if unknown:
            raise IngestError(file_name, where, f"{field}.{unknown[0]}", "stage or match", shown(unknown[0]))
        out = {"stage": check_pattern(file_name, where, f"{field}.stage", condition.get("stage", "*")),
               "match": check_match(file_name, where, condition.get("match"), f"{field}.match")}
        if out["stage"] == "*" and not out["match"]:
            raise IngestError(file_name, where, field, "a stage or a match to look for", "a condition every group meets")
        checked.append(out)
    return {"all": checked, "within_minutes": int(within)}


def tier_shown(playbook: dict) -> str:
    """The automation tier as the queue shows it: "auto-mitigate (needs approval)" when the catalogue's
    gate says a human must approve that tier."""
    tier = str(playbook.get("tier") or "")
    return f"{tier} (needs approval)" if playbook.get("approval") == "required" else tier
