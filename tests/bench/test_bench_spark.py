"""The Spark benchmark's core (bench/bench_spark.py) at a few thousand rows: it writes the world, times each
step on both engines and stops unless their answers are equal. Not its timings: those are the benchmark's."""

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def test_the_spark_benchmark_times_both_engines_on_the_same_answers(monkeypatch, tmp_path):
    monkeypatch.syspath_prepend(str(ROOT))  # bench/ is a folder of scripts run from the repository root
    monkeypatch.setenv("BENCH_OUT", str(tmp_path))
    monkeypatch.setenv("BENCH_SPARK_SIZES", "3000,6000")
    monkeypatch.setenv("BENCH_SPARK_MASTER", "local[2]")
    from bench import bench_spark

    monkeypatch.setattr(bench_spark, "OUT", tmp_path)
    monkeypatch.setattr(bench_spark, "SIZES", [3000, 6000])
    assert bench_spark.main() == 0
    results = json.loads((tmp_path / "spark_results.json").read_text())
    assert {(r["rows"], r["step"]) for r in results} == {(3000, "ai_metrics"), (3000, "journey_series"),
                                                         (6000, "ai_metrics")}
    assert all(r["duckdb_s"] > 0 and r["spark_s"] > 0 for r in results)
