"""The Governance page's playbook catalogue: the stored catalogue and its approval gate, uploading a new
version or editing it as YAML (each save a new version, in the audit log), the queued groups whose
playbook needs a person's approval, and recording an approval. The work is in
notebooks/ingest/playbook_file.py and notebooks/queue/playbook_approvals.py."""

import pandas as pd
import streamlit as st
from journeylens.app.table_labels import show_table
from journeylens.app.ui import flash, show_error
from journeylens.notebooks.ingest.playbook_file import catalogue_text, load_catalogue, store_catalogue
from journeylens.notebooks.queue.playbook_approvals import approval_status, approvals, approve_playbook
from journeylens.notebooks.workspace.contract import IngestError

PLAYBOOK_COLUMNS = ["id", "stage", "match", "when", "tier", "approval", "owner", "action"]


def when_text(when: dict | None) -> str:
    if not when:
        return ""
    parts = [" & ".join([f"stage={c['stage']}", *(f"{k}={v}" for k, v in c["match"].items())]) for c in when["all"]]
    return f"all of [{'; '.join(parts)}] within {when['within_minutes']} min"


def store(workspace, text: str, file_name: str, why: str) -> None:
    try:
        done = store_catalogue(workspace, text, file_name, why=why)
    except IngestError as error:
        show_error(error, "storing the playbook catalogue")
        return
    if done["status"] == "unchanged":
        flash(f"The same as catalogue version {done['version']}: nothing stored.", "info")
    else:
        flash(f"Stored playbook catalogue version {done['version']} ({done['playbooks']} playbooks).")
    st.rerun()


def playbook_section(workspace) -> None:
    st.subheader("Playbook catalogue")
    st.caption("What a stage and failure mode call for, first match wins. A playbook with `when` needs several "
               "signals at once (every condition met by a group open within its minutes); a tier whose approval "
               "is required waits for a person's approval, recorded in the audit log. `journeylens ingest "
               "playbooks FILE` stores a catalogue from the command line (README, Playbooks).")
    catalogue = load_catalogue(workspace)
    rows = [{**{k: p.get(k) for k in PLAYBOOK_COLUMNS}, "match": ", ".join(f"{k}={v}" for k, v in p["match"].items()),
             "when": when_text(p.get("when"))} for p in catalogue["playbooks"]]
    if rows:
        st.caption(f"Catalogue version {catalogue['version']} ({catalogue['author']}, {catalogue['comment']}).")
        show_table(pd.DataFrame(rows, columns=PLAYBOOK_COLUMNS), "playbook_catalogue", id="Playbook",
                   approval="Approval")
    else:
        st.info("No playbook catalogue yet: upload one below or run `journeylens ingest playbooks FILE`.")
    with st.form("playbook_upload"):
        upload = st.file_uploader("A playbook catalogue (YAML)", type=["yaml", "yml"], key="playbook_file")
        why = st.text_input("Why (kept in the audit log)", key="playbook_upload_why")
        if st.form_submit_button("Store this catalogue") and upload is not None:
            store(workspace, upload.getvalue().decode("utf-8", "replace"), upload.name, why)
    with st.expander("Edit the catalogue (YAML)"), st.form("playbook_edit"):
        text = st.text_area("Catalogue", value=catalogue_text(catalogue) if rows else "playbooks: []\n", height=300,
                            key="playbook_text")
        why = st.text_input("Why (kept in the audit log)", key="playbook_edit_why")
        if st.form_submit_button("Save as a new version"):
            store(workspace, text, "edited catalogue", why)
    approval_form(workspace, catalogue)


def approval_form(workspace, catalogue: dict) -> None:
    gated = [p["id"] for p in catalogue["playbooks"] if p.get("approval") == "required"]
    recorded = approvals(workspace)
    if not gated and recorded.empty:
        return
    st.markdown("**Approvals**")
    if gated and st.button("Show queued groups that need approval", key="playbook_pending"):
        from journeylens.notebooks.queue.ranking import ranked_alerts

        queue = ranked_alerts(workspace, include_suppressed=False, signals=True)
        queue["approval"] = approval_status(queue, recorded)
        show_table(queue.loc[queue["approval"] != "", ["rank", "group_id", "stage", "playbook", "automation_tier",
                                                        "approval"]], "playbook_pending_groups")
    if gated:
        with st.form("playbook_approve"):
            a, b = st.columns(2)
            group = a.text_input("Group id (from the queue)", key="approve_group")
            playbook = b.selectbox("Playbook", gated, key="approve_playbook")
            why = st.text_input("Why (kept in the audit log)", key="approve_why")
            if st.form_submit_button("Approve"):
                try:
                    approve_playbook(workspace, group, playbook, why)
                except IngestError as error:
                    show_error(error, "recording the approval")
                else:
                    flash(f"Approved {playbook} on {group.strip()}; recorded in the audit log.")
                    st.rerun()
    if not recorded.empty:
        show_table(recorded, "playbook_approvals")
