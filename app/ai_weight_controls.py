"""The AI page's knobs in the sidebar: the weighted_score weights (task completion, relevance, safety), the
value of one successful interaction per AI feature (for ROI) and the shortest shadow run that may be
promoted. They apply to the page at once, the weighted score's change per feature is shown beside the
sliders, and "Save as new version" stores them in a weight profile (a new version with author and comment,
recorded in the audit trail).

Asking and showing only: the profile is notebooks/queue/profiles.py's, the numbers notebooks/ai/outcomes.py's.
Widget keys (the tests drive them): ai_profile_pick, ai-weight-<name>, ai-value-<feature>, ai-shadow-min-days,
ai_save_name, ai_save_author, ai_save_comment."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st
from journeylens.app.ui import flash, guard
from journeylens.notebooks.ai.outcomes import ai_features, weight_effect
from journeylens.notebooks.queue.profiles import load_profile, save_profile
from journeylens.notebooks.workspace.snapshot import close_snapshot, connect
from journeylens.notebooks.workspace.versions import list_names

DEFAULT_NAME = "default"
AI_WEIGHTS = (
    ("task_completion", "Task completion weight", "did the answer get the user's task done (the judge's verdict)"),
    ("relevance", "Relevance weight", "did the answer address what was asked"),
    ("safety", "Safety weight", "was the answer safe to show"),
)


@st.cache_data(max_entries=16, show_spinner=False)
def weight_numbers(ws: str, uploads: tuple, saved: tuple, now: tuple) -> tuple:
    """(the AI features, weighted_score per feature under the saved and the set weights)."""
    con = connect(ws)
    try:
        return ai_features(con), weight_effect(con, dict(saved), dict(now))
    finally:
        close_snapshot(con)


def loaded_values(record: dict, features: list) -> None:
    """Puts a newly picked profile's values into the widgets' state."""
    profile = record["profile"]
    for name, *_ in AI_WEIGHTS:
        st.session_state[f"ai-weight-{name}"] = float(profile["ai_weights"][name])
    for feature in features:
        value = profile["outcome_values"].get(feature)
        st.session_state[f"ai-value-{feature}"] = None if value is None else float(value)
    st.session_state["ai-shadow-min-days"] = int(profile["shadow_min_days"])


def weight_sliders(saved: dict) -> dict:
    weights = {}
    for name, label, what in AI_WEIGHTS:
        current = float(st.session_state[f"ai-weight-{name}"])
        weights[name] = st.slider(label, 0.0, max(1.0, current), step=0.05, key=f"ai-weight-{name}",
                                  help=f"How much {what} counts in the weighted score. Only its share of the "
                                       "three weights' total matters.")
    total = sum(weights.values())
    if total <= 0:
        st.warning("Every AI weight is 0: there is no weighted score. The saved weights apply until one is above 0.")
        return {}
    st.caption("Shares of the weighted score: "
               + ", ".join(f"{label.removesuffix(' weight').lower()} {weights[name] / total:.0%}"
                           for name, label, _ in AI_WEIGHTS) + ".")
    return weights


def effect_table(effect: pd.DataFrame) -> None:
    st.dataframe(effect, hide_index=True, key="ai_weight_effect", column_config={
        "feature": "Feature", "weighted_before": st.column_config.NumberColumn("Saved", format="%.3f"),
        "weighted_after": st.column_config.NumberColumn("With these weights", format="%.3f"),
        "change": st.column_config.NumberColumn("Change", format="%+.3f")})


def value_inputs(features: list) -> dict:
    st.caption("Value in USD of one successful interaction (task completed), per feature: ROI = (value - cost) "
               "/ cost. Empty: no value, no ROI for that feature.")
    values = {}
    for feature in features:
        value = st.number_input(feature, min_value=0.0, max_value=1e9, step=0.01, format="%.2f",
                                key=f"ai-value-{feature}", help=f"USD earned by one {feature} interaction "
                                                                "that got the user's task done.")
        if value is not None:
            values[feature] = float(value)
    return values


def ai_knobs(ws: Path, uploads: tuple) -> dict:
    """The sidebar's profile picker and AI knobs; returns {profile_name, ai_weights, outcome_values,
    shadow_min_days} as set now (the page measures with them)."""
    st.sidebar.subheader("AI knobs")
    if "_ai_pick_next" in st.session_state:
        st.session_state["ai_profile_pick"] = st.session_state.pop("_ai_pick_next")
    names = [DEFAULT_NAME] + [n for n in list_names(ws, "profiles") if n != DEFAULT_NAME]
    picked = st.sidebar.selectbox("Weight profile", names, key="ai_profile_pick")
    record = load_profile(ws, picked)
    saved = record["profile"]
    st.sidebar.caption(f"Version {record['version']} · {record.get('author') or '—'}"
                       + (f" · {record['comment']}" if record.get("comment") else ""))
    features, _ = weight_numbers(str(ws), uploads, tuple(saved["ai_weights"].items()),
                                 tuple(saved["ai_weights"].items()))
    if st.session_state.get("_ai_loaded") != (picked, record["version"], tuple(features)):
        loaded_values(record, features)
        st.session_state["_ai_loaded"] = (picked, record["version"], tuple(features))
    with st.sidebar.expander("Weighted score", expanded=True):
        st.latex(r"\text{weighted} = w_t\,\text{task completion} + w_r\,\text{relevance} + w_s\,\text{safety}")
        weights = weight_sliders(saved["ai_weights"])
        if weights:
            effect_table(weight_numbers(str(ws), uploads, tuple(saved["ai_weights"].items()),
                                        tuple(weights.items()))[1])
    with st.sidebar.expander("Outcome values (ROI)", expanded=False):
        values = value_inputs(features)
    with st.sidebar.expander("Shadow runs", expanded=False):
        min_days = st.number_input("Shortest shadow run (days)", 0, 365, step=1, key="ai-shadow-min-days",
                                   help="Days between the first and the last paired shadow interaction before "
                                        "the shadow may be promoted (0: no minimum).")
    knobs = {"ai_weights": weights or saved["ai_weights"], "outcome_values": values, "shadow_min_days": int(min_days)}
    save_form(ws, picked, saved, knobs, can_save=bool(weights))
    return {"profile_name": picked, **knobs}


def save_form(ws: Path, picked: str, saved: dict, knobs: dict, can_save: bool) -> None:
    changed = [key for key, value in knobs.items() if value != saved[key]]
    with st.sidebar.form("ai_save_profile"):
        st.markdown("**Save as new version**")
        st.caption("Changed from the saved version: " + ", ".join(changed) + "." if changed
                   else "The AI knobs are as saved.")
        name = st.text_input("Profile name", value="" if picked == DEFAULT_NAME else picked, key="ai_save_name")
        author = st.text_input("Author", key="ai_save_author")
        comment = st.text_input("Comment", key="ai_save_comment")
        if st.form_submit_button("Save as new version"):
            if not name.strip():
                st.warning("Give the profile a name.")
                return
            if not can_save:
                st.warning("Give at least one AI weight a share before saving.")
                return
            with guard("saving the profile"):
                # outcome_values is stored whole: a value emptied here is gone from the new version
                record = save_profile(ws, name.strip(), {**saved, **knobs}, author=author.strip() or None,
                                      comment=comment)
                flash(f"Saved profile {record['name']} as version {record['version']}.")
                st.session_state["_ai_pick_next"] = record["name"]
                st.session_state.pop("_ai_loaded", None)
                st.rerun()
