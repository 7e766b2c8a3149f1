"""Spark ranking benchmark (issue 16 §2; not a test): ranked_alerts.csv's rows on Apache Spark in local mode
beside DuckDB, over the same stored workspace, at 1M, 3M and 10M alerts of bench/rank_world.py's world
(BENCH_SPARK_RANK_SIZES). As bench_spark says of the AI metrics, the point is not to win on one machine but to
see Spark's cost per alert stay flat as alerts grow.

Per size: the world's journey map, metrics and alerts are ingested into a fresh workspace (bench_stored's
files); DuckDB ranks it from every alert (JOURNEYLENS_PIECE_STORE=off: Spark keeps no pieces, so both do the
same work), then Spark does, after an untimed warm-up ranking of the smallest size. The run stops unless both
give the same rows (same_answer: ids, counts and order exactly, floats to 1e-9). Results: the table below and
bench/out/spark_rank_results.json.

    .venv/bin/python -m bench.bench_spark_rank
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.queue.ranking import ranked_alerts, ranked_queue
from journeylens.notebooks.workspace.contract import ALL_TABLES
from journeylens.notebooks.workspace.spark_engine import same_answer, spark_session
from journeylens.notebooks.workspace.spark_inputs import open_workspace

from bench.bench_stored import write_world

OUT = Path(os.environ.get("BENCH_OUT", Path(__file__).resolve().parent / "out"))
WARM_UP = os.environ.get("BENCH_SPARK_WARM_UP", "on") != "off"
SIZES = [int(n) for n in os.environ.get("BENCH_SPARK_RANK_SIZES", "1000000,3000000,10000000").split(",")]


def stored_workspace(n: int, folder: Path) -> Path:
    files = write_world(n, folder)
    for kind in ("journey-map", "metrics", "alerts"):
        ingest_file(folder / "ws", kind, files[kind])
    return folder / "ws"


def on_spark(spark, workspace: Path):
    con = open_workspace(spark, workspace, ALL_TABLES)
    try:
        return ranked_queue(con, workspace)
    finally:
        con.close()


def timed(run, *args) -> tuple:
    started = time.perf_counter()
    value = run(*args)
    return time.perf_counter() - started, value


def main() -> int:
    before = os.environ.get("JOURNEYLENS_PIECE_STORE")
    os.environ["JOURNEYLENS_PIECE_STORE"] = "off"  # both engines piece every alert: the same work
    spark = spark_session(os.environ.get("BENCH_SPARK_MASTER", "local[*]"))
    results = []
    try:
        for index, n in enumerate(SIZES):
            with tempfile.TemporaryDirectory(prefix="bench-spark-rank-") as tmp:
                print(f"ranking {n:,} alerts on DuckDB and on Spark ...", file=sys.stderr, flush=True)
                workspace = stored_workspace(n, Path(tmp))
                if index == 0 and WARM_UP:
                    on_spark(spark, workspace)  # warms the JVM: its first plans compile classes
                duck_s, want = timed(ranked_alerts, workspace)
                spark_s, got = timed(on_spark, spark, workspace)
                same_answer(got, want)
                results.append({"alerts": n, "groups": len(want), "duckdb_s": duck_s, "spark_s": spark_s})
    finally:
        spark.stop()
        # a caller in the same process (the test) keeps its own setting
        if before is None:
            os.environ.pop("JOURNEYLENS_PIECE_STORE", None)
        else:
            os.environ["JOURNEYLENS_PIECE_STORE"] = before
    print(f"\n{'alerts':>12} {'groups':>10} {'DuckDB s':>9} {'us/alert':>9} {'Spark s':>9} {'us/alert':>9} {'Spark/DuckDB':>13}")
    for r in results:
        print(f"{r['alerts']:>12,} {r['groups']:>10,} {r['duckdb_s']:9.2f} {1e6 * r['duckdb_s'] / r['alerts']:9.2f} "
              f"{r['spark_s']:9.2f} {1e6 * r['spark_s'] / r['alerts']:9.2f} {r['spark_s'] / r['duckdb_s']:12.1f}x")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "spark_rank_results.json").write_text(json.dumps(
        {"at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "sizes": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
