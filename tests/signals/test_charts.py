"""notebooks/signals/charts.py: chart specs rendered to SVG by vl-convert (what a browser would draw), checked
for cells and marks of non-zero size, counts that do not overlap, axes whose domains fit the data and titles
that fit. The silent-failure 2x2 once collapsed on the AI page (rows of zero height, "2,568" drawn over
"160"): test_the_2x2_keeps_every_cell_readable is its regression test."""

import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
import vl_convert
from journeylens.notebooks.ai.outcomes import silent_failure_cells
from journeylens.notebooks.signals.charts import band_chart, count_matrix
from streamlit.elements.vega_charts import _prepare_vega_lite_spec

SVG = "{http://www.w3.org/2000/svg}"
VIEWS = pd.DataFrame([{"feature": "all", "judge_pass_user_completed": 2568, "judge_fail_user_completed": 160,
                       "judge_pass_user_not_completed": 414, "judge_fail_user_not_completed": 226}])


def as_streamlit_sends(chart) -> dict:
    """The spec st.altair_chart sends the browser: Streamlit adds autosize "fit" to a spec that has none,
    which is what squeezed the 2x2's rows to nothing."""
    return _prepare_vega_lite_spec(chart.to_dict(), True)


def render(spec: dict) -> ET.Element:
    return ET.fromstring(vl_convert.vegalite_to_svg(spec))


def marks(svg: ET.Element, role: str) -> list:
    """The mark elements (path or text) inside every group of class role-mark of this mark type."""
    groups = [g for g in svg.iter(f"{SVG}g") if f"mark-{role} role-mark" in (g.get("class") or "")]
    return [groups, [m for g in groups for m in g if m.tag in (f"{SVG}path", f"{SVG}text")]]


def rect_size(path: ET.Element) -> tuple:
    """(x, y, width, height) of a rect mark drawn as M x,y h w v h."""
    x, y, w, h = map(float, re.fullmatch(r"M([-\d.]+),([-\d.]+)h([-\d.]+)v([-\d.]+)h[-\d.]+Z", path.get("d")).groups())
    return x, y, w, h


def translate(element: ET.Element) -> tuple:
    return tuple(map(float, re.search(r"translate\(([-\d.]+),([-\d.]+)\)", element.get("transform")).groups()))


@pytest.fixture
def matrix():
    cells = silent_failure_cells(VIEWS, "all")
    return cells, count_matrix(cells, "user", "judge", "Silent failures", "User signal", "Judge verdict",
                               subtitle="judge verdict against the user signal")


def test_the_2x2_keeps_every_cell_readable(matrix):
    cells, chart = matrix
    spec = as_streamlit_sends(chart)
    assert spec["autosize"]["type"] == "pad"  # its own size: Streamlit's fit would squeeze the rows
    assert spec["width"]["step"] > 0 and spec["height"]["step"] > 0
    svg = render(spec)
    rects = [rect_size(p) for p in marks(svg, "rect")[1]]
    assert len(rects) == 4
    assert len({x for x, _, _, _ in rects}) == 2 and len({y for _, y, _, _ in rects}) == 2  # 2 columns, 2 rows
    assert all(w >= 100 and h >= 50 for _, _, w, h in rects)
    counts = [t for t in marks(svg, "text")[1] if re.fullmatch(r"[\d,]+", t.text or "")]
    assert sorted(t.text for t in counts) == sorted(f"{n:,}" for n in cells["count"])  # every count, once
    places = [translate(t) for t in counts]
    assert all(abs(a[0] - b[0]) >= 100 or abs(a[1] - b[1]) >= 50 for i, a in enumerate(places)
               for b in places[i + 1:]), "no count drawn over another"
    # white on the darkest cell, dark on the lightest: legible on the heat
    fill = {t.text: t.get("fill") for t in counts}
    assert fill["2,568"] == "white" and fill["160"] == "black"


def test_the_2x2_axis_labels_stand_apart_and_its_title_fits(matrix):
    _, chart = matrix
    spec = chart.to_dict()
    x_axis, y_axis = spec["layer"][0]["encoding"]["x"]["axis"], spec["layer"][0]["encoding"]["y"]["axis"]
    assert x_axis["labelAngle"] == 0 and y_axis["labelAngle"] == 0  # "pass"/"fail" side by side, never rotated
    svg = render(as_streamlit_sends(chart))
    labels = {t.text: translate(t) for t in svg.iter(f"{SVG}text") if t.text in ("pass", "fail", "completed",
                                                                                 "not completed")}
    assert set(labels) == {"pass", "fail", "completed", "not completed"}
    assert abs(labels["pass"][1] - labels["fail"][1]) >= 50
    assert abs(labels["completed"][0] - labels["not completed"][0]) >= 100
    title = spec["title"]
    assert title["text"] == "Silent failures" and title["anchor"] == "start" and title["offset"] > 0
    assert len(title["text"]) * title["fontSize"] * 0.6 < float(svg.get("width"))  # fits its chart's width


def trend() -> pd.DataFrame:
    days = pd.date_range("2026-06-01", periods=60, freq="D")
    rate = pd.Series([0.72 + 0.15 * ((i * 7) % 10) / 10 for i in range(60)])
    return pd.DataFrame({"day": days, "rate": rate, "baseline": 0.8, "band_lower": rate.clip(upper=0.79) - 0.05,
                         "band_upper": rate.clip(lower=0.81) + 0.05, "alert": [i % 17 == 3 for i in range(60)]})


def axis_range(svg: ET.Element, which: str) -> tuple:
    """(from, to) of an axis as Vega describes it: "... with values from 60% to 100%"."""
    label = next(g.get("aria-label") for g in svg.iter(f"{SVG}g") if (g.get("aria-label") or "").startswith(which))
    low, high = re.search(r"values from (-?[\d.]+)% to (-?[\d.]+)%", label).groups()
    return float(low) / 100, float(high) / 100


def test_a_rate_band_chart_fits_its_axis_to_its_data_and_draws_every_onset():
    rows = trend()
    chart = band_chart(rows, "checkout_helper · all: task completion against its band", "Task completion",
                       percent=True, x="day", value="rate", onsets=rows[rows["alert"]], width=760, height=260,
                       padded=True)
    spec = as_streamlit_sends(chart)
    assert spec["autosize"]["type"] == "pad" and spec["title"]["offset"] > 0
    svg = render(spec)
    low, high = axis_range(svg, "Y-axis")
    shown = pd.concat([rows["rate"], rows["band_lower"], rows["band_upper"]])
    assert 0 <= low <= shown.min() and shown.max() <= high <= 1  # a rate's axis, around its data, never -100%
    assert high - low <= (shown.max() - shown.min()) * 2  # not a domain from zero
    onsets = [p for p in marks(svg, "symbol")[1]]
    assert len(onsets) == int(rows["alert"].sum()) and all(p.get("d") for p in onsets)
    sizes = [layer["mark"].get("size", 1) for layer in spec["layer"]]
    strokes = [layer["mark"].get("strokeWidth", 1) for layer in spec["layer"]]
    assert min(sizes) > 0 and min(strokes) > 0
    title = spec["title"]["text"]
    assert len(title) * spec["title"]["fontSize"] * 0.6 < float(svg.get("width"))


@pytest.fixture(scope="module")
def sample_review(sample_dir):
    from journeylens.notebooks.signals.threshold_review import workspace_review

    return workspace_review(sample_dir, {})


def stage_spec(review: dict, stage: str, metric: str = "conversion", **window) -> tuple:
    from journeylens.notebooks.signals.charts import stage_chart
    from journeylens.notebooks.signals.health_view import stage_series, stage_signal_marks, value_domain

    deviations, signals = review["deviations"], review["signals"]
    rows = stage_series(deviations, stage, "all", metric, **window)
    marks = stage_signal_marks(signals, stage, deviations["ts"].max(), **window)
    percent = metric == "conversion"
    chart = stage_chart(rows, marks, f"{stage}: conversion", "Conversion", value_domain(rows, percent), percent)
    return rows, marks, chart.to_dict()


def test_the_stage_chart_marks_every_signal_of_its_stage(sample_review):
    signals = sample_review["signals"]
    for stage in ("discovery", "checkout", "signup"):
        _, marks, spec = stage_spec(sample_review, stage)
        expected = signals[signals["stage"] == stage]
        assert len(expected) >= 2  # segments and metrics beyond all/conversion: once missing from the marks
        signal_layers = [layer for layer in spec["layer"]
                         if any(t["field"] == "title" for t in layer["encoding"].get("tooltip", []))]
        assert len(signal_layers) == 3  # span, onset rule, onset point
        for layer in signal_layers:
            rows = spec["datasets"][layer["data"]["name"]]
            assert sorted(r["title"] for r in rows) == sorted(expected["title"])
            mark = layer["mark"]
            assert mark.get("size", 1) > 0 and mark.get("strokeWidth", 1) > 0 and mark.get("opacity", 1) > 0
        # signals with one onset each keep a marker of their own (stacked), not one drawn over another
        assert not marks.duplicated(["start", "lane"]).any()
        point = next(layer for layer in signal_layers if layer["mark"]["type"] == "point")
        assert point["encoding"]["yOffset"]["field"] == "lane"


def test_the_stage_chart_fits_its_rate_axis_to_its_data_and_spans_the_page(sample_review):
    rows, _, spec = stage_spec(sample_review, "checkout")
    assert spec["width"] == "container"  # st.altair_chart(width="stretch") fills the page with it
    domains = {tuple(layer["encoding"]["y"]["scale"]["domain"]) for layer in spec["layer"] if "y" in layer[
        "encoding"] and "scale" in layer["encoding"]["y"]}
    assert len(domains) == 1
    low, high = domains.pop()
    shown = pd.concat([rows["value"], rows["band_lower"], rows["band_upper"]]).dropna().clip(0, 1)
    assert 0 <= low <= shown.min() and shown.max() <= high <= 1  # a rate, never -100%..300%
    for layer in spec["layer"]:
        assert layer["mark"].get("size", 1) > 0 and layer["mark"].get("strokeWidth", 1) > 0
    # rendered at a page's width, its axis says the same
    svg = render({**spec, "width": 1000})
    axis_low, axis_high = axis_range(svg, "Y-axis")
    assert 0 <= axis_low and axis_high <= 1
    assert float(svg.get("width")) >= 1000


def test_a_level_metric_axis_is_not_clamped_to_a_rate_and_hugs_its_data():
    from journeylens.notebooks.signals.health_view import value_domain

    rows = pd.DataFrame({"value": [120.0, 180.0, 150.0], "band_lower": [100.0, 110.0, 90.0],
                         "band_upper": [200.0, 210.0, 190.0]})
    low, high = value_domain(rows, percent=False)
    assert 80 < low <= 90 and 210 <= high < 220
    rate = pd.DataFrame({"value": [0.62, 0.7], "band_lower": [-1.0, 0.55], "band_upper": [3.0, 0.8]})
    assert value_domain(rate, percent=True) == [0.0, 1.0]  # a band beyond [0, 1] stops at a rate's bounds
    narrow = pd.DataFrame({"value": [0.62, 0.7], "band_lower": [0.6, 0.55], "band_upper": [0.75, 0.8]})
    low, high = value_domain(narrow, percent=True)
    assert 0.5 < low <= 0.55 and 0.8 <= high < 0.85


def test_a_time_range_keeps_the_signals_that_overlap_it(sample_review):
    signals = sample_review["signals"]
    onset = pd.Timestamp(signals.loc[signals["stage"] == "signup", "started_at"].min())
    rows, marks, _ = stage_spec(sample_review, "signup", start=onset - pd.Timedelta(days=1),
                                end=onset + pd.Timedelta(days=1))
    assert len(rows) == 49 and rows["ts"].between(onset - pd.Timedelta(days=1), onset + pd.Timedelta(days=1)).all()
    assert len(marks) == (signals["stage"] == "signup").sum()
    _, none, _ = stage_spec(sample_review, "signup", start=onset - pd.Timedelta(days=5),
                            end=onset - pd.Timedelta(days=2))
    assert none.empty


# -- every other chart the app draws: the Journey health static/dynamic pair, the Ranked drill-down's two ----

def axis_values(svg: ET.Element, which: str) -> tuple:
    """(from, to) of an axis in its own units, from Vega's description ("... values from 90 to 220")."""
    label = next(g.get("aria-label") for g in svg.iter(f"{SVG}g") if (g.get("aria-label") or "").startswith(which))
    low, high = re.search(r"values from (-?[\d.,]+)(%?) to (-?[\d.,]+)(%?)", label).group(1, 3)
    scale = 100 if "%" in label.split("values from")[1] else 1
    return float(low.replace(",", "")) / scale, float(high.replace(",", "")) / scale


def seconds_series() -> pd.DataFrame:
    ts = pd.date_range("2026-10-20", periods=72, freq="h")
    value = pd.Series([140 + (i * 13) % 40 + (60 if 30 <= i < 34 else 0) for i in range(72)], dtype=float)
    return pd.DataFrame({"ts": ts, "value": value, "baseline": 150.0, "band_lower": 110.0, "band_upper": 195.0})


@pytest.mark.parametrize("rule", ["static", "dynamic"])
def test_the_static_and_dynamic_charts_fit_a_level_axis_and_draw_every_alert(rule):
    from journeylens.notebooks.signals.health_view import value_domain

    rows, threshold = seconds_series(), 190.0
    alerts = rows[rows["value"] > threshold]
    domain = value_domain(rows.assign(threshold=threshold), False,
                          columns=("value", "band_lower", "band_upper", "threshold"))
    static = rule == "static"
    chart = band_chart(rows, f"{rule.capitalize()}: {len(alerts)} alerts", "Time to value (s)", band=not static,
                       static_threshold=threshold if static else None, onsets=alerts.assign(rule=rule),
                       width="container", domain=domain)
    spec = as_streamlit_sends(chart)
    assert spec["width"] == "container"
    svg = render({**spec, "width": 1000})
    low, high = axis_values(svg, "Y-axis")
    shown = pd.concat([rows["value"], rows["band_lower"], rows["band_upper"], pd.Series([threshold])])
    assert low <= shown.min() and shown.max() <= high  # every value and the threshold on the axis
    assert low > 0.5 * shown.min()  # seconds hug their data: not an axis from zero
    onsets = marks(svg, "symbol")[1]
    assert len(onsets) == len(alerts) > 0 and all(p.get("d") for p in onsets)
    assert all(p.get("d") for p in marks(svg, "line")[1])
    if static:
        lines = [m for g in marks(svg, "rule")[0] for m in g if m.tag == f"{SVG}line"]  # a rule is drawn as <line>
        assert lines and all(abs(float(m.get("x2", 0))) > 500 for m in lines), "the static threshold is drawn across"
    else:
        assert [p for p in marks(svg, "area")[1] if p.get("d")], "the detector's band is drawn"
    for layer in spec["layer"]:
        assert layer["mark"].get("size", 1) > 0 and layer["mark"].get("strokeWidth", 1) > 0


def test_the_drill_downs_stage_window_fits_conversion_and_draws_every_hour():
    from journeylens.app.charts import stage_window_chart

    hours = pd.date_range("2026-10-26 00:00", periods=48, freq="h")
    conversion = pd.Series([0.64 + 0.02 * ((i * 5) % 4) - (0.3 if 14 <= i < 17 else 0) for i in range(48)])
    hourly = pd.DataFrame({"hour": hours, "conversion": conversion, "conversion_baseline": 0.667,
                           "entered": [40 + (i * 17) % 90 for i in range(48)], "traffic": 1.0})
    svg = render(as_streamlit_sends(stage_window_chart(hourly, hours[14], hours[17], "checkout")))
    low, high = axis_values(svg, "Y-axis titled 'Conversion'")
    assert 0 <= low <= conversion.min() and 0.667 <= high <= 1  # a rate, around its data, never -100%..300%
    assert high - low < 0.6  # not from zero: a 30-point drop stays visible
    bars = [rect_size(p) for p in marks(svg, "rect")[1]]
    assert len(bars) == 48 + 2  # an hour's bar each, and the alert window shaded on both charts
    assert all(abs(w) > 0 and abs(h) > 0 for _, _, w, h in bars)
    assert all(p.get("d") for p in marks(svg, "line")[1])


def test_the_score_breakdown_draws_a_bar_and_a_label_for_every_factor():
    from journeylens.app.charts import breakdown_chart
    from journeylens.notebooks.queue.explain import waterfall

    parts = pd.DataFrame({"factor": ["stage", "severity", "signal", "harm"],
                          "label": ["Stage checkout", "Critical severity", "Signal", "Harm not measured"],
                          "points": [30.0, 20.0, 12.5, -8.0], "detail": ["", "", "", ""]})
    steps = waterfall(parts)
    spec = as_streamlit_sends(breakdown_chart(steps, "#1 · checkout"))
    svg = render({**spec, "width": 800})
    low, high = axis_values(svg, "X-axis")
    assert low == 0 and steps[["start", "end"]].max().max() <= high <= 100
    bars = [rect_size(p) for p in marks(svg, "rect")[1]]
    assert len(bars) == len(steps) and all(abs(w) > 1 and abs(h) > 1 for _, _, w, h in bars)
    texts = [t.text for t in marks(svg, "text")[1]]
    assert texts == ["+30.0", "+20.0", "+12.5", "-8.0", "54.5"]
