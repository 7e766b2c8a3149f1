"""Altair chart builders for the pages. Drawing only: every number comes from `notebooks/`."""

from __future__ import annotations

import altair as alt
import pandas as pd

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
        y=alt.Y("rate:Q", title="Conversion", axis=alt.Axis(format="%")),
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


def series_chart(rows: pd.DataFrame, title: str, value_title: str, percent: bool, band: bool,
                 static_threshold: float | None = None, onsets: pd.DataFrame | None = None) -> alt.LayerChart:
    """One journey metric over time: the value, and either the dynamic baseline with its band or a
    static threshold line, with the rows where that rule would have alerted marked in red.
    `rows` has ts, value, baseline, band_lower, band_upper; `onsets` has ts, value."""
    fmt = "%" if percent else ",.4~g"
    x = alt.X("ts:T", title="Time (UTC)", axis=alt.Axis(format="%b %d %H:%M"))
    y = alt.Y("value:Q", title=value_title, axis=alt.Axis(format=fmt), scale=alt.Scale(zero=False))
    tip = [alt.Tooltip("ts:T", title="Time", format="%Y-%m-%d %H:%M"),
           alt.Tooltip("value:Q", title=value_title, format=".1%" if percent else ",.3~g")]
    layers = []
    if band:
        layers.append(alt.Chart(rows).mark_area(opacity=0.18, color="#7f7f7f").encode(
            x=x, y=alt.Y("band_lower:Q", title=value_title), y2="band_upper:Q",
            tooltip=[*tip[:1], alt.Tooltip("band_lower:Q", title="band from", format=".3~g"),
                     alt.Tooltip("band_upper:Q", title="to", format=".3~g")]))
        layers.append(alt.Chart(rows).mark_line(color="#7f7f7f", strokeDash=[5, 4]).encode(x=x, y="baseline:Q"))
    layers.append(alt.Chart(rows).mark_line(color="#1f77b4").encode(x=x, y=y, tooltip=tip))
    if static_threshold is not None and pd.notna(static_threshold):
        layers.append(alt.Chart(pd.DataFrame({"threshold": [static_threshold]})).mark_rule(
            color="#ff7f0e", strokeDash=[6, 3]).encode(y="threshold:Q", tooltip=[alt.Tooltip(
                "threshold:Q", title="static threshold", format=".3~g")]))
    if onsets is not None and len(onsets):
        layers.append(alt.Chart(onsets).mark_point(color="#d62728", size=90, filled=True).encode(
            x=x, y="value:Q", tooltip=[*tip, alt.Tooltip("rule:N", title="alert by")]))
    return alt.layer(*layers).properties(title=title, height=240, width=WIDTH // 2 - 20)


def stages_overview(deviations: pd.DataFrame) -> alt.FacetChart:
    """Every stage's conversion (all segments together) against its baseline band, one small chart per
    stage, with the onsets of the signals that fired marked in red."""
    rows = deviations[(deviations["segment"] == "all") & (deviations["metric"] == "conversion")].copy()
    rows["signal"] = rows["alert"].map({True: "signal", False: None})
    x = alt.X("ts:T", title=None, axis=alt.Axis(format="%b %d"))
    base = alt.Chart().encode(x=x)
    band = base.mark_area(opacity=0.18, color="#7f7f7f").encode(
        y=alt.Y("band_lower:Q", title="Conversion", axis=alt.Axis(format="%")), y2="band_upper:Q")
    line = base.mark_line(color="#1f77b4", strokeWidth=1).encode(
        y="value:Q", tooltip=[alt.Tooltip("ts:T", title="Time", format="%Y-%m-%d %H:%M"),
                              alt.Tooltip("value:Q", title="Conversion", format=".1%"),
                              alt.Tooltip("baseline:Q", title="Baseline", format=".1%")])
    onsets = base.mark_point(color="#d62728", size=70, filled=True).encode(y="value:Q").transform_filter(
        alt.datum.alert)
    return alt.layer(band, line, onsets, data=rows).properties(height=110, width=WIDTH // 2 - 20).facet(
        facet=alt.Facet("stage:N", title=None), columns=2).properties(
        title="Conversion per stage against its baseline band; red: signals that fired")


def ai_trend_chart(deviations: pd.DataFrame, feature: str, segment: str) -> alt.LayerChart:
    """A feature's task completion over the rolling week for one segment, against the band the
    detector drew from its own history, with the onsets of task-completion drops in red."""
    rows = deviations[(deviations["feature"] == feature) & (deviations["segment"] == segment)]
    x = alt.X("day:T", title="Day", axis=alt.Axis(format="%b %d"))
    band = alt.Chart(rows).mark_area(opacity=0.18, color="#7f7f7f").encode(
        x=x, y=alt.Y("band_lower:Q", title="Task completion, rolling 7 days", axis=alt.Axis(format="%"),
                     scale=alt.Scale(zero=False)), y2="band_upper:Q")
    line = alt.Chart(rows).mark_line(color="#1f77b4").encode(
        x=x, y="rate:Q", tooltip=[alt.Tooltip("day:T", format="%Y-%m-%d"),
                                  alt.Tooltip("rate:Q", title="task completion 7d", format=".1%"),
                                  alt.Tooltip("baseline:Q", title="baseline", format=".1%"),
                                  alt.Tooltip("interactions:Q", title="interactions 7d", format=",")])
    onsets = alt.Chart(rows).mark_point(color="#d62728", size=80, filled=True).encode(x=x, y="rate:Q").transform_filter(
        alt.datum.alert)
    return alt.layer(band, line, onsets).properties(
        title=f"{feature} · {segment}: task completion against its band", height=260, width=WIDTH)


def two_by_two_chart(cells: pd.DataFrame) -> alt.LayerChart:
    """The silent-failure 2x2: judge verdict against what the user did, counts in the cells."""
    base = alt.Chart(cells).encode(x=alt.X("user:N", title="User signal"), y=alt.Y("judge:N", title="Judge verdict"))
    heat = base.mark_rect().encode(color=alt.Color("count:Q", title="Interactions", scale=alt.Scale(scheme="blues")),
                                   tooltip=["judge:N", "user:N", "count:Q", "meaning:N"])
    text = base.mark_text(fontSize=14).encode(text=alt.Text("count:Q", format=","))
    return (heat + text).properties(title="Silent failures: judge verdict against the user signal", height=200,
                                    width=360)
