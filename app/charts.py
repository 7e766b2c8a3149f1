"""Altair chart builders for the Ranked page. Drawing only: every number comes from `notebooks/`. Charts that
notebooks draw too live in notebooks/signals/charts.py."""

from __future__ import annotations

import altair as alt
import pandas as pd
from journeylens.notebooks.signals.health_view import value_domain

WIDTH = 760  # concatenated charts cannot stretch to the container; this fits the wide layout


def window_band(start, end) -> alt.Chart:
    """The alert window as a shaded rectangle spanning the chart's height."""
    band = pd.DataFrame({"start": [pd.Timestamp(start)], "end": [pd.Timestamp(end)], "what": ["alert window"]})
    return alt.Chart(band).mark_rect(opacity=0.18, color="#d62728").encode(
        x="start:T", x2="end:T", tooltip=[alt.Tooltip("start:T", title="Window from", format="%Y-%m-%d %H:%M"),
                                          alt.Tooltip("end:T", title="to", format="%Y-%m-%d %H:%M")])


def stage_window_chart(hourly: pd.DataFrame, window_start, window_end, stage: str) -> alt.VConcatChart:
    """A stage's hourly conversion against its hour-of-day baseline (top) and its traffic (bottom), with
    the alert window shaded on both. `hourly` has hour, conversion, conversion_baseline, entered, traffic."""
    frame = hourly.copy()
    frame["hour"] = pd.to_datetime(frame["hour"])
    frame["hour_end"] = frame["hour"] + pd.Timedelta(hours=1)
    lines = frame.melt(id_vars=["hour"], value_vars=["conversion", "conversion_baseline"],
                       var_name="series", value_name="rate")
    lines["series"] = lines["series"].map({"conversion": "conversion", "conversion_baseline": "baseline"})
    x = alt.X("hour:T", title="Hour (UTC)", axis=alt.Axis(format="%b %d %H:%M"))
    conversion = alt.Chart(lines).mark_line(point=True).encode(
        x=x,
        # a rate's axis around its data, within 0..100% (value_domain), not from zero to a rounded-up max
        y=alt.Y("rate:Q", title="Conversion", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=value_domain(frame, True, columns=("conversion", "conversion_baseline")),
                                nice=False)),
        color=alt.Color("series:N", title=None,
                        scale=alt.Scale(domain=["conversion", "baseline"], range=["#1f77b4", "#7f7f7f"])),
        strokeDash=alt.StrokeDash("series:N", legend=None,
                                  scale=alt.Scale(domain=["conversion", "baseline"], range=[[1, 0], [5, 4]])),
        tooltip=[alt.Tooltip("hour:T", title="Hour", format="%Y-%m-%d %H:%M"), alt.Tooltip("series:N"),
                 alt.Tooltip("rate:Q", title="Conversion", format=".1%")],
    )
    top = (window_band(window_start, window_end) + conversion).properties(
        title=f"Conversion at stage {stage} vs its baseline", height=220, width=WIDTH)
    traffic = alt.Chart(frame).mark_bar(opacity=0.7, binSpacing=1).encode(
        x=x, x2="hour_end:T",
        y=alt.Y("entered:Q", title="Customers entering"), y2=alt.datum(0),
        tooltip=[alt.Tooltip("hour:T", title="Hour", format="%Y-%m-%d %H:%M"),
                 alt.Tooltip("entered:Q", title="Entered", format=","),
                 alt.Tooltip("traffic:Q", title="Weighted traffic", format=",.0f")],
    )
    bottom = (window_band(window_start, window_end) + traffic).properties(
        title=f"Traffic at stage {stage}", height=140, width=WIDTH)
    return alt.vconcat(top, bottom).resolve_scale(x="shared")


BREAKDOWN_COLORS = {"adds": "#4c78a8", "harm cut": "#d62728", "score": "#2ca02c"}


def breakdown_chart(steps: pd.DataFrame, title: str) -> alt.LayerChart:
    """The score as a waterfall (queue/explain.py waterfall): each factor's points from where the last ended,
    the harm cut in red, the score from 0 in green; each bar labelled with its points."""
    frame = steps.copy()
    frame["low"] = frame[["start", "end"]].min(axis=1)
    frame["high"] = frame[["start", "end"]].max(axis=1)
    frame["text"] = [f"{p:+.1f}" if kind != "score" else f"{p:.1f}" for p, kind in zip(frame["points"], frame["kind"],
                                                                                         strict=True)]
    top = max(float(frame["high"].max()), 1.0)
    x = alt.X("low:Q", title="Points of the score (0–100)", scale=alt.Scale(domain=[0, top * 1.12], nice=False))
    y = alt.Y("label:N", title=None, sort=list(frame["label"]), axis=alt.Axis(labelLimit=260))
    bars = alt.Chart(frame).mark_bar(size=18).encode(
        x=x, x2="high:Q", y=y,
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=list(BREAKDOWN_COLORS),
                                                              range=list(BREAKDOWN_COLORS.values()))),
        tooltip=[alt.Tooltip("label:N", title="Factor"), alt.Tooltip("points:Q", title="Points", format="+.1f"),
                 alt.Tooltip("detail:N", title="How")],
    )
    labels = alt.Chart(frame).mark_text(align="left", dx=4, fontSize=12).encode(
        x=alt.X("high:Q", scale=alt.Scale(domain=[0, top * 1.12], nice=False)), y=y, text="text:N")
    return (bars + labels).properties(title=title, height=alt.Step(30), width="container")
