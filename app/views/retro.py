"""Retro: the weekly calibration review. Numbers from notebooks/retro/ and signals/threshold_review; decisions go
to notebooks/retro/governance (each is audit-logged, and an accepted threshold becomes a new thresholds version)."""

import json
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st
from journeylens.app.ui import flash, guard, show_flash, upload_key, workspace_path
from journeylens.notebooks.queue.mapping import coverage
from journeylens.notebooks.retro.governance import decide, decisions, due_assumptions
from journeylens.notebooks.retro.report import write_retro
from journeylens.notebooks.retro.suggestions import late_stages, playbook_hints, quiet_touchpoints
from journeylens.notebooks.retro.weekly import data_weeks, retro, retro_context, retro_trends
from journeylens.notebooks.signals.journey_signals import workspace_signals
from journeylens.notebooks.signals.threshold_review import calibration_suggestions
from journeylens.notebooks.workspace.snapshot import connect


@st.cache_data(max_entries=8, show_spinner="Preparing the retro…")
def retro_data(ws: str, uploads: tuple, week: str | None, audit_size: int) -> dict:
    """The retro of a week and its suggestions (cached per uploads and audit-log size)."""
    context = retro_context(ws)
    found = retro(ws, week, context=context)
    found["trends"] = retro_trends(ws, context=context)
    found["assumptions_due"] = due_assumptions(ws)
    suggestions = calibration_suggestions(workspace_signals(ws)["deviations"], context["incidents"])
    more = [*quiet_touchpoints(context, week), *late_stages(context, week), *playbook_hints(context, week)]
    return {"retro": found, "suggestions": suggestions, "map_suggestions": map_suggestions(ws), "more": more}


@st.cache_data(max_entries=8)
def weeks_of(ws: str, uploads: tuple) -> list:
    return data_weeks(ws)


def map_suggestions(ws: str) -> list:
    """Unmapped services with a suggested touchpoint rule (journey_mapping.coverage)."""
    con = connect(ws)
    try:
        unmapped = coverage(con)["unmapped"]
    finally:
        con.close()
    out = []
    for row in unmapped[unmapped["suggested_rule"].notna()].to_dict("records"):
        rule = json.loads(row["suggested_rule"])
        out.append({"kind": "map", "stage": rule["stage"], "match": rule["match"], "service": row["service"],
                    "evidence": f"{row['unmapped_alerts']} of {row['alerts']} alerts of {row['service']} map to no "
                                f"stage; {row['reason']}"})
    return out


def decision_buttons(ws: Path, suggestion: dict, who: str, key: str, what: str, why: str = "",
                     suffix: str = "") -> None:
    """Accept / Reject for one suggestion: the decision is recorded (governance.decide) with who and why."""
    left, right = st.columns(2)
    for column, label, accepted in ((left, "Accept", True), (right, "Reject", False)):
        if column.button(f"{label}{suffix}", key=f"{key.format(label.lower())}"):
            if not who.strip():
                st.error("Give your name first: every decision records who made it.")
                return
            decide(ws, suggestion, accepted, who.strip(), why)
            flash(f"{label}ed: {what}.")
            st.rerun()


def map_cards(ws: Path, suggestions: list, who: str) -> None:
    for index, item in enumerate(suggestions):
        st.markdown(f"**Map {item['service']} to {item['stage']}** with `{json.dumps(item['match'])}`. "
                    f"{item['evidence']}.")
        decision_buttons(ws, {k: item[k] for k in ("kind", "stage", "match", "service")}, who,
                         "map-{}-" + str(index), f"map {item['service']} to {item['stage']}", suffix=" mapping")


def suggestion_cards(ws: Path, suggestions: pd.DataFrame) -> None:
    st.subheader("Suggestions")
    who = st.text_input("Your name (recorded with each decision)", key="retro_who")
    if suggestions.empty:
        st.caption("No threshold would have cut noise while keeping every incident that mattered.")
        return
    for index, row in enumerate(suggestions.to_dict("records")):
        st.markdown(f"**{row['action'].capitalize()} {row['stage']} · {row['segment']} · {row['metric']}**: z_min "
                    f"{row['z_min_now']:g} → {row['z_min_suggested']:g}. {row['evidence']}.")
        why = st.text_input("Why", key=f"why-{index}", label_visibility="collapsed", placeholder="why (optional)")
        suggestion = {"kind": "threshold", **{k: row[k] for k in ("stage", "segment", "metric", "z_min_now",
                                                                 "z_min_suggested")}}
        decision_buttons(ws, suggestion, who, "{}-" + str(index), f"{row['stage']} · {row['segment']} · "
                         f"{row['metric']}", why)


def other_cards(ws: Path, suggestions: list, who: str) -> None:
    titles = {"suppress": "Suppress", "detect_earlier": "Detect earlier", "playbook": "Playbook"}
    for index, item in enumerate(suggestions):
        st.markdown(f"**{titles[item['kind']]}**: {item['evidence']}. Expected: {item['effect']}.")
        decision_buttons(ws, {k: v for k, v in item.items() if k not in ("evidence", "effect")}, who,
                         "more-{}-" + str(index), f"{titles[item['kind']].lower()} suggestion")


st.title("Retro")
st.write("Did the alerts that reached people matter? How fast did we restore the journey? What should we tune, "
         "and who changed what? Decisions made here are recorded in the audit log.")
workspace = workspace_path()
show_flash()
with guard("preparing the retro"):
    uploads = upload_key(workspace)
    audit = workspace / "audit.jsonl"
    week = st.selectbox("Week", [None, *weeks_of(str(workspace), uploads)], format_func=lambda w: w or "All data",
                        key="retro_week")
    data = retro_data(str(workspace), uploads, week, audit.stat().st_size if audit.exists() else 0)
    found = data["retro"]
    volume, precision = found["volume"], found["precision"]
    cols = st.columns(5)
    for col, (label, value) in zip(cols, [("Alerts", volume["alerts"]), ("Groups", volume["groups"]),
                                          ("Unsuppressed", volume["unsuppressed"]),
                                          ("Linked to incidents", volume["reached_people"]),
                                          (f"Top {precision['k']} actioned", precision["top_linked_to_actioned"])],
                                   strict=True):
        col.metric(label, f"{value:,}")
    if volume["actioned_hidden_by_suppression"]:
        st.error("Suppression would have hidden actioned incidents: " + ", ".join(volume["actioned_hidden_by_suppression"]))
    st.subheader("Per stage")
    st.dataframe(found["stages"], hide_index=True, key="retro_stages")
    st.subheader("Actioned incidents that ranked low")
    st.dataframe(pd.DataFrame(precision["ranked_low"], columns=["incident_id", "best_rank"]), hide_index=True,
                 key="ranked_low")
    st.subheader("Conversion stability")
    st.dataframe(found["stability"], hide_index=True, key="stability")
    if found.get("ai_week_over_week") is not None:
        st.subheader("AI outcomes, week over week")
        st.dataframe(found["ai_week_over_week"], hide_index=True, key="ai_wow")
    st.subheader("Week over week")
    st.dataframe(found["trends"], hide_index=True, key="trends")
    st.subheader("What changed")
    st.dataframe(found["changes"], hide_index=True, key="changes")
    due = due_assumptions(workspace)
    if due:
        st.warning("Assumptions due for review: " + "; ".join(f"{a['id']} {a['statement']} ({a['owner']})" for a in due))
    suggestion_cards(workspace, data["suggestions"])
    if data["map_suggestions"]:
        st.subheader("Unmapped services to map")
        map_cards(workspace, data["map_suggestions"], st.session_state.get("retro_who", ""))
    if data["more"]:
        st.subheader("Noise, late detection and playbooks")
        other_cards(workspace, data["more"], st.session_state.get("retro_who", ""))
    st.subheader("Decisions so far")
    st.dataframe(decisions(workspace), hide_index=True, key="decisions")
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_retro(found, tmp)
        left, right = st.columns(2)
        left.download_button("Download retro.md", Path(paths[1]).read_text(), "retro.md", key="dl_md")
        right.download_button("Download retro_stages.csv", Path(paths[0]).read_text(), "retro_stages.csv", key="dl_csv")
