"""Overview: where a workspace stands and where to go next. The app's first page.

Showing only: every number and sentence comes from notebooks/retro/overview.py (the funnel and top entries
from the same ranked queue the Ranked page counts, the journey and AI at a glance, what changed and what is due).
Each top entry links to its drill-down on the Ranked page (?entry=<its incident key>). On an empty workspace the
page offers the two first steps: load the sample world, or upload your own exports."""

from pathlib import Path

import streamlit as st
from journeylens.app.feed_health_view import feed_health_section
from journeylens.app.live_status import arrival_line
from journeylens.app.retro_base import shared_base
from journeylens.app.ui import flash, guard, show_flash, upload_key, workspace_path
from journeylens.notebooks.retro.overview import (
    ai_glance,
    cost_text,
    due_for_review,
    is_empty,
    load_sample,
    recent_uploads,
    workspace_journey,
    workspace_overview,
)
from journeylens.notebooks.retro.scope import scoped
from journeylens.notebooks.workspace.labels import plural

RANKED, DATA = "views/ranked.py", "views/data.py"
STATUS_ICONS = {"signal firing": ":material/notifications_active:", "below its band": ":material/trending_down:",
                "above its band": ":material/trending_up:", "within its band": ":material/check_circle:"}


@st.cache_data(max_entries=8, show_spinner=False)
def overview_of(ws: str, state: tuple, _base: dict) -> dict:
    """The queue's funnel and top entries and the retro's suggestions, from the ranking the Retro page
    shares (app/retro_base.py), once per workspace state."""
    return workspace_overview(ws, base=_base)


@st.cache_data(max_entries=8, show_spinner="Reading the journey…")
def journey_of(ws: str, uploads: tuple) -> dict:
    return workspace_journey(ws)


@st.cache_data(max_entries=8, show_spinner=False)
def ai_of(ws: str, uploads: tuple) -> dict | None:
    return ai_glance(ws)


def first_steps(ws: Path) -> None:
    st.subheader("Nothing here yet: two ways to start")
    left, right = st.columns(2)
    left.markdown("**1. Load the sample world**  \nA month of alerts from three tools, journey metrics, AI "
                  "interactions, incidents and changes, built into this workspace so every page has something "
                  "to show.")
    if left.button("Load the sample world", key="load_sample", type="primary"):
        bar = left.progress(0.0, text="Loading the sample world…")
        load_sample(ws, progress=lambda fraction, text: bar.progress(min(max(fraction, 0.0), 1.0), text=text))
        flash("Loaded the sample world into this workspace.")
        st.rerun()
    right.markdown("**2. Upload your exports**  \nAlerts from Alertmanager, PagerDuty or Datadog, a journey map and "
                   "journey metrics, on the Data page.")
    right.page_link(DATA, label="Upload your exports", icon=":material/upload_file:")


def queue_section(found: dict) -> None:
    funnel = found["funnel"]
    st.subheader(funnel["headline"])
    cells = st.columns(3)
    cells[0].metric("Alerts", f"{funnel['alerts']:,}")
    cells[1].metric("Alert groups", f"{funnel['alert_groups']:,}")
    cells[2].metric("Worth a look", f"{funnel['in_queue']:,}", help="queue entries not suppressed")
    st.caption(scoped(funnel["scope"], funnel["counted"]) + " The Retro counts one week at a time.")
    st.markdown(f"**The top {len(found['top'])} entries**: open one to see why it ranks there.")
    if not funnel["entries"]:
        st.caption("No alerts yet: upload your alert exports on the Data page.")
    elif found["top"].empty:
        st.caption("Nothing in the queue: every entry is suppressed.")
    for row in found["top"].itertuples(index=False):
        st.page_link(RANKED, label=f"{row.rank}. {row.title}", query_params={"entry": row.entry_id},
                     icon=":material/open_in_new:")
        st.caption(f"{row.kind} on stage {row.stage} · {row.why}")


def journey_section(found: dict) -> None:
    stages = found["stages"]
    st.subheader("The journey at a glance")
    if stages.empty:
        st.caption("No journey metrics yet: add them on the Data page.")
        return
    st.caption(f"Each stage's conversion over the last 24 h of data (to {found['as_of']:%Y-%m-%d %H:%M} UTC) "
               "against its baseline band, and the journey signals that fired.")
    for row in stages.itertuples(index=False):
        st.markdown(f"{STATUS_ICONS.get(row.status, '')} {row.sentence}")
    st.page_link("views/health.py", label="Journey health", icon=":material/monitor_heart:")


def ai_section(ai: dict) -> None:
    st.subheader("AI outcomes at a glance")
    cells = st.columns(4)
    for cell, (label, key) in zip(cells[:3], (("Task completion", "task_completion_rate"),
                                              ("Silent failures", "silent_failure_rate"),
                                              ("Fallback", "fallback_rate")), strict=True):
        cell.metric(label, "—" if ai[key] is None else f"{ai[key]:.1%}")
    cells[3].metric("Cost per success", cost_text(ai["cost_per_success"]))
    st.caption(f"Over {ai['interactions']:,.0f} production AI interactions, every feature and segment.")


def changes_section(ws: Path, suggestions: list) -> None:
    st.subheader("This week")
    recent = recent_uploads(ws)
    if recent.empty:
        st.caption("No upload in the last 7 days.")
    else:
        st.markdown(f"**{plural(len(recent), 'upload')} in the last 7 days:** "
                    + ", ".join(f"{r.file_name} ({r.kind}, {r.rows:,} rows)" for r in recent.itertuples()))
    due = due_for_review(ws, suggestions)
    st.markdown(f"**Due for review:** {plural(len(due['open']), 'open retro suggestion')} of {due['suggestions']} "
                f"({due['decided']} decided), {plural(len(due['assumptions_due']), 'assumption')} past their "
                "review date.")
    if due["open"]:
        st.caption("; ".join(due["open"][:5]) + (" …" if len(due["open"]) > 5 else ""))
    st.page_link("views/retro.py", label="Retro", icon=":material/event_repeat:")


st.title("Overview")
st.write("Where this workspace stands: how many alerts became entries worth a look, the five that hurt customers "
         "most, how each journey stage is doing, and what changed or waits for a decision.")
workspace = workspace_path()
show_flash()
uploads, found = (), {"queue": None, "suggestions": []}  # what the sections read if a step fails
with guard("reading the workspace"):
    if is_empty(workspace):
        first_steps(workspace)
        st.stop()
    uploads = upload_key(workspace)
    arrival_line(workspace)
    state, base = shared_base(str(workspace), "Ranking the queue…",
                              "A decision changed the configuration: the queue is being ranked "
                              "again under it. The figures below are from before the change.")
    found = overview_of(str(workspace), state, base)
    queue_section(found["queue"])
with guard("checking the feeds"):
    feed_health_section(workspace)
with guard("reading the journey"):
    journey_section(journey_of(str(workspace), uploads))
with guard("measuring the AI features"):
    ai = ai_of(str(workspace), uploads)
    if ai is not None:
        ai_section(ai)
with guard("gathering what changed"):
    changes_section(workspace, found["suggestions"])
