"""The exposure and observed harm of the ranking benchmark's pandas twin (bench/rank_world.py), as
sql/queue/08, 10, 11 and 12 compute them for conversion, the one metric the benchmark world measures
(its time to value and satisfaction are null, so metric_hourly holds conversion only). Whole-column
pandas and numpy only:

- stage_traffic (08): segment-weighted traffic per stage and hour, and the stage's 95th-percentile hour.
- conversion_hourly (10): per stage, level ('all' and each segment) and hour, the entry-weighted
  conversion, its median at that hour of day, and its spread: 1.4826 x the median absolute deviation at
  that hour of day, floored by half the level's over all hours, by the binomial noise of the hour's
  entries at the baseline and by 0.1% of the baseline.
- window_harm (12): each distinct (stage, first hour, last hour) window once: its exposure, and per level
  the mean deviation, its standard error sqrt(sum of squared spreads) / hours and z; size = the drop
  over harm_full_drop, evidence linear in z from z* - 1 to z* + 1 (z* Bonferroni-raised for the stage's
  levels, as harm_inputs.harm_z_table), none under min_entered entries; harm = the largest reading,
  none under harm_observed_min."""

import numpy as np
import pandas as pd
from journeylens.notebooks.queue.harm_inputs import MAX_TESTS
from scipy.stats import norm

from bench.incident_twin import strongest_level

MAD_SCALE = 1.4826  # a normal's standard deviation from its median absolute deviation


def stage_traffic(metrics: pd.DataFrame, segments: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """(stage, hour, traffic) and each stage's 95th-percentile traffic (a segment without a weight counts 1)."""
    weights = segments.drop_duplicates("segment").set_index("segment")["weight"]
    traffic = metrics["segment"].map(weights).fillna(1.0) * metrics["entered"]
    hourly = traffic.groupby([metrics["stage"], metrics["ts"].dt.floor("h").rename("hour")]).sum()
    hourly = hourly.rename("traffic").reset_index()
    return hourly, hourly.groupby("stage")["traffic"].quantile(0.95)


def conversion_hourly(metrics: pd.DataFrame) -> pd.DataFrame:
    """metric_hourly's conversion rows: stage, segment, hour, entered, x (the conversion), baseline_x, spread."""
    m = metrics[metrics["entered"] != 0]
    value = m["completed"] / m["entered"]
    m = m.assign(hour=m["ts"].dt.floor("h"), ve=value * m["entered"])
    m = m[np.isfinite(value)]
    per_segment = m[m["segment"] != "all"].groupby(["stage", "segment", "hour"], as_index=False)[["entered", "ve"]].sum()
    whole = m.groupby(["stage", "hour"], as_index=False)[["entered", "ve"]].sum().assign(segment="all")
    h = pd.concat([per_segment, whole], ignore_index=True)
    h = h[h["entered"] != 0]  # a level whose hours entered no one has no pooled conversion (nor, here, any value)
    h["x"] = h["ve"] / h["entered"]
    of_day = [h["stage"], h["segment"], h["hour"].dt.hour]
    h["baseline_x"] = h.groupby(of_day)["x"].transform("median")
    deviation = (h["x"] - h["baseline_x"]).abs()
    hour_spread = MAD_SCALE * deviation.groupby(of_day).transform("median")
    level_spread = MAD_SCALE * deviation.groupby([h["stage"], h["segment"]]).transform("median")
    b = h["baseline_x"]
    binomial = np.sqrt(b.clip(lower=0) * (1 - b).clip(lower=0) / h["entered"])
    h["spread"] = np.maximum.reduce([hour_spread, 0.5 * level_spread, binomial.where(h["entered"] > 0, 0.0),
                                     0.001 * b.abs() + 1e-9])
    return h.drop(columns="ve")


def stage_z(hourly: pd.DataFrame, harm_z: float) -> pd.Series:
    """The z a reading must clear per stage: Bonferroni over its levels (one metric here)."""
    tests = hourly.groupby("stage")["segment"].nunique().clip(upper=MAX_TESTS)
    alpha = norm.sf(harm_z)
    return pd.Series(norm.isf(alpha / tests) if alpha > 0 else harm_z, index=tests.index)


def window_harm(windows: pd.DataFrame, metrics: pd.DataFrame, segments: pd.DataFrame, profile: dict) -> pd.DataFrame:
    """windows: stage, first_hour, last_hour (distinct). Returns them with exposure and harm, for the
    windows that cover at least one measured hour (the others keep the profile's defaults)."""
    windows = windows.reset_index(drop=True)
    hours = ((windows["last_hour"] - windows["first_hour"]) // pd.Timedelta(hours=1)).astype(int) + 1
    w = windows.loc[windows.index.repeat(hours), ["stage", "first_hour"]]
    w["hour"] = w["first_hour"] + pd.to_timedelta(w.groupby(level=0).cumcount(), unit="h")
    w = w.rename_axis("window").reset_index()[["window", "stage", "hour"]]
    traffic, peak = stage_traffic(metrics, segments)
    t = w.merge(traffic, on=["stage", "hour"])
    exposure = (t.groupby("window")["traffic"].mean() / t["stage"].map(peak).groupby(t["window"]).max())
    hourly = conversion_hourly(metrics)
    j = w.merge(hourly, on=["stage", "hour"])
    j["deviation"], j["square"] = j["x"] - j["baseline_x"], j["spread"] ** 2
    r = j.groupby(["window", "segment"]).agg(stage=("stage", "first"), entered=("entered", "sum"),
                                             deviation=("deviation", "mean"), square=("square", "sum"),
                                             hours=("square", "size"), baseline_x=("baseline_x", "mean"))
    bad = -r["deviation"]  # conversion is worse down
    evidence = (bad / (np.sqrt(r["square"]) / r["hours"])).replace([np.inf, -np.inf], np.nan).fillna(0.0)
    size = (bad / r["baseline_x"].abs() / profile["harm_full_drop"]).replace([np.inf, -np.inf], np.nan)
    size = size.clip(0, 1).fillna(0.0)
    z_needed = r["stage"].map(stage_z(hourly, profile["harm_z"]))
    harm = size * ((evidence - z_needed + 1) / 2).clip(0, 1)
    harm = harm.where((r["entered"] >= profile["min_entered"]) & (harm >= profile["harm_observed_min"]), 0.0)
    out = windows.join(harm.groupby(level="window").max().rename("harm"), how="inner")
    out["harm_segment"] = strongest_level(harm.rename("harm").reset_index())
    out["exposure"] = exposure.reindex(out.index).fillna(0.0).clip(0, 1)
    return out
