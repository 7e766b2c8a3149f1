"""The line at the top of the Overview and Ranked pages: when data last arrived, whether `journeylens serve`
feeds the workspace, and a watcher that re-runs the page when a new batch is committed. The facts come from
notebooks/live/arrivals.py."""

import streamlit as st
from journeylens.app.ui import upload_key
from journeylens.notebooks.live.arrivals import last_arrival

WATCH_LIVE = "5s"  # while a receiver commits every few seconds
WATCH_IDLE = "30s"  # an upload from the command line or another tab


def arrival_text(found: dict) -> str:
    if found["stored_at"] is None:
        return "No data has arrived yet."
    text = (f"Data last arrived {found['ago_text']} ({found['stored_at']:%Y-%m-%d %H:%M:%S} UTC, "
            f"{found['kind']}, {'from the live receiver' if found['live'] else 'an upload'}).")
    receiver = found["receiver"]
    if receiver:
        text += (f" Live: `journeylens serve` is receiving ({receiver.get('events', 0):,} events, "
                 f"{receiver.get('uploads', 0):,} batches stored since it started); this page refreshes on each batch.")
    return text


def arrival_line(workspace) -> None:
    """Shows the line, and re-runs the whole page as soon as the workspace holds an upload it did not."""
    shown = upload_key(workspace)
    receiving = last_arrival(workspace)["receiver"] is not None

    @st.fragment(run_every=WATCH_LIVE if receiving else WATCH_IDLE)
    def watch() -> None:
        if upload_key(workspace) != shown:
            st.rerun()
        st.caption(":material/schedule: " + arrival_text(last_arrival(workspace)))

    watch()
