"""The journeylens app: `streamlit run app/streamlit_app.py` (or `journeylens app`).

One entry, pages registered with st.navigation; they live in views/ (a folder named pages/ would
switch on Streamlit's legacy multipage navigation). Page paths are relative to this file.

When the environment variable JOURNEYLENS_RUN_TIMINGS names a file, every script run appends one JSON line
{"page": title, "seconds": time of the page's run} to it: the server's side of bench/bench_app.py."""

import json
import os
import time
from pathlib import Path

import streamlit as st
from journeylens.app.ui import workspace_path

# The browser tab's icon, from the package: a page's ":material/...:" icon would be fetched from a font CDN
ICON = Path(__file__).resolve().parent / "static" / "journeylens.png"

st.set_page_config(page_title="journeylens", page_icon=str(ICON), layout="wide")

pages = [
    st.Page("views/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("views/data.py", title="Data", icon=":material/upload_file:"),
    st.Page("views/audit.py", title="Audit", icon=":material/fact_check:"),
    st.Page("views/ranked.py", title="Ranked alerts", icon=":material/format_list_numbered:"),
    st.Page("views/health.py", title="Journey health", icon=":material/monitor_heart:"),
    st.Page("views/ai.py", title="AI outcomes", icon=":material/smart_toy:"),
    st.Page("views/retro.py", title="Retro", icon=":material/event_repeat:"),
    st.Page("views/governance.py", title="Governance", icon=":material/verified_user:"),
]
pg = st.navigation(pages)
st.set_page_config(page_icon=str(ICON))  # after st.navigation, which sets the page's own icon
st.sidebar.caption(f"Workspace: `{workspace_path()}`")
started = time.perf_counter()
try:
    pg.run()
finally:  # also a run cut short by a rerun or a page switch (Streamlit raises through pg.run to end it)
    if timings := os.environ.get("JOURNEYLENS_RUN_TIMINGS"):
        with open(timings, "a") as log:
            log.write(json.dumps({"page": pg.title, "seconds": time.perf_counter() - started}) + "\n")
