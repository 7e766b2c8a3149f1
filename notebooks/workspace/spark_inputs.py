"""A workspace's stored files as the views journeylens' SQL reads, on Apache Spark: the canonical tables with
their columns and types, and the alerts folded over their stored notices, as a DuckDB snapshot gives them
(snapshot.connect, alert_views.py). spark_engine.py holds the connection and session."""

import contextlib
from pathlib import Path

from journeylens.notebooks.workspace.paths import workspace_dirs
from journeylens.notebooks.workspace.snapshot import (
    active_table_files,
    canonical_columns,
    list_manifests,
    new_connection,
)
from journeylens.notebooks.workspace.spark_engine import SparkConnection, spark_session
from journeylens.notebooks.workspace.sql_files import sql_text
from journeylens.notebooks.workspace.store import reader_lease
from sqlglot import exp


def spark_columns(tables) -> dict[str, list[tuple[str, str]]]:
    """{table: [(column, Spark type)]} of canonical tables, in order: snapshot.canonical_columns (DuckDB's
    definition, sql/workspace/) with the types written in Spark's dialect. One DuckDB connection for all of
    them: making one runs every macro and table definition."""
    con = new_connection()
    try:
        found = {table: canonical_columns(con, table) for table in tables}
    finally:
        con.close()
    missing = [t for t, columns in found.items() if not columns]
    if missing:
        raise KeyError(f"no canonical table {missing[0]!r}")
    return {table: [(name, exp.DataType.build(kind, dialect="duckdb").sql("spark")) for name, kind in columns]
            for table, columns in found.items()}


def open_workspace(spark, workspace, tables: tuple, uploads: str | None = None) -> SparkConnection:
    """A SparkConnection whose views `tables` read the workspace's committed Parquet files, with the
    canonical columns and types (connect's views, on Spark). Uploads removed meanwhile keep their files
    until the connection is closed (the same reader lease as connect's). `uploads`, a URI Spark reads
    (s3a://, hdfs://, abfss://, file://), holds a copy of the workspace's uploads folder: the files are read
    there (spark_paths), while the manifests saying which are active are read here."""
    from pyspark.sql import functions as F

    dirs = workspace_dirs(workspace, create=False)
    lease = reader_lease(dirs) if dirs["uploads"].is_dir() else None
    con = SparkConnection(spark, lease)
    files = spark_paths(active_table_files(list_manifests(workspace), dirs), dirs["uploads"], uploads)
    wanted = tuple(tables) + (("alert_fold_keys",) if "alerts" in tables else ())
    for table, columns in spark_columns(wanted).items():
        if files.get(table):
            read = spark.read.option("mergeSchema", "true").parquet(*map(str, files[table]))
            frame = read.select(*[(F.col(f"`{name}`") if name in read.columns else F.lit(None)).cast(kind).alias(name)
                                  for name, kind in columns])
        else:
            frame = spark.createDataFrame([], ", ".join(f"`{name}` {kind}" for name, kind in columns))
        con.register("alert_notice_files" if table == "alerts" else table, frame)
    if "alerts" in tables:
        fold_alert_notices(con)
    return con


def spark_paths(files: dict, local_uploads: Path, uploads: str | None) -> dict:
    """{table: [paths]} of active_table_files, under the URI `uploads` instead of the local uploads folder
    when one is given: a cluster's executors cannot read the driver's disk, so a team that keeps its
    workspace's uploads in a lake (s3a://, hdfs://, abfss://) has Spark read them there."""
    if not uploads:
        return files
    base = uploads.rstrip("/")
    return {table: [f"{base}/{Path(path).relative_to(local_uploads).as_posix()}" for path in paths]
            for table, paths in files.items()}


@contextlib.contextmanager
def spark_workspace(workspace, master: str | None = None, remote: str | None = None, uploads: str | None = None):
    """A SparkConnection over every table of `workspace` (open_workspace, its files read under `uploads` when
    given), on a session of `master` or `remote` (spark_session), closed and its session stopped afterwards:
    what a command that runs on Spark holds."""
    from journeylens.notebooks.workspace.contract import ALL_TABLES

    spark = spark_session(master, remote)
    try:
        con = open_workspace(spark, workspace, ALL_TABLES, uploads)
        try:
            yield con
        finally:
            con.close()
    finally:
        spark.stop()


def fold_alert_notices(con: SparkConnection) -> None:
    """The view `alerts` over the stored notices, as a DuckDB snapshot's (alert_views.create_alert_views): every
    notice in one shape (sql/ingest/14), those of the keys that fold, and their fold (15), one row per alert."""
    con.execute(f"create or replace view alert_notices as {sql_text('alert_notices')}")
    con.execute("create or replace view fold_notices as select n.* from alert_notices as n "
                "semi join (select distinct alert_key from alert_fold_keys) as k on n.alert_key = k.alert_key")
    con.execute(f"create or replace view alerts as {sql_text('folded_alerts')}")
