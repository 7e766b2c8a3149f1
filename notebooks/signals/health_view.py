"""Data shaping for the Journey health page: one stage's series in a time window, every signal of that stage
as a mark, an axis domain that fits the data, and the SLO burn table in words and percentages.

Plain functions (no Streamlit, no Altair) so the page only draws, and these are unit-tested."""

import pandas as pd
from journeylens.notebooks.signals.journey_signals import METRICS
from journeylens.notebooks.signals.slo import MIN_EXPECTED
from journeylens.notebooks.workspace.labels import human

THIN = "not enough data"  # why a burn rate is empty: the window expects too few completions to judge
THIN_WHY = f"the window expects fewer than {MIN_EXPECTED} completions, too few to judge"


def stage_series(deviations: pd.DataFrame, stage: str, segment: str = "all", metric: str = "conversion",
                 start=None, end=None) -> pd.DataFrame:
    """One stage/segment/metric series, sorted by time, within [start, end] when given."""
    rows = deviations[(deviations["stage"] == stage) & (deviations["segment"] == segment)
                      & (deviations["metric"] == metric)].sort_values("ts")
    return in_window(rows, "ts", start, end).reset_index(drop=True)


def in_window(frame: pd.DataFrame, column: str, start=None, end=None) -> pd.DataFrame:
    stamps = pd.to_datetime(frame[column])
    keep = pd.Series(True, index=frame.index)
    if start is not None:
        keep &= stamps >= pd.Timestamp(start)
    if end is not None:
        keep &= stamps <= pd.Timestamp(end)
    return frame[keep]


def stage_signal_marks(signals: pd.DataFrame, stage: str, last_ts=None, start=None, end=None) -> pd.DataFrame:
    """Every signal that fired on `stage` (any segment, any metric: the overview once showed only the
    all-segment conversion onsets, 2 of 21), one row each: start, end (the last bucket while it goes on),
    and what a tooltip says. Signals overlapping [start, end] are kept, clipped to it."""
    columns = ["start", "end", "title", "segment", "metric", "peak_z", "ongoing", "lane"]
    rows = signals[signals["stage"] == stage]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    started = pd.to_datetime(rows["started_at"])
    ended = pd.to_datetime(rows["ended_at"])
    fallback = pd.Timestamp(last_ts) if last_ts is not None else started.max()
    marks = pd.DataFrame({"start": started, "end": ended.fillna(fallback),
                          "title": rows["title"], "segment": rows["segment"],
                          "metric": rows["metric"].map(lambda m: METRICS[m]["label"] if m in METRICS else m),
                          "peak_z": rows["peak_z"].round(1), "ongoing": ended.isna()})
    marks["end"] = marks[["start", "end"]].max(axis=1)  # an episode of one bucket still has its onset
    if start is not None:
        marks = marks[marks["end"] >= pd.Timestamp(start)]
        marks["start"] = marks["start"].clip(lower=pd.Timestamp(start))
    if end is not None:
        marks = marks[marks["start"] <= pd.Timestamp(end)]
        marks["end"] = marks["end"].clip(upper=pd.Timestamp(end))
    # signals starting together (a stage's conversion, time to value and a segment at once) get one onset
    # marker each, stacked: drawn on one spot, four read as one
    marks["lane"] = marks.groupby("start").cumcount()
    return marks.reset_index(drop=True)[columns]


def value_domain(rows: pd.DataFrame, percent: bool, columns=("value", "band_lower", "band_upper"),
                 pad: float = 0.05) -> list:
    """[low, high] around the data and its band, padded by `pad` of the span; a rate's is clamped to [0, 1]
    (a band of ±3 robust SDs once stretched the conversion axis to -100%..300%)."""
    shown = pd.concat([pd.to_numeric(rows[c], errors="coerce") for c in columns if c in rows]).dropna()
    if percent:
        shown = shown.clip(0.0, 1.0)
    if shown.empty:
        return [0.0, 1.0]
    low, high = float(shown.min()), float(shown.max())
    margin = (high - low) * pad or max(abs(high) * pad, 0.01)
    low, high = low - margin, high + margin
    return [max(low, 0.0), min(high, 1.0)] if percent else [low, high]


def burn_columns(status: pd.DataFrame) -> list:
    return [c for c in status.columns if c.startswith("burn_")]


def slo_table(status: pd.DataFrame) -> pd.DataFrame:
    """The latest burn status per stage, for people: burn rates as a percentage of the budget's pace
    (100% spends it exactly as fast as it accrues), an empty window said in words, counts as whole numbers,
    human headers."""
    burns = burn_columns(status)
    table = pd.DataFrame({"Stage": status["stage"], "As of (UTC)": pd.to_datetime(status["ts"]).dt.strftime(
        "%Y-%m-%d %H:%M"), "Expected completions": status["expected"].round().astype("Int64").astype(str),
        "Completed": status["completed"].round().astype("Int64").astype(str)})
    for column in burns:
        table[f"Budget burn, last {column.removeprefix('burn_')}"] = status[column].map(burn_text)
    table["Status"] = status["status"]
    return table.reset_index(drop=True)


def burn_text(burn) -> str:
    """1.576 -> '158%'; 0.0123 -> '1.2%'; an empty window -> why it is empty."""
    if burn is None or pd.isna(burn):
        return THIN
    percent = float(burn) * 100
    return f"{percent:.1f}%" if 0 < percent < 10 else f"{percent:,.0f}%"


def rules_in_window(rules: dict, start=None, end=None) -> tuple:
    """(rows, static, dynamic) of threshold_review.series_rules cut to [start, end]: the onset arrays are
    positional over the rows, so they are cut with the same mask."""
    rows = rules["rows"]
    keep = rows.index.isin(in_window(rows, "ts", start, end).index)
    return rows[keep], pd.Series(rules["static"], dtype=bool).to_numpy()[keep], \
        pd.Series(rules["dynamic"], dtype=bool).to_numpy()[keep]


# human headers for the page's tables (the frames keep their names: the notebooks and the CLI use them)
HEADERS = {"title": "Signal", "stage": "Stage", "segment": "Segment", "metric": "Metric", "peak_z": "Peak deviation (SD)",
           "entered": "Sessions entered", "static_threshold": "Static threshold", "static_alerts": "Static alerts",
           "dynamic_alerts": "Detector alerts", "incidents": "Incidents that mattered",
           "static_caught": "Caught by static", "dynamic_caught": "Caught by detector",
           "static_caught_ids": "Static caught", "dynamic_caught_ids": "Detector caught", "action": "Suggestion",
           "z_min_now": "Min deviation now", "z_min_suggested": "Suggested", "alerts_now": "Alerts now",
           "alerts_suggested": "Alerts then", "incidents_caught_now": "Caught now",
           "incidents_caught_suggested": "Caught then", "noise_alerts_now": "Noise alerts now",
           "noise_alerts_suggested": "Noise alerts then", "evidence": "Why"}


def named_metrics(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its metric column in words ('time_to_value_s' -> 'Time to value (s)'), for showing."""
    return frame.assign(metric=frame["metric"].map(human)) if "metric" in frame else frame


def headers(frame: pd.DataFrame) -> dict:
    """{column: human header} for the columns of `frame` that have one; others read as they are, unsnaked."""
    return {c: HEADERS.get(c, human(c)) for c in frame.columns}
