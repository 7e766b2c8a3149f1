"""notebooks/workspace/spark_inputs.py's spark_paths: the workspace's active files named under a URI that holds a
copy of its uploads folder, for a cluster's executors, which cannot read the driver's disk. The ranking read
there is compared with DuckDB's in tests/app/test_cli_rank.py."""

from pathlib import Path

import pytest
from journeylens.notebooks.workspace.spark_inputs import spark_paths


def test_each_file_is_named_under_the_uri_by_its_path_in_the_uploads_folder(tmp_path):
    local = tmp_path / "ws" / "uploads"
    files = {"alerts": [str(local / "u1" / "alerts.parquet"), str(local / "u2" / "alerts.parquet")],
             "stages": [str(local / "u0" / "stages.parquet")], "incidents": []}
    for uri in ("s3a://lake/team/ws/uploads", "s3a://lake/team/ws/uploads/"):
        assert spark_paths(files, local, uri) == {
            "alerts": ["s3a://lake/team/ws/uploads/u1/alerts.parquet", "s3a://lake/team/ws/uploads/u2/alerts.parquet"],
            "stages": ["s3a://lake/team/ws/uploads/u0/stages.parquet"], "incidents": []}
    assert spark_paths(files, local, None) is files, "without a URI the local files are read"


def test_a_file_outside_the_uploads_folder_is_refused(tmp_path):
    with pytest.raises(ValueError):
        spark_paths({"alerts": [str(Path("/elsewhere/alerts.parquet"))]}, tmp_path / "uploads", "hdfs://nn/ws")
