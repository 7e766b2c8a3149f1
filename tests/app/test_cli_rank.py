"""`journeylens rank --engine spark` and `audit --engine spark`: the same files as DuckDB's, byte for byte, from Spark in local
mode; and the engine's flags refused where they mean nothing, with what to install when Spark cannot start."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
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


SAMPLE = ROOT / "sample_data" / "world"
AUDIT_OUTPUTS = ("ranked_alerts.csv", "ranked_queue.csv", "ai_metrics.csv", "journey_signals.csv", "report.md")


def audit_args(out, *engine) -> list:
    """`journeylens audit` of the whole sample world, every kind it takes."""
    return ["audit", "--journey-map", SAMPLE / "journey_map.yaml",
            "--alerts", SAMPLE / "alertmanager.jsonl", SAMPLE / "pagerduty_events.json", SAMPLE / "datadog_events.csv",
            "--metrics", SAMPLE / "journey_metrics.csv",
            "--ai", SAMPLE / "ai_interactions_2026h2a.jsonl", SAMPLE / "ai_interactions_2026h2b.jsonl",
            "--scores", SAMPLE / "eval_scores.csv", "--incidents", SAMPLE / "incidents.csv",
            "--changes", SAMPLE / "changes.csv", "--out", out, *engine]


@pytest.mark.slow
def test_audit_on_spark_writes_duckdbs_files(tmp_path):
    duck = run(*audit_args(tmp_path / "duck"))
    spark = run(*audit_args(tmp_path / "spark", "--engine", "spark", "--master", "local[2]"))
    assert duck.returncode == 0 and spark.returncode == 0, spark.stderr[-2000:]
    assert "ranking on Apache Spark" in spark.stderr and "Traceback" not in spark.stderr
    for name in AUDIT_OUTPUTS:
        assert (tmp_path / "spark" / name).read_bytes() == (tmp_path / "duck" / name).read_bytes(), name
    assert len((tmp_path / "duck" / "journey_signals.csv").read_text().splitlines()) > 2, "signals fired and compared"


def test_audit_refuses_spark_flags_without_the_engine(tmp_path):
    alone = run(*audit_args(tmp_path / "out", "--remote", "sc://localhost:15002"))
    assert alone.returncode == 2 and "give them with --engine spark" in alone.stderr
    assert not (tmp_path / "out").exists(), "refused before any work"


@pytest.mark.slow
def test_retro_on_spark_writes_duckdbs_files(sample_dir, tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(sample_dir, ws)
    week = ["--week", "2026-W44"]  # the sample's busiest week of incidents: its stages are counted on Spark
    duck = run("retro", "--workspace", ws, *week, "--out", tmp_path / "duck")
    spark = run("retro", "--workspace", ws, *week, "--out", tmp_path / "spark", "--engine", "spark",
                "--master", "local[2]")
    assert duck.returncode == 0 and spark.returncode == 0, spark.stderr[-2000:]
    assert "on Apache Spark" in spark.stderr and "Traceback" not in spark.stderr
    for name in ("retro_stages.csv", "retro.md"):
        assert (tmp_path / "spark" / name).read_bytes() == (tmp_path / "duck" / name).read_bytes(), name
    stages = pd.read_csv(tmp_path / "duck" / "retro_stages.csv")
    assert len(stages) > 2 and stages["incidents"].sum() >= 2, "incidents were counted"


@pytest.mark.slow
def test_rank_on_spark_reads_the_uploads_where_uploads_points(sample_dir, tmp_path):
    """The uploads' Parquet files moved to another folder, named by a file:// URI as a lake's s3a:// would be:
    the ranking reads them there (the workspace keeps its manifests only) and equals DuckDB's."""
    ws = tmp_path / "ws"
    shutil.copytree(sample_dir, ws)
    duck = run("rank", "--workspace", ws, "--out", tmp_path / "duck.csv")
    assert duck.returncode == 0, duck.stderr
    lake = tmp_path / "lake" / "uploads"
    for parquet in (ws / "uploads").glob("*/*.parquet"):
        (lake / parquet.parent.name).mkdir(parents=True, exist_ok=True)
        parquet.rename(lake / parquet.parent.name / parquet.name)
    spark = run("rank", "--workspace", ws, "--engine", "spark", "--master", "local[2]", "--uploads", lake.as_uri(),
                "--out", tmp_path / "spark.csv")
    assert spark.returncode == 0, spark.stderr[-2000:]
    assert (tmp_path / "spark.csv").read_bytes() == (tmp_path / "duck.csv").read_bytes()
    alone = run("rank", "--workspace", ws, "--uploads", lake.as_uri())
    assert alone.returncode == 2 and "give them with --engine spark" in alone.stderr
