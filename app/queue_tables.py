"""The Ranked page's queue: its entries table, the needs-mapping lane and the counts line. Showing only:
the entries, the lane and the counts come from notebooks/queue/queue_view.py, the same functions
`journeylens rank`, the audit and the retro use, so every surface counts one queue in the same words."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st
from journeylens.notebooks.queue.explain import duration_words
from journeylens.notebooks.queue.queue_view import (
    URGENT,
    counts_text,
    needs_mapping,
    queue_counts,
    queue_entries,
)

# The entries table as shown: who, where, how bad, the score's main factors, then routing. The frame keeps
# every entry column (the drill-down and the tests read them); the score's full breakdown is the drill-down's.
ENTRY_COLUMNS = ("rank", "score", "stage", "service", "name", "severity", "kind", "members", "alert_count", "lasted",
                 "harm", "stage_factor", "signal", "corroboration", "instances", "sources", "suppressed_reason",
                 "playbook", "automation_tier", "change_at", "change_description")
LEAD_COLUMNS = ("flapping", "playbook", "automation_tier", "change_at", "change_service", "change_description",
                "duration_min")
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
LANE_COLUMNS = ("service", "name", "severity", "instances", "alert_count", "first_fired_at", "score", "suppressed",
                "suggested_rule", "source")


@st.cache_data(max_entries=8, show_spinner=False)
def unmapped_rules(workspace: str, uploads: tuple) -> pd.DataFrame:
    """The coverage's unmapped services and their suggested rules (mapping.coverage), once per upload set:
    they fill a rule the ranking does not give. `uploads` is part of the cache key only."""
    from journeylens.notebooks.queue.mapping import coverage
    from journeylens.notebooks.workspace.snapshot import connect

    con = connect(Path(workspace))
    try:
        return coverage(con)["unmapped"][["service", "suggested_rule"]]
    finally:
        con.close()


def lead_group(entries: pd.DataFrame) -> pd.Series:
    """The group_id of each entry's lead (its first member: member_group_ids lists the lead first)."""
    return entries["member_group_ids"].astype(str).str.split(";").str[0]


def entries_of(frame: pd.DataFrame) -> pd.DataFrame:
    """The ranked queue (queue_view.queue_entries) with the lead group's routing (playbook, change...)."""
    entries = queue_entries(frame)
    lead = frame.set_index("group_id").reindex(lead_group(entries))
    for column in LEAD_COLUMNS:
        if column in lead:
            entries[column] = lead[column].to_numpy()
    return entries


def counts_line(frame: pd.DataFrame) -> dict:
    counts = queue_counts(frame)
    st.caption(counts_text(counts))
    return counts


def entries_table(entries: pd.DataFrame, counts: dict) -> tuple[pd.DataFrame, object]:
    """The metrics, the show-suppressed switch and the entries table, a row click selecting an entry;
    returns the entries shown and the table's selection event."""
    cells = st.columns(4)
    cells[0].metric("Entries", f"{counts['entries']:,}")
    cells[1].metric("In the queue", f"{counts['in_queue']:,}")
    cells[2].metric("Suppressed", f"{counts['suppressed']:,}")
    cells[3].metric("Incident candidates", f"{counts['incident_candidates']:,}")
    show_all = st.toggle("Show suppressed entries", key="show_suppressed")
    shown = entries if show_all else entries[~entries["suppressed"]]
    shown = shown.drop(columns=["alert_ids"])  # the member alerts' ids: the drill-down lists them, the browser needs none
    shown["lasted"] = shown["duration_min"].map(lambda m: "—" if pd.isna(m) else duration_words(m))
    st.caption("Click a row to see why it ranks where it does.")
    picked = st.dataframe(shown, hide_index=True, column_order=ENTRY_COLUMNS, key="ranked_table", placeholder="—",
                          column_config=HEADERS, on_select="rerun", selection_mode="single-row")
    return shown, picked


def lane(frame: pd.DataFrame, workspace: Path, uploads: tuple) -> pd.DataFrame:
    """The needs-mapping lane: every alert group no touchpoint claims, critical/high first, whatever it
    scores (the threshold switch above never hides it), with the suggested rule."""
    groups = needs_mapping(frame, unmapped_rules(str(workspace), uploads))
    if groups.empty:
        st.success("Every alert group maps to a journey stage.")
        return groups
    urgent = groups["severity"].astype("string").str.lower().isin(URGENT).sum()
    st.write(f"{len(groups):,} alert groups on services no touchpoint claims ({urgent:,} {'/'.join(URGENT)}). "
             "Their stage is unknown, so nothing says how much customers feel them: they are listed here whatever "
             "they score. Add the suggested rule to the journey map (Data page), or map the service.")
    st.dataframe(groups, hide_index=True, column_order=LANE_COLUMNS, key="needs_mapping_table", placeholder="—",
                 column_config=HEADERS)
    return groups


def members_of(frame: pd.DataFrame, entry: pd.Series) -> pd.DataFrame:
    """The member groups of an entry, in the queue's order, with what tells them apart."""
    ids = str(entry["member_group_ids"]).split(";")
    members = frame[frame["group_id"].isin(ids)]
    columns = [c for c in ("rank", "group_id", "source", "service", "name", "instances", "severity", "score",
                           "suppressed", "alert_count", "first_fired_at") if c in members]
    return members[columns]


def members_table(frame: pd.DataFrame, entry: pd.Series) -> None:
    st.dataframe(members_of(frame, entry), hide_index=True, key="members_table", placeholder="—", column_config=HEADERS)


def entry_label(entry) -> str:
    """A drill-down label: rank, service, name, its instances when known (so two entries never look
    alike), the number of groups of an incident candidate, and the stage last."""
    instances = f" · on {entry.instances}" if isinstance(entry.instances, str) and entry.instances else ""
    members = f" · {entry.members} groups" if entry.members > 1 else ""
    stage = entry.stage if isinstance(entry.stage, str) and entry.stage else "unmapped"
    return f"#{entry.rank} · {entry.service} · {entry.name}{instances}{members} · {stage}"
