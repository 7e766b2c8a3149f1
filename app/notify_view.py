"""The Governance page's notifications section: the rules in force, the deliveries (sent and failed), a dry run
of what would be sent now, and uploading a new config. Everything is notebooks/notify/."""

import pandas as pd
import streamlit as st
from journeylens.app.table_labels import show_table
from journeylens.app.ui import flash, show_error
from journeylens.notebooks.notify.config import save_config
from journeylens.notebooks.notify.deliver import deliveries, notification_rules, notify_workspace
from journeylens.notebooks.workspace.contract import IngestError

DELIVERY_COLUMNS = ["at", "status", "rule", "destination", "type", "changes", "summary", "attempts", "http_status",
                    "error"]


def notifications_section(workspace) -> None:
    st.subheader("Notifications")
    st.caption("Who is told when an entry crosses the page score, a burn-rate page fires, an AI deviation fires or a "
               "shadow run is ready: one message per entry per state change (fired, escalated, resolved). "
               "`journeylens serve` runs these rules after each batch; `journeylens notify run` runs them by hand. "
               "Webhook URLs and routing keys come from the environment and are never shown.")
    rules = notification_rules(workspace)
    if rules.empty:
        st.info("No notification rules yet: upload a config below (README, Notifications) or run "
                "`journeylens notify set FILE`.")
    else:
        show_table(rules, "notify_rules")
    sent = deliveries(workspace, limit=100)
    st.markdown(f"**Deliveries** ({len(sent):,} newest shown)")
    if sent.empty:
        st.caption("Nothing sent yet.")
    else:
        show_table(sent[[c for c in DELIVERY_COLUMNS if c in sent.columns]], "notify_deliveries")
    if not rules.empty and st.button("What would be sent now? (dry run)", key="notify_dry_run"):
        result = notify_workspace(workspace, dry_run=True)
        st.write(f"{result.get('fired', 0)} fired, {result.get('escalated', 0)} escalated, "
                 f"{result.get('resolved', 0)} resolved; {len(result.get('messages') or [])} messages would go out.")
        messages = pd.DataFrame([{"would": m.get("would"), "rule": m.get("rule"), "destination": m.get("destination"),
                                  "summary": m.get("summary"), "changes": len(m.get("changes") or [])}
                                 for m in result.get("messages") or []])
        if not messages.empty:
            show_table(messages, "notify_preview")
    with st.form("notify_config"):
        upload = st.file_uploader("A notification config (YAML)", type=["yaml", "yml"], key="notify_file")
        why = st.text_input("Why (kept in the audit log)", key="notify_why")
        if st.form_submit_button("Store this config") and upload is not None:
            try:
                stored = save_config(workspace, upload.getvalue().decode("utf-8", "replace"), upload.name, why)
            except IngestError as error:
                show_error(error, "storing the notification config")
            else:
                flash(f"Stored notification config version {stored.get('version', '')}.")
                st.rerun()
