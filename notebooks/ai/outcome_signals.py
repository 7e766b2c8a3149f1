import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import hashlib
    import numpy as np
    import pandas as pd

    from journeylens.notebooks.ai.outcomes import ai_daily
    from journeylens.notebooks.signals.journey_signals import signal_title
    from journeylens.notebooks.signals.queue_entries import insert_queue_entries
    from journeylens.notebooks.signals.thresholds import detect_rate, wilson_interval
    from journeylens.notebooks.workspace.picker import require_workspace, workspace_picker
    from journeylens.notebooks.workspace.snapshot import connect

    MIN_TRIALS = 20  # a rolling week with fewer interactions in a slice never alerts
    # AI metrics are daily, over a rolling week (so thin segments have volume); the detector's history
    # and guards are counted in days here, not in the five-minute rows of its NAB operating point
    AI_DETECTOR = {"min_samples": 14, "history_rows": 60, "record_rows": 60, "refractory_rows": 7,
                   "recover_rows": 3, "ewma_halflife_rows": 7, "z_min": 3.0,
                   "record_warmup_rows": 14, "min_gap_rows": 1}  # daily rows: no 500-row warm-up
    MIN_SLICE = 30  # a slice with fewer interactions is not called low-success


@app.function
def ai_deviations(con, params: dict | None = None) -> pd.DataFrame:
    """Each feature x segment's task completion over the rolling week, day by day, against its own
    history, with the thresholds detector (volume-aware, watched for drops): the same engine as the
    journey signals, with its guards counted in days (AI_DETECTOR)."""
    daily = ai_daily(con)
    frames = []
    for (feature, segment), rows in daily.groupby(["feature", "segment"], sort=True):
        rows = rows.sort_values("day").reset_index(drop=True)
        # trials are the interactions with a known `accepted` (SPEC §4.2): telemetry without user
        # signals neither completes nor fails a task
        trials = rows["with_user_signal_7d"]
        week_completed = (rows["task_completion_7d"].fillna(0) * trials).round()
        found = detect_rate(rows["day"], week_completed, trials,
                            {**AI_DETECTOR, **(params or {}), "direction": "down"}, min_trials=MIN_TRIALS)
        band = {**AI_DETECTOR, **(params or {})}["z_min"] * found["spread"]
        frames.append(pd.DataFrame({"day": rows["day"], "feature": feature, "segment": segment,
                                    "rate": found["rate"], "baseline": found["baseline"],
                                    "band_lower": found["baseline"] - band, "band_upper": found["baseline"] + band,
                                    "z": found["z"],
                                    "alert": found["alert"], "in_episode": found["in_episode"],
                                    "interactions": trials}))
    columns = ["day", "feature", "segment", "rate", "baseline", "band_lower", "band_upper", "z", "alert", "in_episode",
               "interactions"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


@app.function
def ai_signal_list(deviations: pd.DataFrame) -> pd.DataFrame:
    """One row per onset of a task-completion drop, titled like the journey signals."""
    out = []
    for (feature, segment), rows in deviations.groupby(["feature", "segment"], sort=True):
        rows = rows.reset_index(drop=True)
        fresh = rows["alert"].to_numpy() & ~np.concatenate([[False], rows["in_episode"].to_numpy()[:-1]])
        for onset in np.flatnonzero(fresh):
            later = rows.iloc[onset:]
            calm = later.index[~later["in_episode"].to_numpy()]
            end = rows["day"].iloc[calm[0]] if len(calm) else None
            episode = rows.iloc[onset:(calm[0] if len(calm) else len(rows))]
            observed = float((episode["rate"] * episode["interactions"]).sum() / episode["interactions"].sum())
            change = observed / rows["baseline"].iloc[onset] - 1 if rows["baseline"].iloc[onset] else np.nan
            title = signal_title(feature, segment, "conversion", change, rows["day"].iloc[onset], end)
            out.append({"feature": feature, "segment": segment, "started_at": rows["day"].iloc[onset], "ended_at": end,
                        "change": change, "peak_z": float(episode["z"].abs().max()),
                        "title": title.replace(" conversion ", " task completion ", 1)})
    return pd.DataFrame(out, columns=["feature", "segment", "started_at", "ended_at", "change", "peak_z", "title"])


@app.function
def low_success_slices(con, examples: int = 5) -> pd.DataFrame:
    """Actionable items for the prompt-engineering backlog: feature x segment x model version slices
    (production) whose task completion is significantly below their feature's (the 95% Wilson upper
    bound under the feature's rate), with example interactions (worst judge score first, then
    fallbacks) and the most frequent fallback reasons."""
    frame = con.execute("""
        with rows as (
            select i.*, jl_completed(i.accepted, i.fallback, i.feedback, i.intent_mismatch) as completed,
                (select avg(value) from eval_scores s where s.interaction_id = i.interaction_id
                 and s.name = 'task_completion') as judge
            from ai_interactions i where not i.shadow and i.accepted is not null  -- known user signal only
        ),
        feature_rates as (
            select feature, count(*) filter (where completed) / nullif(count(accepted), 0) as feature_rate
            from rows group by feature
        )
        select r.feature, coalesce(r.segment, 'unknown') as segment, coalesce(r.model_version, 'unknown') as model_version,
            count(*) as interactions, count(*) filter (where r.completed) as completed, any_value(f.feature_rate) as feature_rate,
            string_agg(r.interaction_id || ': ' || left(coalesce(r.prompt, ''), 80), ' | '
                       order by coalesce(r.judge, 1), r.fallback desc) filter (where not r.completed) as failures,
            string_agg(distinct r.fallback_reason, '; ') filter (where r.fallback_reason is not null) as fallback_reasons
        from rows r join feature_rates f using (feature)
        group by all""").df()
    if frame.empty:
        return frame
    frame["task_completion_rate"] = frame["completed"] / frame["interactions"]
    _, upper = wilson_interval(frame["completed"], frame["interactions"])
    frame["upper_95"] = upper
    flagged = frame[(frame["interactions"] >= MIN_SLICE) & (frame["upper_95"] < frame["feature_rate"])].copy()
    flagged["examples"] = flagged["failures"].fillna("").map(lambda t: " | ".join(t.split(" | ")[:examples]))
    flagged["gap"] = flagged["task_completion_rate"] - flagged["feature_rate"]
    return flagged.drop(columns=["failures"]).sort_values("gap").reset_index(drop=True)


@app.function
def append_ai_signal_groups(con, params: dict | None = None) -> int:
    """Queues each AI task-completion drop on the journey stage its feature serves (the stage most of
    the feature's interactions name; 'unmapped' impact when none): service 'ai:<feature>'."""
    if not con.execute("select count(*) from ai_interactions where not shadow").fetchall()[0][0]:
        return 0
    signals = ai_signal_list(ai_deviations(con, params))
    if signals.empty:
        return 0
    stages = dict(con.execute("select feature, mode(stage) from ai_interactions group by feature").fetchall())
    last_day = con.execute("select max(ts) from ai_interactions").fetchall()[0][0]
    key = signals["feature"] + "|" + signals["segment"] + "|" + signals["started_at"].astype(str)
    return insert_queue_entries(con, pd.DataFrame({
        "group_id": "ai-" + key.map(lambda k: hashlib.md5(k.encode()).hexdigest()[:16]),
        "group_key": "ai:" + signals["feature"] + "|" + signals["segment"], "service": "ai:" + signals["feature"],
        "title": signals["title"], "stage": signals["feature"].map(stages),
        "first_fired_at": pd.to_datetime(signals["started_at"]), "ended_at": pd.to_datetime(signals["ended_at"]),
        "severity_rank": np.select([signals["peak_z"] >= 6, signals["peak_z"] >= 4], [2, 3], 4),
    }), last_day, kind="ai_signal")


@app.cell(hide_code=True)
def _():
    import marimo as mo

    mo.md(
        r"""
        # AI outcome signals and low-success slices

        Each feature and segment's task completion over the rolling week, day by day, against its own
        history, with the same detector as the journey signals (volume-aware; a week with fewer than 20
        interactions never alerts; guards counted in days). The band is
        $\text{baseline} \pm z_{min} \cdot \text{spread}$ ($z_{min} = 3$ here); a drop below it that is also
        the largest in 60 days starts a signal, which enters the ranked queue on the stage the feature serves.
        Slices of feature × segment × model version whose completion is significantly below their
        feature's (the Wilson 95% upper bound under the feature's rate, at least 30 interactions) become
        backlog items, with examples and fallback reasons.
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
    con = connect(require_workspace(mo, workspace_path.value))
    deviations = ai_deviations(con)
    mo.stop(deviations.empty, mo.callout(mo.md("This workspace has no AI interactions yet."), kind="info"))
    signals = ai_signal_list(deviations)
    slices = low_success_slices(con)
    features = sorted(deviations["feature"].unique())
    picks = mo.ui.dictionary({
        "feature": mo.ui.dropdown(features, value=features[0], label="Feature"),
        "segment": mo.ui.dropdown(sorted(deviations["segment"].unique(), key=lambda s: s != "all"), value="all",
                                  label="Segment"),
    })
    picks
    return con, deviations, picks, signals, slices


@app.cell
def _(deviations, mo, picks, signals, slices):
    from journeylens.notebooks.signals.charts import band_chart

    feature, segment = picks.value["feature"], picks.value["segment"]
    trend = deviations[(deviations["feature"] == feature) & (deviations["segment"] == segment)]
    drops = trend[trend["alert"].astype(bool)]
    mo.vstack([
        band_chart(trend, f"{feature} · {segment}: task completion against its band ({len(drops)} drops)",
                   "Task completion, rolling 7 days", percent=True, x="day", value="rate", onsets=drops, width=680),
        mo.md(f"**{len(signals)} task-completion drops** over the history, all features and segments"),
        mo.ui.table(signals, selection=None),
        mo.md(f"**{len(slices)} low-success slices** for the prompt backlog"),
        mo.ui.table(slices, selection=None),
    ])
    return (drops,)


@app.cell
def _(con, mo, workspace_path):
    from journeylens.notebooks.ai.signal_actions import ai_actions
    from journeylens.notebooks.ai.signal_kinds import kind_deviations, kind_signals

    # the other outcome signals (signal_kinds.py): edit rate, each fallback reason, silent failures,
    # thumbs-down, p95 latency against its budget, cost per success; and what they suggest doing
    kind_rows = kind_deviations(con)
    kinds = kind_signals(kind_rows)
    mo.vstack([
        mo.md(f"**{len(kinds)} signals beyond task completion**: edit rate, fallback reasons, silent failures, "
              "thumbs-down, p95 latency against its 2 s budget and cost per success, per feature × segment, "
              "task type and role, each against its own history (z ≥ 4)"),
        mo.ui.table(kinds, selection=None),
        mo.md("**Suggested actions**: tighten, investigate, re-evaluate with the judge"),
        mo.ui.table(ai_actions(con, None, str(workspace_path.value), kind_rows, kinds), selection=None),
    ])
    return


if __name__ == "__main__":
    app.run()
