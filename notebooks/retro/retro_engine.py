"""The weekly retro with its ranking and retro_stages.csv (SPEC §4.3) on Apache Spark: `journeylens retro
--engine spark`. The same SQL files run there (spark_engine transpiles them) and give DuckDB's rows; what the
retro reads around them (incidents, alerts per week, the coverage's unmapped services, AI week over week, the
suggestions) is small and stays on a DuckDB snapshot."""

from journeylens.notebooks.queue.profiles import load_profile
from journeylens.notebooks.retro.weekly import (
    context_weeks,
    ranked_context,
    read_audit,
    retro_stages,
    stored_context,
)
from journeylens.notebooks.workspace.snapshot import close_snapshot, connect


def spark_retro_context(workspace, profile_name: str | None = None, spark: dict | None = None,
                        week: str | None = None) -> dict:
    """weekly.retro_context, ranked on Spark (`spark`: spark_workspace's master, remote, uploads), with
    `stages`: retro_stages of all the data, of every week with alerts or incidents and of `week`, worked out
    in the same Spark session (weekly.retro reads them from there). A profile never saved raises KeyError
    before a JVM starts; spark_engine.EngineUnavailable says what to install."""
    from journeylens.notebooks.workspace.spark_inputs import spark_workspace

    load_profile(workspace, profile_name)
    con = connect(workspace)
    try:
        stored = stored_context(con)
    finally:
        close_snapshot(con)
    weeks = [None, *context_weeks(stored), *([week] if week else [])]
    spark = spark or {}
    with spark_workspace(workspace, **spark) as on_spark:
        ranked = ranked_context(on_spark, workspace, profile_name)
        stages = {w: retro_stages(on_spark, w) for w in dict.fromkeys(weeks)}
    return {"workspace": workspace, **ranked, **stored, "audit": read_audit(workspace), "stages": stages}
