"""Altair charts of a series against its own history, for the signals and AI notebooks and the app's pages.

Drawing only: every number comes from the detector (thresholds, journey_signals, outcome_signals). Altair is
imported here, not by the modules that compute, so the command line never pays for it.
"""

import altair as alt
import pandas as pd

WIDTH = 760  # concatenated charts cannot stretch to their container; this fits a wide page or notebook


def title_params(text: str, subtitle: str | None = None) -> alt.TitleParams:
    """A title anchored left, set off from the plot. What cut the AI page's titles was Streamlit's default
    autosize "fit" (the charts that show one whole use autosize pad); this keeps the title clear of the axis."""
    return alt.TitleParams(text=text, subtitle=subtitle or alt.Undefined, anchor="start", fontSize=14, offset=10,
                           subtitleFontSize=12, subtitlePadding=4)


def band_chart(rows: pd.DataFrame, title: str, value_title: str, percent: bool = False, band: bool = True,
               x: str = "ts", value: str = "value", static_threshold: float | None = None,
               onsets: pd.DataFrame | None = None, spans: pd.DataFrame | None = None,
               width: int | str = WIDTH // 2 - 20, height: int = 240, padded: bool = False,
               domain: list | None = None) -> alt.LayerChart:
    """One series over time: the value, and either the detector's baseline (dashed) with its band
    (band_lower..band_upper) or a static threshold line; the rows where a rule alerted in red (`onsets`,
    same columns, optional `rule`), and shaded `spans` (start, end, label: incidents, episodes). A rate's
    (`percent`) band is drawn within 0-100%: beyond, every value is within it anyway. `padded`: the chart keeps
    its own size (autosize pad; show it with width="content"), where Streamlit's default fit squeezes the
    plot to make room for the title and axes, and cut the title. `domain`: the value axis's [low, high]
    (health_view.value_domain), for charts shown one above the other on one scale; width "container" fills
    the page (st.altair_chart(width="stretch"))."""
    fmt, tip_fmt = ("%", ".1%") if percent else (",.4~g", ",.3~g")
    if percent and band:
        rows = rows.assign(band_lower=rows["band_lower"].clip(0.0, 1.0), band_upper=rows["band_upper"].clip(0.0, 1.0))
    axis_x = alt.X(f"{x}:T", title="Time (UTC)" if x == "ts" else "Day", axis=alt.Axis(format="%b %d %H:%M"
                                                                                       if x == "ts" else "%b %d"))
    scale = alt.Scale(zero=False) if domain is None else alt.Scale(zero=False, domain=domain, clamp=True)
    y = alt.Y(f"{value}:Q", title=value_title, axis=alt.Axis(format=fmt), scale=scale)
    tip = [alt.Tooltip(f"{x}:T", title="Time", format="%Y-%m-%d %H:%M"),
           alt.Tooltip(f"{value}:Q", title=value_title, format=tip_fmt)]
    layers = []
    if spans is not None and len(spans):
        layers.append(alt.Chart(spans).mark_rect(opacity=0.15, color="#d62728").encode(
            x="start:T", x2="end:T", tooltip=[alt.Tooltip("label:N", title="span"),
                                              alt.Tooltip("start:T", format="%Y-%m-%d %H:%M"),
                                              alt.Tooltip("end:T", format="%Y-%m-%d %H:%M")]))
    if band:
        layers.append(alt.Chart(rows).mark_area(opacity=0.18, color="#7f7f7f").encode(
            x=axis_x, y=alt.Y("band_lower:Q", title=value_title), y2="band_upper:Q",
            tooltip=[*tip[:1], alt.Tooltip("band_lower:Q", title="band from", format=tip_fmt),
                     alt.Tooltip("band_upper:Q", title="to", format=tip_fmt)]))
        layers.append(alt.Chart(rows).mark_line(color="#7f7f7f", strokeDash=[5, 4]).encode(
            x=axis_x, y="baseline:Q"))
    layers.append(alt.Chart(rows).mark_line(color="#1f77b4").encode(x=axis_x, y=y, tooltip=tip))
    if static_threshold is not None and pd.notna(static_threshold):
        layers.append(alt.Chart(pd.DataFrame({"threshold": [static_threshold]})).mark_rule(
            color="#ff7f0e", strokeDash=[6, 3]).encode(y="threshold:Q", tooltip=[alt.Tooltip(
                "threshold:Q", title="static threshold", format=tip_fmt)]))
    if onsets is not None and len(onsets):
        extra = [alt.Tooltip("rule:N", title="alert by")] if "rule" in onsets else []
        layers.append(alt.Chart(onsets).mark_point(color="#d62728", size=90, filled=True).encode(
            x=axis_x, y=f"{value}:Q", tooltip=[*tip, *extra]))
    chart = alt.layer(*layers).properties(title=title_params(title), height=height, width=width)
    return chart.properties(autosize=alt.AutoSizeParams(type="pad")) if padded else chart


def stages_overview(deviations: pd.DataFrame) -> alt.FacetChart:
    """Every stage's conversion (all segments together) against its baseline band, one small chart per
    stage, with the onsets of the signals that fired marked in red."""
    rows = deviations[(deviations["segment"] == "all") & (deviations["metric"] == "conversion")]
    base = alt.Chart().encode(x=alt.X("ts:T", title=None, axis=alt.Axis(format="%b %d")))
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
        title=title_params("Conversion per stage against its baseline band", "red: signals that fired"))


CELL_WIDTH, CELL_HEIGHT = 200, 72  # a count matrix's cell, so no row or column collapses to nothing


def count_matrix(cells: pd.DataFrame, x: str, y: str, title: str, x_title: str, y_title: str,
                 subtitle: str | None = None) -> alt.LayerChart:
    """A 2 x 2 (or larger) table of counts as a heat map with the counts written in: `cells` has x, y, count
    and optionally meaning. Each cell has a fixed size (alt.Step) and the chart pads rather than fits
    (autosize pad): fitted into a container's height, the rows shrank to nothing and the counts were drawn
    over each other. Counts are written white on the darker half of the scale, black on the lighter."""
    tips = [alt.Tooltip(f"{y}:N", title=y_title), alt.Tooltip(f"{x}:N", title=x_title),
            alt.Tooltip("count:Q", title="Interactions", format=",")]
    tips += [alt.Tooltip("meaning:N", title="Meaning")] if "meaning" in cells else []
    order = {name: list(dict.fromkeys(cells[name])) for name in (x, y)}  # as given: pass before fail
    axis = {"labelAngle": 0, "labelFontSize": 13, "titleFontSize": 13, "labelLimit": CELL_WIDTH, "ticks": False,
            "domain": False}
    base = alt.Chart(cells).encode(x=alt.X(f"{x}:N", title=x_title, sort=order[x], axis=alt.Axis(
                                       orient="top", **axis)),
                                   y=alt.Y(f"{y}:N", title=y_title, sort=order[y], axis=alt.Axis(**axis)))
    top = float(cells["count"].max()) if len(cells) else 0.0
    heat = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color("count:Q", title="Interactions", scale=alt.Scale(scheme="blues", domain=[0, max(top, 1.0)]),
                        legend=None),
        tooltip=tips)
    text = base.mark_text(fontSize=18, fontWeight="bold").encode(
        text=alt.Text("count:Q", format=","),
        color=alt.condition(alt.datum["count"] > top / 2, alt.value("white"), alt.value("black")), tooltip=tips)
    layers = [heat, text]
    if "meaning" in cells:  # the cell's name under its count ("silent failure"), the full meaning in the tooltip
        layers.append(base.transform_calculate(short="split(datum.meaning, ':')[0]").mark_text(
            fontSize=11, dy=20, limit=CELL_WIDTH - 8).encode(
            text="short:N", color=alt.condition(alt.datum["count"] > top / 2, alt.value("white"), alt.value("#333")),
            tooltip=tips))
    return alt.layer(*layers).properties(title=title_params(title, subtitle), width=alt.Step(CELL_WIDTH),
                                    height=alt.Step(CELL_HEIGHT), autosize=alt.AutoSizeParams(type="pad"))


def stage_chart(rows: pd.DataFrame, marks: pd.DataFrame, title: str, value_title: str, domain: list,
                percent: bool = False, height: int = 320) -> alt.LayerChart:
    """One stage's series, full width (width "container": show it with st.altair_chart(width="stretch")),
    against its baseline band, its y axis on `domain` (health_view.value_domain), and every signal of the
    stage in `marks` (health_view.stage_signal_marks): a shaded span over its episode and a rule with a point
    at its onset, each with the signal's title in a tooltip. Drag or scroll to pan and zoom in time."""
    fmt, tip_fmt = ("%", ".1%") if percent else (",.4~g", ",.3~g")
    scale = alt.Scale(domain=domain, zero=False, clamp=True)
    x = alt.X("ts:T", title="Time (UTC)", axis=alt.Axis(format="%b %d", labelOverlap=True))
    tip = [alt.Tooltip("ts:T", title="Time", format="%Y-%m-%d %H:%M"),
           alt.Tooltip("value:Q", title=value_title, format=tip_fmt),
           alt.Tooltip("baseline:Q", title="Baseline", format=tip_fmt)]
    band = rows.assign(band_lower=rows["band_lower"].clip(*domain), band_upper=rows["band_upper"].clip(*domain))
    layers = [
        alt.Chart(band).mark_area(opacity=0.18, color="#7f7f7f").encode(
            x=x, y=alt.Y("band_lower:Q", title=value_title, scale=scale, axis=alt.Axis(format=fmt)),
            y2="band_upper:Q"),
        alt.Chart(rows).mark_line(color="#7f7f7f", strokeDash=[5, 4], strokeWidth=1).encode(
            x=x, y=alt.Y("baseline:Q", scale=scale)),
        alt.Chart(rows).mark_line(color="#1f77b4", strokeWidth=1.5).encode(
            x=x, y=alt.Y("value:Q", scale=scale), tooltip=tip),
    ]
    if len(marks):
        signal_tip = [alt.Tooltip("title:N", title="Signal"), alt.Tooltip("segment:N", title="Segment"),
                      alt.Tooltip("metric:N", title="Metric"), alt.Tooltip("peak_z:Q", title="Peak deviation (SD)"),
                      alt.Tooltip("start:T", title="From", format="%Y-%m-%d %H:%M"),
                      alt.Tooltip("end:T", title="To", format="%Y-%m-%d %H:%M")]
        spans = alt.Chart(marks).encode(x=alt.X("start:T"), tooltip=signal_tip)
        layers += [spans.mark_rect(opacity=0.15, color="#d62728").encode(x2="end:T"),
                   spans.mark_rule(color="#d62728", strokeWidth=2),
                   spans.mark_point(color="#d62728", filled=True, size=80, shape="triangle-down").encode(
                       y=alt.value(6), yOffset=alt.YOffset("lane:Q", scale=alt.Scale(domain=[0, 1], range=[0, 14])))]
    zoom = alt.selection_interval(bind="scales", encodings=["x"])
    layers[2] = layers[2].add_params(zoom)
    return alt.layer(*layers).properties(title=title_params(title, "red: every signal that fired on this "
                                                                   "stage, any segment or metric"),
                                         width="container", height=height)
