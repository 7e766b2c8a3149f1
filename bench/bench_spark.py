"""Spark benchmark (issue 16 §2; not a test): the AI metrics (SPEC §4.2) on Apache Spark in local mode beside
DuckDB, over the same Parquet files, at 1M, 3M and 10M interactions (BENCH_SPARK_SIZES); the journey series at
the smallest size only (as many hourly metric rows: its answer, a row per hour, stage and segment, goes to the
driver's detector by design, and a million hours is already a century of one stage). The point
is not to win on one machine (Spark's local mode pays a JVM, a scheduler and a shuffle that DuckDB does not)
but to see that Spark's cost per row stays flat as rows grow, which is what lets a cluster take more.

Each engine answers ai_metrics over the interactions and judge scores of bench_ai's world (written once per
size to bench/out/spark/). The first Spark answer
of a run also warms its JVM; it is run once untimed first. The run stops unless both engines give the same
answers (counts exactly, floats to 1e-9). Results: the table below and
bench/out/spark_results.json.

    .venv/bin/python -m bench.bench_spark
"""

import json
import os
import time
from pathlib import Path

import pandas as pd
from journeylens.notebooks.ai.outcomes import ai_metrics
from journeylens.notebooks.workspace.snapshot import new_connection
from journeylens.notebooks.workspace.spark_engine import SparkConnection, same_answer, spark_session
from journeylens.notebooks.workspace.sql_files import sql_text

from bench.bench_ai import build

OUT = Path(os.environ.get("BENCH_OUT", Path(__file__).resolve().parent / "out"))
SIZES = [int(n) for n in os.environ.get("BENCH_SPARK_SIZES", "1000000,3000000,10000000").split(",")]


def write_world(n: int) -> dict:
    """bench_ai's interactions and scores, and n hourly journey metric rows, as Parquet files."""
    folder = OUT / "spark" / str(n)
    files = {name: folder / f"{name}.parquet" for name in ("ai_interactions", "eval_scores", "journey_metrics")}
    if all(f.exists() for f in files.values()):
        return files
    folder.mkdir(parents=True, exist_ok=True)
    con = new_connection()
    build(con, n)
    con.execute(f"""create or replace table journey_metrics as
        select timestamp '2024-01-01' + to_hours(i // 40) as ts, 'stage' || (i % 8) as stage,
            ['free', 'pro', 'enterprise', null, 'trial'][1 + (i // 8) % 5] as segment,
            100 + hash(i) % 900 as entered, 50 + hash(i * 3) % 50 as completed,
            case when i % 3 = 0 then (hash(i * 7) % 600)::double end as time_to_value_s,
            case when i % 2 = 0 then (hash(i * 11) % 100) / 100.0 end as satisfaction
        from range({n}) t(i)""")
    for name, path in files.items():
        con.execute(f"copy {name} to '{path}' (format parquet)")  # a path of ours, not a user's
    con.close()
    return files


def timed(run, answers: dict, step: str) -> float:
    started = time.perf_counter()
    answers[step] = run()
    return time.perf_counter() - started


def answer(con, series: bool) -> tuple[dict, dict]:
    """Seconds and answers of each step on `con`, a DuckDB or a Spark connection with the world's views."""
    answers: dict = {}
    seconds = {"ai_metrics": timed(lambda: ai_metrics(con), answers, "ai_metrics")}
    if series:  # its answer, one row per hour, stage and segment, goes to the driver's detector by design
        seconds["journey_series"] = timed(lambda: con.execute(sql_text("journey_series")).df(), answers,
                                          "journey_series")
    con.close()
    return seconds, answers


def on_duckdb(files: dict, series: bool) -> tuple[dict, dict]:
    con = new_connection()
    for name, path in files.items():
        con.read_parquet(str(path)).create_view(name, replace=True)
    return answer(con, series)


def on_spark(spark, files: dict, series: bool) -> tuple[dict, dict]:
    con = SparkConnection(spark)
    for name, path in files.items():
        con.register(name, spark.read.parquet(str(path)))
    return answer(con, series)


def same(duck: pd.DataFrame, sparked: pd.DataFrame, what: str) -> None:
    """The benchmark stops unless both engines gave the same answer (spark_engine.same_answer)."""
    try:
        same_answer(sparked, duck)
    except AssertionError as error:
        raise SystemExit(f"spark and duckdb differ on {what}: {error}") from error


def main() -> int:
    spark = spark_session(os.environ.get("BENCH_SPARK_MASTER", "local[*]"))
    on_spark(spark, write_world(min(SIZES)), True)  # warms the JVM: its first plans compile classes
    results = []
    for n in SIZES:
        files = write_world(n)
        series = n == min(SIZES)
        (duck, duck_answers), (sparked, spark_answers) = on_duckdb(files, series), on_spark(spark, files, series)
        for step in duck:
            same(duck_answers[step], spark_answers[step], f"{step} at {n:,} rows")
            results.append({"rows": n, "step": step, "duckdb_s": duck[step], "spark_s": sparked[step],
                            "spark_us_per_row": sparked[step] / n * 1e6, "duckdb_us_per_row": duck[step] / n * 1e6,
                            "spark_over_duckdb": sparked[step] / duck[step]})
            r = results[-1]
            print(f"{n:>11,} {step:15s} duckdb {r['duckdb_s']:7.2f} s ({r['duckdb_us_per_row']:.2f} us/row)  "
                  f"spark {r['spark_s']:7.2f} s ({r['spark_us_per_row']:.2f} us/row)  "
                  f"spark/duckdb {r['spark_over_duckdb']:.1f}x", flush=True)
    spark.stop()
    OUT.mkdir(exist_ok=True)
    (OUT / "spark_results.json").write_text(json.dumps(results, indent=2))
    print(f"written to {OUT / 'spark_results.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
