"""The Ranked page's weight profile in the sidebar: pick a profile, set it in groups a reviewer reads top
to bottom (what an alert says, how much measured harm decides, what is suppressed, what is one problem,
when nothing is known), with the score's formula beside the controls and the numbers the sliders give
it; save a new version; and, on the page, its versions.

Asking and showing only: the formula and its numbers are notebooks/queue/score_formula.py's, profiles
notebooks/queue/profiles.py's. The widget keys (knob-<setting>, profile_pick, save_name, save_author,
save_comment, diff_old, diff_new) are what the page's tests drive: keep them."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import streamlit as st
from journeylens.app.ui import flash, guard
from journeylens.notebooks.queue.explain import duration_words
from journeylens.notebooks.queue.profile_compare import changed_settings
from journeylens.notebooks.queue.profiles import load_profile, profile_diff, profile_history, save_profile
from journeylens.notebooks.queue.score_formula import (
    HARM_LATEX,
    SCORE_LATEX,
    SIGNAL_LATEX,
    harm_words,
    suppression_words,
    weight_shares,
)
from journeylens.notebooks.workspace.versions import list_names

DEFAULT_NAME = "default"


def weight(name: str, label: str, what: str) -> tuple:
    return (f"weights.{name}", label, 0.0, 1.0, 0.05,
            f"How much {what} counts in the alert's signal. Only its share of the five weights' total matters.")


# The groups, in the order a reviewer reads them: (heading, what the group decides, open at first, controls).
# A control is (setting, label, min, max, step, help); "weights.x" is a weight. Integer steps make an integer
# slider, no step a checkbox. The ranges are the sliders'; a saved value outside one widens it.
GROUPS = (
    ("What an alert says",
     "The signal: a weighted mean of five things the alert itself says (c, each from 0 to 1), weighted by the "
     "weights below (w).", True, (
         weight("severity", "Severity weight", "the tool's severity (critical 1, high 0.8 … info 0.2)"),
         weight("exposure", "Exposure weight", "the customers at the stage during the alert (its traffic against "
                                               "the stage's busiest hours)"),
         weight("confidence", "Confidence weight", "the tool's own anomaly confidence"),
         weight("duration", "Duration weight", "how long it lasted (four hours counts fully)"),
         weight("recurrence", "Recurrence weight", "how often it fired (twenty alerts in a group count fully)"),
     )),
    ("How much measured harm decides",
     "The harm factor: how much of the signal an alert keeps, from the harm its stage's journey metrics showed "
     "(0 to 1); c is the weight of measured harm, e the harm exponent.", True, (
         ("corroboration", "Weight of measured harm (corroboration)", 0.0, 1.0, 0.05,
          "0: harm is ignored. 0.9: an alert whose stage was measured and fine keeps a tenth of its score."),
         ("harm_exponent", "Harm exponent", 0.2, 2.0, 0.1,
          "Harm counts as harm to this power: below 1, that a stage got worse counts more than by how much."),
         ("harm_observed_min", "Least harm that counts", 0.0, 1.0, 0.05,
          "Harm below this counts as none: it neither raises a score nor keeps an entry from being suppressed."),
         ("harm_full_drop", "Conversion drop that counts as full harm", 0.05, 1.0, 0.05,
          "A conversion this far below its usual level for the hour (0.5 = half of it) is full harm."),
         ("min_entered", "Fewest entries to read a drop", 0, 1000, 5,
          "A window with fewer customers entering the stage is too thin to call a drop: no harm is read."),
     )),
    ("What is suppressed",
     "Suppressed entries are kept and marked, ranked after the rest; the queue hides them until asked.", True, (
         ("threshold", "Suppress entries scoring below", 0.0, 100.0, 0.5,
          "Scores run from 0 to 100. An entry below this is suppressed."),
         ("threshold_spares_harm", "Never suppress measured harm", None, None, None,
          "An entry whose stage measurably got worse in its window stays in the queue, however low it scores."),
     )),
    ("What is one problem",
     "How alerts become groups. A change here groups every alert again, so the queue takes longer.", False, (
         ("group_gap_minutes", "Gap that starts a new group (minutes)", 1, 1440, 5,
          "Alerts with the same key further apart than this are separate problems."),
     )),
    ("When nothing is known",
     "Unknown is not zero: what an alert gets where no journey metric or tool says.", False, (
         ("default_exposure", "Exposure without journey metrics", 0.0, 1.0, 0.05,
          "The exposure of an alert whose stage has no journey metrics in its window."),
         ("default_harm", "Harm that cannot be measured", 0.0, 1.0, 0.05,
          "The harm of an alert whose stage has no journey metrics in its window."),
         ("default_confidence", "Confidence a tool does not give", 0.0, 1.0, 0.05,
          "The confidence of an alert whose tool gives none."),
     )),
)
KNOBS = [knob for *_, knobs in GROUPS for knob in knobs]
LABELS = {key: label for key, label, *_ in KNOBS}  # a setting's name on screen


def get_setting(profile: dict, key: str):
    section, _, name = key.partition(".")
    return profile[section][name] if name else profile[section]


def set_setting(profile: dict, key: str, value) -> None:
    section, _, name = key.partition(".")
    if name:
        profile[section][name] = value
    else:
        profile[section] = value


def control(knob: tuple):
    """One setting's widget in the current container, from its value in st.session_state; its value."""
    key, label, low, high, step, help_text = knob
    current = st.session_state[f"knob-{key}"]
    if step is None:
        return st.checkbox(label, key=f"knob-{key}", help=help_text)
    if isinstance(step, int):
        low, high, cast = int(min(low, current)), int(max(high, current)), int
    else:
        low, high, cast = float(min(low, current)), float(max(high, current)), float
    st.session_state[f"knob-{key}"] = cast(current)
    return st.slider(label, low, high, step=cast(step), key=f"knob-{key}", help=help_text)


def group_numbers(heading: str, profile: dict) -> None:
    """What the group's settings come to under the sliders as they are, in numbers a reviewer can check."""
    if heading == "What an alert says":
        shares = weight_shares(profile)
        if not shares:
            st.warning("Every weight is 0: no alert has a signal. Give at least one weight a share.")
            return
        st.caption("Shares of the signal: " + ", ".join(f"{name} {share:.0%}" for name, share in shares.items()) + ".")
    elif heading == "How much measured harm decides":
        st.caption(harm_words(profile))
    elif heading == "What is suppressed":
        st.caption(suppression_words(profile))
    elif heading == "What is one problem":
        st.caption(f"Alerts with one key more than {duration_words(profile['group_gap_minutes'])} apart are "
                   "separate groups; groups of one outage still share one queue entry.")


FORMULA_OF = {"What an alert says": SIGNAL_LATEX, "How much measured harm decides": HARM_LATEX}


def formula() -> None:
    """The score as the SQL computes it (sql/queue/17_scored_groups.sql), each term named for its group."""
    st.latex(SCORE_LATEX)
    st.markdown(
        "- **stake**: what the stage puts at stake, impact/10 × (0.5 + 0.5 × sensitivity), from the journey map\n"
        "- **signal**: what the alert says, weighted (*What an alert says*)\n"
        "- **harm factor**: how much of it measured harm keeps (*How much measured harm decides*)\n\n"
        "Scores run from 0 to 100; an entry scores as its best alert group.")


def changed_caption(profile: dict, saved: dict) -> None:
    changes = changed_settings(profile, saved)
    if not changes:
        st.caption("The sliders are as saved.")
        return
    shown = [f"{LABELS.get(setting, setting)} {old:g} → {new:g}" if isinstance(old, int | float) and not isinstance(
        old, bool) else f"{LABELS.get(setting, setting)}: {old} → {new}" for setting, old, new in changes]
    st.caption("Changed from the saved version: " + "; ".join(shown) + ".")


# -- sidebar: the profile --------------------------------------------------------------------------

def profile_controls(ws: Path) -> tuple[str, dict]:
    """The profile picker, the formula and one control per setting, in groups; returns (picked name, the
    profile as set)."""
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
    with st.sidebar.expander("How the score is worked out", expanded=True):
        formula()
    changes = st.sidebar.empty()  # filled once every control has given its value
    profile = copy.deepcopy(record["profile"])
    for heading, what, expanded, knobs in GROUPS:
        with st.sidebar.expander(heading, expanded=expanded):
            st.caption(what)
            if heading in FORMULA_OF:
                st.latex(FORMULA_OF[heading])
            for knob in knobs:
                set_setting(profile, knob[0], control(knob))
            group_numbers(heading, profile)
    with changes.container():
        changed_caption(profile, record["profile"])
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


# -- main: who changed the profile -----------------------------------------------------------------

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
