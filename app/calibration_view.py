"""The Retro page's weight calibration: run on demand (it re-ranks every labelled week), shown as a diff
against the active profile with its held-out effect, evidence and factors; Accept saves a new profile
version and Reject records the decision, both in the audit trail (notebooks/retro/calibration_store.py)."""

from pathlib import Path

import pandas as pd
import streamlit as st
from journeylens.app.ui import flash, guard, upload_key
from journeylens.notebooks.queue.profiles import load_profile
from journeylens.notebooks.retro.calibration import calibrate, calibration_chart
from journeylens.notebooks.retro.calibration_store import accept_calibration, reject_calibration

ASKED = "calibration_asked"
NO_NAME = "_calibration_no_name"


@st.cache_data(max_entries=4, show_spinner=False)
def calibration_of(ws: str, uploads: tuple, profile_version: int) -> dict:
    """calibrate() of the default profile, per workspace state (uploads and the profile's version)."""
    return calibrate(ws)


def decide(ws: Path, found: dict, accepted: bool) -> None:
    """The buttons' callback: records the decision before the page's run, with who and why."""
    who = str(st.session_state.get("retro_who", "")).strip()
    if not who:
        st.session_state[NO_NAME] = True
        return
    why = str(st.session_state.get("calibration_why", ""))
    with guard("recording the calibration decision"):
        if accepted:
            record = accept_calibration(ws, found, who, why)
            flash(f"Accepted the calibration: weight profile {record['name']!r} is now version {record['version']}.")
        else:
            reject_calibration(ws, found, who, why)
            flash("Rejected the calibration: recorded in the audit log.")
        calibration_of.clear()


def show_proposal(ws: Path, found: dict) -> None:
    evidence = found["evidence"]
    st.caption(f"Evidence: {evidence['positive_incidents']} actioned, escalated or auto-mitigated incidents and "
               f"{evidence['negative_incidents']} noise or duplicate ones, linked to {evidence['positive_groups']} "
               f"and {evidence['negative_groups']} of {evidence['groups']} ranked alert groups over "
               f"{evidence['labelled_weeks']} weeks.")
    if len(found["weeks"]):
        st.altair_chart(calibration_chart(found["weeks"]), key="calibration_chart")
    for sentence in found["factors"]:
        st.markdown(f"- {sentence}")
    if found["status"] != "proposed":
        st.info(found["reason"])
        return
    st.success(found["reason"])
    st.markdown(f"**Proposed change to weight profile `{found['profile_name']}`** (version {found['base_version']}):")
    st.dataframe(pd.DataFrame([(s, str(old), str(new)) for s, old, new in found["diff"]],
                              columns=["Setting", "Active", "Calibrated"]), hide_index=True, key="calibration_diff")
    with st.expander("Held-out weeks, in numbers"):
        st.dataframe(found["weeks"], hide_index=True, key="calibration_weeks")
    if st.session_state.pop(NO_NAME, False):
        st.error("Give your name first (above, with the suggestions): every decision records who made it.")
    st.text_input("Why", key="calibration_why", placeholder="why (optional)")
    left, right = st.columns(2)
    left.button("Accept calibration", key="calibration_accept", on_click=decide, args=(ws, found, True))
    right.button("Reject calibration", key="calibration_reject", on_click=decide, args=(ws, found, False))


def calibration_section(ws: Path) -> None:
    """The section: a button runs the calibration; its answer stays until the workspace or profile changes."""
    st.subheader("Weight calibration")
    st.caption("Which weights would have put the incidents your team actioned at the top of each week's queue? "
               "Each week is checked against a fit on the other weeks only.")
    if not st.session_state.get(ASKED):
        st.button("Calibrate the weights from history", key="calibration_run",
                  on_click=lambda: st.session_state.update({ASKED: True}))
        return
    with guard("calibrating the weights"), st.spinner("Fitting the weights to past weeks…"):
        version = load_profile(ws)["version"]
        show_proposal(ws, calibration_of(str(ws), upload_key(ws), version))
