"""The AI page's prompt backlog: thumbs-down, intent-mismatch and low-judge-score interactions per feature,
with filters, downloads and triage. The work is notebooks/ai/backlog.py; this only shows it. Interaction text
is shown in tables (as text), never as markdown or HTML."""

from pathlib import Path

import pandas as pd
import streamlit as st
from journeylens.app.ui import flash, upload_key
from journeylens.notebooks.ai.backlog import (
    DEFAULT_SINCE,
    backlog_csv,
    backlog_items,
    backlog_jsonl,
    backlog_summary,
    mark_triaged,
    triage_log,
    with_triage,
)
from journeylens.notebooks.workspace.snapshot import close_snapshot, connect

WINDOWS = {"24h": "Last 24 hours", "7d": "Last 7 days", "30d": "Last 30 days", "all": "All time"}
ALL_FEATURES = "All features"
ITEM_COLUMNS = {"feature": "Feature", "interaction_id": "Interaction", "ts": "When", "segment": "Segment",
                "task_type": "Task type", "model_version": "Model", "why": "Why in the backlog",
                "user_signal": "User signal", "judge_score": "Judge score", "judge_reason": "Judge's reason",
                "prompt": "Prompt", "output": "Output", "triaged": "Triaged", "triaged_by": "Triaged by",
                "triage_why": "Triage note"}


@st.cache_data(max_entries=16, show_spinner="Gathering the prompt backlog…")
def items_of(ws: str, uploads: tuple, since: str) -> pd.DataFrame:
    """The backlog items of a window, once per workspace state (triage is read fresh on every run)."""
    con = connect(ws, tables=("ai_interactions", "eval_scores"))
    try:
        return backlog_items(con, since)
    finally:
        close_snapshot(con)


def triage_form(workspace: Path, shown: pd.DataFrame) -> None:
    """Mark chosen open items triaged: who and why go to the audit trail."""
    open_items = shown[~shown["triaged"]]
    if open_items.empty:
        return
    labels = {row.interaction_id: f"{row.interaction_id} · {row.feature} · {row.why}"
              for row in open_items.itertuples(index=False)}
    with st.form("backlog_triage"):
        chosen = st.multiselect("Mark triaged", list(labels), format_func=labels.get, key="backlog_pick")
        who = st.text_input("Your name", key="backlog_who")
        why = st.text_input("Why (kept in the audit trail)", key="backlog_why")
        if st.form_submit_button("Mark selected as triaged"):
            if not chosen:
                st.error("Choose at least one interaction to mark triaged.")
            elif not who.strip():
                st.error("Give your name: a triage is recorded with who made it.")
            else:
                done = mark_triaged(workspace, chosen, why, who.strip())
                flash(f"Marked {len(done['recorded'])} backlog item(s) triaged.")
                st.rerun()


def backlog_section(workspace: Path) -> None:
    st.subheader("Prompt backlog")
    st.caption("Production interactions with a thumbs-down, an intent mismatch or a low judge score (task "
               "completion below 0.5; a human evaluation wins over the llm judge), per feature, worst first. The "
               "window counts back from the latest interaction in the data, not from now.")
    left, middle, right = st.columns(3)
    since = left.selectbox("Window", list(WINDOWS), format_func=WINDOWS.get, index=list(WINDOWS).index(DEFAULT_SINCE),
                           key="backlog_since")
    items = items_of(str(workspace), upload_key(workspace), since)
    feature = middle.selectbox("Feature", [ALL_FEATURES, *sorted(items["feature"].unique())], key="backlog_feature")
    include = right.checkbox("Show triaged items", key="backlog_triaged")
    if feature != ALL_FEATURES:
        items = items[items["feature"] == feature]
    shown = with_triage(items, triage_log(workspace), include)
    if shown.empty:
        st.info("The prompt backlog is empty for this window" + ("" if include else " (triaged items hidden)") + ".")
        return
    st.dataframe(backlog_summary(shown), hide_index=True, key="backlog_summary")
    st.dataframe(shown[list(ITEM_COLUMNS)], hide_index=True, key="backlog_items", column_config=ITEM_COLUMNS)
    left, right = st.columns(2)
    left.download_button("Download backlog (CSV)", backlog_csv(shown), "prompt_backlog.csv", "text/csv",
                         key="backlog_csv")
    right.download_button("Download backlog (JSON Lines)", backlog_jsonl(shown), "prompt_backlog.jsonl",
                          "application/x-ndjson", key="backlog_jsonl")
    triage_form(workspace, shown)
