"""What an audit computes from a workspace, on DuckDB or on Apache Spark: the ranked frame (every entry kind, as
the app ranks it), the AI metrics (SPEC §4.2) and the fired journey signals. Both engines run the same SQL files
(spark_engine transpiles them) and give the same rows; with Spark, the three share one session and one reading
of the workspace, so the JVM starts once. What the report says around them (coverage, daily counts, uploads)
is small and stays on DuckDB."""

from journeylens.notebooks.ai.outcomes import ai_metrics, workspace_ai_metrics
from journeylens.notebooks.queue.profiles import load_profile
from journeylens.notebooks.queue.queue_view import ranked_frame
from journeylens.notebooks.signals.journey_signals import workspace_signals


def engine_outputs(workspace, profile_name: str | None = None, ai_given: bool = False,
                   spark: dict | None = None) -> dict:
    """{frame, ai_metrics, signals} of `workspace`: queue_view.ranked_frame, ai_metrics (None unless
    `ai_given`) and the journey signals fired under the workspace's saved thresholds. `spark`
    (spark_workspace's master, remote, uploads) computes them on Apache Spark; a profile
    never saved raises KeyError before a JVM starts, and spark_engine.EngineUnavailable says what to
    install when Spark cannot start."""
    weights = load_profile(workspace, profile_name)["profile"]["ai_weights"]  # weighted_score under the profile
    if spark is None:
        return {"frame": ranked_frame(workspace, profile_name),
                "ai_metrics": workspace_ai_metrics(workspace, weights) if ai_given else None,
                "signals": workspace_signals(workspace)["signals"]}
    from journeylens.notebooks.queue.ranking import ranked_queue
    from journeylens.notebooks.workspace.spark_inputs import spark_workspace

    with spark_workspace(workspace, **spark) as con:
        frame = ranked_queue(con, workspace, profile_name, signals=True)
        metrics = ai_metrics(con, weights) if ai_given else None
        signals = workspace_signals(workspace, con=con)["signals"]
    return {"frame": frame, "ai_metrics": metrics, "signals": signals}
