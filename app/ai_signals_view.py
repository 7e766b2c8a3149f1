"""The AI page's outcome signals beyond task completion (edit rate, fallback spikes by reason, silent
failures, thumbs-down, p95 latency against its budget, cost per success) and the actions they suggest.
The detection is notebooks/ai/signal_kinds.py and signal_actions.py; this only shows it."""

from pathlib import Path

import pandas as pd
import streamlit as st
from journeylens.app.ui import upload_key
from journeylens.notebooks.ai.signal_actions import ai_actions
from journeylens.notebooks.ai.signal_kinds import KIND_LABELS, RATE_KINDS, kind_deviations, kind_signals
from journeylens.notebooks.queue.profiles import load_profile
from journeylens.notebooks.signals.charts import WIDTH, band_chart
from journeylens.notebooks.workspace.snapshot import close_snapshot, connect

SIGNAL_COLUMNS = {"kind": "Signal", "feature": "Feature", "slice": "Slice", "started_at": "Started",
                  "ended_at": "Ended", "peak_z": st.column_config.NumberColumn("Peak z", format="%.1f"),
                  "title": st.column_config.TextColumn("What", width="large")}
ACTION_COLUMNS = {"action": "Action", "feature": "Feature", "title": st.column_config.TextColumn("What", width="large"),
                  "evidence": st.column_config.TextColumn("Evidence", width="large"), "since": "Since"}
AXES = {"p95_latency": "p95 latency (ms), rolling 7 days", "cost_per_success": "Cost per success (USD), rolling 7 days"}


@st.cache_data(max_entries=8, show_spinner="Watching edits, fallbacks, feedback, latency and cost…")
def kind_signals_of(ws: str, uploads: tuple, profile_key: str) -> dict:
    """Deviations, signals and actions once per workspace state and active profile."""
    profile = load_profile(ws)["profile"]
    con = connect(ws)
    try:
        deviations = kind_deviations(con, profile)
        signals = kind_signals(deviations)
        return {"deviations": deviations, "signals": signals,
                "actions": ai_actions(con, profile, ws, deviations=deviations, signals=signals)}
    finally:
        close_snapshot(con)


def actions_part(actions: pd.DataFrame) -> None:
    st.markdown("**What to do**")
    if actions.empty:
        st.success("No action suggested: no sustained low edit rate, no recent fallback spike, no model drift.")
        return
    st.dataframe(actions[list(ACTION_COLUMNS)], hide_index=True, key="ai_actions", column_config=ACTION_COLUMNS)
    for command in actions["command"][actions["command"] != ""]:
        st.caption("Re-evaluate the new model version with the judge (add `--dry-run` first for the estimate):")
        st.code(command, language="bash")


def trend_part(deviations: pd.DataFrame) -> None:
    left, middle, right = st.columns(3)
    kinds = [k for k in KIND_LABELS if k in set(deviations["kind"])]
    kind = left.selectbox("Signal", kinds, format_func=KIND_LABELS.get, key="ai_kind")
    of_kind = deviations[deviations["kind"] == kind]
    feature = middle.selectbox("Feature", sorted(of_kind["feature"].unique()), key="ai_kind_feature")
    of_feature = of_kind[of_kind["feature"] == feature]
    slice_ = right.selectbox("Slice", sorted(of_feature["slice"].unique(), key=lambda s: (s != "all", s)),
                             key="ai_kind_slice")
    trend = of_feature[of_feature["slice"] == slice_]
    label = KIND_LABELS[kind]
    if kind == "fallback_reason":
        reason = st.selectbox("Fallback reason", sorted(trend["reason"].dropna().unique()), key="ai_kind_reason")
        trend, label = trend[trend["reason"] == reason], f"fallback '{reason}'"
    budget = trend["budget"].dropna()
    budget_text = f" (budget {budget.iloc[0]:,.0f} ms)" if len(budget) else ""
    onsets = trend[trend["alert"].astype(bool)]
    percent = kind in RATE_KINDS or kind == "fallback_reason"
    st.altair_chart(band_chart(trend, f"{feature} · {slice_}: {label} against its band{budget_text}, "
                                      f"{len(onsets)} alerts", AXES.get(kind, f"{label}, rolling 7 days"),
                               percent=percent, x="day", value="value", onsets=onsets, width=WIDTH, height=260,
                               padded=True), width="content", key="ai_kind_trend")


def ai_signals_section(workspace: Path) -> None:
    st.subheader("Outcome signals beyond task completion")
    st.caption("Edit rate, each fallback reason, silent failures, thumbs-down (among known feedback), p95 latency "
               "against the feature's budget (profile `ai_latency_budget_ms`, `ai_latency_budgets`) and cost per "
               "success, over a rolling week per feature × segment, task type and user role (when the file has "
               "one), each against its own history with the task-completion detector. Fired signals and actions "
               "join the ranked queue on the feature's stage.")
    profile_key = str(load_profile(workspace)["profile"])
    found = kind_signals_of(str(workspace), upload_key(workspace), profile_key)
    deviations, signals = found["deviations"], found["signals"]
    if deviations.empty:
        st.info("No production AI interactions yet: nothing to watch.")
        return
    if signals.empty:
        st.success("No signal fired: every kind is within its usual range.")
    else:
        shown = signals.assign(kind=signals["kind"].map(KIND_LABELS))
        st.dataframe(shown[list(SIGNAL_COLUMNS)], hide_index=True, key="ai_kind_signals", column_config=SIGNAL_COLUMNS)
    trend_part(deviations)
    actions_part(found["actions"])
