"""The Ranked page's "compare with the saved profile": the queue under the sliders against the queue under
the picked profile as saved. Which entries move, by how many places and how much score, and which enter or
leave the queue. Showing only: the comparison is notebooks/queue/profile_compare.py's.

The saved profile's queue is ranked only when the view is switched on, on its own short-lived connection
(profile_compare.saved_entries), never on the page's open ranking. Its small entries frame is kept in
st.session_state under (workspace, uploads, profile, version), one at a time, so moving a slider compares
again without ranking the saved profile again, and nothing large outlives the view."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st
from journeylens.app.ui import guard, upload_key
from journeylens.app.weight_controls import LABELS
from journeylens.notebooks.queue.profile_compare import (
    changed_settings,
    compare_queues,
    comparison_counts,
    comparison_text,
    movers,
    saved_entries,
)
from journeylens.notebooks.queue.profiles import load_profile

SAVED = "_saved_queue"  # st.session_state: (key, entries) of the last saved profile ranked for the view
LISTED_AT_MOST = 500  # rows of the movers table; the sentence above it counts them all
CHARTED = 15  # the largest moves drawn
COLORS = {"moved up": "#2ca02c", "entered the queue": "#1f77b4", "moved down": "#d62728", "left the queue": "#ff7f0e"}
COLUMNS = ("change", "rank_saved", "rank_now", "places", "score_saved", "score_now", "score_change", "state_saved",
           "state_now", "stage", "service", "name")
HEADERS = {
    "change": st.column_config.TextColumn("What changed"),
    "rank_saved": st.column_config.NumberColumn("Place as saved", format="%d"),
    "rank_now": st.column_config.NumberColumn("Place now", format="%d"),
    "places": st.column_config.NumberColumn("Places moved", format="%+d", help="positive: moved up the queue"),
    "score_saved": st.column_config.NumberColumn("Score as saved", format="%.1f"),
    "score_now": st.column_config.NumberColumn("Score now", format="%.1f"),
    "score_change": st.column_config.NumberColumn("Score change", format="%+.1f"),
    "stage": st.column_config.TextColumn("Stage"),
    "service": st.column_config.TextColumn("Service"),
    "name": st.column_config.TextColumn("Alert"),
    "state_saved": st.column_config.TextColumn("Queue as saved"),
    "state_now": st.column_config.TextColumn("Queue now"),
}


def saved_queue(workspace: Path, record: dict) -> pd.DataFrame:
    """The entries of the saved profile's queue, ranked once per (workspace, uploads, profile, version)."""
    key = (str(workspace), upload_key(workspace), record["name"], record["version"])
    kept = st.session_state.get(SAVED)
    if kept is None or kept[0] != key:
        st.session_state.pop(SAVED, None)  # the old frame goes before the new one is ranked
        with st.spinner("Ranking the queue under the saved profile…"):
            kept = st.session_state[SAVED] = (key, saved_entries(workspace, record["profile"]))
    return kept[1]


def profile_label(record: dict) -> str:
    if record["version"] == 0:
        return f"{record['name']} (the built-in defaults)"
    return f"{record['name']} version {record['version']}"


def setting_text(setting: str, old, new) -> str:
    number = isinstance(old, int | float) and not isinstance(old, bool)
    return f"{LABELS.get(setting, setting)} {old:g} → {new:g}" if number else f"{LABELS.get(setting, setting)} {old} → {new}"


def moves_chart(moved: pd.DataFrame) -> alt.Chart:
    """The largest moves, up or down, as bars of places moved (up to the right), one row per entry, largest first."""
    placed = moved[moved["places"].notna() & moved["places"].ne(0)]
    top = placed.loc[placed["places"].abs().sort_values(ascending=False, kind="stable").index].head(CHARTED)
    # the places make each label unique: entries of one alert (three SearchErrorRateHigh groups) stay apart
    frame = pd.DataFrame({
        "entry": ("#" + top["rank_saved"].astype(str) + " → #" + top["rank_now"].astype(str) + "  "
                  + (top["service"].fillna("").astype(str) + " · " + top["name"].fillna("").astype(str)).str.slice(0, 50)),
        "places": top["places"].astype(int), "change": top["change"], "was": top["rank_saved"].astype(int),
        "now": top["rank_now"].astype(int), "score_change": top["score_change"].round(1)})
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("places:Q", title="Places moved (up is right)", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("entry:N", title=None, sort=list(frame["entry"]), axis=alt.Axis(labelLimit=360)),
        color=alt.Color("change:N", title=None, scale=alt.Scale(domain=list(COLORS), range=list(COLORS.values()))),
        tooltip=[alt.Tooltip("entry:N", title="Entry"), alt.Tooltip("was:Q", title="Place as saved"),
                 alt.Tooltip("now:Q", title="Place now"), alt.Tooltip("score_change:Q", title="Score change")],
    ).properties(title=f"The {len(frame)} largest moves", height=alt.Step(22))


def compare_with_saved(workspace: Path, picked: str, profile: dict, live) -> None:
    """The switch and, when on, the comparison of the queue under the sliders (`profile`, ranked by the
    page's open ranking `live`: a LiveQueue) with the queue under the picked profile as saved."""
    if not st.toggle("Compare with the saved profile", key="compare_saved",
                     help="Which entries the sliders move, against the picked profile as it was saved."):
        return
    with guard("comparing with the saved profile"):
        record = load_profile(workspace, picked)
        changes = changed_settings(profile, record["profile"])
        if not changes:
            st.info("The sliders match the saved profile.")
            return
        st.subheader("The sliders against the saved profile")
        st.caption(f"The queue under the sliders against the queue under {profile_label(record)}. Changed: "
                   + "; ".join(setting_text(*change) for change in changes) + ".")
        comparison = compare_queues(saved_queue(workspace, record), live.entry_summary())
        st.write(comparison_text(comparison_counts(comparison)))
        moved = movers(comparison)
        if moved.empty:
            return
        if moved["places"].fillna(0).ne(0).any():
            st.altair_chart(moves_chart(moved), width="stretch")
        if len(moved) > LISTED_AT_MOST:
            st.caption(f"The {LISTED_AT_MOST:,} largest of {len(moved):,} changes are listed.")
        st.dataframe(moved.head(LISTED_AT_MOST), hide_index=True, column_order=COLUMNS, column_config=HEADERS,
                     key="profile_compare_table", placeholder="—")
