"""Governance: the audit log and its chain, profile version diffs, owners and the assumptions register.
Everything read or written here is in notebooks/retro/ (governance, changes), queue/profiles and the workspace."""

import pandas as pd
import streamlit as st
from journeylens.app.ui import flash, guard, show_flash, workspace_path
from journeylens.notebooks.ingest.playbook_file import load_playbooks
from journeylens.notebooks.queue.map_versions import map_diff, map_versions
from journeylens.notebooks.queue.profiles import profile_diff, profile_history
from journeylens.notebooks.retro.changes import mark_reviewed, recalibration_status
from journeylens.notebooks.retro.governance import (
    assumptions,
    audit_entries,
    due_assumptions,
    owners,
    save_assumption,
    set_owner,
    verify_audit,
)
from journeylens.notebooks.workspace.store import repair_workspace
from journeylens.notebooks.workspace.versions import list_names


def repair_form(ws) -> None:
    """The repair (workspace_store.repair_workspace), behind a confirmation: it rewrites the trail."""
    with st.form("repair_trail"):
        st.write("**Repair** keeps the entries whose chain holds, re-records later intact entries the workspace "
                 "bears out, moves unproven uploads and versions to `quarantine/` (nothing is deleted) and records "
                 "what is lost. The damaged trail is kept beside them.")
        why = st.text_input("Why", key="repair_why")
        sure = st.checkbox("I have read the problems above", key="repair_sure")
        if st.form_submit_button("Repair the trail") and sure:
            result = repair_workspace(ws, why.strip() or "repaired on the Governance page")
            flash(f"Trail repaired: kept {result['kept']:,} entries, re-recorded {result['recovered']:,}, "
                  f"quarantined {len(result['quarantined'])}, recorded {len(result['lost'])} as lost; the damaged "
                  f"trail is kept as {result['damaged_copy']}.")
            st.rerun()


st.title("Governance")
st.write("Who changed what, when and why; whether the record is intact; who owns each stage metric; and "
         "which assumptions about users are due for review.")
workspace = workspace_path()
show_flash()
with guard("reading the audit log"):
    check = verify_audit(workspace, on_wait=lambda text: st.info(text, icon=":material/hourglass_top:"))
    if check["ok"]:
        st.success(f"Audit chain intact: {check['entries']:,} entries, each hash covering the one before.")
    else:
        st.error(f"Audit chain broken: {len(check['problems'])} problem(s). An entry was edited, deleted, moved "
                 "or cut, or the trail and the workspace disagree; see below. Nothing can be stored until the "
                 "trail is repaired.")
        st.dataframe(pd.DataFrame(check["problems"]), hide_index=True, key="chain_problems")
        repair_form(workspace)
    text = st.text_input("Filter (action, who, what or why contains)", key="audit_filter")
    st.dataframe(audit_entries(workspace, text), hide_index=True, key="audit_log")

    st.subheader("Stages to recalibrate")
    st.caption("A change to a service that maps to a stage marks its mappings and thresholds until a review.")
    status = recalibration_status(workspace)
    st.dataframe(status, hide_index=True, key="recalibration")
    pending = list(status.loc[status["status"] == "to recalibrate", "stage"])
    if pending:
        with st.form("review"):
            stage = st.selectbox("Reviewed stage", pending)
            why = st.text_input("What was checked")
            if st.form_submit_button("Mark reviewed"):
                mark_reviewed(workspace, stage, why)
                flash(f"{stage}: reviewed.")
                st.rerun()

    st.subheader("Weight profile versions")
    names = list_names(workspace, "profiles")
    if names:
        name = st.selectbox("Profile", names, key="gov_profile")
        versions = [h["version"] for h in profile_history(workspace, name)]
        left, right = st.columns(2)
        old = left.selectbox("From version", [0, *versions], key="gov_old")
        new = right.selectbox("To version", versions, index=len(versions) - 1, key="gov_new")
        st.dataframe(pd.DataFrame(profile_diff(workspace, name, old, new), columns=["setting", "old", "new"]).astype(str),
                     hide_index=True, key="gov_diff")
    else:
        st.caption("No saved weight profile yet (the built-in defaults are in use).")

    st.subheader("Journey map versions")
    versions = map_versions(workspace)
    if len(versions) >= 2:
        labels = {f"{r['file_name']} · {r['upload_id']}": r["upload_id"] for r in versions.to_dict("records")}
        left, right = st.columns(2)
        old = left.selectbox("From map", list(labels), index=len(labels) - 2, key="map_old")
        new = right.selectbox("To map", list(labels), index=len(labels) - 1, key="map_new")
        st.dataframe(map_diff(workspace, labels[old], labels[new]), hide_index=True, key="map_diff")
    else:
        st.caption(f"{len(versions)} journey-map version(s): nothing to compare yet.")

    st.subheader("Owners of stage metrics")
    st.dataframe(pd.DataFrame(list(owners(workspace).items()), columns=["stage/metric", "owner"]), hide_index=True,
                 key="owners")
    with st.form("owner"):
        a, b, c = st.columns(3)
        stage, metric = a.text_input("Stage"), b.selectbox("Metric", ["conversion", "time_to_value_s", "satisfaction"])
        owner = c.text_input("Owner")
        if st.form_submit_button("Set owner") and stage.strip() and owner.strip():
            set_owner(workspace, stage.strip(), metric, owner.strip())
            flash(f"{stage}/{metric} is owned by {owner}.")
            st.rerun()

    st.subheader("Owners of playbooks")
    st.dataframe(pd.DataFrame([{k: b.get(k) for k in ("id", "stage", "tier", "owner")} for b in load_playbooks(workspace)],
                              columns=["id", "stage", "tier", "owner"]), hide_index=True, key="playbook_owners")

    st.subheader("Assumptions register")
    due = {a["id"] for a in due_assumptions(workspace)}
    register = pd.DataFrame(assumptions(workspace), columns=["id", "statement", "owner", "review_by", "evidence"])
    st.dataframe(register.assign(due=register["id"].isin(due)), hide_index=True, key="assumptions")
    with st.form("assumption"):
        statement = st.text_input("Assumption about user behaviour")
        a, b, c = st.columns(3)
        owner, review_by, evidence = a.text_input("Owner "), b.date_input("Review by"), c.text_input("Evidence")
        if st.form_submit_button("Add to the register"):
            item = save_assumption(workspace, statement, owner, review_by.isoformat(), evidence)
            flash(f"Added {item['id']}.")
            st.rerun()
