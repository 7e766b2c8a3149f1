"""The Ranked page's queue: its entries table, the needs-mapping lane and the counts line. Showing only:
the entries, the lane and the counts come from notebooks/queue/queue_view.py, the same functions
`journeylens rank`, the audit and the retro use, so every surface counts one queue in the same words."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st
from journeylens.notebooks.queue.queue_view import (
    URGENT,
    counts_text,
    needs_mapping,
    queue_counts,
    queue_entries,
)

# The entries table: the entry's own columns, then the lead group's score and routing.
ENTRY_COLUMNS = ("rank", "score", "kind", "stage", "service", "name", "instances", "severity", "members", "sources",
                 "alert_count", "stage_factor", "signal", "corroboration", "harm", "harm_observed", "exposure",
                 "severity_component", "confidence_component", "duration_component", "recurrence_component",
                 "suppressed", "suppressed_reason", "flapping", "playbook", "automation_tier", "change_at",
                 "change_service", "change_description", "member_group_ids", "incident_reason")
LEAD_COLUMNS = ("flapping", "playbook", "automation_tier", "change_at", "change_service", "change_description")
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


def entries_table(entries: pd.DataFrame, counts: dict) -> pd.DataFrame:
    """The metrics, the show-suppressed switch and the entries table; returns the entries shown."""
    cells = st.columns(4)
    cells[0].metric("Entries", f"{counts['entries']:,}")
    cells[1].metric("In the queue", f"{counts['in_queue']:,}")
    cells[2].metric("Suppressed", f"{counts['suppressed']:,}")
    cells[3].metric("Incident candidates", f"{counts['incident_candidates']:,}")
    show_all = st.toggle("Show suppressed entries", key="show_suppressed")
    shown = entries if show_all else entries[~entries["suppressed"]]
    st.dataframe(shown, hide_index=True, column_order=ENTRY_COLUMNS, key="ranked_table", column_config={
        "score": st.column_config.NumberColumn("score", format="%.1f"),
        "members": st.column_config.NumberColumn("groups", help="alert groups in this entry (one outage)"),
        "instances": st.column_config.TextColumn("instances", help="instances, hosts or regions of its alerts"),
        "member_group_ids": st.column_config.TextColumn("member groups"),
    })
    return shown


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
    st.dataframe(groups, hide_index=True, column_order=LANE_COLUMNS, key="needs_mapping_table",
                 column_config={"score": st.column_config.NumberColumn("score", format="%.1f"),
                                "suggested_rule": st.column_config.TextColumn("suggested rule")})
    return groups


def members_of(frame: pd.DataFrame, entry: pd.Series) -> pd.DataFrame:
    """The member groups of an entry, in the queue's order, with what tells them apart."""
    ids = str(entry["member_group_ids"]).split(";")
    members = frame[frame["group_id"].isin(ids)]
    columns = [c for c in ("rank", "group_id", "source", "service", "name", "instances", "severity", "score",
                           "suppressed", "alert_count", "first_fired_at") if c in members]
    return members[columns]


def entry_label(entry) -> str:
    """A drill-down label: rank, service, name, its instances when known (so two entries never look
    alike), the number of groups of an incident candidate, and the stage last."""
    instances = f" · on {entry.instances}" if isinstance(entry.instances, str) and entry.instances else ""
    members = f" · {entry.members} groups" if entry.members > 1 else ""
    stage = entry.stage if isinstance(entry.stage, str) and entry.stage else "unmapped"
    return f"#{entry.rank} · {entry.service} · {entry.name}{instances}{members} · {stage}"
