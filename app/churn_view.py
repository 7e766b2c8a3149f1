"""The AI page's early churn signals: adoption velocity, per-user usage decline and support-ticket spikes,
each against its own weekly history. The detection is notebooks/ai/churn_signals.py; this only shows it."""

from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st
from journeylens.app.ui import upload_key
from journeylens.notebooks.ai.churn_signals import CHURN_KINDS, churn_deviations, churn_signal_list
from journeylens.notebooks.signals.charts import WIDTH
from journeylens.notebooks.workspace.snapshot import close_snapshot, connect

SIGNAL_LABELS = {"adoption": "Adoption velocity", "usage_decline": "Usage decline", "tickets": "Support tickets"}
SIGNAL_COLUMNS = {"signal": "Signal", "feature": "Feature", "segment": "Segment", "task_type": "Task type",
                  "stage": "Stage", "started_at": "Week started", "ended_at": "Week ended", "title": "What"}


@st.cache_data(max_entries=8, show_spinner="Watching adoption, usage and tickets…")
def churn_of(ws: str, uploads: tuple) -> dict:
    """Churn deviations and signals once per workspace state."""
    con = connect(ws)
    try:
        deviations = churn_deviations(con)
        return {"deviations": deviations, "signals": churn_signal_list(deviations)}
    finally:
        close_snapshot(con)


def churn_chart(trend: pd.DataFrame, signal: str, feature: str) -> alt.Chart:
    """The weekly series, its baseline (dashed) and its alerts (red points), labelled."""
    label = CHURN_KINDS[signal]["label"]
    frame = trend.assign(alerted=trend["alert"].astype(bool))
    base = alt.Chart(frame).encode(x=alt.X("week:T", title="Week"))
    shown = alt.Y("value:Q", title=label, axis=alt.Axis(format="%" if signal == "usage_decline" else ",d"))
    return (base.mark_line().encode(y=shown, tooltip=["week:T", "value:Q", "baseline:Q"])
            + base.mark_line(strokeDash=[4, 4], color="gray").encode(y="baseline:Q")
            + base.transform_filter("datum.alerted").mark_point(color="red", size=80, filled=True).encode(y="value:Q")
            ).properties(title=f"{feature}: {label} against its baseline (dashed), alerts in red", width=WIDTH,
                         height=240)


def churn_section(workspace: Path) -> None:
    st.subheader("Early churn signals")
    st.caption("New users per feature a week (a drop), the share of users whose weekly use fell to half their own "
               "baseline (a rise) and support tickets per feature and stage (a spike, when a tickets export is "
               "uploaded), each against its own history. Fired signals join the ranked queue on their stage.")
    found = churn_of(str(workspace), upload_key(workspace))
    deviations, signals = found["deviations"], found["signals"]
    if deviations.empty:
        st.info("No AI interactions with a user_id and no tickets yet: nothing to watch for churn.")
        return
    if signals.empty:
        st.success("No churn signal: adoption, usage and tickets are within their usual range.")
    else:
        st.dataframe(signals[list(SIGNAL_COLUMNS)].assign(signal=signals["signal"].map(SIGNAL_LABELS)),
                     hide_index=True, key="churn_signals", column_config=SIGNAL_COLUMNS)
    whole = deviations[(deviations["segment"] == "all") & (deviations["task_type"] == "all")]
    left, right = st.columns(2)
    signal = left.selectbox("Churn signal", [s for s in SIGNAL_LABELS if s in set(whole["signal"])],
                            format_func=SIGNAL_LABELS.get, key="churn_signal")
    feature = right.selectbox("Feature", sorted(whole.loc[whole["signal"] == signal, "feature"].unique()),
                              key="churn_feature")
    trend = whole[(whole["signal"] == signal) & (whole["feature"] == feature)]
    if signal == "tickets":  # one line per stage would overlap: the feature's tickets over its stages
        trend = trend.groupby("week", as_index=False).agg(value=("value", "sum"), baseline=("baseline", "sum"),
                                                          alert=("alert", "any"))
    st.altair_chart(churn_chart(trend, signal, feature), width="content", key="churn_trend")
