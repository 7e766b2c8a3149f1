"""Journey health: each stage's conversion, time to value and satisfaction against its own history.

Signals, deviations, burn rates and the static/dynamic comparison come from notebooks/signals/ (journey_signals,
slo and threshold_review); this page draws them and holds the threshold preview."""

import json
from datetime import timedelta

import pandas as pd
import streamlit as st
from journeylens.app.ui import guard, upload_key, workspace_path
from journeylens.notebooks.signals.charts import band_chart, stage_chart
from journeylens.notebooks.signals.health_view import (
    THIN,
    THIN_WHY,
    headers,
    named_metrics,
    rules_in_window,
    slo_table,
    stage_series,
    stage_signal_marks,
    value_domain,
)
from journeylens.notebooks.signals.journey_signals import METRICS
from journeylens.notebooks.signals.slo import (
    DEFAULT_BURN_WINDOWS,
    DEFAULT_OBJECTIVE,
    burn_alerts,
    burn_status,
    stage_burn_rates,
)
from journeylens.notebooks.signals.threshold_review import (
    STATIC_MARGIN,
    calibration_suggestions,
    series_rules,
    static_vs_dynamic,
    workspace_review,
)
from journeylens.notebooks.signals.thresholds import DETECTOR
from journeylens.notebooks.workspace.labels import human, plural

# (setting, label, min, max, step, help) of the detector an analyst may try out here
KNOBS = [
    ("z_min", "Minimum deviation (robust SDs)", 2.0, 12.0, 0.5, "An alert needs at least this deviation."),
    ("record_rows", "Record window (buckets)", 24, 2000, 24,
     "An alert's deviation must be the largest in this many earlier buckets."),
    ("refractory_rows", "Quiet after an alert (buckets)", 0, 500, 6, "Only a worse deviation alerts again sooner."),
    ("recover_rows", "Calm buckets to recover", 1, 48, 1, "An episode ends after this many calm buckets."),
]


@st.cache_data(max_entries=16, show_spinner="Watching the journey metrics…")
def health(ws: str, uploads: tuple, params_json: str) -> dict:
    """Deviations, signals and incidents of a workspace under detector settings (cached per upload set)."""
    return workspace_review(ws, json.loads(params_json))


def detector_controls() -> dict:
    st.sidebar.header("Detector (preview)")
    st.sidebar.caption("Try settings and see what would have fired over the history. The shipped defaults "
                       "were tuned on the NAB development split.")
    params = {}
    for key, label, low, high, step, helptext in KNOBS:
        kind = float if isinstance(step, float) else int
        value = st.sidebar.slider(label, kind(low), kind(high), kind(DETECTOR[key]), kind(step), help=helptext,
                                  key=f"detector-{key}")
        if value != DETECTOR[key]:
            params[key] = value
    return params


def burn_section(deviations: pd.DataFrame) -> None:
    st.subheader("SLO burn rate per stage")
    left, right = st.columns([1, 2])
    objective = left.number_input("Journey SLO: share of expected completions kept", 0.5, 0.999,
                                  DEFAULT_OBJECTIVE, 0.005, format="%.3f", key="slo_objective")
    table = right.data_editor(pd.DataFrame(DEFAULT_BURN_WINDOWS), num_rows="dynamic", hide_index=True,
                              key="burn_table", column_config={
                                  "long": "Long window", "short": "Short window",
                                  "burn_rate": st.column_config.NumberColumn("Burn rate (× budget pace)", format="%g"),
                                  "action": st.column_config.SelectboxColumn("Action", options=["page", "ticket"],
                                                                             required=True)})
    rates = stage_burn_rates(deviations, objective, table.dropna(how="all").to_dict("records"))
    if rates.empty:
        st.info("No stage has enough conversion history for a burn rate yet.")
        return
    st.dataframe(slo_table(burn_status(rates)), hide_index=True, key="burn_status")
    st.caption(f"Budget burn: how fast the stage spends its error budget, 100% = exactly as fast as it "
               f"accrues. \"{THIN}\": {THIN_WHY} (often the short windows).")
    alerts = burn_alerts(rates)
    st.caption(f"Over the history: {plural(int((alerts['action'] == 'page').sum()), 'page')} and "
               f"{plural(int((alerts['action'] == 'ticket').sum()), 'ticket')} (multiwindow, multi-burn-rate table).")


def stage_section(result: dict) -> tuple:
    """Pick a stage (and segment, metric), a time range, and see that stage full width with every signal
    that fired on it. Returns the choice for the static/dynamic comparison below."""
    deviations, signals = result["deviations"], result["signals"]
    st.subheader("A stage against its history")
    stages = sorted(deviations["stage"].unique())
    left, middle, right = st.columns(3)
    stage = left.selectbox("Stage", stages, key="health_stage")
    segments = sorted(deviations.loc[deviations["stage"] == stage, "segment"].unique(), key=lambda s: s != "all")
    segment = middle.selectbox("Segment", segments, key="health_segment")
    metric = right.selectbox("Metric", list(METRICS), format_func=lambda m: METRICS[m]["label"], key="health_metric")
    first, last = (pd.Timestamp(t).to_pydatetime() for t in (deviations["ts"].min(), deviations["ts"].max()))
    window = st.slider("Time range (UTC)", first, last, (first, last), step=timedelta(hours=1),
                       format="YYYY-MM-DD HH:mm", key="health_range") if last > first else (first, last)
    rows = stage_series(deviations, stage, segment, metric, *window)
    marks = stage_signal_marks(signals, stage, deviations["ts"].max(), *window)
    percent, label = metric == "conversion", METRICS[metric]["label"]
    who = "" if segment == "all" else f" ({segment})"
    st.altair_chart(stage_chart(rows, marks, f"{stage}{who}: {label} against its baseline band", human(metric),
                                value_domain(rows, percent), percent), width="stretch", key="stage_chart")
    st.caption(f"{plural(len(marks), 'signal')} fired on {stage} in this range. Drag the chart to pan, scroll to zoom; "
               "hover a red span for the signal.")
    return stage, segment, metric, window


def series_section(result: dict, params: dict, stage: str, segment: str, metric: str, window: tuple) -> None:
    deviations, incidents = result["deviations"], result["incidents"]
    st.subheader("Static threshold against the detector")
    margin = st.slider("Static rule: worse than the usual level by", 0.05, 0.8, STATIC_MARGIN, 0.05,
                       key="static_margin", format="%.2f")
    rules = series_rules(deviations, stage, segment, metric, margin)
    rows, static, dynamic = rules_in_window(rules, *window)
    if rows.empty:
        st.info("This series has no values.")
        return
    percent = metric == "conversion"
    # one above the other, full width, on one value axis: side by side they were 360 px each
    domain = value_domain(rows.assign(threshold=rules["threshold"]), percent,
                          columns=("value", "band_lower", "band_upper", "threshold"))
    common = {"percent": percent, "width": "container", "domain": domain}
    st.altair_chart(band_chart(rows, f"Static: {plural(int(static.sum()), 'alert')}", human(metric), band=False,
                               static_threshold=rules["threshold"], onsets=rows[static].assign(rule="static"),
                               **common), width="stretch", key="static_chart")
    st.altair_chart(band_chart(rows, f"Dynamic: {plural(int(dynamic.sum()), 'alert')}", human(metric),
                               onsets=rows[dynamic].assign(rule="dynamic"), **common), width="stretch",
                    key="dynamic_chart")
    st.caption("Above: the series' median made worse by the margin, fired at each crossing. Below: the "
               "journey-signal detector with its baseline (dashed) and band; red points are alerts.")
    compare = static_vs_dynamic(deviations, incidents, margin)
    st.dataframe(named_metrics(compare), hide_index=True, key="static_vs_dynamic", column_config={
        **headers(compare), "static_threshold": st.column_config.NumberColumn("Static threshold", format="%.2f")})
    suggestions = calibration_suggestions(deviations, incidents, params)
    st.subheader("Calibration suggestions")
    if suggestions.empty:
        st.caption("No setting would have cut alerts while keeping every incident that mattered.")
    else:
        st.dataframe(named_metrics(suggestions), hide_index=True, key="calibration", column_config={
            **headers(suggestions), "z_min_now": "Min deviation now (SD)", "z_min_suggested": "Suggested (SD)"})


st.title("Journey health")
st.write("Is each stage of the journey doing what it usually does? Conversion, time to value and "
         "satisfaction per stage and segment, against their own history: signals that fired, SLO burn "
         "rates, and what a static threshold would have done instead.")
workspace = workspace_path()
with guard("watching the journey metrics"):
    params = detector_controls()
    uploads = upload_key(workspace)
    result = health(str(workspace), uploads, json.dumps(params, sort_keys=True))
    if result["deviations"].empty:
        st.info("No journey metrics yet. Add a metrics file on the Data page, or run `journeylens demo`.")
    else:
        st.subheader("Signals that fired")
        signals = result["signals"]
        st.metric("Signals over the history", f"{len(signals):,}")
        shown = signals[["title", "stage", "segment", "metric", "peak_z", "entered"]]
        st.dataframe(named_metrics(shown), hide_index=True, key="signals_table", column_config={
            **headers(shown), "peak_z": st.column_config.NumberColumn("Peak deviation (SD)", format="%.1f"),
            "entered": st.column_config.NumberColumn("Sessions entered", format="%d")})
        choice = stage_section(result)
        burn_section(result["deviations"])
        series_section(result, params, *choice)
