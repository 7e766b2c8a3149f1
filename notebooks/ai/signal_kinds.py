"""AI outcome signals beyond task completion (issue 18 §2): edit rate, fallback spikes by reason,
silent-failure rate, thumbs-down rate, p95 latency against a budget and cost per success, each per
feature x slice (the feature, each segment, task type and, when the file carries one, user role) against
its own history, with the same detector and guards as task completion (outcome_signals.AI_DETECTOR).

The daily series are DuckDB SQL (sql/ai/05_ai_signal_rows.sql, 06_ai_signal_daily.sql,
07_ai_fallback_reason_daily.sql); this module runs the detector on them and names the episodes."""

import numpy as np
import pandas as pd
from journeylens.notebooks.ai.outcome_signals import AI_DETECTOR, MIN_TRIALS
from journeylens.notebooks.signals.journey_signals import signal_title
from journeylens.notebooks.signals.thresholds import detect_rate, episodes, robust_deviation
from journeylens.notebooks.workspace.snapshot import sql_text

MIN_EVENTS = 5  # a rolling week with fewer events than the baseline expects + this is never a spike
# Six kinds, each fallback reason, over every segment, task type and role: many more series than task
# completion's, so each needs the stronger deviation of the journey detector's frozen operating point
# (thresholds.DETECTOR z_min 4) to alert; everything else is AI_DETECTOR's
KIND_DETECTOR = {**AI_DETECTOR, "z_min": 4.0}
DEFAULT_LATENCY_BUDGET_MS = 2000.0  # the seed's "< 2 s"; profile ai_latency_budget_ms / ai_latency_budgets
# rate kinds: kind -> (label in titles, successes column, trials column); up is bad for every one
RATE_KINDS = {
    "edit_rate": ("edit rate", "edited_7d", "edit_known_7d"),
    "silent_failure": ("silent-failure rate", "silent_7d", "completed_evaluated_7d"),
    "thumbs_down": ("thumbs-down rate", "thumbs_down_7d", "feedback_known_7d"),
}
KIND_LABELS = {**{k: v[0] for k, v in RATE_KINDS.items()}, "fallback_reason": "fallback",
               "p95_latency": "p95 latency", "cost_per_success": "cost per success"}
DEVIATION_COLUMNS = ["day", "feature", "slice", "kind", "reason", "value", "baseline", "band_lower", "band_upper",
                     "z", "alert", "in_episode", "volume", "budget"]
SIGNAL_COLUMNS = ["feature", "slice", "kind", "reason", "started_at", "ended_at", "observed", "baseline", "change",
                  "peak_z", "over_budget", "title"]


def signal_series(con) -> dict:
    """{"daily": per day x feature x slice rolling-week counts, "reasons": per reason too}, from SQL."""
    con.execute(f"create or replace temp table ai_signal_rows as {sql_text('ai_signal_rows')}")
    try:
        return {"daily": con.execute(sql_text("ai_signal_daily")).df(),
                "reasons": con.execute(sql_text("ai_fallback_reason_daily")).df()}
    finally:
        con.execute("drop table if exists ai_signal_rows")


def latency_budget(profile: dict | None, feature: str) -> float:
    """The feature's p95 latency budget in ms: ai_latency_budgets[feature], else ai_latency_budget_ms."""
    p = profile or {}
    budgets = p.get("ai_latency_budgets") or {}
    return float(budgets.get(feature, p.get("ai_latency_budget_ms", DEFAULT_LATENCY_BUDGET_MS)))


def _frame(rows: pd.DataFrame, found: pd.DataFrame, params: dict, **columns) -> pd.DataFrame:
    band = params["z_min"] * found["spread"].to_numpy()
    baseline = found["baseline"].to_numpy()
    return pd.DataFrame({"day": rows["day"].to_numpy(), "feature": rows["feature"].to_numpy(),
                         "slice": rows["slice"].to_numpy(), **columns, "baseline": baseline,
                         "band_lower": baseline - band, "band_upper": baseline + band, "z": found["z"].to_numpy(),
                         "alert": found["alert"].to_numpy(), "in_episode": found["in_episode"].to_numpy()})


def _rate(rows: pd.DataFrame, kind: str, reason, successes: str, trials: str, params: dict) -> pd.DataFrame:
    """detect_rate on the rolling-week counts, with half an event added (k + 0.5 of n + 1): a rate whose
    history is all zero still has a sampling noise, so its first events are not read as a boundless
    deviation. Guards: a week with fewer than MIN_EVENTS events beyond the baseline's never alerts (3
    more fallbacks than usual is no spike), nor one whose rise is under z_min of its own rate's noise."""
    k, n = rows[successes].to_numpy(dtype=float), rows[trials].to_numpy(dtype=float)
    found = detect_rate(rows["day"], k + 0.5, n + 1.0, params, min_trials=MIN_TRIALS)
    z = found["z"].to_numpy().copy()
    baseline = found["baseline"].fillna(0.0).to_numpy()
    excess = k - baseline * n  # events beyond what the baseline expects
    # a rare event's baseline rests on few events: the rise must also stand out from the noise of the
    # rate it shows (sqrt(r(1-r)/n) at the observed r), not only from the noise of the baseline's
    observed = (k + 0.5) / (n + 1.0)
    z_observed = (observed - baseline) / np.sqrt(observed * (1 - observed) / (n + 1.0))
    z[(n < MIN_TRIALS) | (excess < MIN_EVENTS) | (z_observed < params["z_min"])] = 0.0
    found = pd.concat([found[["baseline", "spread"]].assign(z=z), episodes(z, params)], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n > 0, k / n, np.nan)
    return _frame(rows, found, params, kind=kind, reason=reason, value=rate, volume=n, budget=np.nan)


def _level(rows: pd.DataFrame, kind: str, values, volume, params: dict, budget: float = np.nan) -> pd.DataFrame:
    """The detector on a level (p95 latency, cost per success), volume-aware like detect_rate: each row's
    sampling noise is taken as its expected level / sqrt(volume) (a ratio of counts), and a week with
    fewer than MIN_TRIALS behind it never alerts. With a budget, crossing it alerts too; that episode
    lasts until the level has stayed under the budget for refractory_rows days (no flapping)."""
    values, volume = np.asarray(values, dtype=float), np.asarray(volume, dtype=float)
    level = pd.Series(values).shift(1).rolling(int(params["history_rows"]), min_periods=1).median()
    noise = level.bfill().fillna(0.0).to_numpy() / np.sqrt(np.maximum(volume, 1.0))
    deviation = robust_deviation(rows["day"], values, params, noise=noise)
    z = deviation["z"].to_numpy().copy()
    z[volume < MIN_TRIALS] = 0.0
    deviation["z"] = z
    found = pd.concat([deviation, episodes(z, params)], axis=1)
    if not np.isnan(budget):
        over = (values > budget) & (volume >= MIN_TRIALS)
        crossing, breach, calm = np.zeros(len(over), bool), np.zeros(len(over), bool), 0
        for i, is_over in enumerate(over):  # hysteresis: a breach ends after refractory_rows calm days
            active = i > 0 and breach[i - 1]
            calm = 0 if is_over else calm + 1
            crossing[i] = is_over and not active
            breach[i] = is_over or (active and calm < int(params["refractory_rows"]))
        found["alert"] = found["alert"].to_numpy() | crossing
        found["in_episode"] = found["in_episode"].to_numpy() | breach
    return _frame(rows, found, params, kind=kind, reason=None, value=values, volume=volume, budget=budget)


def full_weeks(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of one series sorted by day, from its first full rolling week on: the first six days'
    windows hold less than a week, and would set a baseline the full weeks are then measured against."""
    rows = rows.sort_values("day")
    return rows[pd.to_datetime(rows["day"]) >= pd.to_datetime(rows["day"]).min() + pd.Timedelta(days=6)] \
        .reset_index(drop=True)


def kind_deviations(con, profile: dict | None = None, params: dict | None = None, series: dict | None = None) \
        -> pd.DataFrame:
    """Every kind's daily deviation per feature x slice (and fallback reason): one row per day, with
    value, baseline, band, z, alert (onsets) and in_episode; `volume` is what the value rests on."""
    detector = {**KIND_DETECTOR, **(params or {}), "direction": "up"}
    series = series if series is not None else signal_series(con)
    frames = []
    for (feature, slice_), rows in series["daily"].groupby(["feature", "slice"], sort=True):
        rows = full_weeks(rows)
        for kind, (_, successes, trials) in RATE_KINDS.items():
            frames.append(_rate(rows, kind, None, successes, trials, detector))
        frames.append(_level(rows, "p95_latency", rows["p95_latency_ms_7d"], rows["latency_known_7d"], detector,
                             latency_budget(profile, feature) if slice_ == "all" else np.nan))  # budget: per feature
        with np.errstate(divide="ignore", invalid="ignore"):
            cost = np.where(rows["completed_7d"] > 0, rows["cost_usd_7d"] / rows["completed_7d"], np.nan)
        cost[rows["cost_known_7d"].to_numpy() == 0] = np.nan  # no cost known: not a cost of 0
        frames.append(_level(rows, "cost_per_success", cost, rows["completed_7d"], detector))
    for (_, _, reason), rows in series["reasons"].groupby(["feature", "slice", "reason"], sort=True):
        if rows["reason_7d"].max() < MIN_EVENTS:  # a reason never seen MIN_EVENTS times a week cannot spike
            continue
        rows = full_weeks(rows)
        frames.append(_rate(rows, "fallback_reason", reason, "reason_7d", "fallback_known_7d", detector))
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True)[DEVIATION_COLUMNS] if frames else \
        pd.DataFrame(columns=DEVIATION_COLUMNS)


def shown_value(kind: str, value: float) -> str:
    if kind == "p95_latency":
        return f"{value:,.0f} ms"
    if kind == "cost_per_success":
        return f"${value:,.4f}" if value < 0.01 else f"${value:,.2f}"
    return f"{value:.0%}"


def kind_title(row: dict) -> str:
    """e.g. 'summarise edit rate up 40% for enterprise, 2026-05-02 00:00 to ...'; latency over its
    budget says so: 'summarise p95 latency 2,450 ms over its 2,000 ms budget, since ...'."""
    when = signal_title(row["feature"], "all", "conversion", row["change"], row["started_at"],
                        row["ended_at"]).rsplit(", ", 1)[-1]
    who = "" if row["slice"] == "all" else f" for {row['slice']}"
    label = KIND_LABELS[row["kind"]]
    if row["kind"] == "fallback_reason":
        label = f"fallback '{row['reason']}'"
    if row["over_budget"]:
        what = (f"{label} up to {shown_value(row['kind'], row['observed'])}, over its "
                f"{shown_value(row['kind'], row['budget'])} budget")
        if pd.notna(row["change"]) and np.isfinite(row["change"]) and row["change"] > 0:
            what = what.replace(" up to ", f" up {row['change'] * 100:.0f}% to ", 1)
    elif pd.notna(row["change"]) and np.isfinite(row["change"]):
        what = f"{label} up {row['change'] * 100:.0f}%"
    else:
        what = f"{label} up to {shown_value(row['kind'], row['observed'])}"
    return f"{row['feature']} {what}{who}, {when}"


def kind_signals(deviations: pd.DataFrame) -> pd.DataFrame:
    """One row per onset of a deviation of any kind (an episode: from its onset to the first calm day;
    ended_at empty while it goes on), with the observed value over the episode (volume-weighted; the
    peak for a latency budget breach), its change from the baseline at onset and its title."""
    out = []
    keys = ["feature", "slice", "kind", "reason"]
    for key, rows in deviations.fillna({"reason": ""}).groupby(keys, sort=True):
        rows = rows.reset_index(drop=True)
        episode_flags = rows["in_episode"].to_numpy(dtype=bool)
        fresh = rows["alert"].to_numpy(dtype=bool) & ~np.concatenate([[False], episode_flags[:-1]])
        for onset in np.flatnonzero(fresh):
            calm = np.flatnonzero(~episode_flags[onset:])
            stop = onset + calm[0] if len(calm) else len(rows)
            episode = rows.iloc[onset:stop]
            weights = episode["volume"].astype(float).clip(lower=1.0)
            observed = float((episode["value"].astype(float) * weights).sum() / weights.sum())
            baseline = float(rows["baseline"].iloc[onset])
            change = observed / baseline - 1 if pd.notna(baseline) and baseline > 0 else np.nan
            budget = float(rows["budget"].iloc[onset])
            over_budget = bool(pd.notna(budget) and episode["value"].max() > budget)
            if over_budget:  # a budget breach says how high it went
                observed = float(episode["value"].max())
                change = observed / baseline - 1 if pd.notna(baseline) and baseline > 0 else np.nan
            row = dict(zip(keys, key, strict=True), started_at=rows["day"].iloc[onset],
                       ended_at=rows["day"].iloc[stop] if stop < len(rows) else None, observed=observed,
                       baseline=baseline, change=change, peak_z=float(episode["z"].abs().max()),
                       over_budget=over_budget, budget=budget)
            row["reason"] = row["reason"] or None
            row["title"] = kind_title(row)
            out.append(row)
    return pd.DataFrame(out, columns=[*SIGNAL_COLUMNS, "budget"])[SIGNAL_COLUMNS] if out else \
        pd.DataFrame(columns=SIGNAL_COLUMNS)
