"""Governance: the audit log and its chain, profile, threshold and journey-map versions and their diffs,
owners and the assumptions register; the log, the version tables and the diffs are offered as downloads
(app/downloads.py). Everything read or written here is in notebooks/retro/ (governance, changes),
queue/profiles, queue/map_versions and the workspace (versions, version_diff)."""

import pandas as pd
import streamlit as st
from journeylens.app.downloads import audit_downloads, offer_csv
from journeylens.app.notify_view import notifications_section
from journeylens.app.playbook_view import playbook_section
from journeylens.app.suppression_view import suppression_section
from journeylens.app.table_labels import show_table
from journeylens.app.ui import flash, guard, show_flash, workspace_path
from journeylens.notebooks.ingest.playbook_file import load_playbooks
from journeylens.notebooks.queue.map_versions import map_diff, map_versions
from journeylens.notebooks.queue.profiles import profile_diff
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
from journeylens.notebooks.workspace.labels import human, plural, record_text
from journeylens.notebooks.workspace.store import repair_workspace
from journeylens.notebooks.workspace.version_diff import diff_frame, version_diff, version_table
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


def config_versions(ws, kind: str, what: str, base: str, diff) -> None:
    """The versions of one name of `kind` (a table), what changed between two of them (`diff(ws, name, old,
    new)` -> setting, old, new; version 0 is `base`), and both as CSV downloads."""
    names = list_names(ws, kind)
    if not names:
        st.caption(f"No saved {what} yet ({base} in use).")
        return
    name = st.selectbox(what.capitalize(), names, key=f"gov_{kind}_name")
    history = version_table(ws, kind, name)
    st.dataframe(history, hide_index=True, key=f"gov_{kind}_history",
                 column_config={"version": "Version", "saved_at": "Saved at (UTC)", "author": "Who",
                                "comment": "Why"})
    versions = history["version"].tolist()
    left, right = st.columns(2)
    label = {0: base}.get
    old = left.selectbox("From version", [0, *versions], index=len(versions) - 1, key=f"gov_{kind}_old",
                         format_func=lambda v: label(v) or f"v{v}")
    new = right.selectbox("To version", versions, index=len(versions) - 1, key=f"gov_{kind}_new",
                          format_func=lambda v: f"v{v}")
    changes = diff(ws, name, old, new)
    if changes.empty:
        st.caption("No setting differs.")
    else:
        st.dataframe(changes, hide_index=True, key=f"gov_{kind}_diff",
                     column_config={"setting": "Setting", "old": f"v{old}" if old else base, "new": f"v{new}"})
    left, right = st.columns(2)
    offer_csv(f"Download the versions ({kind}_{name}_versions.csv)", history, f"{kind}_{name}_versions.csv",
              f"dl_{kind}_versions", left)
    offer_csv(f"Download the diff ({kind}_{name}_v{old}_to_v{new}.csv)", changes,
              f"{kind}_{name}_v{old}_to_v{new}.csv", f"dl_{kind}_diff", right)


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
        st.error(f"Audit chain broken: {plural(len(check['problems']), 'problem')}. An entry was edited, deleted, moved "
                 "or cut, or the trail and the workspace disagree; see below. Nothing can be stored until the "
                 "trail is repaired.")
        show_table(pd.DataFrame(check["problems"]), "chain_problems")
        repair_form(workspace)
    text = st.text_input("Filter (action, who, what or why contains)", key="audit_filter")
    entries = audit_entries(workspace, text)
    show_table(entries.assign(what=entries["what"].map(record_text)) if len(entries) else entries, "audit_log")
    audit_downloads(workspace)

    st.subheader("Stages to recalibrate")
    st.caption("A change to a service that maps to a stage marks it to recalibrate only when the stage's alert "
               "rate or conversion (or time to value, satisfaction) shifted measurably in the day after it; "
               "'why' names the shift. A review clears the stage until its next change.")
    status = recalibration_status(workspace)
    show_table(status, "recalibration", last_change="Last change (UTC)", last_review="Last review (UTC)")
    pending = list(status.sort_values("status", key=lambda s: s != "to recalibrate", kind="stable")
                   .loc[lambda f: f["status"] != "ok", "stage"])
    if pending:
        with st.form("review"):
            stage = st.selectbox("Reviewed stage", pending)
            why = st.text_input("What was checked")
            if st.form_submit_button("Mark reviewed"):
                mark_reviewed(workspace, stage, why)
                flash(f"{stage}: reviewed.")
                st.rerun()

    st.subheader("Weight profile versions")
    config_versions(workspace, "profiles", "weight profile", "built-in defaults",
                    lambda ws, name, old, new: diff_frame(profile_diff(ws, name, old, new)))

    st.subheader("Journey threshold versions")
    st.caption("Thresholds change when a retro suggestion is accepted; each change is a new version.")
    config_versions(workspace, "thresholds", "threshold set", "nothing saved",
                    lambda ws, name, old, new: version_diff(ws, "thresholds", name, old, new))

    st.subheader("Journey map versions")
    versions = map_versions(workspace)
    if len(versions) >= 2:
        labels = {f"{r['file_name']} · {r['upload_id']}": r["upload_id"] for r in versions.to_dict("records")}
        left, right = st.columns(2)
        old = left.selectbox("From map", list(labels), index=len(labels) - 2, key="map_old")
        new = right.selectbox("To map", list(labels), index=len(labels) - 1, key="map_new")
        changes = map_diff(workspace, labels[old], labels[new])
        show_table(changes, "map_diff")
        left, right = st.columns(2)
        offer_csv("Download the map versions (journey_map_versions.csv)", versions, "journey_map_versions.csv",
                  "dl_map_versions", left)
        offer_csv("Download the map diff (journey_map_diff.csv)", changes, "journey_map_diff.csv", "dl_map_diff",
                  right)
    else:
        st.caption(f"{plural(len(versions), 'journey-map version')}: nothing to compare yet.")

    st.subheader("Owners of stage metrics")
    show_table(pd.DataFrame(list(owners(workspace).items()), columns=["stage/metric", "owner"]), "owners")
    with st.form("owner"):
        a, b, c = st.columns(3)
        stage, metric = a.text_input("Stage"), b.selectbox("Metric", ["conversion", "time_to_value_s", "satisfaction"],
                                                         format_func=human)
        owner = c.text_input("Owner")
        if st.form_submit_button("Set owner") and stage.strip() and owner.strip():
            set_owner(workspace, stage.strip(), metric, owner.strip())
            flash(f"{stage}/{metric} is owned by {owner}.")
            st.rerun()

    st.subheader("Owners of playbooks")
    show_table(pd.DataFrame([{k: b.get(k) for k in ("id", "stage", "tier", "owner")} for b in load_playbooks(workspace)],
                            columns=["id", "stage", "tier", "owner"]), "playbook_owners", id="Playbook",
               tier="Automation tier")

    st.subheader("Assumptions register")
    due = {a["id"] for a in due_assumptions(workspace)}
    register = pd.DataFrame(assumptions(workspace), columns=["id", "statement", "owner", "review_by", "evidence"])
    show_table(register.assign(due=register["id"].isin(due)), "assumptions", id="Assumption",
               due="Due for review")
    with st.form("assumption"):
        statement = st.text_input("Assumption about user behaviour")
        a, b, c = st.columns(3)
        owner, review_by, evidence = a.text_input("Owner "), b.date_input("Review by"), c.text_input("Evidence")
        if st.form_submit_button("Add to the register"):
            item = save_assumption(workspace, statement, owner, review_by.isoformat(), evidence)
            flash(f"Added {item['id']}.")
            st.rerun()

with guard("reading the notification rules"):
    notifications_section(workspace)
with guard("reading the suppression rules"):
    suppression_section(workspace)
with guard("reading the playbook catalogue"):
    playbook_section(workspace)
