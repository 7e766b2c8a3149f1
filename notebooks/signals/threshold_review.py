import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import numpy as np
    import pandas as pd

    from journeylens.notebooks.signals.journey_signals import METRICS, journey_deviations, journey_signals
    from journeylens.notebooks.signals.thresholds import DETECTOR, episodes
    from journeylens.notebooks.workspace.labels import plural
    from journeylens.notebooks.workspace.picker import require_workspace, workspace_picker
    from journeylens.notebooks.workspace.snapshot import close_snapshot, connect

    REAL_OUTCOMES = ("actioned", "auto_mitigated", "escalated")  # incidents that mattered
    NOISE_OUTCOMES = ("noise", "duplicate")
    STATIC_MARGIN = 0.2  # the classic static rule: 20% worse than the series' usual level
    CATCH_LEAD = pd.Timedelta("1h")  # an alert up to an hour before an incident was opened caught it
    CATCH_SPAN = pd.Timedelta("6h")  # an incident with no resolution counts as open for 6 hours
    CANDIDATE_Z = (3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


@app.function
def fresh_onsets(alert, in_episode) -> np.ndarray:
    """Rows where an episode starts (an alert that is not an escalation of a running episode)."""
    alert, in_episode = np.asarray(alert, dtype=bool), np.asarray(in_episode, dtype=bool)
    return alert & ~np.concatenate([[False], in_episode[:-1]])


@app.function
def static_onsets(values, direction: str, margin: float = STATIC_MARGIN) -> tuple:
    """(threshold, onset rows) of a static rule: the series' median made `margin` worse, drawn once
    over the whole history, as a person would; it fires each time the series crosses it."""
    values = np.asarray(values, dtype=float)
    level = float(np.nanmedian(values)) if np.isfinite(values).any() else np.nan
    threshold = level * (1 - margin) if direction == "down" else level * (1 + margin)
    beyond = (values < threshold) if direction == "down" else (values > threshold)
    beyond = np.nan_to_num(beyond.astype(float)).astype(bool)
    return threshold, beyond & ~np.concatenate([[False], beyond[:-1]])


@app.function
def incident_spans(incidents: pd.DataFrame) -> pd.DataFrame:
    """Incidents with a stage, as [start, end] spans an alert must fall in to have caught them, and
    whether they mattered (REAL_OUTCOMES) or were noise."""
    if incidents is None or incidents.empty:
        return pd.DataFrame(columns=["incident_id", "stage", "start", "end", "real", "noise"])
    rows = incidents[incidents["stage"].notna()].copy()
    opened = pd.to_datetime(rows["opened_at"])
    resolved = pd.to_datetime(rows["resolved_at"]) if "resolved_at" in rows else pd.NaT
    outcome = rows["outcome"].fillna("") if "outcome" in rows else pd.Series("", index=rows.index)
    return pd.DataFrame({
        "incident_id": rows["incident_id"], "stage": rows["stage"], "start": opened - CATCH_LEAD,
        "end": pd.Series(resolved, index=rows.index).fillna(opened + CATCH_SPAN),
        "real": outcome.isin(REAL_OUTCOMES), "noise": outcome.isin(NOISE_OUTCOMES),
    }).reset_index(drop=True)


@app.function
def caught_by(onset_times, spans: pd.DataFrame) -> list:
    """The incident ids of `spans` that some onset falls inside."""
    times = pd.to_datetime(pd.Series(onset_times)).to_numpy()
    if len(times) == 0 or spans.empty:
        return []
    hit = [(times >= s).any() and ((times >= s) & (times <= e)).any() for s, e in
           zip(spans["start"].to_numpy(), spans["end"].to_numpy(), strict=True)]
    return list(spans.loc[hit, "incident_id"])


@app.function
def static_vs_dynamic(deviations: pd.DataFrame, incidents: pd.DataFrame, margin: float = STATIC_MARGIN) -> pd.DataFrame:
    """Per stage x segment x metric, over the whole history: how many alerts a static rule (the median
    made `margin` worse) and the dynamic detector would each have raised, and which of the stage's
    incidents that mattered each caught (the interruption budget, side by side)."""
    spans = incident_spans(incidents)
    out = []
    for (stage, segment, metric), rows in deviations.groupby(["stage", "segment", "metric"], sort=True):
        rows = rows.sort_values("ts")
        real = spans[(spans["stage"] == stage) & spans["real"]]
        threshold, static = static_onsets(rows["value"], METRICS[metric]["direction"], margin)
        dynamic = fresh_onsets(rows["alert"], rows["in_episode"])
        caught_static = caught_by(rows["ts"][static], real)
        caught_dynamic = caught_by(rows["ts"][dynamic], real)
        out.append({"stage": stage, "segment": segment, "metric": metric, "static_threshold": threshold,
                    "static_alerts": int(static.sum()), "dynamic_alerts": int(dynamic.sum()),
                    "incidents": len(real), "static_caught": len(caught_static), "dynamic_caught": len(caught_dynamic),
                    "static_caught_ids": ";".join(caught_static), "dynamic_caught_ids": ";".join(caught_dynamic)})
    return pd.DataFrame(out)


@app.function
def calibration_suggestions(deviations: pd.DataFrame, incidents: pd.DataFrame, params: dict | None = None,
                            candidates=CANDIDATE_Z) -> pd.DataFrame:
    """Per stage x segment x metric: the z_min that would have cut alerts while keeping every incident
    that mattered which the current z_min caught (tighten), or that catches incidents the current one
    missed (loosen). Retro labels count: alerts inside incidents labelled noise are shown as noise.
    Each row carries its evidence and its expected effect on noise and on caught incidents."""
    current = float((params or {}).get("z_min", DETECTOR["z_min"]))
    spans = incident_spans(incidents)
    out = []
    for (stage, segment, metric), rows in deviations.groupby(["stage", "segment", "metric"], sort=True):
        rows = rows.sort_values("ts")
        real = spans[(spans["stage"] == stage) & spans["real"]]
        noise = spans[(spans["stage"] == stage) & spans["noise"]]
        settings = {**DETECTOR, **(params or {}), "direction": METRICS[metric]["direction"]}
        trial = {}
        for z_min in sorted({current, *candidates}):
            found = episodes(rows["z"].to_numpy(), {**settings, "z_min": z_min})
            onsets = rows["ts"][fresh_onsets(found["alert"], found["in_episode"])]
            trial[z_min] = (len(onsets), set(caught_by(onsets, real)), len(caught_by(onsets, noise)))
        now_alerts, now_caught, now_noise = trial[current]
        keeping = [z for z in trial if z > current and trial[z][1] >= now_caught and trial[z][0] < now_alerts]
        gaining = [z for z in trial if z < current and len(trial[z][1]) > len(now_caught)]
        if keeping:
            pick, action = max(keeping), "tighten"
        elif gaining:
            pick, action = max(gaining), "loosen"
        else:
            continue
        alerts, caught, noisy = trial[pick]
        out.append({
            "stage": stage, "segment": segment, "metric": metric, "action": action, "z_min_now": current,
            "z_min_suggested": pick, "alerts_now": now_alerts, "alerts_suggested": alerts,
            "incidents_caught_now": len(now_caught), "incidents_caught_suggested": len(caught),
            "noise_alerts_now": now_noise, "noise_alerts_suggested": noisy,
            "evidence": f"{plural(now_alerts, 'alert')} over the history caught {len(now_caught)} of "
                        f"{plural(len(real), 'incident')} that mattered; at z_min {pick:g}: {plural(alerts, 'alert')}, "
                        f"{len(caught)} caught"
                        + (f", {now_noise} -> {plural(noisy, 'alert')} inside incidents labelled noise" if len(noise) else ""),
        })
    return pd.DataFrame(out, columns=["stage", "segment", "metric", "action", "z_min_now", "z_min_suggested",
                                      "alerts_now", "alerts_suggested", "incidents_caught_now",
                                      "incidents_caught_suggested", "noise_alerts_now", "noise_alerts_suggested",
                                      "evidence"])


@app.function
def series_rules(deviations: pd.DataFrame, stage: str, segment: str, metric: str, margin: float = STATIC_MARGIN) -> dict:
    """One series under both rules: its rows in time order, the static threshold, and the onset rows of the
    static rule (static_onsets) and of the detector (fresh_onsets), as boolean arrays over the rows."""
    rows = deviations[(deviations["stage"] == stage) & (deviations["segment"] == segment)
                      & (deviations["metric"] == metric)].sort_values("ts")
    threshold, static = static_onsets(rows["value"], METRICS[metric]["direction"], margin)
    return {"rows": rows, "threshold": threshold, "static": static,
            "dynamic": fresh_onsets(rows["alert"], rows["in_episode"])}


@app.function
def workspace_review(workspace, params: dict | None = None) -> dict:
    """{deviations, signals, incidents} of a workspace on a fresh snapshot, every series under the detector
    settings `params` (a preview: saved threshold overrides are left out)."""
    con = connect(workspace)
    try:
        deviations = journey_deviations(con, params)
        incidents = con.execute("select * from incidents").df()
    finally:
        close_snapshot(con)
    return {"deviations": deviations, "signals": journey_signals(deviations), "incidents": incidents}


@app.cell(hide_code=True)
def _():
    import marimo as mo

    mo.md(
        r"""
        # Static against dynamic thresholds, and calibration

        **Static**: the series' median made 20% worse, drawn once over the whole history, firing at
        each crossing: what a dashboard threshold does. **Dynamic**: the journey-signal detector. For each
        stage, segment and metric: how many alerts each would have raised (the interruption budget) and
        which incidents that mattered (outcome actioned, auto-mitigated or escalated) each caught: an
        alert from an hour before the incident opened until it resolved.

        **Calibration**: replaying the detector with other `z_min` values over the same history, the
        largest that keeps every incident the current setting caught while raising fewer alerts
        (tighten), or one that catches incidents the current setting missed (loosen). Below, on a
        workspace: pick a series and the static margin $m$ (threshold = median $\times (1 \mp m)$).
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
    review = workspace_review(require_workspace(mo, workspace_path.value))
    deviations = review["deviations"]
    mo.stop(deviations.empty, mo.callout(mo.md("This workspace has no journey metrics yet."), kind="info"))
    keys = sorted({" · ".join(k) for k in deviations[["stage", "segment", "metric"]].drop_duplicates().itertuples(
        index=False)})
    pick = mo.ui.dropdown(keys, value="checkout · all · conversion" if "checkout · all · conversion" in keys else keys[0],
                          label="Stage · segment · metric")
    margin = mo.ui.slider(0.05, 0.8, 0.05, value=STATIC_MARGIN, label="Static margin", show_value=True)
    mo.hstack([pick, margin], justify="start")
    return deviations, margin, pick, review


@app.cell
def _(deviations, margin, mo, pick, review):
    from journeylens.notebooks.signals.charts import band_chart

    stage, segment, metric = pick.value.split(" · ")
    rules = series_rules(deviations, stage, segment, metric, margin.value)
    rows, label, percent = rules["rows"], METRICS[metric]["label"], metric == "conversion"
    static_chart = band_chart(rows, f"Static: {int(rules['static'].sum())} alerts", label, percent, band=False,
                              static_threshold=rules["threshold"], onsets=rows[rules["static"]].assign(rule="static"))
    dynamic_chart = band_chart(rows, f"Dynamic: {int(rules['dynamic'].sum())} alerts", label, percent,
                               onsets=rows[rules["dynamic"]].assign(rule="dynamic"))
    compare = static_vs_dynamic(deviations, review["incidents"], margin.value)
    suggestions = calibration_suggestions(deviations, review["incidents"])
    mo.vstack([
        (static_chart | dynamic_chart).resolve_scale(y="shared"),
        mo.md("**Every series, static against dynamic** (alerts raised, incidents that mattered caught)"),
        mo.ui.table(compare, selection=None),
        mo.md(f"**Calibration suggestions**: {len(suggestions)}"),
        mo.ui.table(suggestions, selection=None),
    ])
    return compare, rules, suggestions


if __name__ == "__main__":
    app.run()
