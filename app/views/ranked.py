"""Ranked alerts: which problems hurt customers most right now, under a weight profile you can tune.

The page asks and shows only. The session keeps its ranking open (`notebooks/queue/live_queue.py`) in
st.session_state, keyed by the workspace and its upload ids, so a slider re-ranks on the fast path and a
new upload ranks in full; the drill-down (app/ranked_drill.py: a row click, the picker, ?entry= or
st.session_state["drill_entry"] opens it) reads the same ranking. Profiles: `notebooks/queue/profiles.py`.
The queue is shown as entries (one per incident candidate, its member groups listed), beside the
needs-mapping lane and the counts line every surface prints (app/queue_tables.py, queue/queue_view.py)."""

from pathlib import Path

import streamlit as st
from journeylens.app.downloads import ranked_downloads
from journeylens.app.profile_compare_view import compare_with_saved
from journeylens.app.queue_tables import counts_line, entries_table, lane
from journeylens.app.ranked_drill import drill_down, open_entry
from journeylens.app.ui import guard, show_flash, upload_key, workspace_path
from journeylens.app.weight_controls import profile_controls, profile_versions, save_form
from journeylens.notebooks.ingest.playbook_file import load_playbooks
from journeylens.notebooks.queue.live_queue import LiveQueue

LIVE = "_live_queue"  # st.session_state key of the session's open ranking


# -- the session's ranking, kept open -------------------------------------------------------------

def live_queue(ws: Path) -> LiveQueue:
    """This session's open ranking of `ws`; a new one (a full ranking) when the workspace or its uploads
    changed. Sessions do not share it: each re-ranks under its own sliders."""
    key = (str(ws), upload_key(ws))
    live = st.session_state.get(LIVE)
    if live is None or live.key != key:
        if live is not None:
            live.close()
        live = st.session_state[LIVE] = LiveQueue(ws, signals=True, key=key)
    return live


# -- the page: title, what it answers, controls, answer, detail ------------------------------------

st.title("Ranked alerts")
st.write("Which problems hurt customers most? Alert groups, journey signals and AI signals are scored by journey "
         "stage, signal and observed harm under the weight profile in the sidebar; groups of one outage are one "
         "entry. Change a weight and the queue re-ranks.")
workspace = workspace_path()
show_flash()

with guard("ranking the alerts"):
    picked, profile = profile_controls(workspace)
    save_form(workspace, picked, profile)
    live = live_queue(workspace)
    with st.spinner("Ranking the alerts…"):
        live.update(profile, load_playbooks(workspace))
    counts = live.counts()
    if not counts["entries"]:
        st.info("No alerts to rank yet. Add alerts and a journey map on the Data page, or run "
                "`journeylens demo` for a sample workspace.")
    else:
        counts_line(counts, live.span())
        ranked_downloads(live)
        queue_tab, lane_tab = st.tabs([f"Queue ({counts['in_queue']:,} entries)",
                                       f"Needs mapping ({counts['needs_mapping']:,} groups, "
                                       f"{counts['needs_mapping_urgent']:,} critical/high)"])
        with queue_tab:
            shown, picked_row = entries_table(live, counts)
            st.subheader("Why this entry?")
            entry = open_entry(live, shown, picked_row)
            if entry is not None:
                drill_down(live, entry)
        with lane_tab:
            lane(live, counts, workspace, upload_key(workspace))
        compare_with_saved(workspace, picked, profile, live)
    profile_versions(workspace, picked)
