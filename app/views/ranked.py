"""Ranked alerts: which problems hurt customers most right now, under a weight profile you can tune.

The page asks and shows only. The ranking stays open on the server (`notebooks/queue/live_queue.py`), one
per workspace for every browser session (app/shared_queue.py), so a new tab reads it at once, a slider
re-ranks on the fast path and a new upload ranks in full; the page holds it from its re-ranking to its last
read, so another session's sliders never show here. The drill-down (app/ranked_drill.py: a row click, the
picker, ?entry= or st.session_state["drill_entry"] opens it) reads the same ranking. Profiles:
`notebooks/queue/profiles.py`. The queue is shown as entries (one per incident candidate, its member groups
listed), beside the needs-mapping lane (read only when its tab is open: at a million alerts it costs
seconds) and the counts line every surface prints (app/queue_tables.py, queue/queue_view.py)."""

import streamlit as st
from journeylens.app.downloads import ranked_downloads
from journeylens.app.live_status import arrival_line
from journeylens.app.profile_compare_view import compare_with_saved
from journeylens.app.queue_tables import counts_line, entries_table, lane, queue_tabs
from journeylens.app.ranked_drill import drill_down, open_entry
from journeylens.app.shared_queue import SessionRanking, ranked_queue
from journeylens.app.ui import guard, show_flash, upload_key, workspace_path
from journeylens.app.weight_controls import profile_controls, profile_versions, save_form
from journeylens.notebooks.ingest.playbook_file import load_playbooks

# -- the page: title, what it answers, controls, answer, detail ------------------------------------

st.title("Ranked alerts")
st.write("Which problems hurt customers most? Alert groups, journey signals and AI signals are scored by journey "
         "stage, signal and observed harm under the weight profile in the sidebar; groups of one outage are one "
         "entry. Change a weight and the queue re-ranks.")
workspace = workspace_path()
show_flash()
with guard("reading when data arrived"):
    arrival_line(workspace)

with guard("ranking the alerts"):
    picked, profile = profile_controls(workspace)
    save_form(workspace, picked, profile)
    playbooks = load_playbooks(workspace)
    with ranked_queue(workspace, profile, playbooks) as live:
        counts = live.counts()
        if not counts["entries"]:
            st.info("No alerts to rank yet. Add alerts and a journey map on the Data page, or run "
                    "`journeylens demo` for a sample workspace.")
        else:
            counts_line(counts, live.span())
            ranked_downloads(SessionRanking(workspace, profile, playbooks))
            queue_tab, lane_tab = queue_tabs(counts)
            if queue_tab.open:
                with queue_tab:
                    shown, picked_row = entries_table(live, counts)
                    st.subheader("Why this entry?")
                    entry = open_entry(live, shown, picked_row)
                    if entry is not None:
                        drill_down(live, entry)
            else:
                with lane_tab:
                    lane(live, counts, workspace, upload_key(workspace))
            compare_with_saved(workspace, picked, profile, live)
    profile_versions(workspace, picked)
