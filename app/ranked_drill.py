"""The Ranked page's drill-down ("why this entry?"): which entry is open, and what it shows. Showing only:
the score's parts and sentence come from notebooks/queue/explain.py, the stage's hours, segments and changes
from the open ranking all sessions share (app/shared_queue.py, a notebooks/queue/live_queue.py LiveQueue).

Which entry is open, the last asked wins: a click on a row of the queue table, the "Entry" picker (to find
one by name), st.session_state["drill_entry"] (an entry_id: the Overview page sets it before switching here)
or the URL's ?entry=<entry_id> (a link to the drill-down; kept in step with the open entry, so the URL can
be shared)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from journeylens.app.charts import breakdown_chart, stage_window_chart
from journeylens.app.queue_tables import entry_label, members_table
from journeylens.notebooks.queue.explain import (
    MAX_ALERTS,
    breakdown,
    linked_incidents,
    member_alerts,
    sentence,
    waterfall,
)

DRILL = "drill_entry"  # st.session_state key: the entry_id (incident_key) whose drill-down is open
PARAM = "entry"  # the URL query parameter that names one
CHART_MARGIN_H = 24


def text_or(value, missing: str = "—") -> str:
    return missing if value is None or pd.isna(value) or value == "" else str(value)


def minutes_text(minutes: float) -> str:
    return f"{minutes / 60:g} h" if minutes % 60 == 0 else f"{minutes:g} min"


def _pick_from_box(labels: dict) -> None:
    """The picker's on_change: its entry is the open one."""
    picked = st.session_state.get("drill_group")
    if picked in labels:
        st.session_state[DRILL] = labels[picked]


def open_entry(live, shown: pd.DataFrame, event) -> pd.Series | None:
    """The entry to open (module docstring; a row of LiveQueue.entries), from this run's table selection
    `event` over the page `shown`, the picker's callback, st.session_state[DRILL] and the URL; the picker and
    the URL are put in step with it."""
    param = st.query_params.get(PARAM)
    if param and param != st.session_state.get("_entry_param_seen"):  # a new link: it wins
        st.session_state["_entry_param_seen"] = param
        st.session_state[DRILL] = param
    rows = list(event.selection.rows) if event is not None else []
    clicked = str(shown["entry_id"].iloc[rows[0]]) if rows and rows[0] < len(shown) else None
    if clicked != st.session_state.get("_row_seen"):  # the row selection changed this run: it wins
        st.session_state["_row_seen"] = clicked
        if clicked:
            st.session_state[DRILL] = clicked
    wanted = st.session_state.get(DRILL)
    found = live.entries(entry_id=str(wanted)) if wanted is not None else None
    if found is not None and found.empty:
        st.warning(f"No entry {wanted} in this queue (the link may be from another workspace or profile).")
        wanted = found = None
    if wanted and st.query_params.get(PARAM) != wanted:
        st.query_params[PARAM] = st.session_state["_entry_param_seen"] = wanted
    labels = {entry_label(r): str(r.entry_id) for r in shown.itertuples(index=False)}
    current = next((label for label, key in labels.items() if key == wanted), None)
    st.session_state["drill_group"] = current
    st.selectbox("Entry", list(labels), key="drill_group", on_change=_pick_from_box, args=(labels,),
                 placeholder="click a row above, or choose an entry to see why it ranks where it does")
    return None if found is None else found.iloc[0]


def explain_score(members: pd.DataFrame, entry: pd.Series, profile: dict) -> None:
    """The score of the entry (its best member's) as parts, and the sentence of what moved it most."""
    best = members.sort_values("score", ascending=False, kind="stable").iloc[0]
    row = best.to_dict()
    said = sentence(row, profile)
    st.markdown(f"**Score {best['score']:.1f}.** {said}")
    whose = f"{best['service']} · {best['name']}"
    title = f"Score {best['score']:.1f}, factor by factor" + (f" ({whose})" if entry["members"] > 1 else "")
    st.altair_chart(breakdown_chart(waterfall(breakdown(row, profile)), title[:90]), width="stretch")
    st.caption("Blue: what each signal component adds at this stage (its weight × its value × the stage at "
               "stake). Red: what the harm evidence takes away (the score keeps 1 − c + c·harm^e of it). Green: "
               "the score." + (" An incident candidate scores as its best member." if entry["members"] > 1 else ""))


@st.cache_data(max_entries=32, show_spinner=False)
def alerts_of(_live, key, entry_id: str, grouping: str) -> tuple[pd.DataFrame, int, pd.DataFrame]:
    """An entry's member alerts, their count and the incidents naming them, once per snapshot (`key`, the
    LiveQueue's: workspace and upload ids), entry and grouping settings (`grouping`): the alerts view folds
    every notice, so a slider's rerun with a drill-down open does not read them again."""
    alert_ids = _live.entry_alert_ids(entry_id)
    with _live.lock:  # the LiveQueue's connection serves one thread at a time
        alerts, count = member_alerts(_live.con, alert_ids)
        return alerts, count, linked_incidents(_live.con, alerts, alert_ids)


def evidence(live, entry: pd.Series) -> None:
    """The raw alerts of the entry (message, labels, source link), and the incident they were handled in."""
    alerts, count, incidents = alerts_of(live, live.key, str(entry["entry_id"]), live.grouping_key())
    if count:
        first = alerts.iloc[0]
        link = first["link"]
        st.markdown(f"**First alert** ({text_or(first['source'])}, {first['fired_at']:%Y-%m-%d %H:%M} UTC): "
                    f"{text_or(first['message'], 'no message')}" + (f" · [open in {first['source']}]({link})"
                                                                     if link else ""))
    with st.expander(f"Member alerts ({count:,})" + (f", the first {MAX_ALERTS}" if count > MAX_ALERTS else ""),
                     expanded=0 < count <= 5):
        if not count:
            st.caption("A journeylens signal: no alerts of a tool behind it.")
        else:
            st.dataframe(alerts, hide_index=True, key="alerts_table", placeholder="—", column_config={
                "alert_id": "Alert id", "fired_at": st.column_config.DatetimeColumn("Fired", format="YYYY-MM-DD HH:mm"),
                "resolved_at": st.column_config.DatetimeColumn("Resolved", format="YYYY-MM-DD HH:mm"),
                "source": "Source", "service": "Service", "name": "Alert", "severity": "Severity", "region": "Region",
                "fingerprint": "Fingerprint", "message": "Message", "labels": "Labels",
                "link": st.column_config.LinkColumn("Source link", display_text="open")})
    if incidents.empty:
        st.caption("No recorded incident names these alerts or their fingerprints.")
    else:
        st.markdown(f"**Linked incident{'s' if len(incidents) > 1 else ''}** (naming these alerts or their "
                    "fingerprints)")
        st.dataframe(incidents, hide_index=True, key="incidents_table", placeholder="—", column_config={
            "incident_id": "Incident", "opened_at": st.column_config.DatetimeColumn("Opened", format="YYYY-MM-DD HH:mm"),
            "resolved_at": st.column_config.DatetimeColumn("Resolved", format="YYYY-MM-DD HH:mm"),
            "outcome": "Outcome", "stage": "Stage", "playbook": "Playbook", "notes": "Notes"})


def drill_down(live, entry: pd.Series) -> None:
    """Why an entry ranks where it does: the score's parts and sentence, its raw alerts and incident, its
    lead group's stage, window and playbook, the stage chart, segments and the changes before it."""
    members = live.member_rows(str(entry["entry_id"]))
    leads = members[members["group_id"] == str(entry["lead_group_id"])]
    group = (leads if len(leads) else members).iloc[0]
    st.markdown(f"#### #{entry['rank']} · {entry['service']} · {entry['name']}")
    if entry["members"] > 1:
        reason = text_or(entry["incident_reason"], "")
        st.markdown(f"**One incident candidate of {entry['members']} alert groups** from {entry['sources']}"
                    + (f" on {entry['instances']}" if entry["instances"] else "") + (f": {reason}" if reason else "")
                    + ". The first member leads it; below, its window and stage.")
    explain_score(members, entry, live.profile)
    evidence(live, entry)
    shown = f", the first {len(members):,}" if len(members) < entry["members"] else ""
    with st.expander(f"Member groups ({entry['members']:,}{shown})", expanded=entry["members"] > 1):
        members_table(members)
    start, end = pd.Timestamp(group["window_start"]), pd.Timestamp(group["window_end"])
    stage = None if pd.isna(group["stage"]) else group["stage"]
    left, right = st.columns(2)
    left.markdown(f"**Stage** {text_or(stage, 'unmapped')} · **touchpoint** {text_or(group['touchpoint'])}  \n"
                  f"**Window** {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC · "
                  f"**score** {group['score']:.1f} · **{group['alert_count']}** alert(s)")
    if group["playbook"] and not pd.isna(group["playbook"]):
        right.markdown(f"**Suggested playbook: {group['playbook']}** ({group['automation_tier']}, owner "
                       f"{group['playbook_owner']})  \n{group['playbook_action']}")
    else:
        right.markdown("No playbook matches this group.")
    if stage:
        stage_detail(live, stage, start, end)
    else:
        st.caption("This group maps to no journey stage: no journey metrics to show.")
    where = f"{group['service']} or another service of stage {stage}" if stage else group["service"]
    st.markdown(f"**Changes in the {minutes_text(live.profile['change_lookback_minutes'])} before the first "
                f"alert** (on {where}; the first is the one the queue links)")
    changes = live.changes_before(group["group_id"])
    if changes.empty:
        st.caption("None recorded.")
    else:
        st.dataframe(changes, hide_index=True, key="changes_table", placeholder="—")


def stage_detail(live, stage: str, start, end) -> None:
    """The stage's conversion and traffic around the window, and its segments below baseline."""
    around = live.stage_hours(stage, start, end, CHART_MARGIN_H)
    if around.empty:
        st.info(f"No journey metrics for stage {stage} around this window.")
    else:
        st.altair_chart(stage_window_chart(around, start, end, stage))
        st.caption(f"Shaded: the alert window. Dashed: the stage's median conversion at that hour of day. "
                   f"{CHART_MARGIN_H} h either side of the window.")
    segments = live.segments(stage, start, end)
    if segments.empty:
        st.caption("No segment measured at this stage in the window.")
    else:
        names = ", ".join(segments.loc[segments["below_baseline"], "segment"]) or "none"
        st.markdown(f"**Segments below their baseline in the window:** {names}")
        st.dataframe(segments, hide_index=True, key="segments_table")
