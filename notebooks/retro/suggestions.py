import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import pandas as pd

    from journeylens.notebooks.retro.weekly import REAL_OUTCOMES, link_incidents, week_window

    HARM_SEEN = 0.2  # a group whose observed harm reached this preceded harm


@app.function
def in_week(frame: pd.DataFrame, column: str, week: str | None) -> pd.DataFrame:
    start, end = week_window(week)
    if start is None:
        return frame
    when = pd.to_datetime(frame[column])
    return frame[(when >= start) & (when < end)]


@app.function
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


@app.function
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


@app.function
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


@app.cell(hide_code=True)
def _():
    import marimo as mo

    mo.md(
        """
        # Retro suggestions

        Each with its evidence and its expected effect on noise and on caught incidents: thresholds to
        tighten or loosen (`threshold_review.py`), unmapped services to map (`journey_mapping.coverage`),
        touchpoints whose alerts never preceded harm (suppress), stages whose incidents were found late,
        and playbooks that would have applied.
        """
    )
    return


if __name__ == "__main__":
    app.run()
