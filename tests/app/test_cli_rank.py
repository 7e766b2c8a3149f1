"""`journeylens rank --engine spark`: the same ranked_alerts.csv as DuckDB's, byte for byte, from Spark in local
mode; and the engine's flags refused where they mean nothing, with what to install when Spark cannot start."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def run(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "journeylens.app.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=600, env=env or ENV)


@pytest.mark.slow
def test_rank_on_spark_writes_duckdbs_file(sample_dir, tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(sample_dir, ws)
    duck = run("rank", "--workspace", ws, "--out", tmp_path / "duck.csv")
    spark = run("rank", "--workspace", ws, "--engine", "spark", "--master", "local[2]", "--out", tmp_path / "spark.csv")
    assert duck.returncode == 0 and spark.returncode == 0, spark.stderr[-2000:]
    assert (tmp_path / "spark.csv").read_bytes() == (tmp_path / "duck.csv").read_bytes()
    assert spark.stderr.count("Counted") == 1 and "Traceback" not in spark.stderr


def test_spark_flags_without_the_spark_engine_are_refused(tmp_path):
    alone = run("rank", "--workspace", tmp_path / "ws", "--master", "local[2]")
    assert alone.returncode == 2 and "give them with --engine spark" in alone.stderr
    both = run("rank", "--workspace", tmp_path / "ws", "--engine", "spark", "--master", "local[2]", "--remote",
               "sc://localhost:15002")
    assert both.returncode == 2 and "not both" in both.stderr


def test_without_pyspark_the_engine_says_what_to_install(sample_dir, tmp_path):
    shadow = tmp_path / "shadow" / "pyspark"  # a pyspark that cannot be imported, ahead of the real one
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('no pyspark in this environment')\n")
    env = {**ENV, "PYTHONPATH": os.pathsep.join([str(tmp_path / "shadow"), str(ROOT)])}
    done = run("rank", "--workspace", sample_dir, "--engine", "spark", env=env)
    assert done.returncode == 2, done.stderr
    assert "pip install 'journeylens[spark]'" in done.stderr and "Traceback" not in done.stderr
