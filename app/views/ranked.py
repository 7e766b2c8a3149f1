"""Ranked alerts: which problems hurt customers most right now, under a weight profile you can tune.

The page asks and shows only. The session keeps its ranking open (`notebooks/queue/live_queue.py`) in
st.session_state, keyed by the workspace and its upload ids, so a slider re-ranks on the fast path and a
new upload ranks in full; the drill-down (app/ranked_drill.py: a row click, the picker, ?entry= or
st.session_state["drill_entry"] opens it) reads the same ranking. Profiles: `notebooks/queue/profiles.py`.
The queue is shown as entries (one per incident candidate, its member groups listed), beside the
needs-mapping lane and the counts line every surface prints (app/queue_tables.py, queue/queue_view.py)."""

import copy
from pathlib import Path

import pandas as pd
import streamlit as st
from journeylens.app.downloads import ranked_downloads
from journeylens.app.queue_tables import counts_line, entries_table, lane
from journeylens.app.ranked_drill import drill_down, open_entry
from journeylens.app.ui import flash, guard, show_flash, upload_key, workspace_path
from journeylens.notebooks.ingest.playbook_file import load_playbooks
from journeylens.notebooks.queue.live_queue import LiveQueue
from journeylens.notebooks.queue.profiles import load_profile, profile_diff, profile_history, save_profile
from journeylens.notebooks.queue.scoring import DEFAULT_PROFILE
from journeylens.notebooks.workspace.versions import list_names

DEFAULT_NAME = "default"
# (setting, label, min, max, step, help); "weights.x" is a weight. Integers have integer steps; a
# switch (no step) is a checkbox.
KNOBS = [
    *[(f"weights.{w}", f"Weight: {w}", 0.0, 1.0, 0.05, f"How much the {w} of an alert counts in its signal.")
      for w in DEFAULT_PROFILE["weights"]],
    ("corroboration", "Corroboration", 0.0, 1.0, 0.05,
     "How much observed journey harm decides: an alert whose stage was measured fine keeps 1 − this."),
    ("harm_exponent", "Harm exponent", 0.2, 2.0, 0.1,
     "Harm counts as harm^this: below 1, that a stage got worse counts more than by how much."),
    ("harm_observed_min", "Least harm that counts", 0.0, 1.0, 0.05,
     "Harm below this counts as none (and does not keep a group above the threshold)."),
    ("threshold", "Suppression threshold", 0.0, 100.0, 0.5, "Groups scoring below are suppressed (kept, marked)."),
    ("threshold_spares_harm", "Threshold never hides observed harm", None, None, None,
     "A group whose stage measurably got worse in its window stays in the queue, however low it scores."),
    ("group_gap_minutes", "Group gap (minutes)", 1, 1440, 5, "Alerts of one key further apart are separate."),
    ("default_exposure", "Default exposure", 0.0, 1.0, 0.05, "Exposure of a stage without journey metrics."),
    ("default_harm", "Default harm", 0.0, 1.0, 0.05, "Harm where it cannot be measured."),
    ("default_confidence", "Default confidence", 0.0, 1.0, 0.05, "Confidence of a tool that gives none."),
    ("harm_full_drop", "Conversion drop that counts fully", 0.05, 1.0, 0.05,
     "A conversion this far (relative) below its baseline is full harm."),
    ("min_entered", "Minimum entries to call a drop", 0, 1000, 5, "Fewer entries in the window: no harm read."),
]
LIVE = "_live_queue"  # st.session_state key of the session's open ranking


def get_setting(profile: dict, key: str):
    section, _, name = key.partition(".")
    return profile[section][name] if name else profile[section]


def set_setting(profile: dict, key: str, value) -> None:
    section, _, name = key.partition(".")
    if name:
        profile[section][name] = value
    else:
        profile[section] = value


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


# -- sidebar: the profile --------------------------------------------------------------------------

def profile_controls(ws: Path) -> tuple[str, dict]:
    """The profile picker and one control per setting; returns (picked name, the profile as set)."""
    st.sidebar.subheader("Weight profile")
    if "_pick_next" in st.session_state:
        st.session_state["profile_pick"] = st.session_state.pop("_pick_next")
    names = [DEFAULT_NAME] + [n for n in list_names(ws, "profiles") if n != DEFAULT_NAME]
    picked = st.sidebar.selectbox("Profile", names, key="profile_pick")
    record = load_profile(ws, picked)
    st.sidebar.caption(f"Version {record['version']} · {record.get('author') or '—'}"
                       + (f" · {record['comment']}" if record.get("comment") else ""))
    loaded = (picked, record["version"])
    if st.session_state.get("_loaded_profile") != loaded:  # a new pick: controls start from its values
        for key, *_ in KNOBS:
            st.session_state[f"knob-{key}"] = get_setting(record["profile"], key)
        st.session_state["_loaded_profile"] = loaded
    profile = copy.deepcopy(record["profile"])
    for key, label, low, high, step, help_text in KNOBS:
        current = st.session_state[f"knob-{key}"]
        if step is None:
            set_setting(profile, key, st.sidebar.checkbox(label, key=f"knob-{key}", help=help_text))
            continue
        if isinstance(step, int):
            low, high, cast = int(min(low, current)), int(max(high, current)), int
        else:
            low, high, cast = float(min(low, current)), float(max(high, current)), float
        st.session_state[f"knob-{key}"] = cast(current)
        value = st.sidebar.slider(label, low, high, step=cast(step), key=f"knob-{key}", help=help_text)
        set_setting(profile, key, value)
    return picked, profile


def save_form(ws: Path, picked: str, profile: dict) -> None:
    with st.sidebar.form("save_profile"):
        st.markdown("**Save as new version**")
        name = st.text_input("Profile name", value="" if picked == DEFAULT_NAME else picked, key="save_name")
        author = st.text_input("Author", key="save_author")
        comment = st.text_input("Comment", key="save_comment")
        if st.form_submit_button("Save as new version"):
            if not name.strip():
                st.warning("Give the profile a name.")
                return
            with guard("saving the profile"):
                record = save_profile(ws, name.strip(), profile, author=author.strip() or None, comment=comment)
                flash(f"Saved profile {record['name']} as version {record['version']}.")
                st.session_state["_pick_next"] = record["name"]
                st.session_state.pop("_loaded_profile", None)
                st.rerun()


# -- main: the answer and the drill-down -----------------------------------------------------------

def profile_versions(ws: Path, picked: str) -> None:
    """Who changed the profile, when and why, and what changed between two versions."""
    history = profile_history(ws, picked) if picked != DEFAULT_NAME or list_names(ws, "profiles") else []
    if not history:
        return
    with st.expander(f"Versions of profile {picked}"):
        st.dataframe(pd.DataFrame(history), hide_index=True, key="profile_history")
        numbers = [0] + [h["version"] for h in history]
        left, right = st.columns(2)
        old = left.selectbox("Compare version", numbers, index=max(len(numbers) - 2, 0), key="diff_old",
                             format_func=lambda v: "built-in defaults" if v == 0 else f"v{v}")
        new = right.selectbox("with version", numbers, index=len(numbers) - 1, key="diff_new",
                              format_func=lambda v: "built-in defaults" if v == 0 else f"v{v}")
        changes = profile_diff(ws, picked, old, new)
        if changes:
            st.dataframe(pd.DataFrame(changes, columns=["setting", "old", "new"]).astype(str), hide_index=True,
                         key="profile_diff")
        else:
            st.caption("No setting differs.")


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
        counts_line(counts)
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
    profile_versions(workspace, picked)
