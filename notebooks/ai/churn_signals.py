import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import hashlib
    import numpy as np
    import pandas as pd

    from journeylens.notebooks.signals.queue_entries import insert_queue_entries
    from journeylens.notebooks.signals.thresholds import episodes, robust_deviation
    from journeylens.notebooks.workspace.picker import require_workspace, workspace_picker
    from journeylens.notebooks.workspace.snapshot import connect, has_table, sql_text

    # Churn signals are weekly: the detector's history and guards are counted in weeks here, not in the
    # five-minute rows of its NAB operating point (as the AI signals count theirs in days). A short weekly
    # history gives the record guard little to compare with, and every feature is watched in many slices
    # (segments, task types, stages): z_min is 3.5, not 3.
    CHURN_DETECTOR = {"min_samples": 8, "history_rows": 26, "record_rows": 26, "refractory_rows": 2,
                      "recover_rows": 1, "ewma_halflife_rows": 4, "z_min": 3.5,
                      "record_warmup_rows": 8, "min_gap_rows": 1}
    # What each signal watches: its series, the column counted, the direction that is bad, and the
    # smallest volume that may alert (a feature that gains 2 users a week cannot show a drop).
    CHURN_KINDS = {
        "adoption": {"label": "new users a week", "direction": "down", "min_volume": 5},
        "usage_decline": {"label": "users whose use halved", "direction": "up", "min_volume": 20},
        "tickets": {"label": "support tickets a week", "direction": "up", "min_volume": 10},
    }
    DECLINE = {"min_baseline": 1.0, "decline_ratio": 0.5}  # uses a week; the share of the baseline left
    SERIES = ["feature", "segment", "task_type", "stage"]
    DEVIATION_COLUMNS = ["signal", *SERIES, "week", "value", "baseline", "z", "alert", "in_episode", "volume"]


@app.function
def detect_weekly(weeks, values, volume, signal: str, params: dict | None = None,
                  rate: bool = False) -> pd.DataFrame:
    """One weekly series against its own history with the thresholds detector (robust_deviation, then
    episodes). A rate (the share of users declined) is widened by its binomial noise sqrt(p(1-p)/n), p the
    trailing median, as in detect_rate. A count (new users, tickets) is watched on Anscombe's scale
    2 sqrt(x + 3/8), where Poisson noise is 1 whatever the level (small counts are skewed: 13 tickets
    against a usual 4 is not 4.5 standard deviations), and its baseline reported back in counts. A week
    whose volume (users watched; for counts the trailing level, or for a rise the week's own count) is
    under the kind's min_volume never alerts."""
    kind = CHURN_KINDS[signal]
    settings = {**CHURN_DETECTOR, **(params or {}), "direction": kind["direction"]}
    value = pd.Series(np.asarray(values, dtype=float))
    n = np.asarray(volume, dtype=float)
    if rate:
        level = value.shift(1).rolling(int(settings["history_rows"]), min_periods=1).median()
        p = level.fillna(0.5).clip(0.0, 1.0).to_numpy()
        found = robust_deviation(pd.Series(weeks), value, settings, noise=np.sqrt(p * (1 - p) / np.maximum(n, 1.0)))
        baseline, enough = found["baseline"], n >= kind["min_volume"]
    else:
        found = robust_deviation(pd.Series(weeks), 2 * np.sqrt(value.clip(lower=0) + 0.375), settings,
                                 noise=np.ones(len(value)))
        baseline = ((found["baseline"] / 2) ** 2 - 0.375).clip(lower=0)
        watched = baseline.fillna(0.0).to_numpy() if kind["direction"] == "down" else value.to_numpy()
        enough = watched >= kind["min_volume"]
    z = np.where(enough, found["z"].to_numpy(), 0.0)
    out = episodes(z, settings)
    return pd.DataFrame({"week": list(weeks), "value": value, "baseline": baseline, "z": z,
                         "alert": out["alert"], "in_episode": out["in_episode"], "volume": n})


@app.function
def series_deviations(frame: pd.DataFrame, signal: str, value: str, volume: str, params: dict | None = None,
                      rate: bool = False) -> pd.DataFrame:
    """Every series of `frame` (one per feature x segment x task_type x stage) through detect_weekly."""
    frames = []
    for key, rows in frame.groupby(SERIES, sort=True, dropna=False):
        rows = rows.sort_values("week")
        found = detect_weekly(rows["week"].to_numpy(), rows[value], rows[volume], signal, params, rate)
        frames.append(found.assign(signal=signal, **dict(zip(SERIES, key, strict=True))))
    if not frames:
        return pd.DataFrame(columns=DEVIATION_COLUMNS)
    return pd.concat(frames, ignore_index=True)[DEVIATION_COLUMNS]


@app.function
def churn_deviations(con, params: dict | None = None, decline: dict | None = None) -> pd.DataFrame:
    """The three early churn series against their own history, week by week (DEVIATION_COLUMNS):
    adoption (new users per feature, watched for drops), usage_decline (the share of watched users whose
    weekly use fell to half their own 4-week baseline or less, watched for rises) and tickets (support
    tickets per feature x stage, watched for spikes; only when tickets were uploaded). Sliced by segment
    and by task_type, with 'all'."""
    parts = []
    if con.execute("select count(*) from ai_interactions where not shadow and user_id is not null").fetchall()[0][0]:
        adoption = con.execute(sql_text("churn_adoption_weekly")).df().assign(stage=None)
        parts.append(series_deviations(adoption, "adoption", "new_users", "new_users", params))
        usage = con.execute(sql_text("churn_usage_decline_weekly"), {**DECLINE, **(decline or {})}).df()
        # a series starts once users have a baseline: the weeks before hold no share, not a share of 0
        usage = usage[usage["users"] > 0]
        usage = usage.assign(stage=None, share=usage["declined"] / usage["users"])
        parts.append(series_deviations(usage, "usage_decline", "share", "users", params, rate=True))
    if has_table(con, "tickets") and con.execute("select count(*) from tickets").fetchall()[0][0]:
        tickets = con.execute(sql_text("churn_ticket_weekly")).df().assign(task_type="all")
        parts.append(series_deviations(tickets, "tickets", "tickets", "tickets", params))
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=DEVIATION_COLUMNS)


@app.function
def churn_title(row: dict) -> str:
    """e.g. 'summarise new users a week −60% for enterprise, since 2026-03-02'."""
    slices = [f"{k} {row[k]}" for k in ("segment", "task_type") if row[k] not in ("all", None)]
    change = row["change"]
    change_text = f"{change * 100:+.0f}%".replace("-", "−") if pd.notna(change) else "changed"
    where = row["feature"] if row["signal"] != "tickets" else f"{row['feature']} ({row['stage']})"
    start = pd.Timestamp(row["started_at"])
    when = f"since week of {start:%Y-%m-%d}" if row["ended_at"] is None else \
        f"weeks of {start:%Y-%m-%d} to {pd.Timestamp(row['ended_at']):%Y-%m-%d}"
    who = f" for {', '.join(slices)}" if slices else ""
    return f"{where} {CHURN_KINDS[row['signal']]['label']} {change_text}{who}, {when}"


@app.function
def churn_signal_list(deviations: pd.DataFrame) -> pd.DataFrame:
    """One row per onset of a churn signal: its series, when it started and ended (None while it goes
    on), the value at onset against its baseline, the change, the largest |z| of the episode, a title."""
    columns = ["signal", *SERIES, "started_at", "ended_at", "observed", "baseline", "change", "peak_z", "title"]
    out = []
    for key, rows in deviations.groupby(["signal", *SERIES], sort=True, dropna=False):
        rows = rows.reset_index(drop=True)
        fresh = rows["alert"].to_numpy(bool) & ~np.concatenate([[False], rows["in_episode"].to_numpy(bool)[:-1]])
        for onset in np.flatnonzero(fresh):
            calm = rows.index[(rows.index > onset) & ~rows["in_episode"].to_numpy(bool)]
            episode = rows.iloc[onset:(calm[0] if len(calm) else len(rows))]
            base = rows["baseline"].iloc[onset]
            row = dict(zip(["signal", *SERIES], key, strict=True)) | {
                "started_at": rows["week"].iloc[onset], "ended_at": rows["week"].iloc[calm[0]] if len(calm) else None,
                "observed": rows["value"].iloc[onset], "baseline": base,
                "change": rows["value"].iloc[onset] / base - 1 if base else np.nan,
                "peak_z": float(episode["z"].abs().max())}
            out.append(row | {"title": churn_title(row)})
    return pd.DataFrame(out, columns=columns)


@app.function
def append_churn_signal_groups(con, params: dict | None = None) -> int:
    """Queues each churn signal on the journey stage it concerns: a ticket series' own stage, else the
    stage most of the feature's interactions name ('unmapped' impact when none): service 'churn:<feature>',
    queue kind ai_signal (churn signals are AI signals to the queue, its counts and notifications)."""
    signals = churn_signal_list(churn_deviations(con, params))
    if signals.empty:
        return 0
    stages = dict(con.execute("select feature, mode(stage) from ai_interactions group by feature").fetchall())
    ends = [con.execute("select max(ts) from ai_interactions").fetchall()[0][0]]
    if has_table(con, "tickets"):
        ends.append(con.execute("select max(ts) from tickets").fetchall()[0][0])
    stage = signals["stage"].where(signals["stage"].notna() & (signals["stage"] != "unknown"),
                                   signals["feature"].map(stages))
    key = signals[["signal", *SERIES]].astype(object).fillna("").astype(str).agg("|".join, axis=1)
    return insert_queue_entries(con, pd.DataFrame({
        "group_id": "churn-" + (key + "|" + signals["started_at"].astype(str)).map(
            lambda k: hashlib.md5(k.encode()).hexdigest()[:16]),
        "group_key": "churn:" + key, "service": "churn:" + signals["feature"], "title": signals["title"],
        "stage": stage, "first_fired_at": pd.to_datetime(signals["started_at"]),
        "ended_at": pd.to_datetime(signals["ended_at"]),
        "severity_rank": np.select([signals["peak_z"] >= 6, signals["peak_z"] >= 4], [2, 3], 4),
    }), max(e for e in ends if e is not None), kind="ai_signal")


@app.cell(hide_code=True)
def _():
    import marimo as mo

    mo.md(
        r"""
        # Early churn signals

        Three weekly series per AI feature, each against its own history with the same detector as the
        journey and AI signals (guards counted in weeks, $z_{min} = 3.5$), sliced by segment and by task type:

        - **adoption velocity**: users new to the feature each week; a drop alerts (needs a usual 5 a week);
        - **usage decline**: the share of users whose week's use fell to half their own baseline or less,
          $\text{uses}_w \le 0.5 \cdot \overline{\text{uses}}_{w-4..w-1}$ (baseline at least 1 a week); a rise
          alerts (needs 20 users watched);
        - **support tickets** (when a tickets export is uploaded): tickets per feature × stage a week; a
          spike alerts (needs 10 tickets that week). No series alerts in its first 8 weeks.

        Counts are watched on Anscombe's scale $2\sqrt{x + 3/8}$ (Poisson noise 1 at any level), shares
        with their binomial noise. Only
        complete weeks count. A fired signal enters the ranked queue on the feature's (or ticket's) stage.
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
    deviations = churn_deviations(con)
    mo.stop(deviations.empty, mo.callout(mo.md("This workspace has no AI interactions with users, nor tickets."),
                                         kind="info"))
    signals = churn_signal_list(deviations)
    choices = sorted(deviations[["signal", "feature"]].drop_duplicates().itertuples(index=False, name=None))
    pick = mo.ui.dropdown({f"{s} · {f}": (s, f) for s, f in choices}, value=f"{choices[0][0]} · {choices[0][1]}",
                          label="Series")
    pick
    return deviations, pick, signals


@app.cell
def _(deviations, mo, pick, signals):
    import altair as alt

    signal, feature = pick.value
    whole = (deviations["signal"] == signal) & (deviations["feature"] == feature)
    trend = deviations[whole & (deviations["segment"] == "all") & (deviations["task_type"] == "all")]
    label = CHURN_KINDS[signal]["label"]
    base = alt.Chart(trend).encode(x=alt.X("week:T", title="Week"))
    chart = (base.mark_line().encode(y=alt.Y("value:Q", title=label))
             + base.mark_line(strokeDash=[4, 4], color="gray").encode(y="baseline:Q")
             + base.transform_filter("datum.alert").mark_point(color="red", size=80, filled=True).encode(y="value:Q")
             ).properties(title=f"{feature}: {label} against its baseline (dashed), alerts in red", width=680)
    mo.vstack([chart, mo.md(f"**{len(signals)} churn signals** over the history"), mo.ui.table(signals, selection=None)])
    return


if __name__ == "__main__":
    app.run()
