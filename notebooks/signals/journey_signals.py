import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import hashlib
    from functools import partial

    import numpy as np
    import pandas as pd

    from journeylens.notebooks.signals.deviation_memo import remembered
    from journeylens.notebooks.signals.queue_entries import insert_queue_entries
    from journeylens.notebooks.signals.thresholds import DETECTOR, detect_rate, detector_params, episodes, robust_deviation
    from journeylens.notebooks.workspace.picker import require_workspace, workspace_picker
    from journeylens.notebooks.workspace.snapshot import close_snapshot, connect, sql_text
    from journeylens.notebooks.workspace.versions import list_versions

    # The journey metrics the detector watches, and which way is bad for each.
    METRICS = {
        "conversion": {"direction": "down", "label": "conversion"},
        "time_to_value_s": {"direction": "up", "label": "time to value"},
        "satisfaction": {"direction": "down", "label": "satisfaction"},
    }
    MIN_TRIALS = 30  # a bucket with fewer entries never alerts on conversion: too thin to tell
    DEVIATION_COLUMNS = (
        "ts", "stage", "segment", "metric", "value", "baseline", "band_lower", "band_upper", "z", "strength",
        "alert", "in_episode", "recovered", "anomaly_score", "trials",
    )
    SIGNAL_COLUMNS = (
        "signal_id", "stage", "segment", "metric", "started_at", "ended_at", "baseline", "observed", "change",
        "peak_z", "entered", "title",
    )


@app.function
def threshold_overrides(workspace) -> dict:
    """{'<stage>/<segment>/<metric>': {detector setting: value}} saved for the journey signals."""
    versions = list_versions(workspace, "thresholds", "journey")
    return dict(versions[-1]["payload"]["overrides"]) if versions else {}


@app.function
def metric_deviation(rows: pd.DataFrame, metric: str, settings: dict, min_trials: int = MIN_TRIALS,
                     band_z: float | None = None) -> pd.DataFrame | None:
    """One stage x segment series (rows of sql/signals/01_journey_series.sql) and one metric against its own
    history, DEVIATION_COLUMNS. Conversion is a rate (detect_rate: volume-aware); time to value and
    satisfaction are levels, and a bucket with fewer than min_trials entries never alerts on them either.
    The direction is the metric's (METRICS). band = baseline +/- band_z spreads (band_z: settings' z_min).
    None when the metric has no values."""
    settings = {**detector_params(settings), "direction": METRICS[metric]["direction"]}
    rows = rows.sort_values("ts")
    stamps = rows["ts"].reset_index(drop=True)
    trials = rows["entered"].to_numpy(dtype=float)
    if metric == "conversion":
        found = detect_rate(stamps, rows["completed"], rows["entered"], settings, min_trials=min_trials)
        value = found["rate"]
    else:
        if rows[metric].notna().sum() == 0:
            return None
        value = rows[metric].to_numpy(dtype=float)
        # an average over a handful of sessions is noise: thin buckets never alert here either
        deviation = robust_deviation(stamps, value, settings)
        deviation["z"] = deviation["z"].where(trials >= min_trials, 0.0)
        found = pd.concat([deviation, episodes(deviation["z"].to_numpy(), settings)], axis=1)
    band = (settings["z_min"] if band_z is None else band_z) * found["spread"]
    return pd.DataFrame({
        "ts": stamps, "stage": rows["stage"].iloc[0], "segment": rows["segment"].iloc[0], "metric": metric,
        "value": value, "baseline": found["baseline"], "band_lower": found["baseline"] - band,
        "band_upper": found["baseline"] + band, "z": found["z"], "strength": found["strength"],
        "alert": found["alert"], "in_episode": found["in_episode"], "recovered": found["recovered"],
        "anomaly_score": found["anomaly_score"], "trials": trials,
    })


@app.function
def journey_deviations(con, params: dict | None = None, min_trials: int = MIN_TRIALS,
                       overrides: dict | None = None, segments: tuple | None = None) -> pd.DataFrame:
    """Every journey metric series (stage x segment, and the stage as a whole as segment 'all') against
    its own history, with the thresholds detector: one row per bucket and metric. Conversion is a rate
    (volume-aware, watched for drops); time to value for rises; satisfaction for drops. The band is
    baseline +/- z_min spreads. This is the one function behind both the journey signals and the
    scoring's observed harm (its baselines feed stage_hourly). `overrides` = {'<stage>/<segment>/<metric>':
    {setting: value}} from accepted retro suggestions (threshold_overrides, written by governance.decide). `segments`: only
    these (scoring reads the baselines of segment 'all' alone). Leaves temp table journey_deviations."""
    p = detector_params(params)
    series = con.execute(sql_text("journey_series")).df()
    if segments is not None:
        series = series[series["segment"].isin(segments)]
    frames = []
    for (stage, segment), rows in series.groupby(["stage", "segment"], sort=True):
        for metric in METRICS:
            settings = {**p, **(overrides or {}).get(f"{stage}/{segment}/{metric}", {})}
            # remembered: the same series under the same settings is worked out once per process
            found = remembered(rows, metric, settings, (min_trials, p["z_min"]),
                               partial(metric_deviation, rows, metric, settings, min_trials, band_z=p["z_min"]))
            if found is not None:
                frames.append(found)
    deviations = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(DEVIATION_COLUMNS))
    deviations = deviations[list(DEVIATION_COLUMNS)]
    # typed up front, so that no deviations at all (no metrics) is still a table the SQL can read
    con.execute("create or replace temp table journey_deviations (ts timestamp, stage varchar, segment varchar, "
                "metric varchar, value double, baseline double, band_lower double, band_upper double, z double, "
                "strength double, alert boolean, in_episode boolean, recovered boolean, anomaly_score double, "
                "trials double)")
    if len(deviations):
        con.register("journey_deviations_frame", deviations)
        con.execute("insert into journey_deviations select * from journey_deviations_frame")
        con.unregister("journey_deviations_frame")
    return deviations


@app.function
def signal_title(stage: str, segment: str, metric: str, change: float, started, ended) -> str:
    """e.g. 'checkout conversion −35% for enterprise, 14:05–15:20'."""
    who = "" if segment == "all" else f" for {segment}"
    change_text = f"{change * 100:+.0f}%".replace("-", "−") if pd.notna(change) else "changed"
    start = pd.Timestamp(started)
    if ended is None or pd.isna(ended):
        when = f"since {start:%Y-%m-%d %H:%M}"
    else:
        end = pd.Timestamp(ended)
        when = f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}" if end.date() == start.date() else \
            f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}"
    return f"{stage} {METRICS[metric]['label']} {change_text}{who}, {when}"


@app.function
def journey_signals(deviations: pd.DataFrame, recover_rows: int = DETECTOR["recover_rows"]) -> pd.DataFrame:
    """One row per fired journey signal (an episode, from its onset to the start of the calm that ended
    it; ended_at is empty while it goes on). observed = the metric over the episode (for conversion,
    completed / entered over its buckets); change = observed / baseline at onset - 1."""
    signals = []
    for (stage, segment, metric), rows in deviations.groupby(["stage", "segment", "metric"], sort=True):
        rows = rows.sort_values("ts").reset_index(drop=True)
        alert, in_episode = rows["alert"].to_numpy(), rows["in_episode"].to_numpy()
        # an alert inside a running episode is an escalation of it (a worse deviation), not a new signal
        fresh = alert & ~np.concatenate([[False], in_episode[:-1]])
        for onset in np.flatnonzero(fresh):
            later = rows.iloc[onset + 1:]
            after = later.index[fresh[onset + 1:] | later["recovered"].to_numpy()]
            stop = int(after[0]) if len(after) else len(rows)
            recovered = stop < len(rows) and bool(rows["recovered"].iloc[stop])
            calm_start = max(onset + 1, stop - recover_rows + 1) if recovered else stop
            episode = rows.iloc[onset:calm_start]
            if metric == "conversion":
                weights = episode["trials"].clip(lower=0)
                observed = float((episode["value"] * weights).sum() / weights.sum()) if weights.sum() else np.nan
            else:
                observed = float(episode["value"].mean())
            baseline = float(rows["baseline"].iloc[onset])
            started = rows["ts"].iloc[onset]
            ended = rows["ts"].iloc[calm_start] if recovered else None
            change = observed / baseline - 1 if baseline else np.nan
            key = f"{stage}|{segment}|{metric}|{pd.Timestamp(started).isoformat()}"
            signals.append({
                "signal_id": hashlib.md5(key.encode()).hexdigest()[:16], "stage": stage, "segment": segment,
                "metric": metric, "started_at": started, "ended_at": ended, "baseline": baseline,
                "observed": observed, "change": change, "peak_z": float(episode["z"].abs().max()),
                "entered": float(episode["trials"].sum()),
                "title": signal_title(stage, segment, metric, change, started, ended),
            })
    frame = pd.DataFrame(signals, columns=list(SIGNAL_COLUMNS))
    return frame.sort_values(["started_at", "stage", "segment", "metric"]).reset_index(drop=True)


@app.function
def stage_episodes(signals: pd.DataFrame, last_ts=None) -> pd.DataFrame:
    """Signals of one stage that overlap in time are one problem (conversion falls while time to value
    rises, in several segments): one row per stage episode, titled by its strongest deviations, e.g.
    'checkout: conversion −48%, time to value +70%, time to value +76% for free (+2 more), 2026-10-26
    14:00–16:00'. ended_at is empty while any of its signals goes on."""
    if signals is None or signals.empty:
        return pd.DataFrame(columns=["episode_id", "stage", "started_at", "ended_at", "peak_z", "signals", "title"])
    rows = signals.assign(started_at=pd.to_datetime(signals["started_at"]),
                          ended_at=pd.to_datetime(signals["ended_at"]))
    open_end = pd.Timestamp(last_ts) if last_ts is not None else rows["started_at"].max()
    rows["until"] = rows["ended_at"].fillna(max(open_end, rows["started_at"].max()))
    episodes_out = []
    for stage, part in rows.sort_values("started_at").groupby("stage", sort=True):
        cluster, cluster_end = [], None
        for _, signal in list(part.iterrows()) + [(None, None)]:
            if signal is not None and cluster and signal["started_at"] <= cluster_end:
                cluster.append(signal)
                cluster_end = max(cluster_end, signal["until"])
                continue
            if cluster:
                frame = pd.DataFrame(cluster)
                # the stage as a whole first, conversion (lost customers) before the rest, then strength
                frame = frame.assign(whole=frame["segment"] == "all", lost=frame["metric"] == "conversion")
                frame = frame.sort_values(["whole", "lost", "peak_z"], ascending=False)
                parts = [t.split(", ")[0].removeprefix(f"{stage} ") for t in frame["title"]]
                more = f" (+{len(parts) - 3} more)" if len(parts) > 3 else ""
                started = frame["started_at"].min()
                ended = None if frame["ended_at"].isna().any() else frame["ended_at"].max()
                when = signal_title(stage, "all", "conversion", 0.0, started, ended).split(", ", 1)[1]
                episodes_out.append({
                    "episode_id": hashlib.md5(f"{stage}|{started.isoformat()}".encode()).hexdigest()[:16],
                    "stage": stage, "started_at": started, "ended_at": ended,
                    "peak_z": float(frame["peak_z"].max()), "signals": len(frame),
                    "title": f"{stage}: {', '.join(parts[:3])}{more}, {when}"})
            if signal is not None:
                cluster, cluster_end = [signal], signal["until"]
    return pd.DataFrame(episodes_out).sort_values(["started_at", "stage"]).reset_index(drop=True)


@app.function
def append_signal_groups(con, signals: pd.DataFrame) -> int:
    """Adds each stage episode of fired journey signals (stage_episodes) to the queue on its stage
    (insert_queue_entries): service 'journey:<stage>', name = its title, severity from its peak
    deviation (|z| >= 12 critical, >= 8 high, else medium). Returns how many were added."""
    last_ts = con.execute("select max(ts) from journey_deviations").fetchall()[0][0]
    found = stage_episodes(signals, last_ts)
    if found.empty:
        return 0
    return insert_queue_entries(con, pd.DataFrame({
        "group_id": "sig-" + found["episode_id"], "group_key": "signal:" + found["stage"],
        "service": "journey:" + found["stage"], "title": found["title"], "stage": found["stage"],
        "first_fired_at": pd.to_datetime(found["started_at"]), "ended_at": pd.to_datetime(found["ended_at"]),
        "severity_rank": np.select([found["peak_z"] >= 12, found["peak_z"] >= 8], [1, 2], 3),
    }), last_ts, kind="journey_signal")


@app.function
def workspace_signals(workspace, params: dict | None = None, con=None) -> dict:
    """{deviations, signals} of a workspace, with its saved threshold overrides: on `con` (a snapshot of it, or
    the Spark engine's reading of it) when given, else on a fresh snapshot."""
    own = con is None
    con = connect(workspace) if own else con
    try:
        deviations = journey_deviations(con, params, overrides=threshold_overrides(workspace))
        return {"deviations": deviations, "signals": journey_signals(deviations)}
    finally:
        if own:
            close_snapshot(con)


@app.cell(hide_code=True)
def _():
    import marimo as mo

    mo.md(
        r"""
        # Journey signals

        Each stage's conversion, time to value and satisfaction, per segment and for the stage as a whole,
        watched against its own history by the thresholds detector (`thresholds.py`). Conversion is read
        as a rate: a bucket's spread is widened by its own binomial noise, and buckets with fewer than 30
        entries never alert. A fired signal is an episode from its onset to its recovery, titled like
        *checkout conversion −35% for enterprise, 14:05–15:20*.

        The same deviations corroborate alerts in the ranked queue: their baselines are the baselines
        the score's observed harm is measured from (`stage_hourly`). For a signal,
        $\text{change} = \text{observed} / \text{baseline at onset} - 1$, observed over the episode (for
        conversion, completed / entered over its buckets). Below, on a workspace: every signal that fired,
        and the chosen one's series against its band with the episode shaded.
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
    found = workspace_signals(require_workspace(mo, workspace_path.value))
    deviations, signals = found["deviations"], found["signals"]
    mo.stop(signals.empty, mo.callout(mo.md("No journey signal fired over this workspace's history."), kind="info"))
    pick = mo.ui.dropdown(dict(zip(signals["title"], signals["signal_id"], strict=True)), value=signals["title"].iloc[0],
                          label="Signal", full_width=True)
    mo.vstack([mo.md(f"**{len(signals)} signals fired** over the history (saved threshold overrides applied)"),
               mo.ui.table(signals.drop(columns=["signal_id"]), selection=None), pick])
    return deviations, pick, signals


@app.cell
def _(deviations, mo, pick, signals):
    from journeylens.notebooks.signals.charts import band_chart, stages_overview

    chosen = signals[signals["signal_id"] == pick.value].iloc[0]
    rows = deviations[(deviations["stage"] == chosen["stage"]) & (deviations["segment"] == chosen["segment"])
                      & (deviations["metric"] == chosen["metric"])]
    episode = pd.DataFrame({"start": [chosen["started_at"]], "end": [chosen["ended_at"] or rows["ts"].max()],
                            "label": [chosen["title"]]})
    mo.vstack([
        band_chart(rows, chosen["title"], METRICS[chosen["metric"]]["label"], percent=chosen["metric"] == "conversion",
                   onsets=rows[rows["alert"]], spans=episode, width=700, height=260),
        stages_overview(deviations),
    ])
    return (chosen,)


if __name__ == "__main__":
    app.run()
