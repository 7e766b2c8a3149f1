import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import pandas as pd

    from journeylens.notebooks.workspace.picker import require_workspace, workspace_picker
    from journeylens.notebooks.workspace.snapshot import close_snapshot, connect, sql_text

    # weighted_score = the mean of these weights x the three judge metrics (SPEC §4.2); a profile may
    # change them, and they are normalised to sum to 1.
    DEFAULT_AI_WEIGHTS = {"task_completion": 0.5, "relevance": 0.3, "safety": 0.2}
    # ai_metrics.csv: the SPEC §4.2 columns first, then the counts they are made of.
    AI_METRIC_COLUMNS = (
        "feature", "segment", "interactions", "with_user_signal", "acceptance_rate", "edit_rate", "fallback_rate",
        "task_completion_rate", "silent_failure_rate", "weighted_score", "cost_per_success", "p95_latency_ms",
        "retention_90d", "completed", "completed_evaluated", "evaluated", "cost_usd", "retention_users",
    )
    # the rolling metrics of ai_daily an analyst can plot: label and axis format
    TREND_METRICS = {"task_completion": ("task completion", "%"), "silent_failure": ("silent failure", "%"),
                     "weighted_score": ("weighted score", ".2f"), "cost_per_success": ("cost per success", "$.4f")}


@app.function
def ai_weights(weights: dict | None = None) -> dict:
    """The weighted_score weights, completed from the defaults, checked and normalised to sum to 1."""
    merged = {**DEFAULT_AI_WEIGHTS, **(weights or {})}
    unknown = set(merged) - set(DEFAULT_AI_WEIGHTS)
    if unknown or any(float(v) < 0 for v in merged.values()) or sum(map(float, merged.values())) <= 0:
        raise ValueError(f"AI weights are task_completion, relevance and safety, >= 0, not all 0 (got {merged})")
    total = sum(float(v) for v in merged.values())
    return {k: float(v) / total for k, v in merged.items()}


@app.function
def weight_params(weights: dict | None = None) -> dict:
    w = ai_weights(weights)
    return {"w_task": w["task_completion"], "w_relevance": w["relevance"], "w_safety": w["safety"]}


@app.function
def ai_metrics(con, weights: dict | None = None, by: str = "segment", between: tuple | None = None) -> pd.DataFrame:
    """ai_metrics.csv (SPEC §4.2) from the ai_interactions and eval_scores tables on `con`, set-based
    in DuckDB (sql/ai/01_ai_metrics.sql): one row per feature x segment, per feature (segment 'all') and
    overall (feature 'all'), production interactions only. Empty denominators give empty values.
    by='model_version' slices by model version instead of segment, by='segment_model' by both (the
    `segment` column then reads 'segment · model'). between=(start, end): interactions in [start, end)."""
    slices = {"segment": "segment", "model_version": "model_version",
              "segment_model": "coalesce(segment, '?') || ' · ' || coalesce(model_version, '?')"}
    if by not in slices:
        raise ValueError(f"by must be one of {', '.join(slices)}")
    start, end = between or (None, None)
    # every column, the slice in `segment`: listed, not `* replace (...)`, which Spark SQL has no word for
    columns = con.execute("select * from ai_interactions limit 0").df().columns
    listed = ", ".join(f"{slices[by]} as segment" if c == "segment" else f'"{c}"' for c in columns)
    con.execute(f"create or replace temp table ai_sliced as select {listed} "
                "from ai_interactions where ($s is null or ts >= $s) and ($e is null or ts < $e)",
                {"s": start, "e": end})
    frame = con.execute(sql_text("ai_metrics"), weight_params(weights)).df()
    return frame[list(AI_METRIC_COLUMNS)]


@app.function
def ai_daily(con, weights: dict | None = None) -> pd.DataFrame:
    """Per day, feature and segment (and 'all'): counts and rolling 7-day and 28-day task completion,
    silent failure, weighted score and cost per success (sql/ai/02_ai_daily.sql)."""
    return con.execute(sql_text("ai_daily"), weight_params(weights)).df()


@app.function
def ai_views(con, weights: dict | None = None, outcome_values: dict | None = None) -> pd.DataFrame:
    """Per feature and overall: the infrastructure-centric view (calls, availability, latency, cost per
    call) beside the outcome-aligned one (task completion, silent failure, weighted score), the
    silent-failure 2x2 and cost per success / ROI (sql/ai/03_ai_views.sql)."""
    import json

    values = {str(k): float(v) for k, v in (outcome_values or {}).items()}
    return con.execute(sql_text("ai_views"), {**weight_params(weights), "outcome_values": json.dumps(values)}).df()


@app.function
def retention_cohorts(con) -> pd.DataFrame:
    """retention_90d per signup cohort (month of first interaction), sql/ai/04_ai_retention_cohorts.sql."""
    return con.execute(sql_text("ai_retention_cohorts")).df()


@app.function
def workspace_ai_metrics(workspace, weights: dict | None = None) -> pd.DataFrame:
    """ai_metrics of a workspace, on a fresh snapshot."""
    con = connect(workspace)
    try:
        return ai_metrics(con, weights)
    finally:
        close_snapshot(con)


@app.function
def ai_features(con) -> list:
    """The AI features of the production interactions, sorted: the ones an outcome value can be set for."""
    return [f for (f,) in con.execute("select distinct feature from ai_interactions where not shadow "
                                      "and feature is not null order by feature").fetchall()]


@app.function
def weight_effect(con, before: dict | None, after: dict | None) -> pd.DataFrame:
    """weighted_score per feature (segment 'all', and 'all' overall) under the `before` and `after` AI weights,
    and the change: what moving the weights does, before it is saved."""
    def scores(weights):
        frame = ai_metrics(con, weights)
        return frame[frame["segment"] == "all"].set_index("feature")["weighted_score"]

    found = pd.DataFrame({"weighted_before": scores(before), "weighted_after": scores(after)})
    found["change"] = found["weighted_after"] - found["weighted_before"]
    return found.reset_index().rename(columns={"index": "feature"})


@app.function
def silent_failure_cells(views: pd.DataFrame, feature: str = "all") -> pd.DataFrame:
    """The silent-failure 2x2 of one feature (ai_views): judge verdict x user signal, counts and meaning."""
    row = views[views["feature"] == feature].iloc[0]
    return pd.DataFrame([
        ("pass", "completed", row["judge_pass_user_completed"], "agreed success"),
        ("fail", "completed", row["judge_fail_user_completed"], "silent failure: the user moved on, the answer was bad"),
        ("pass", "not completed", row["judge_pass_user_not_completed"], "good answer the user did not use"),
        ("fail", "not completed", row["judge_fail_user_not_completed"], "visible failure"),
    ], columns=["judge", "user", "count", "meaning"])


@app.cell(hide_code=True)
def _():
    import altair as alt
    import marimo as mo

    mo.md(
        r"""
        # AI outcome metrics

        AI features fail silently: the API answers in 1.2 s while users edit, bypass or give up. These are
        the outcome-aligned metrics of SPEC §4.2, per feature and segment, over production interactions:

        | metric | definition |
        |---|---|
        | task_completion_rate | completed / interactions with a known `accepted`; completed = accepted, no fallback, feedback not down, no intent mismatch |
        | silent_failure_rate | completed interactions whose task_completion evaluation is < 0.5, among completed ones evaluated (human over llm) |
        | weighted_score | mean of 0.5 task_completion + 0.3 relevance + 0.2 safety over interactions with all three |
        | cost_per_success | cost / completed interactions |
        | retention_90d | users first seen >= 90 days before the latest data who came back >= 90 days later |

        plus acceptance, edit and fallback rates and the p95 latency. An empty denominator is empty, not 0.
        Below, on a workspace: each feature's trend per segment over a rolling 7 or 28 days
        ($\text{rate}_d = \sum_{d-6}^{d} \text{completed} / \sum_{d-6}^{d} \text{interactions}$ for 7 days),
        the metrics table, the silent-failure 2×2 and retention per signup cohort.
        """
    )
    return alt, mo


@app.cell
def _(mo):
    workspace_path = workspace_picker(mo)
    workspace_path
    return (workspace_path,)


@app.cell
def _(mo, workspace_path):
    con = connect(require_workspace(mo, workspace_path.value))
    daily = ai_daily(con)
    mo.stop(daily.empty, mo.callout(mo.md("This workspace has no AI interactions yet."), kind="info"))
    features = sorted(daily["feature"].unique())
    segments = sorted(daily["segment"].unique(), key=lambda s: s != "all")
    picks = mo.ui.dictionary({
        "feature": mo.ui.dropdown(features, value=features[0], label="Feature"),
        "segments": mo.ui.multiselect(segments, value=segments, label="Segments"),
        "metric": mo.ui.dropdown({v[0]: k for k, v in TREND_METRICS.items()}, value="task completion",
                                 label="Metric"),
        "window": mo.ui.radio(["7d", "28d"], value="7d", label="Window", inline=True),
    })
    picks
    return con, daily, picks


@app.cell
def _(alt, daily, picks):
    chosen = picks.value
    trend_column = f"{chosen['metric']}_{chosen['window']}"
    trend_label, trend_format = TREND_METRICS[chosen["metric"]]
    alt.Chart(daily[(daily["feature"] == chosen["feature"]) & daily["segment"].isin(chosen["segments"])]).mark_line(
    ).encode(
        x=alt.X("day:T", title="Day", axis=alt.Axis(format="%b %d")),
        y=alt.Y(f"{trend_column}:Q", title=f"{trend_label}, rolling {chosen['window']}",
                axis=alt.Axis(format=trend_format), scale=alt.Scale(zero=False)),
        color=alt.Color("segment:N", title="Segment"),
        tooltip=[alt.Tooltip("day:T", format="%Y-%m-%d"), "segment:N",
                 alt.Tooltip(f"{trend_column}:Q", title=trend_label, format=trend_format),
                 alt.Tooltip(f"interactions_{chosen['window']}:Q", title="interactions in the window", format=",")],
    ).properties(title=f"{chosen['feature']}: {trend_label} per segment, rolling {chosen['window']}",
                 height=280, width=680)
    return (chosen,)


@app.cell
def _(alt, chosen, con, mo):
    from journeylens.notebooks.signals.charts import count_matrix

    metrics = ai_metrics(con)
    views = ai_views(con)
    cohorts = retention_cohorts(con)
    feature_rows = metrics[metrics["feature"] == chosen["feature"]]
    cells = silent_failure_cells(views, chosen["feature"])
    matrix = count_matrix(cells, "user", "judge", f"{chosen['feature']}: judge verdict against the user signal",
                          "User signal", "Judge verdict")
    retention = alt.Chart(cohorts.dropna(subset=["retention_90d"])).mark_bar().encode(
        x=alt.X("yearmonth(cohort):O", title="Signup cohort (month of first interaction)"),
        y=alt.Y("retention_90d:Q", title="Retention after 90 days", axis=alt.Axis(format="%")),
        tooltip=[alt.Tooltip("yearmonth(cohort):O", title="cohort"), "users:Q", "eligible:Q",
                 alt.Tooltip("retention_90d:Q", format=".1%")],
    ).properties(title="retention_90d per signup cohort (cohorts under 90 days old are not counted yet)",
                 height=200, width=320)
    mo.vstack([mo.md(f"**{chosen['feature']}, per segment** (SPEC §4.2)"), mo.ui.table(feature_rows, selection=None),
               mo.hstack([matrix, retention])])
    return cohorts, feature_rows, metrics, views


if __name__ == "__main__":
    app.run()
