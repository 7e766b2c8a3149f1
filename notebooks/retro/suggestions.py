"""Retro suggestions, each with its evidence and its expected effect on noise and on caught incidents.

Thresholds to tighten or loosen (signals/threshold_review), unmapped services to map
(queue/mapping.coverage), touchpoints whose alerts never preceded harm (suppress), stages whose
incidents were found late, and playbooks that would have applied. decision_of(suggestion) is what a
decision on one records (retro/governance.decide).
"""

import json

import pandas as pd
from journeylens.notebooks.queue.mapping import coverage
from journeylens.notebooks.retro.weekly import REAL_OUTCOMES, link_incidents, week_window
from journeylens.notebooks.signals.journey_signals import workspace_signals
from journeylens.notebooks.signals.threshold_review import calibration_suggestions
from journeylens.notebooks.workspace.labels import metric_words
from journeylens.notebooks.workspace.snapshot import close_snapshot, connect

HARM_SEEN = 0.2  # a group whose observed harm reached this preceded harm
# What a decision on a suggestion records (governance.decide keys it by these): for the other kinds,
# everything but the evidence and the expected effect.
DECIDED = {"threshold": ("stage", "segment", "metric", "z_min_now", "z_min_suggested"),
           "map": ("stage", "match", "service")}


def in_week(frame: pd.DataFrame, column: str, week: str | None) -> pd.DataFrame:
    start, end = week_window(week)
    if start is None:
        return frame
    when = pd.to_datetime(frame[column])
    return frame[(when >= start) & (when < end)]


def quiet_touchpoints(context: dict, week: str | None = None) -> list:
    """Touchpoints whose alert groups never preceded harm (observed harm below HARM_SEEN) and were never
    linked to an incident that mattered: candidates for a suppression rule per service. Expected effect:
    those groups leave the unsuppressed queue; caught incidents unchanged (none was linked)."""
    groups = in_week(context["groups"], "first_fired_at", week)
    incidents = in_week(context["incidents"], "opened_at", week)
    real = incidents[incidents["outcome"].isin(REAL_OUTCOMES)]
    linked = set(link_incidents(groups, real)["group_id"])
    mapped = groups[groups["touchpoint"].notna() & ~groups["suppressed"]]
    out = []
    for (stage, touchpoint), part in mapped.groupby(["stage", "touchpoint"], sort=True):
        if len(part) < 3 or part["harm"].fillna(0).max() >= HARM_SEEN or part["group_id"].isin(linked).any():
            continue
        for service, rows in part.groupby("service", sort=True):
            out.append({"kind": "suppress", "stage": stage, "touchpoint": touchpoint, "service": service,
                        "evidence": f"{len(rows)} unsuppressed groups of {service} ({stage}/{touchpoint}) never "
                                    f"preceded harm (max harm {rows['harm'].fillna(0).max():.2f}) nor an incident",
                        "effect": f"-{len(rows)} groups in the queue; incidents caught unchanged"})
    return out


def late_stages(context: dict, week: str | None = None) -> list:
    """Stages whose incidents that mattered were found late: opened before any linked alert fired, or
    with no linked alert at all. Expected effect of a new touchpoint or threshold: earlier detection."""
    groups = in_week(context["groups"], "first_fired_at", week)
    incidents = in_week(context["incidents"], "opened_at", week)
    real = incidents[incidents["outcome"].isin(REAL_OUTCOMES) & incidents["stage"].notna()]
    links = link_incidents(groups, real).merge(groups[["group_id", "first_fired_at"]], on="group_id")
    first = links.groupby("incident_id")["first_fired_at"].min()
    out = []
    for stage, part in real.groupby("stage", sort=True):
        late = [r["incident_id"] for r in part.to_dict("records")
                if r["incident_id"] not in first.index or pd.Timestamp(first[r["incident_id"]]) > pd.Timestamp(r["opened_at"])]
        if late:
            out.append({"kind": "detect_earlier", "stage": stage, "incidents": late,
                        "evidence": f"{len(late)} of {len(part)} incidents on {stage} were opened before any alert "
                                    f"of theirs fired: {', '.join(late)}",
                        "effect": "map the services these incidents name, or watch the stage's journey signals"})
    return out


def playbook_hints(context: dict, week: str | None = None) -> list:
    """Incidents that mattered whose linked groups had a playbook the responders did not use."""
    groups = in_week(context["groups"], "first_fired_at", week)
    incidents = in_week(context["incidents"], "opened_at", week)
    real = incidents[incidents["outcome"].isin(REAL_OUTCOMES)]
    links = link_incidents(groups, real).merge(groups[["group_id", "playbook", "playbook_action"]], on="group_id")
    out = []
    for incident in real.to_dict("records"):
        offered = links[(links["incident_id"] == incident["incident_id"]) & links["playbook"].notna()]
        used = incident.get("playbook")
        for playbook, rows in offered.groupby("playbook", sort=True):
            if playbook != used:
                out.append({"kind": "playbook", "incident_id": incident["incident_id"], "playbook": playbook,
                            "evidence": f"{incident['incident_id']} ({incident.get('stage') or 'no stage'}) was handled "
                                        f"with {used or 'no playbook'}; {playbook} matched {len(rows)} of its groups",
                            "effect": f"{rows['playbook_action'].iloc[0]}"})
    return out


def threshold_suggestions(workspace, incidents: pd.DataFrame) -> list:
    """Thresholds to tighten or loosen: threshold_review.calibration_suggestions over the workspace's
    journey deviations (all data, its saved thresholds) and `incidents`, one per stage x segment x
    metric, with the alerts and the incidents caught now and at the suggested z_min."""
    found = calibration_suggestions(workspace_signals(workspace)["deviations"], incidents)
    return [{"kind": "threshold", **{k: row[k] for k in ("action", *DECIDED["threshold"])},
             "evidence": row["evidence"],
             "effect": f"{row['alerts_now']} -> {row['alerts_suggested']} alerts; incidents that mattered caught "
                       f"{row['incidents_caught_now']} -> {row['incidents_caught_suggested']}"}
            for row in found.to_dict("records")]


def map_suggestions(workspace) -> list:
    """Unmapped services with a suggested touchpoint rule (queue/mapping.coverage: the top unmapped
    services; a partly mapped or probably internal service gets none)."""
    con = connect(workspace)
    try:
        unmapped = coverage(con)["unmapped"]
    finally:
        close_snapshot(con)
    out = []
    for row in unmapped[unmapped["suggested_rule"].notna()].to_dict("records"):
        rule = json.loads(row["suggested_rule"])
        out.append({"kind": "map", "stage": rule["stage"], "match": rule["match"], "service": row["service"],
                    "evidence": f"{row['unmapped_alerts']} of {row['alerts']} alerts of {row['service']} map to no "
                                f"stage; {row['reason']}",
                    "effect": f"{row['unmapped_alerts']} more alerts mapped to {rule['stage']}"})
    return out


def decision_of(suggestion: dict) -> dict:
    """What a decision on `suggestion` records (governance.decide): the kind and what would change."""
    keys = DECIDED.get(suggestion["kind"])
    if keys:
        return {"kind": suggestion["kind"], **{k: suggestion[k] for k in keys}}
    return {k: v for k, v in suggestion.items() if k not in ("evidence", "effect")}


def threshold_action(suggestion: dict) -> str:
    """tighten or loosen: the suggestion's own word, else read from its z_min (a decision records only
    what it changes, decision_of, so the word is gone from the stored record)."""
    if suggestion.get("action"):
        return suggestion["action"]
    now, then = suggestion.get("z_min_now"), suggestion.get("z_min_suggested")
    if now is None or then is None:
        return "change"
    return "tighten" if then > now else "loosen"


def suggestion_title(suggestion: dict) -> str:
    """One line naming a suggestion: "Tighten checkout · pro · conversion", "Map payments-ledger to
    checkout", "Suppress billing-service on renewal/billing", ..."""
    s, kind = suggestion, suggestion["kind"]
    if kind == "threshold":
        return f"{threshold_action(s).capitalize()} {s['stage']} · {s['segment']} · {metric_words(s['metric'])}"
    if kind == "map":
        return f"Map {s.get('service') or json.dumps(s.get('match'))} to {s['stage']}"
    if kind == "suppress":
        return f"Suppress {s['service']} on {s['stage']}/{s['touchpoint']}"
    if kind == "detect_earlier":
        return f"Detect {s['stage']} incidents earlier"
    if kind == "playbook":
        return f"Offer {s['playbook']} for incidents like {s['incident_id']}"
    return str(kind)
