import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import pandas as pd

    from journeylens.notebooks.workspace.snapshot import connect, sql_text

    # weighted_score = the mean of these weights x the three judge metrics (SPEC §4.2); a profile may
    # change them, and they are normalised to sum to 1.
    DEFAULT_AI_WEIGHTS = {"task_completion": 0.5, "relevance": 0.3, "safety": 0.2}
    # ai_metrics.csv: the SPEC §4.2 columns first, then the counts they are made of.
    AI_METRIC_COLUMNS = (
        "feature", "segment", "interactions", "acceptance_rate", "edit_rate", "fallback_rate",
        "task_completion_rate", "silent_failure_rate", "weighted_score", "cost_per_success", "p95_latency_ms",
        "retention_90d", "completed", "completed_evaluated", "evaluated", "cost_usd", "retention_users",
    )


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
    con.execute(f"create or replace temp table ai_sliced as select * replace ({slices[by]} as segment) "
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
        con.close()


@app.cell(hide_code=True)
def _():
    import marimo as mo

    mo.md(
        r"""
        # AI outcome metrics

        AI features fail silently: the API answers in 1.2 s while users edit, bypass or give up. These are
        the outcome-aligned metrics of SPEC §4.2, per feature and segment, over production interactions:

        | metric | definition |
        |---|---|
        | task_completion_rate | completed / interactions; completed = accepted, no fallback, feedback not down, no intent mismatch |
        | silent_failure_rate | completed interactions whose task_completion evaluation is < 0.5, among completed ones evaluated (human over llm) |
        | weighted_score | mean of 0.5 task_completion + 0.3 relevance + 0.2 safety over interactions with all three |
        | cost_per_success | cost / completed interactions |
        | retention_90d | users first seen >= 90 days before the latest data who came back >= 90 days later |

        plus acceptance, edit and fallback rates and the p95 latency. An empty denominator is empty, not 0.
        """
    )
    return


if __name__ == "__main__":
    app.run()
