"""AI outcomes: what users get done with each AI feature, not just whether it answered.

Every number comes from notebooks/ai/ (outcomes, outcome_signals, validation, shadow and the judge_* modules); this page
lays them out, holds the labelling form and starts judge runs."""

import os

import pandas as pd
import streamlit as st
from journeylens.app.ui import flash, guard, show_flash, upload_key, workspace_path
from journeylens.notebooks.ai.judge import RUBRICS
from journeylens.notebooks.ai.judge_runner import DEFAULT_TIMEOUT, JudgeError, judge_settings
from journeylens.notebooks.ai.judge_workspace import judge_plan, judge_workspace, offline_workspace
from journeylens.notebooks.ai.outcome_signals import ai_deviations, low_success_slices
from journeylens.notebooks.ai.outcomes import ai_metrics, ai_views, retention_cohorts, silent_failure_cells
from journeylens.notebooks.ai.shadow import model_drift, paired_scores, shadow_verdict
from journeylens.notebooks.ai.validation import agreement, judged_frame, review_queue, save_human_labels
from journeylens.notebooks.signals.charts import WIDTH, band_chart, count_matrix
from journeylens.notebooks.workspace.safe_output import csv_text
from journeylens.notebooks.workspace.snapshot import connect

SLICES = {"segment": "Segment", "model_version": "Model version", "segment_model": "Segment × model"}


@st.cache_data(max_entries=8, show_spinner="Measuring the AI features…")
def measures(ws: str, uploads: tuple, by: str) -> dict:
    con = connect(ws)
    try:
        pairs = paired_scores(con)
        return {"metrics": ai_metrics(con, by=by), "deviations": ai_deviations(con), "views": ai_views(con),
                "judged": judged_frame(con), "pairs": pairs, "shadow": shadow_verdict(pairs),
                "slices": low_success_slices(con), "drift": model_drift(con), "cohorts": retention_cohorts(con)}
    finally:
        con.close()


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
    st.dataframe(views, hide_index=True, key="ai_views")


def two_by_two(views: pd.DataFrame) -> None:
    feature = st.selectbox("Feature", list(views["feature"]), index=len(views) - 1, key="ai_2x2_feature")
    st.altair_chart(count_matrix(silent_failure_cells(views, feature), "user", "judge",
                                 "Silent failures: judge verdict against the user signal", "User signal",
                                 "Judge verdict"), key="two_by_two")


def retention_section(cohorts: pd.DataFrame) -> None:
    st.subheader("Retention per signup cohort")
    st.caption("retention_90d of each month's new users: of those first seen at least 90 days before the latest "
               "data, the share who came back 90 days or more after their first interaction.")
    st.dataframe(cohorts, hide_index=True, key="ai_cohorts",
                 column_config={"cohort": st.column_config.DateColumn("cohort", format="YYYY-MM"),
                                "retention_90d": st.column_config.NumberColumn(format="percent")})


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
    for col, (label, value) in zip(cols, [("Cohen's κ", stats["kappa"]), ("TPR", stats["tpr"]), ("TNR", stats["tnr"]),
                                          ("Judge pass rate", stats["judge_pass_rate"]),
                                          ("Corrected pass rate", stats["corrected_pass_rate"])], strict=True):
        col.metric(label, "—" if pd.isna(value) else f"{value:.2f}")
    st.caption(f"{stats['n']} pairs: judge pass & human pass {stats['tp']}, judge pass & human fail {stats['fp']}, "
               f"judge fail & human pass {stats['fn']}, both fail {stats['tn']}. Corrected pass rate (Rogan–Gladen) "
               f"95% interval {stats['ci_low']:.2f}–{stats['ci_high']:.2f}.")


def shadow_section(result: dict) -> None:
    st.subheader("Shadow against production")
    verdict = result["shadow"]
    st.write(f"{verdict['pairs']} paired interactions. " + verdict["reason"] + ".")
    if verdict["pairs"] >= 10:
        st.metric("Weighted-score delta (shadow − production)", f"{verdict['delta']:+.3f}",
                  f"{verdict['relative']:+.1%} (95% CI {verdict['ci_low']:+.1%} to {verdict['ci_high']:+.1%})")
    if result["drift"] is not None:
        st.caption(f"Drift from {result['drift']['before']} to {result['drift']['after']}:")
        st.dataframe(result["drift"]["table"], hide_index=True, key="drift")


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
        st.caption(f"{plan['estimate']['calls']:,} calls to make{retrying}, about ${plan['estimate']['usd']:.4f}; "
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
    result = measures(str(workspace), uploads, by)
    if result["metrics"].empty:
        st.info("No AI interactions yet. Add an AI interactions file on the Data page, or run `journeylens demo`.")
    else:
        skeptic_section(result["views"])
        st.subheader("Metrics by slice")
        st.dataframe(result["metrics"], hide_index=True, key="ai_metrics")
        deviations = result["deviations"]
        left, right = st.columns(2)
        feature = left.selectbox("Trend of feature", sorted(deviations["feature"].unique()), key="ai_feature")
        segment = right.selectbox("Segment", sorted(deviations.loc[deviations["feature"] == feature, "segment"].unique(),
                                                    key=lambda s: s != "all"), key="ai_segment")
        trend = deviations[(deviations["feature"] == feature) & (deviations["segment"] == segment)]
        st.altair_chart(band_chart(trend, f"{feature} · {segment}: task completion against its band",
                                   "Task completion, rolling 7 days", percent=True, x="day", value="rate",
                                   onsets=trend[trend["alert"].astype(bool)], width=WIDTH, height=260), key="ai_trend")
        two_by_two(result["views"])
        retention_section(result["cohorts"])
        st.subheader("Low-success slices")
        st.dataframe(result["slices"], hide_index=True, key="ai_slices")
        st.download_button("Export for the prompt backlog (CSV)", csv_text(result["slices"]),
                           "low_success_slices.csv", "text/csv", key="slices_csv")
        shadow_section(result)
        agreement_section(result["judged"])
        review_section(workspace, result["judged"])
        judge_section(workspace)
