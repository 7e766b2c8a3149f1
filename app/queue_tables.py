"""The Ranked page's queue: its entries table, the needs-mapping lane and the counts line. Showing only:
the entries, the lane and the counts come from notebooks/queue/queue_view.py, the same functions
`journeylens rank`, the audit and the retro use, so every surface counts one queue in the same words."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st
from journeylens.notebooks.queue.explain import duration_words
from journeylens.notebooks.queue.queue_view import URGENT, counts_text, entries_with_routing, lane_in_order
from journeylens.notebooks.retro.scope import all_data_scope, scoped

# The entries table as shown: who, where, how bad, the score's main factors, then routing. The frame keeps
# every entry column (the drill-down and the tests read them); the score's full breakdown is the drill-down's.
ENTRY_COLUMNS = ("rank", "score", "stage", "service", "name", "severity", "kind", "members", "services", "alert_count",
                 "lasted",
                 "harm", "stage_factor", "signal", "corroboration", "instances", "sources", "suppressed_reason",
                 "playbook", "automation_tier", "change_at", "change_description")
PAGE_SIZE = 50  # entries a page of the table shows: the browser gets these rows only
LANE_ROWS = 500  # needs-mapping groups shown (the download has all)
# Human headers (and formats) for the queue's columns, on every table that shows them.
HEADERS = {
    "rank": st.column_config.NumberColumn("#", format="%d", width="small"),
    "score": st.column_config.NumberColumn("Score", format="%.1f", help="0–100: stage at stake × signal × harm"),
    "kind": st.column_config.TextColumn("Kind"),
    "stage": st.column_config.TextColumn("Stage"),
    "service": st.column_config.TextColumn("Service"),
    "name": st.column_config.TextColumn("Alert"),
    "severity": st.column_config.TextColumn("Severity"),
    "members": st.column_config.NumberColumn("Groups", help="alert groups in this entry (one outage)"),
    "services": st.column_config.TextColumn("Services", help="the services of its groups and signals"),
    "alert_count": st.column_config.NumberColumn("Alerts", format="%,d"),
    "lasted": st.column_config.TextColumn("Lasted", help="from the first alert firing to the last resolving"),
    "harm": st.column_config.NumberColumn("Harm", format="percent", help="measured harm in the window (0 = none seen)"),
    "stage_factor": st.column_config.NumberColumn("Stage at stake", format="percent", help="impact/10 × (0.5 + 0.5 × sensitivity)"),
    "signal": st.column_config.NumberColumn("Signal", format="percent", help="the weighted mean of the alert's components"),
    "corroboration": st.column_config.NumberColumn("Harm factor", format="percent", help="share of the score harm evidence keeps"),
    "instances": st.column_config.TextColumn("Instances", help="instances, hosts or regions of its alerts"),
    "sources": st.column_config.TextColumn("Sources"),
    "suppressed_reason": st.column_config.TextColumn("Suppressed because"),
    "playbook": st.column_config.TextColumn("Playbook"),
    "automation_tier": st.column_config.TextColumn("Automation"),
    "change_at": st.column_config.DatetimeColumn("Change before", format="YYYY-MM-DD HH:mm"),
    "change_description": st.column_config.TextColumn("Change"),
    "first_fired_at": st.column_config.DatetimeColumn("First fired", format="YYYY-MM-DD HH:mm"),
    "suggested_rule": st.column_config.TextColumn("Suggested rule"),
    "source": st.column_config.TextColumn("Source"),
    "suppressed": st.column_config.CheckboxColumn("Suppressed"),
    "group_id": st.column_config.TextColumn("Group id"),
}
VIEW = "queue_view"  # the tabs' key: st.session_state holds the open tab's label
LANE_COLUMNS = ("service", "name", "severity", "instances", "alert_count", "first_fired_at", "score", "suppressed",
                "suggested_rule", "source")


@st.cache_data(max_entries=8, show_spinner=False)
def unmapped_rules(workspace: str, uploads: tuple) -> pd.DataFrame:
    """The coverage's unmapped services and their suggested rules (mapping.coverage), once per upload set:
    they fill a rule the ranking does not give. `uploads` is part of the cache key only."""
    from journeylens.notebooks.queue.mapping import coverage
    from journeylens.notebooks.workspace.snapshot import close_snapshot, connect

    con = connect(Path(workspace))
    try:
        return coverage(con)["unmapped"][["service", "suggested_rule"]]
    finally:
        close_snapshot(con)


def entries_of(frame: pd.DataFrame) -> pd.DataFrame:
    """The ranked queue of a whole frame with the lead group's routing (queue_view.entries_with_routing)."""
    return entries_with_routing(frame)


def counts_line(counts: dict, span: pd.DataFrame) -> dict:
    """The counts every surface prints, with the period they cover in front (retro/scope.py)."""
    st.caption(scoped(all_data_scope(span), counts_text(counts)))
    return counts


def page_of(total: int) -> int:
    """The page of the entries table asked for (1 when they fit on one), and the line saying which rows show."""
    pages = max(1, -(-total // PAGE_SIZE))
    page = 1
    if pages > 1:
        page = int(st.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, step=1, key="queue_page"))
    first = (page - 1) * PAGE_SIZE
    if total:
        st.caption(f"Entries {first + 1:,}–{min(first + PAGE_SIZE, total):,} of {total:,}, best first. "
                   "Click a row to see why it ranks where it does.")
    return page


def entries_table(live, counts: dict) -> tuple[pd.DataFrame, object]:
    """The metrics, the show-suppressed switch and one page of the entries table (only the page's rows and the
    columns on screen go to the browser), a row click selecting an entry; returns the page's entries and
    the table's selection event."""
    cells = st.columns(4)
    cells[0].metric("Entries", f"{counts['entries']:,}")
    cells[1].metric("In the queue", f"{counts['in_queue']:,}")
    cells[2].metric("Suppressed", f"{counts['suppressed']:,}")
    cells[3].metric("Incident candidates", f"{counts['incident_candidates']:,}")
    show_all = st.toggle("Show suppressed entries", key="show_suppressed")
    page = page_of(counts["entries"] if show_all else counts["in_queue"])
    shown = live.entries((page - 1) * PAGE_SIZE, PAGE_SIZE, include_suppressed=show_all)
    shown["lasted"] = shown["duration_min"].map(lambda m: "—" if pd.isna(m) else duration_words(m))
    on_screen = shown[[c for c in ENTRY_COLUMNS if c in shown]]
    picked = st.dataframe(on_screen, hide_index=True, key="ranked_table", placeholder="—", column_config=HEADERS,
                          on_select="rerun", selection_mode="single-row")
    return shown, picked


def queue_tabs(counts: dict) -> tuple:
    """The Queue and Needs mapping tabs, labelled with their counts. They say which is open (`.open`; a switch
    reruns the page), so that the page reads the open one's rows only. A tab whose label changed is a new
    widget, which would open the first tab: the one open before stays open, found by its name."""
    labels = [f"Queue ({counts['in_queue']:,} entries)",
              f"Needs mapping ({counts['needs_mapping']:,} groups, {counts['needs_mapping_urgent']:,} critical/high)"]
    was = str(st.session_state.get(VIEW) or "").partition(" (")[0]
    default = next((label for label in labels if was and label.partition(" (")[0] == was), None)
    return st.tabs(labels, key=VIEW, on_change="rerun", default=default)


def lane(live, counts: dict, workspace: Path, uploads: tuple) -> pd.DataFrame:
    """The needs-mapping lane: every alert group no touchpoint claims, critical/high first, whatever it
    scores (the threshold switch above never hides it), with the suggested rule; its first LANE_ROWS."""
    rows, total = live.lane(LANE_ROWS)
    groups = lane_in_order(rows, unmapped_rules(str(workspace), uploads))
    if groups.empty:
        st.success("Every alert group maps to a journey stage.")
        return groups
    urgent = counts["needs_mapping_urgent"]
    st.write(f"{total:,} alert groups on services no touchpoint claims ({urgent:,} {'/'.join(URGENT)}). "
             "Their stage is unknown, so nothing says how much customers feel them: they are listed here whatever "
             "they score. Add the suggested rule to the journey map (Data page), or map the service."
             + (f" The first {LANE_ROWS:,} are shown; the download of alert groups above has every one."
                if total > LANE_ROWS else ""))
    st.dataframe(groups[[c for c in LANE_COLUMNS if c in groups]], hide_index=True, key="needs_mapping_table",
                 placeholder="—", column_config=HEADERS)
    return groups


def members_of(members: pd.DataFrame) -> pd.DataFrame:
    """An entry's member groups (LiveQueue.member_rows), in the queue's order, with what tells them apart."""
    columns = [c for c in ("rank", "group_id", "source", "service", "name", "instances", "severity", "score",
                           "suppressed", "alert_count", "first_fired_at") if c in members]
    return members[columns]


def members_table(members: pd.DataFrame) -> None:
    st.dataframe(members_of(members), hide_index=True, key="members_table", placeholder="—", column_config=HEADERS)


def entry_label(entry) -> str:
    """A drill-down label: rank, service, name, its instances when known (so two entries never look
    alike), the number of groups of an incident candidate, and the stage last."""
    instances = f" · on {entry.instances}" if isinstance(entry.instances, str) and entry.instances else ""
    members = f" · {entry.members} groups" if entry.members > 1 else ""
    stage = entry.stage if isinstance(entry.stage, str) and entry.stage else "unmapped"
    return f"#{entry.rank} · {entry.service} · {entry.name}{instances}{members} · {stage}"
