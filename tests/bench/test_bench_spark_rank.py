"""The Spark ranking benchmark's core (bench/bench_spark_rank.py) at a few thousand alerts: it builds a stored
workspace, ranks it on both engines and stops unless their rows are equal. Not its timings: those are the
benchmark's."""

import json
import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def test_the_spark_ranking_benchmark_ranks_on_both_engines_alike(monkeypatch, tmp_path):
    monkeypatch.syspath_prepend(str(ROOT))  # bench/ is a folder of scripts run from the repository root
    monkeypatch.setenv("BENCH_SPARK_MASTER", "local[2]")
    monkeypatch.setenv("JOURNEYLENS_PIECE_STORE", "on")
    from bench import bench_spark_rank

    monkeypatch.setattr(bench_spark_rank, "OUT", tmp_path)
    monkeypatch.setattr(bench_spark_rank, "SIZES", [3000])
    monkeypatch.setattr(bench_spark_rank, "WARM_UP", False)  # timings are not checked here
    assert bench_spark_rank.main() == 0
    results = json.loads((tmp_path / "spark_rank_results.json").read_text())["sizes"]
    assert [r["alerts"] for r in results] == [3000]
    assert results[0]["groups"] > 100 and results[0]["duckdb_s"] > 0 and results[0]["spark_s"] > 0
    assert os.environ["JOURNEYLENS_PIECE_STORE"] == "on", "the benchmark leaves the process's setting as it found it"
