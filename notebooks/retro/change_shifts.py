"""Whether a change was followed by a measurable shift in its stage's alerting or journey metrics.

`sql/retro/03_change_shifts.sql` gives, per change since its stage's last review, a window before and a
window after it (24 h each by default, scaled down when the data is short). Each change is then tested on:

- **alert rate**: the stage's alerts per hour, a conditional exact Poisson test (the after-window's share
  of the alerts against the share of the time, `scipy.stats.binom`). Alerts come in bursts, so counts are
  first divided by the windows' over-dispersion (variance / mean of the hourly counts, at least 1): one
  storm weighs about as one event, not as fifty.
- **conversion**: completed / entered, a two-proportion z-test whose variance is widened by the windows'
  over-dispersion (Pearson chi-square of the time buckets, at least 1), so hour-to-hour swings of a noisy
  feed are not read as a shift.
- **time to value** and **satisfaction** when the metrics carry them: Welch's t-test on the buckets'
  values (`scipy.stats.ttest_ind_from_stats`).

A metric is judged only when both windows have enough volume (profile `change_min_*`); the p-values of all
judged tests of a stage are Holm-corrected together, and a shift counts only when it is significant at
`change_alpha` **and** at least as large as the profile's minimum (so a huge feed does not flag a 0.3-point
wobble).
"""

import numpy as np
import pandas as pd
from scipy import stats

KNOBS = ("change_window_hours", "change_min_window_hours", "change_alpha", "change_min_alerts",
         "change_min_entered", "change_min_rate_ratio", "change_min_conversion_points",
         "change_min_relative_shift")
METRICS = ("alert rate", "conversion", "time to value", "satisfaction")
TEST_COLUMNS = ["stage", "change_id", "ts", "change", "metric", "judged", "p", "before", "after", "large", "need"]
MIN_BUCKETS = 3  # buckets with a value on each side for time to value / satisfaction


def change_text(frame: pd.DataFrame) -> pd.Series:
    """'deploy of payments-api "v2 rollout" at 2026-11-09 13:50 UTC' per change row."""
    what = frame["kind"].fillna("change") + " of " + frame["service"].fillna("?")
    described = frame["description"].fillna("").str.strip()
    what = what.where(described == "", what + ' "' + described + '"')
    return what + " at " + pd.to_datetime(frame["ts"]).dt.strftime("%Y-%m-%d %H:%M") + " UTC"


def dispersion(total_sq, total, bins) -> np.ndarray:
    """Variance / mean of per-bin counts pooled over both windows, at least 1 (Poisson)."""
    bins = np.maximum(np.asarray(bins, dtype=float), 1.0)
    mean = np.asarray(total, dtype=float) / (2 * bins)
    with np.errstate(divide="ignore", invalid="ignore"):
        var = (np.asarray(total_sq, dtype=float) - np.asarray(total, dtype=float) ** 2 / (2 * bins)) \
            / np.maximum(2 * bins - 2, 1)
        phi = np.where(mean > 0, var / mean, 1.0)
    return np.maximum(np.nan_to_num(phi, nan=1.0), 1.0)


def alert_tests(w: pd.DataFrame, knobs: dict) -> pd.DataFrame:
    k1, k2 = w["alerts_before"].to_numpy(float), w["alerts_after"].to_numpy(float)
    hours = w["alert_hours"].to_numpy(float)
    bins = np.ceil(hours)
    sq = w["alerts_sq_before"].to_numpy(float) + w["alerts_sq_after"].to_numpy(float)
    phi = dispersion(sq, k1 + k2, bins)
    n_eff, k_eff = np.round((k1 + k2) / phi), np.round(k2 / phi)
    low = stats.binom.cdf(k_eff, n_eff, 0.5)
    high = stats.binom.sf(k_eff - 1, n_eff, 0.5)
    p = np.where(n_eff > 0, np.minimum(1.0, 2 * np.minimum(low, high)), 1.0)
    ratio = (k2 + 0.5) / (k1 + 0.5)
    short = hours < knobs["change_min_window_hours"]
    thin = (k1 + k2) < knobs["change_min_alerts"]
    need = np.where(short, [f"alerts cover {h:.1f} h each side ({knobs['change_min_window_hours']:g} h needed)"
                            for h in hours],
                    [f"{int(k)} alerts around it ({knobs['change_min_alerts']:g} needed)" for k in k1 + k2])
    return pd.DataFrame({
        "metric": "alert rate", "judged": ~(short | thin), "p": p,
        "before": [f"{r:.2f}/h" for r in np.where(hours > 0, k1 / np.maximum(hours, 1e-9), 0)],
        "after": [f"{r:.2f}/h" for r in np.where(hours > 0, k2 / np.maximum(hours, 1e-9), 0)],
        "large": (ratio >= knobs["change_min_rate_ratio"]) | (ratio <= 1 / knobs["change_min_rate_ratio"]),
        "need": np.where(short | thin, need, "")}, index=w.index)


def conversion_tests(w: pd.DataFrame, knobs: dict) -> pd.DataFrame:
    n1, n2 = w["entered_before"].to_numpy(float), w["entered_after"].to_numpy(float)
    p1, p2 = w["conversion_before"].to_numpy(float), w["conversion_after"].to_numpy(float)
    pooled = (w["completed_before"].to_numpy(float) + w["completed_after"].to_numpy(float)) \
        / np.maximum(n1 + n2, 1)
    phi = np.maximum(np.nan_to_num(np.fmax(w["conversion_dispersion_before"].to_numpy(float),
                                           w["conversion_dispersion_after"].to_numpy(float)), nan=1.0), 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(phi * pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = np.where(se > 0, (p2 - p1) / se, 0.0)
    p = np.nan_to_num(2 * stats.norm.sf(np.abs(z)), nan=1.0)
    short = w["metric_hours"].to_numpy(float) < knobs["change_min_window_hours"]
    thin = (np.minimum(n1, n2) < knobs["change_min_entered"]) | np.isnan(p1) | np.isnan(p2)
    need = np.where(short, f"metrics cover under {knobs['change_min_window_hours']:g} h each side",
                    [f"{int(n)} entered on the thinner side ({knobs['change_min_entered']:g} needed)"
                     for n in np.minimum(n1, n2)])
    return pd.DataFrame({
        "metric": "conversion", "judged": ~(short | thin), "p": p,
        "before": [f"{v:.0%}" if v == v else "-" for v in p1], "after": [f"{v:.0%}" if v == v else "-" for v in p2],
        "large": np.nan_to_num(np.abs(p2 - p1), nan=0.0) * 100 >= knobs["change_min_conversion_points"],
        "need": np.where(short | thin, need, "")}, index=w.index)


def mean_tests(w: pd.DataFrame, knobs: dict, column: str, metric: str, unit: str) -> pd.DataFrame:
    """Welch's t-test on the buckets' values of an optional metric (time_to_value_s, satisfaction)."""
    m1, m2 = w[f"{column}_before"].to_numpy(float), w[f"{column}_after"].to_numpy(float)
    n1, n2 = w[f"{column}_n_before"].to_numpy(float), w[f"{column}_n_after"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = stats.ttest_ind_from_stats(m1, w[f"{column}_sd_before"].to_numpy(float), n1,
                                       m2, w[f"{column}_sd_after"].to_numpy(float), n2, equal_var=False).pvalue
        relative = np.abs(m2 - m1) / np.abs(m1)
    thin = (np.minimum(n1, n2) < MIN_BUCKETS) | (w["metric_hours"].to_numpy(float) < knobs["change_min_window_hours"])
    return pd.DataFrame({
        "metric": metric, "judged": ~thin & ~np.isnan(p), "p": np.nan_to_num(p, nan=1.0),
        "before": [f"{v:.3g}{unit}" if v == v else "-" for v in m1],
        "after": [f"{v:.3g}{unit}" if v == v else "-" for v in m2],
        "large": np.nan_to_num(relative, nan=0.0) >= knobs["change_min_relative_shift"],
        "need": ""}, index=w.index)


def shift_tests(windows: pd.DataFrame, knobs: dict) -> pd.DataFrame:
    """One row per change and metric (TEST_COLUMNS) from the change_shifts windows, with the Holm-adjusted
    p-value over each stage's judged tests (`p_holm`) and whether it is a shift (`shift`)."""
    if windows.empty:
        return pd.DataFrame(columns=[*TEST_COLUMNS, "p_holm", "shift"])
    base = windows[["stage", "change_id", "ts"]].assign(change=change_text(windows))
    parts = [alert_tests(windows, knobs), conversion_tests(windows, knobs)]
    optional = [("ttv", "time to value", " s"), ("satisfaction", "satisfaction", "")]
    for column, metric, unit in optional:
        if (windows[f"{column}_n_before"] > 0).any():
            parts.append(mean_tests(windows, knobs, column, metric, unit))
    tests = pd.concat([base.join(part) for part in parts], ignore_index=True)
    tests["p_holm"] = holm(tests)
    tests["shift"] = tests["judged"] & (tests["p_holm"] <= knobs["change_alpha"]) & tests["large"]
    return tests


def holm(tests: pd.DataFrame) -> pd.Series:
    """Holm's step-down adjusted p-values over each stage's judged tests (NaN for tests not judged)."""
    judged = tests[tests["judged"]].sort_values(["stage", "p"])
    rank = judged.groupby("stage").cumcount()
    size = judged.groupby("stage")["p"].transform("size")
    adjusted = ((size - rank) * judged["p"]).clip(upper=1.0).groupby(judged["stage"]).cummax()
    return adjusted.reindex(tests.index)


def stage_verdicts(tests: pd.DataFrame) -> pd.DataFrame:
    """Per stage with changes since its review: status ('to recalibrate', 'changed, no shift', 'unknown')
    and why: the strongest shift ('alert rate 0.10/h -> 1.50/h after deploy of …'), the metrics that did
    not move, or what data was missing."""
    rows = []
    for stage, part in tests.groupby("stage", sort=True):
        changes = part["change_id"].nunique()
        shifts = part[part["shift"]].sort_values(["p_holm", "ts"])
        judged = part[part["judged"]]
        if len(shifts):
            top = shifts.iloc[0]
            why = f"{top['metric']} {top['before']} -> {top['after']} after {top['change']}"
            more = len(shifts) - 1
            rows.append((stage, "to recalibrate", why + (f" (and {more} more shift{'s' * (more > 1)})" if more else "")))
        elif len(judged):
            metrics = ", ".join(m for m in METRICS if m in set(judged["metric"]))
            rows.append((stage, "changed, no shift",
                         f"no measurable shift in {metrics} after {changes} change{'s' * (changes > 1)}"))
        else:
            latest = part[part["ts"] == part["ts"].max()]
            needs = "; ".join(dict.fromkeys(n for n in latest["need"] if n))
            rows.append((stage, "unknown", f"not enough data to judge {changes} change{'s' * (changes > 1)}"
                         + (f": {needs}" if needs else "")))
    return pd.DataFrame(rows, columns=["stage", "status", "why"])
