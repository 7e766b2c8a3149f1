"""The Overview's feed health: one line per feed problem (a gap, a stale feed, a volume change, a schema
change), or one line saying every feed looks healthy. The checks are notebooks/signals/feed_health.py."""

import re
from datetime import UTC, datetime
from pathlib import Path

import streamlit as st
from journeylens.app.ui import upload_key
from journeylens.notebooks.queue.profiles import load_profile
from journeylens.notebooks.signals.feed_health import feed_summary, workspace_feed_problems

# names from the data (a layout, a column, a label key, a file) are shown as code, never as markdown
NAMES = re.compile(r"[\w.\-/]*_[\w.\-/]*|[*#\[\]<>|~]")
SHOWN = 8  # lines before the rest goes behind an expander
ICONS = {"stale": ":material/schedule:", "gap": ":material/block:", "volume": ":material/monitoring:",
         "schema": ":material/schema:"}


@st.cache_data(max_entries=8, show_spinner="Checking the feeds…")
def problems_of(ws: str, uploads: tuple, minute: str, settings: tuple):
    """Feed problems once per workspace state, feed settings and minute (a live feed goes stale on the wall
    clock)."""
    return workspace_feed_problems(ws, dict(settings), now=datetime.fromisoformat(minute))


def line(row: dict) -> str:
    text = NAMES.sub(lambda found: f"`{found.group(0)}`", str(row["text"]).replace("`", "'"))
    return f"{ICONS.get(row['check'], '')} {text}"


def feed_health_section(workspace: Path) -> None:
    st.subheader("Feed health")
    minute = datetime.now(UTC).replace(second=0, microsecond=0).isoformat()
    profile = load_profile(workspace)["profile"]  # the default profile's feed_<knob> settings
    settings = tuple(sorted((k, v) for k, v in profile.items() if k.startswith("feed_")))
    problems = problems_of(str(workspace), upload_key(workspace), minute, settings)
    st.caption(feed_summary(problems) + (" A silent feed makes a quiet queue look healthy." if len(problems) else ""))
    rows = problems.to_dict("records")
    for row in rows[:SHOWN]:
        st.markdown(line(row))
    if len(rows) > SHOWN:
        with st.expander(f"{len(rows) - SHOWN} more feed problems"):
            for row in rows[SHOWN:]:
                st.markdown(line(row))
