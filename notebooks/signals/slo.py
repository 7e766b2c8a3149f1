import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import pandas as pd

    from journeylens.notebooks.workspace.picker import require_workspace, workspace_picker

    # A stage's journey SLO: at most 2% of the completions its baseline conversion expects may be lost.
    DEFAULT_OBJECTIVE = 0.98
    # The multiwindow, multi-burn-rate table (Google SRE workbook, "Alerting on SLOs"). Configurable.
    DEFAULT_BURN_WINDOWS = (
        {"long": "1h", "short": "5min", "burn_rate": 14.4, "action": "page"},
        {"long": "6h", "short": "30min", "burn_rate": 6.0, "action": "page"},
        {"long": "3D", "short": "6h", "burn_rate": 1.0, "action": "ticket"},
    )
    MIN_EXPECTED = 30  # a window expecting fewer completions is too thin to judge
    ACTION_ORDER = {"page": 2, "ticket": 1}


@app.function
def check_burn_windows(windows) -> list:
    """The burn-rate table, checked: each row needs long and short (durations like '1h', '30min', '3D'),
    burn_rate > 0 and action page or ticket."""
    checked = []
    for index, row in enumerate(windows or DEFAULT_BURN_WINDOWS, start=1):
        try:
            long, short = pd.Timedelta(row["long"]), pd.Timedelta(row["short"])
            rate = float(row["burn_rate"])
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f"burn-rate row {index}: needs long, short (durations) and burn_rate ({err})") from None
        if not (rate > 0 and short <= long and row.get("action") in ACTION_ORDER):
            raise ValueError(f"burn-rate row {index}: burn_rate > 0, short <= long and action page|ticket")
        checked.append({"long": row["long"], "short": row["short"], "burn_rate": rate, "action": row["action"]})
    return checked


@app.function
def stage_burn_rates(deviations: pd.DataFrame, objective: float = DEFAULT_OBJECTIVE, windows=None,
                     min_expected: float = MIN_EXPECTED, baseline_window: str = "7D") -> pd.DataFrame:
    """Burn rates of each stage's journey SLO, per time bucket, from journey_deviations (segment 'all',
    conversion). In a window: expected = sum(entered x the conversion of the baseline_window before
    each bucket, completed / entered), lost = expected -
    completed (net, so noise cancels), error ratio = max(0, lost) / expected, burn rate = error ratio /
    (1 - objective). A window shorter than a bucket is the bucket. A row fires an action when both
    its long and its short window burn at least the table's rate (and each expected >= min_expected).
    Columns: ts, stage, expected, completed, burn_<long>, burn_<short> per row of the table, action."""
    windows = check_burn_windows(windows)
    if not 0 < objective < 1:
        raise ValueError("objective must be between 0 and 1 (e.g. 0.98)")
    rows = deviations[(deviations["segment"] == "all") & (deviations["metric"] == "conversion")]
    rows = rows.assign(completed=rows["trials"] * rows["value"].fillna(0.0))
    out = []
    budget = 1.0 - objective
    durations = sorted({w[k] for w in windows for k in ("long", "short")}, key=pd.Timedelta)
    for stage, part in rows.sort_values("ts").groupby("stage", sort=True):
        part = part.set_index(pd.DatetimeIndex(part["ts"]))[["trials", "completed"]]
        step = part.index.to_series().diff().median() if len(part) > 1 else pd.Timedelta("1h")
        # expected conversion: completed / entered over the week before the bucket (a ratio of sums, so
        # busy hours weigh what they weigh; a median of hourly rates would be biased at low volume)
        week = part.shift(1).rolling(pd.Timedelta(baseline_window), min_periods=1).sum()
        part = part.assign(expected=part["trials"] * (week["completed"] / week["trials"]))
        part = part[part["expected"].notna() & (week["trials"] >= min_expected).to_numpy()]
        frame = pd.DataFrame({"ts": part.index, "stage": stage, "expected": part["expected"].to_numpy(),
                              "completed": part["completed"].to_numpy()})
        for duration in durations:
            span = max(pd.Timedelta(duration), step if pd.notna(step) else pd.Timedelta(0))
            summed = part.rolling(span, min_periods=1).sum()
            ratio = ((summed["expected"] - summed["completed"]).clip(lower=0) / summed["expected"]).to_numpy()
            frame[f"burn_{duration}"] = pd.Series(ratio / budget).where(summed["expected"].to_numpy() >= min_expected)
        action = pd.Series([None] * len(frame), dtype=object)
        for w in sorted(windows, key=lambda w: -ACTION_ORDER[w["action"]]):
            fires = (frame[f"burn_{w['long']}"] >= w["burn_rate"]) & (frame[f"burn_{w['short']}"] >= w["burn_rate"])
            action = action.where(action.notna() | ~fires.to_numpy(), w["action"])
        frame["action"] = action.to_numpy()
        out.append(frame)
    columns = ["ts", "stage", "expected", "completed", *[f"burn_{d}" for d in durations], "action"]
    return pd.concat(out, ignore_index=True)[columns] if out else pd.DataFrame(columns=columns)


@app.function
def burn_alerts(rates: pd.DataFrame) -> pd.DataFrame:
    """Burn-rate alerts, once per episode: a run of buckets with an action; its action is the most
    severe in the run. Columns: stage, started_at, ended_at (None while it burns), action, buckets."""
    alerts = []
    for stage, part in rates.groupby("stage", sort=True):
        firing = part["action"].notna().to_numpy()
        run_id = (firing != pd.Series(firing).shift(fill_value=False).to_numpy()).cumsum()
        for _, run in part[firing].groupby(run_id[firing]):
            last = run.index[-1]
            ongoing = last == part.index[-1]
            ended = None if ongoing else part.loc[part.index[part.index.get_loc(last) + 1], "ts"]
            action = max(run["action"], key=lambda a: ACTION_ORDER[a])
            alerts.append({"stage": stage, "started_at": run["ts"].iloc[0], "ended_at": ended, "action": action,
                           "buckets": len(run)})
    return pd.DataFrame(alerts, columns=["stage", "started_at", "ended_at", "action", "buckets"])


@app.function
def burn_status(rates: pd.DataFrame) -> pd.DataFrame:
    """Per stage, its latest bucket: the burn rate of every window and the action it calls for
    ('ok' when none)."""
    if rates.empty:
        return rates
    latest = rates.sort_values("ts").groupby("stage", sort=True).tail(1).reset_index(drop=True)
    return latest.assign(status=latest["action"].fillna("ok")).drop(columns=["action"])


@app.cell(hide_code=True)
def _():
    import altair as alt
    import marimo as mo

    mo.md(
        r"""
        # Journey SLOs and burn rates

        A stage's **journey SLO**: of the completions its own baseline conversion expects, at most
        $1 - \text{objective}$ (2% by default) may be lost. Over a window,
        $\text{burn} = \max(0, \text{expected} - \text{completed}) / \text{expected} / (1 - \text{objective})$,
        expected from the conversion (completed / entered) of the week before each bucket:
        a burn of 1 spends the budget exactly as fast as it accrues. The **multiwindow, multi-burn-rate**
        table pages or tickets when both windows of a row burn fast enough:

        | long / short window | burn rate | action |
        |---|---|---|
        | 1 h / 5 min | 14.4× | page |
        | 6 h / 30 min | 6× | page |
        | 3 d / 6 h | 1× | ticket |

        Windows shorter than the metrics' bucket are the bucket; a window expecting fewer than 30
        completions is not judged (thin traffic). Below, on a workspace: drag the objective and pick a
        window to see every stage's burn rate over the history, where it pages or tickets, and the status now.
        """
    )
    return alt, mo


@app.cell
def _(mo):
    workspace_path = workspace_picker(mo)
    objective = mo.ui.slider(0.9, 0.999, 0.001, value=DEFAULT_OBJECTIVE, label="Objective (share kept)",
                             show_value=True)
    window = mo.ui.dropdown(sorted({w[k] for w in DEFAULT_BURN_WINDOWS for k in ("long", "short")}, key=pd.Timedelta),
                            value="6h", label="Window drawn")
    mo.vstack([workspace_path, mo.hstack([objective, window], justify="start")])
    return objective, window, workspace_path


@app.cell
def _(mo, workspace_path):
    from journeylens.notebooks.signals.journey_signals import workspace_signals

    deviations = workspace_signals(require_workspace(mo, workspace_path.value))["deviations"]
    mo.stop(deviations.empty, mo.callout(mo.md("This workspace has no journey metrics yet."), kind="info"))
    return (deviations,)


@app.cell
def _(alt, deviations, mo, objective, window):
    rates = stage_burn_rates(deviations, objective.value)
    mo.stop(rates.empty, mo.callout(mo.md("No stage has enough conversion history for a burn rate yet."), kind="info"))
    alerts, status = burn_alerts(rates), burn_status(rates)
    column = f"burn_{window.value}"
    lines = alt.Chart(rates).mark_line(strokeWidth=1).encode(
        x=alt.X("ts:T", title="Time (UTC)", axis=alt.Axis(format="%b %d")),
        y=alt.Y(f"{column}:Q", title=f"Burn rate over {window.value} (1 = budget spent as it accrues)"),
        color=alt.Color("stage:N", title="Stage"),
        tooltip=["stage:N", alt.Tooltip("ts:T", format="%Y-%m-%d %H:%M"), alt.Tooltip(f"{column}:Q", format=".2f")])
    levels = pd.DataFrame([{"rate": w["burn_rate"], "row": f"{w['action']} at {w['burn_rate']:g}x ({w['long']}/{w['short']})"}
                           for w in DEFAULT_BURN_WINDOWS if window.value in (w["long"], w["short"])])
    rules = alt.Chart(levels).mark_rule(strokeDash=[6, 3], color="#d62728").encode(y="rate:Q", tooltip=["row:N"])
    pages, tickets = int((alerts["action"] == "page").sum()), int((alerts["action"] == "ticket").sum())
    mo.vstack([
        (lines + rules).properties(title=f"Burn rate per stage over {window.value}, objective {objective.value:.1%}; "
                                         f"{pages} pages and {tickets} tickets over the history", height=280, width=700),
        mo.md("**Status now** (each stage's latest bucket)"), mo.ui.table(status, selection=None),
        mo.md("**Burn-rate alerts over the history** (once per run of firing buckets)"),
        mo.ui.table(alerts, selection=None),
    ])
    return alerts, rates, status


if __name__ == "__main__":
    app.run()
