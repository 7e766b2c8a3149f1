import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import numpy as np
    import pandas as pd

    from journeylens.notebooks.signals.detector_parts import rows_per_period, trailing_record, trailing_spread
    from journeylens.notebooks.workspace.picker import require_workspace, workspace_picker

    # The frozen operating point. Tuned on the NAB development split only (README: "Dynamic
    # thresholds"); the same values serve journey metrics and AI outcome metrics.
    DETECTOR = {
        "history_rows": 1000,  # trailing window of the robust baselines
        "min_samples": 100,  # no alert before this many rows of history (minimum-sample guard)
        "scale_floor": 0.01,  # the spread never counts as smaller than 1% of the series' mean level
        "seasonal_periods": ("1D", "7D"),  # same time yesterday..., same hour of the week...
        "seasons": 7,  # ...over at most this many earlier periods (at least 3 needed)
        "seasonal_gain": 0.8,  # use an adaptive or seasonal baseline when it fits the history this much better
        "ewma_halflife_rows": 24,  # adaptive baseline: an EWMA whose weights halve every this many rows
        "z_min": 4.0,  # an alert needs a deviation of at least this many robust standard deviations...
        "record_rows": 1200,  # ...and at least as large as any deviation in this many earlier rows...
        "record_warmup_rows": 500,  # ...the first rows set no record while they last (their spread rests on little history)...
        "record_warmup_weight": 0.5,  # ...and count at half their size after (an early spike still says "spiky")
        "refractory_rows": 100,  # after an alert, only a worse deviation alerts again this soon...
        "min_gap_rows": 24,  # ...and never sooner than this: a deviation still growing is the same problem
        "recover_rows": 12,  # an episode ends after this many rows back within z_min / 2
        "direction": "both",  # "down" (conversion), "up" (time-to-value, cost) or "both"
    }
    # (setting, label, min, max, step) of the detector an analyst may drag in the notebook below
    KNOBS = (
        ("z_min", "Minimum deviation z_min (robust SDs)", 2.0, 12.0, 0.5),
        ("history_rows", "Baseline window (rows)", 48, 2000, 24),
        ("min_samples", "History before the first alert (rows)", 24, 500, 12),
        ("record_rows", "Record window (rows)", 24, 2000, 24),
        ("refractory_rows", "Quiet after an alert (rows)", 0, 500, 6),
        ("min_gap_rows", "Fewest rows between two alerts", 0, 200, 6),
        ("recover_rows", "Calm rows to recover", 1, 48, 1),
        ("ewma_halflife_rows", "EWMA half-life (rows, 0 = off)", 0, 168, 6),
    )


@app.function
def detector_params(overrides: dict | None = None) -> dict:
    """DETECTOR with `overrides` applied; unknown keys are an error, not silently ignored."""
    unknown = set(overrides or {}) - set(DETECTOR)
    if unknown:
        raise ValueError(f"unknown detector setting(s): {', '.join(sorted(unknown))}")
    return {**DETECTOR, **(overrides or {})}


@app.function
def robust_deviation(timestamps, values, params: dict | None = None, noise=None) -> pd.DataFrame:
    """Causal deviation of each row from its own history (row t uses rows <= t only):

    baselines : trailing median of the last history_rows rows; an EWMA of the rows before (adaptive,
                half-life ewma_halflife_rows); for each seasonal period the median of the same phase
                in up to `seasons` earlier periods (>= 3 needed)
    choice    : per row, in that order, a baseline replaces the current one when its residuals' trailing
                spread beats the current one's by seasonal_gain
    z         : (value - baseline) / spread, the spread floored at scale_floor x the mean level. For
                rates, `noise` is each row's sampling noise (binomial): the spread becomes the history's
                spread beyond its usual sampling noise, plus this row's own noise
    Returns baseline, spread, z (signed) per row."""
    p = detector_params(params)
    s = pd.Series(np.asarray(values, dtype=float)).ffill().fillna(0.0)
    rows, min_rows = int(p["history_rows"]), int(p["min_samples"])
    floor = 1e-9 + p["scale_floor"] * s.abs().expanding().mean().shift(1).fillna(0.0)
    baseline = s.shift(1).rolling(rows, min_periods=min_rows).median()
    spread = np.maximum(trailing_spread(s, rows, min_rows), floor)
    if p["ewma_halflife_rows"]:
        # adaptive: an exponentially weighted mean of the rows before, following slow drifts
        adaptive = s.shift(1).ewm(halflife=float(p["ewma_halflife_rows"]), min_periods=min_rows).mean()
        adaptive_spread = np.maximum(trailing_spread(s - adaptive, rows, min_rows), floor)
        better = (adaptive_spread < p["seasonal_gain"] * spread) & adaptive.notna()
        baseline = baseline.where(~better, adaptive)
        spread = spread.where(~better, adaptive_spread)
    for period in p["seasonal_periods"]:
        lag = rows_per_period(timestamps, period)
        if lag < 2 or len(s) <= 3 * lag:
            continue
        earlier = pd.concat([s.shift(k * lag) for k in range(1, int(p["seasons"]) + 1)], axis=1)
        seasonal = earlier.median(axis=1).where(earlier.notna().sum(axis=1) >= 3)
        seasonal_spread = np.maximum(trailing_spread(s - seasonal, rows, min_rows), floor)
        better = (seasonal_spread < p["seasonal_gain"] * spread) & seasonal.notna()
        baseline = baseline.where(~better, seasonal)
        spread = spread.where(~better, seasonal_spread)
    if noise is not None:
        # the history's spread already holds the sampling noise at its usual volume: keep only the
        # spread beyond it (real variation), then add this row's own sampling noise
        noise_var = pd.Series(np.asarray(noise, dtype=float)).fillna(0.0) ** 2
        usual_noise_var = noise_var.shift(1).rolling(rows, min_periods=min_rows).median()
        beyond = (spread ** 2 - usual_noise_var).clip(lower=0.0)
        spread = np.maximum(np.sqrt(beyond + noise_var), floor)
    z = ((s - baseline) / spread).fillna(0.0)
    return pd.DataFrame({"baseline": baseline, "spread": spread, "z": z})


@app.function
def episodes(z: np.ndarray, params: dict | None = None) -> pd.DataFrame:
    """Alerts from deviations, once per episode, at onset (causal: row t looks at rows <= t).

    strength  : |z| / max(z_min, largest |z| of the record_rows rows before), in the watched
                direction, 0 below z_min and in the first min_samples rows; the first
                record_warmup_rows rows set no record while they last, and count at
                record_warmup_weight of their size after (a spread from little history inflates their z)
    onset     : strength >= 1, and either refractory_rows have passed since the last alert or the
                deviation is stronger than the last alert's (a worse problem alerts again) and more
                than min_gap_rows have passed (a deviation that grows row by row alerts once)
    recovery  : the first row after recover_rows rows in a row back within z_min / 2
    Returns strength, alert (onset rows), in_episode, recovered (recovery rows), anomaly_score: in
    [0, 1], >= 0.5 exactly on alert rows."""
    p = detector_params(params)
    z = np.nan_to_num(np.asarray(z, dtype=float))
    signed = {"down": -z, "up": z}.get(p["direction"], np.abs(z))
    watched = np.clip(signed, 0.0, None)
    record = trailing_record(z, p["record_rows"], p["record_warmup_rows"], p["record_warmup_weight"])
    # >= 1 exactly when |z| >= z_min and |z| >= the record; bounded, so strengths compare
    strength = np.where(watched >= p["z_min"], watched / np.maximum(record, p["z_min"]), 0.0)
    strength[: int(p["min_samples"])] = 0.0
    n = len(z)
    alert, in_episode, recovered = np.zeros(n, bool), np.zeros(n, bool), np.zeros(n, bool)
    last_alert, last_strength, active, calm = -(10 ** 9), 0.0, False, 0
    for i in range(n):
        since = i - last_alert
        worse = strength[i] >= last_strength and since > p["min_gap_rows"]
        if strength[i] >= 1.0 and (since > p["refractory_rows"] or worse):
            alert[i], last_alert, last_strength, active, calm = True, i, strength[i], True, 0
        elif active:
            calm = calm + 1 if watched[i] < p["z_min"] / 2 else 0
            if calm >= p["recover_rows"]:
                recovered[i], active = True, False
        in_episode[i] = active
    score = np.where(alert, 0.5 + 0.5 * (1.0 - 1.0 / (1.0 + strength)), 0.49 * np.minimum(strength, 1.0))
    return pd.DataFrame({"strength": strength, "alert": alert, "in_episode": in_episode,
                         "recovered": recovered, "anomaly_score": score})


@app.function
def detect(timestamps, values, params: dict | None = None, noise=None) -> pd.DataFrame:
    """The detector on one series: robust_deviation, then episodes. One row per input row."""
    deviation = robust_deviation(timestamps, values, params, noise)
    return pd.concat([deviation, episodes(deviation["z"].to_numpy(), params)], axis=1)


@app.function
def wilson_interval(successes, trials, z: float = 1.96) -> tuple:
    """Wilson score interval (lower, upper) per row; (0, 1) where there were no trials."""
    k, n = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n > 0, k / n, 0.0)
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lower = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), 0.0)
    return lower, np.where(n > 0, np.clip(centre + half, 0.0, 1.0), 1.0)


@app.function
def detect_rate(timestamps, successes, trials, params: dict | None = None, min_trials: int = 30) -> pd.DataFrame:
    """The detector on a rate (conversion, task completion...), volume-aware: the spread is widened
    by the binomial noise sqrt(p(1-p)/n) of each row's own volume, so 4 of 20 is not read like 4,000
    of 20,000, and a row with fewer than min_trials trials never alerts. Adds rate, lower, upper
    (Wilson 95%) and trials."""
    k, n = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n > 0, k / n, np.nan)
    # the noise of a bucket is that of the rate it should have had (the trailing median), not of the
    # rate it showed: 0 of 40 is not a noiseless measurement
    level = pd.Series(rate).shift(1).rolling(int(detector_params(params)["history_rows"]), min_periods=1).median()
    level = level.fillna(0.5).clip(0.0, 1.0).to_numpy()
    noise = np.sqrt(level * (1 - level) / np.maximum(n, 1.0))
    deviation = robust_deviation(timestamps, rate, params, noise=noise)
    z = deviation["z"].to_numpy().copy()
    z[n < min_trials] = 0.0
    deviation["z"] = z
    lower, upper = wilson_interval(k, n)
    out = pd.concat([deviation, episodes(z, params)], axis=1)
    return out.assign(rate=rate, lower=lower, upper=upper, trials=n)


@app.cell(hide_code=True)
def _():
    import marimo as mo

    mo.md(
        r"""
        # Dynamic thresholds: deviation from a series' own history

        One engine serves journey metrics (conversion, time-to-value, satisfaction per stage and
        segment), AI outcome metrics and any NAB `value` series. Every step is causal: row $t$ uses rows
        $\le t$ only.

        1. **Baseline.** The trailing median of the last 1,000 rows; an **adaptive** EWMA of the rows
           before (half-life 24 rows), or a **seasonal** median (the same time of day over up to 7
           earlier days, the same hour of the week over up to 7 earlier weeks) replaces it when it fits
           the history better (its residual spread at most 0.8 x the current one).
        2. **Spread.** Robust: the interquartile range / 1.349 of the trailing residuals. For a rate
           it is widened by the binomial noise $\sqrt{p(1-p)/n}$ of the row's own volume: **volume-aware**,
           and rows under a minimum number of trials never alert.
        3. **Deviation** $z = (x - \text{baseline}) / \text{spread}$, in the watched direction; the band
           drawn below is $\text{baseline} \pm z_{min} \cdot \text{spread}$.
        4. **Alert at onset, once per episode.** An alert needs $|z| \ge 4$ *and* a deviation at least as
           large as any in the previous 1,200 rows (so a series that is always spiky must do something new).
           After an alert, only a stronger deviation alerts again within 100 rows, and none within 24 rows
           (a deviation that grows row by row is one problem). An episode recovers after 12 rows back
           within $z_{min}/2$. No alert before 100 rows of history. The first 500 rows set no record while
           they last, and count at half their size after (their spread rests on little history, so their
           $z$ is inflated; an early spike still says the series is spiky).

        Below, on a workspace: pick a stage, segment and metric and drag the settings; the band, the alerts
        and a **NAB-style preview** move with them: the stage's incidents as labelled windows, which the
        setting catches, the alerts outside them, and the series' NAB score (null 0, perfect 100). Nothing
        is saved: accepted retro suggestions are what changes a series' settings.
        """
    )
    return (mo,)


@app.cell
def _(mo):
    workspace_path = workspace_picker(mo)
    workspace_path
    return (workspace_path,)


@app.cell
def _(mo, workspace_path):
    from journeylens.notebooks.signals.journey_signals import METRICS
    from journeylens.notebooks.workspace.snapshot import connect, sql_text

    con = connect(require_workspace(mo, workspace_path.value))
    series = con.execute(sql_text("journey_series")).df()
    incidents = con.execute("select * from incidents").df()
    mo.stop(series.empty, mo.callout(mo.md("This workspace has no journey metrics yet."), kind="info"))
    pairs = sorted({f"{a} · {b}" for a, b in zip(series["stage"], series["segment"], strict=True)})
    default_pair = "checkout · all" if "checkout · all" in pairs else pairs[0]
    picks = mo.ui.dictionary({
        "series": mo.ui.dropdown(pairs, value=default_pair, label="Stage · segment"),
        "metric": mo.ui.dropdown({spec["label"]: m for m, spec in METRICS.items()}, value="conversion", label="Metric"),
    })
    knobs = mo.ui.dictionary({key: mo.ui.slider(low, high, step, value=DETECTOR[key], label=label, show_value=True)
                              for key, label, low, high, step in KNOBS})
    min_trials = mo.ui.slider(0, 200, 5, value=30, label="Fewest entries a bucket needs to alert", show_value=True)
    mo.vstack([picks, mo.md("**Detector settings** (the shipped defaults are the NAB operating point)"), knobs,
               min_trials])
    return METRICS, incidents, knobs, min_trials, picks, series


@app.cell
def _(METRICS, incidents, knobs, min_trials, mo, picks, series):
    from journeylens.notebooks.signals.charts import band_chart
    from journeylens.notebooks.signals.journey_signals import journey_signals, metric_deviation
    from journeylens.notebooks.signals.nab import normalised_scores, window_rows
    from journeylens.notebooks.signals.threshold_review import caught_by, fresh_onsets, incident_spans

    stage, segment = picks.value["series"].split(" · ")
    metric, settings = picks.value["metric"], detector_params(knobs.value)
    found = metric_deviation(series[(series["stage"] == stage) & (series["segment"] == segment)], metric, settings,
                             min_trials.value)
    mo.stop(found is None, mo.callout(mo.md(f"{stage} · {segment} has no {METRICS[metric]['label']} values."),
                                      kind="info"))
    fired = journey_signals(found, settings["recover_rows"])
    spans = incident_spans(incidents)
    spans = spans[spans["stage"] == stage]
    onsets = found["ts"][fresh_onsets(found["alert"], found["in_episode"])]
    real, noise = spans[spans["real"]], spans[spans["noise"]]
    caught = caught_by(onsets, real)
    inside = [any(s <= t <= e for s, e in zip(spans["start"], spans["end"], strict=True)) for t in onsets]
    nab = normalised_scores([(found["alert"].to_numpy(), window_rows(found["ts"], list(zip(
        real["start"], real["end"], strict=True))))]) if len(real) else None
    chart = band_chart(found, f"{stage} · {segment}: {METRICS[metric]['label']}, {len(fired)} episodes, "
                       f"{len(caught)} of {len(real)} incidents caught", METRICS[metric]["label"],
                       percent=metric == "conversion", onsets=found[found["alert"]],
                       spans=spans.assign(label=spans["incident_id"]).loc[:, ["start", "end", "label"]],
                       width=700, height=280)
    nab_text = ("no incident names this stage: no windows to score" if nab is None else
                f"NAB score of the series with its incidents as windows: **{nab['standard']:.1f}** standard, "
                f"{nab['reward_low_FP_rate']:.1f} low-FP, {nab['reward_low_FN_rate']:.1f} low-FN")
    mo.vstack([
        chart,
        mo.md(f"**{len(fired)} episodes** ({int(found['alert'].sum())} alert rows) over the history; incidents "
              f"that mattered caught: **{len(caught)} of {len(real)}** ({', '.join(caught) or 'none'}); "
              f"{inside.count(False)} onsets outside every incident; {len(caught_by(onsets, noise))} incidents "
              f"labelled noise alerted on. {nab_text}. Shaded: the stage's incidents, an hour before opening "
              "to resolution."),
        mo.ui.table(fired[["title", "started_at", "ended_at", "change", "peak_z", "entered"]], selection=None),
    ])
    return caught, fired, found, inside, nab


if __name__ == "__main__":
    app.run()
