"""AI outcomes: what users get done with each AI feature, not just whether it answered.

Every number comes from notebooks/ai/ (outcomes, outcome_signals, validation, shadow and the judge_* modules); this page
lays them out, holds the labelling form and starts judge runs."""

import os

import pandas as pd
import streamlit as st
from journeylens.app.ai_signals_view import ai_signals_section
from journeylens.app.ai_weight_controls import ai_knobs
from journeylens.app.backlog_view import backlog_section
from journeylens.app.churn_view import churn_section
from journeylens.app.ui import flash, guard, show_flash, upload_key, workspace_path
from journeylens.notebooks.ai.judge import RUBRICS
from journeylens.notebooks.ai.judge_runner import DEFAULT_TIMEOUT, JudgeError, judge_settings
from journeylens.notebooks.ai.judge_workspace import judge_plan, judge_workspace, offline_workspace
from journeylens.notebooks.ai.outcome_signals import ai_deviations, low_success_slices
from journeylens.notebooks.ai.outcomes import ai_metrics, ai_views, retention_cohorts, silent_failure_cells
from journeylens.notebooks.ai.shadow import days_text, model_drift, paired_scores, shadow_verdict
from journeylens.notebooks.ai.validation import agreement, judged_frame, review_queue, save_human_labels
from journeylens.notebooks.signals.charts import WIDTH, band_chart, count_matrix
from journeylens.notebooks.workspace.safe_output import csv_text
from journeylens.notebooks.workspace.snapshot import close_snapshot, connect

SLICES = {"segment": "Segment", "model_version": "Model version", "segment_model": "Segment × model"}
# How the page's tables show their columns (presentation only): human headers, rates as percentages,
# costs in dollars with the digits a fraction of a cent needs.
PERCENT = {"availability": "Availability", "acceptance_rate": "Accepted", "edit_rate": "Edited",
           "fallback_rate": "Fell back", "task_completion_rate": "Task completion", "feature_rate": "Feature's rate",
           "silent_failure_rate": "Silent failures", "retention_90d": "Retention 90 d", "upper_95": "Upper 95% bound",
           "gap": "Gap to the feature"}
DOLLARS = {"cost_per_call": ("Cost per call", "$%.6f"), "cost_per_success": ("Cost per success", "$%.6f"),
           "cost_usd": ("Cost", "$%.2f"), "outcome_value_usd": ("Outcome value", "$%.2f")}
LABELS = {"feature": "Feature", "model_version": "Model version", "calls": "Calls",
          "interactions": "Interactions", "with_user_signal": "With a user signal", "weighted_score": "Weighted score",
          "p50_latency_ms": "p50 latency (ms)", "p95_latency_ms": "p95 latency (ms)", "completed": "Completed",
          "completed_evaluated": "Completed and judged", "evaluated": "Judged", "retention_users": "Retention users",
          "judge_pass_user_completed": "Judge pass · completed", "judge_fail_user_completed": "Judge fail · completed",
          "judge_pass_user_not_completed": "Judge pass · not completed", "roi": "ROI",
          "judge_fail_user_not_completed": "Judge fail · not completed", "fallback_reasons": "Fallback reasons",
          "examples": "Examples", "users": "Users", "eligible": "Eligible", "column": "Column", "test": "Test",
          "value": "Distance", "drift": "Drifted", "n_before": "Before (n)", "n_after": "After (n)"}


def columns(frame: pd.DataFrame) -> dict:
    """The column_config of a table of this page."""
    config = {}
    for name in frame.columns:
        if name in PERCENT:
            config[name] = st.column_config.NumberColumn(PERCENT[name], format="percent")
        elif name in DOLLARS:
            config[name] = st.column_config.NumberColumn(DOLLARS[name][0], format=DOLLARS[name][1])
        elif name == "segment":  # "enterprise · gpt-small-2026-09" in the segment × model view: room for it
            config[name] = st.column_config.TextColumn("Slice", width="medium")
        elif name.endswith("_ms"):  # whole milliseconds
            config[name] = st.column_config.NumberColumn(LABELS[name], format="%.0f")
        elif name in LABELS and pd.api.types.is_integer_dtype(frame[name]):  # counts: 2,435
            config[name] = st.column_config.NumberColumn(LABELS[name], format="localized")
        elif name in LABELS:
            config[name] = LABELS[name]
    return config


def table(frame: pd.DataFrame, key: str, **config) -> None:
    st.dataframe(frame, hide_index=True, key=key, column_config={**columns(frame), **config})


def dollars(value: float) -> str:
    """$0.24, $0.00012: two significant digits below a cent, never a bare 0."""
    if value == 0 or value >= 0.01:
        return f"${value:,.2f}"
    return f"${value:.2g}"


@st.cache_data(max_entries=8, show_spinner="Measuring the AI features…")
def measures(ws: str, uploads: tuple, by: str, knobs: dict) -> dict:
    con = connect(ws)
    try:  # knobs: the sidebar's AI weights, outcome values and shortest shadow run (ai_weight_controls)
        pairs = paired_scores(con, knobs["ai_weights"])
        return {"metrics": ai_metrics(con, knobs["ai_weights"], by=by), "deviations": ai_deviations(con),
                "views": ai_views(con, knobs["ai_weights"], knobs["outcome_values"]), "judged": judged_frame(con),
                "pairs": pairs, "shadow": shadow_verdict(pairs, min_days=knobs["shadow_min_days"]),
                "slices": low_success_slices(con), "drift": model_drift(con), "cohorts": retention_cohorts(con)}
    finally:
        close_snapshot(con)


def skeptic_section(views: pd.DataFrame) -> None:
    st.subheader("Infrastructure-centric against outcome-aligned")
    overall = views[views["feature"] == "all"].iloc[0]
    left, right = st.columns(2)
    left.markdown("**What the uptime dashboard sees**")
    right.markdown("**What users get done**")
    a, b = left.columns(2)
    a.metric("Availability", f"{overall['availability']:.1%}")
    b.metric("p95 latency", f"{overall['p95_latency_ms']:,.0f} ms")
    c, d = right.columns(2)
    c.metric("Task completion", f"{overall['task_completion_rate']:.1%}")
    silent = overall["silent_failure_rate"]
    d.metric("Silent failures", "—" if pd.isna(silent) else f"{silent:.1%}")
    table(views, "ai_views")


def two_by_two(views: pd.DataFrame) -> None:
    feature = st.selectbox("Feature", list(views["feature"]), index=len(views) - 1, key="ai_2x2_feature")
    st.altair_chart(count_matrix(silent_failure_cells(views, feature), "user", "judge", "Silent failures",
                                 "User signal", "Judge verdict", subtitle="judge verdict against the user signal"),
                    width="content", key="two_by_two")


def retention_section(cohorts: pd.DataFrame) -> None:
    st.subheader("Retention per signup cohort")
    st.caption("Retention 90 d of each month's new users: of those first seen at least 90 days before the latest "
               "data, the share who came back 90 days or more after their first interaction.")
    table(cohorts, "ai_cohorts", cohort=st.column_config.DateColumn("Signup month", format="YYYY-MM"))


def review_section(ws, judged: pd.DataFrame) -> None:
    st.subheader("Review queue")
    queue = review_queue(judged, size=10)
    if queue.empty:
        st.caption("Nothing to review: no judged interaction lacks a human label.")
        return
    with st.form("labels"):
        reviewer = st.text_input("Your name", key="reviewer")
        choices = {}
        for row in queue.itertuples(index=False):
            st.markdown(f"**{row.interaction_id}** · {row.feature} · {row.segment} · judge {row.judge:.2f} · "
                        f"_{row.reason}_")
            st.text(f"prompt: {row.prompt}\noutput: {row.output}")
            choices[row.interaction_id] = st.radio("task_completion", ["skip", *RUBRICS["task_completion"]["labels"]],
                                                   horizontal=True, key=f"label-{row.interaction_id}")
        if st.form_submit_button("Save labels"):
            labels = [{"interaction_id": i, "name": "task_completion", "label": c} for i, c in choices.items()
                      if c != "skip"]
            if not reviewer.strip():
                st.error("Give your name: labels are recorded with who gave them.")
            elif labels:
                save_human_labels(ws, labels, reviewer.strip())
                flash(f"Saved {len(labels)} human labels.")
                st.rerun()


def agreement_section(judged: pd.DataFrame) -> None:
    st.subheader("Judge against humans")
    stats = agreement(judged)
    if not stats["n"]:
        st.caption("No interaction has both a judge and a human verdict yet.")
        return
    cols = st.columns(5)
    for col, (label, value, fmt) in zip(cols, [("Cohen's κ", stats["kappa"], ".2f"), ("TPR", stats["tpr"], ".1%"),
                                               ("TNR", stats["tnr"], ".1%"),
                                               ("Judge pass rate", stats["judge_pass_rate"], ".1%"),
                                               ("Corrected pass rate", stats["corrected_pass_rate"], ".1%")],
                                        strict=True):
        col.metric(label, "—" if pd.isna(value) else f"{value:{fmt}}")
    st.caption(f"{stats['n']} pairs: judge pass & human pass {stats['tp']}, judge pass & human fail {stats['fp']}, "
               f"judge fail & human pass {stats['fn']}, both fail {stats['tn']}. Corrected pass rate (Rogan–Gladen) "
               f"95% interval {stats['ci_low']:.1%}–{stats['ci_high']:.1%}.")


def shadow_section(result: dict) -> None:
    st.subheader("Shadow against production")
    verdict = result["shadow"]
    st.write(f"{verdict['pairs']} paired interactions over {days_text(verdict['run_days'])} days (shortest run "
             f"{days_text(verdict['min_days'])} days). " + verdict["reason"] + ".")
    if verdict["pairs"] >= 10:
        st.metric("Weighted-score delta (shadow − production)", f"{verdict['delta']:+.3f}",
                  f"{verdict['relative']:+.1%} (95% CI {verdict['ci_low']:+.1%} to {verdict['ci_high']:+.1%})")
    if result["drift"] is not None:
        st.caption(f"Drift from {result['drift']['before']} to {result['drift']['after']}:")
        table(result["drift"]["table"], "drift")


def judge_run_message(result: dict) -> tuple:
    """(message, kind) after a judge run: the counts, and why it stopped early or what failed."""
    counts = (f"Judged {result['judged']}, failed {result['failed']}, unparsed {result['unparsed']}, "
              f"not run {result['not_run']}; stored {result['stored']} scores.")
    if result["stopped"]:
        return f"The judge {result['stopped']}. {counts} Run it again to retry the calls without a verdict.", "warning"
    if result["failed"]:
        return f"{counts} Last failure: {result['last_error']}. Run it again to retry them.", "warning"
    return counts, "success"


def judge_section(ws) -> None:
    with st.expander("Run the judge"):
        model = st.text_input("Model", os.environ.get("JOURNEYLENS_JUDGE_MODEL", "gpt-4o-mini"), key="judge_model")
        base_url = st.text_input("Base URL (any OpenAI-compatible server; empty for OpenAI)", key="judge_url")
        limit = st.number_input("Only the first N interactions (0 = all)", 0, 10_000_000, 100, key="judge_limit")
        timeout = st.number_input("Seconds one attempt may take", 1.0, 600.0, DEFAULT_TIMEOUT, key="judge_timeout")
        plan = judge_plan(ws, model, int(limit) or None)
        retrying = f" ({plan['retrying']:,} failed before)" if plan["retrying"] else ""
        st.caption(f"{plan['estimate']['calls']:,} calls to make{retrying}, about {dollars(plan['estimate']['usd'])}; "
                   f"{plan['cached']:,} verdicts already cached.")
        left, right = st.columns(2)
        if left.button("Run the judge", key="judge_run"):
            try:
                key = st.secrets.get("OPENAI_API_KEY") if hasattr(st, "secrets") else None
            except Exception:  # no secrets file: the environment is the only source
                key = None
            try:
                settings = judge_settings(model, base_url or None, key, timeout=timeout)
            except JudgeError as err:
                st.error(str(err))
                return
            bar = st.progress(0.0, text="judging…")
            result = judge_workspace(ws, settings, int(limit) or None,
                                     progress=lambda done, total: bar.progress(done / total, text=f"{done}/{total}"))
            flash(*judge_run_message(result))
            st.rerun()
        if right.button("Run the offline evaluator (no key)", key="offline_run"):
            flash(f"Offline evaluator stored {offline_workspace(ws)['stored']} scores.")
            st.rerun()


st.title("AI outcomes")
st.write("Do users get their task done with each AI feature? Outcome-aligned metrics per segment and model, "
         "silent failures, the judge kept honest by humans, and whether the shadow model may be promoted.")
workspace = workspace_path()
show_flash()
with guard("measuring the AI features"):
    uploads = upload_key(workspace)
    by = st.radio("Slice by", list(SLICES), format_func=SLICES.get, horizontal=True, key="ai_slice")
    result = measures(str(workspace), uploads, by, ai_knobs(workspace, uploads))
    if result["metrics"].empty:
        st.info("No AI interactions yet. Add an AI interactions file on the Data page, or run `journeylens demo`.")
    else:
        skeptic_section(result["views"])
        st.subheader("Metrics by slice")
        table(result["metrics"], "ai_metrics")
        deviations = result["deviations"]
        left, right = st.columns(2)
        feature = left.selectbox("Trend of feature", sorted(deviations["feature"].unique()), key="ai_feature")
        segment = right.selectbox("Segment", sorted(deviations.loc[deviations["feature"] == feature, "segment"].unique(),
                                                    key=lambda s: s != "all"), key="ai_segment")
        trend = deviations[(deviations["feature"] == feature) & (deviations["segment"] == segment)]
        st.altair_chart(band_chart(trend, f"{feature} · {segment}: task completion against its band",
                                   "Task completion, rolling 7 days", percent=True, x="day", value="rate",
                                   onsets=trend[trend["alert"].astype(bool)], width=WIDTH, height=260,
                                   padded=True), width="content", key="ai_trend")
        ai_signals_section(workspace)
        two_by_two(result["views"])
        retention_section(result["cohorts"])
        churn_section(workspace)
        st.subheader("Low-success slices")
        table(result["slices"], "ai_slices")
        st.download_button("Export for the prompt backlog (CSV)", csv_text(result["slices"]),
                           "low_success_slices.csv", "text/csv", key="slices_csv")
        backlog_section(workspace)
        shadow_section(result)
        agreement_section(result["judged"])
        review_section(workspace, result["judged"])
        judge_section(workspace)
