"""journeylens' SQL on Apache Spark: a connection with the few methods the notebooks' functions call on a
DuckDB one (execute(sql, params) then df() or fetchall(); executemany for inserts), whose every statement
is the same SQL file transpiled (spark_sql.py) and run by Spark. The notebooks' functions take it where they
take DuckDB's, so there is one pipeline, not two.

A temporary table is a Spark temp view over a DataFrame computed on creation and kept, as DuckDB materialises a
table (a view over the lazy plan would recompute it at every read). Kept by a local checkpoint, not persist():
that also cuts the plan, which a loop such as the incident labels' (each step joins the last one twice)
would otherwise double at every step, until planning alone exhausts the driver. Settings that only mean something to DuckDB (its memory
cap, spill folder, progress bar) are skipped; any other SET is refused. Spark's session time zone is UTC, as
every DuckDB connection of journeylens is.

pyspark is an optional extra (pip install 'journeylens[spark]'), and Spark needs a Java 17+ runtime: without
either, spark_session raises EngineUnavailable with what to install."""

import os
import shutil
import socket

import pandas as pd
import sqlglot
from journeylens.notebooks.workspace.spark_sql import NotTranspiled, tree_to_spark
from sqlglot import exp
from sqlglot.optimizer.qualify import qualify

DUCKDB_ONLY_SETTINGS = {"memory_limit", "temp_directory", "threads", "enable_progress_bar",
                        "enable_progress_bar_print", "preserve_insertion_order"}
HELPER_COLUMNS = ("_w",)  # sqlglot's QUALIFY rewrite adds it; no query of journeylens names a column so
SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "8",  # local mode on a laptop: 200 tiny tasks per shuffle cost seconds
    "spark.sql.parquet.inferTimestampNTZ.enabled": "false",  # DuckDB's naive timestamps read as timestamps
}


class EngineUnavailable(RuntimeError):
    """The Spark engine cannot start here: says what to install."""


def spark_session(master: str | None = None, remote: str | None = None):
    """A SparkSession: local mode on every core by default, `master` (spark://, yarn, k8s://) for a cluster,
    or `remote` (sc://host:port) for Spark Connect."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise EngineUnavailable("the Spark engine needs pyspark: pip install 'journeylens[spark]'") from error
    if remote is None and not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        raise EngineUnavailable("the Spark engine needs a Java 17+ runtime (apt-get install openjdk-17-jre-headless)")
    if remote:
        check_reachable(remote)
    builder = SparkSession.builder.appName("journeylens")
    builder = builder.remote(remote) if remote else builder.master(master or "local[*]")
    conf = dict(SESSION_CONF)
    if not remote and (master or "local").startswith("local"):
        # one machine: the driver and its executor talk over loopback, never over an address a firewall or
        # sandbox may refuse (large results travel between them as blocks); a cluster's workers must reach it
        conf.update({"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1",
                     "spark.driver.memory": local_driver_memory()})
    for key, value in conf.items():
        builder = builder.config(key, value)
    try:
        return builder.getOrCreate()
    except ImportError as error:  # Spark Connect's client needs grpc, which plain pyspark lacks
        raise EngineUnavailable(f"Spark Connect needs its client: pip install 'pyspark[connect]' ({error})") from error


def check_reachable(remote: str, timeout: float = 10.0) -> None:
    """Refuses (EngineUnavailable) a Spark Connect address nothing answers at, at once: the client would
    retry an unreachable server with backoff for minutes before it gave up."""
    from urllib.parse import urlsplit

    try:
        address = urlsplit(remote)
        host, port = address.hostname, address.port or 15002  # Spark Connect's default port
    except ValueError as error:
        raise EngineUnavailable(f"--remote {remote!r} is not a Spark Connect address sc://HOST:PORT ({error})") from None
    if address.scheme != "sc" or not host:
        raise EngineUnavailable(f"--remote {remote!r} is not a Spark Connect address sc://HOST:PORT")
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as error:
        raise EngineUnavailable(f"no Spark Connect server answers at {host}:{port} ({error})") from None


def local_driver_memory() -> str:
    """The JVM heap of local mode: JOURNEYLENS_SPARK_DRIVER_MEMORY, else a quarter of the machine's memory,
    2 to 32 GB. The driver is the whole engine here (its executor runs inside it) and takes the ranked
    queue's rows at the end: Spark's 1g default, and a fixed 2g, ran out of heap collecting the queue of
    10M alerts."""
    if os.environ.get("JOURNEYLENS_SPARK_DRIVER_MEMORY"):
        return os.environ["JOURNEYLENS_SPARK_DRIVER_MEMORY"]
    try:
        total_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):  # a platform without these names
        total_gb = 8
    return f"{max(2, min(32, int(total_gb // 4)))}g"


class SparkResult:
    """What execute returns: the statement's rows, read when asked for."""

    def __init__(self, frame):
        self.frame = frame

    def df(self) -> pd.DataFrame:
        """The rows as pandas, decimals as floats, as DuckDB's df() gives them (a CSV then reads 75, not
        75.000000)."""
        if self.frame is None:
            return pd.DataFrame()
        from pyspark.sql import functions as F
        from pyspark.sql.types import DecimalType

        decimals = {f.name for f in self.frame.schema.fields if isinstance(f.dataType, DecimalType)}
        frame = self.frame.select(*[F.col(f"`{c}`").cast("double").alias(c) if c in decimals else F.col(f"`{c}`")
                                    for c in self.frame.columns]) if decimals else self.frame
        return frame.toPandas()

    def fetchall(self) -> list[tuple]:
        return [] if self.frame is None else [tuple(row) for row in self.frame.collect()]

    def fetchone(self) -> tuple | None:
        rows = [] if self.frame is None else self.frame.take(1)
        return tuple(rows[0]) if rows else None


class SparkConnection:
    """A DuckDB-like connection over `spark`: the statements journeylens' functions run."""

    engine = "spark"  # what a function that has a DuckDB-only shortcut (piece_store's cache) asks

    def __init__(self, spark, lease: int | None = None):
        self.spark, self.lease = spark, lease
        self.views: set[str] = set()
        self.persisted: dict = {}

    def register(self, name: str, frame, persist: bool = False) -> None:
        """`frame` (a Spark DataFrame, or a pandas one as DuckDB's register takes) as the temp view `name`;
        persist=True computes its rows now and keeps them (a table), until it is replaced or dropped."""
        if isinstance(frame, pd.DataFrame):
            frame = self.spark.createDataFrame(frame) if len(frame.columns) else self.spark.createDataFrame([], "x int")
        if persist:
            frame = frame.localCheckpoint(eager=True)
        frame.createOrReplaceTempView(name)
        self._forget_rows(name)
        if persist:
            self.persisted[name] = frame
        self.views.add(name)

    def execute(self, sql: str, params=None) -> SparkResult:
        tree = sqlglot.parse_one(sql, read="duckdb")
        if isinstance(tree, exp.Set):
            return self._setting(tree)
        if isinstance(tree, exp.Drop):
            for table in tree.args.get("tables") or [tree.this]:
                self.drop(table.name)
            return SparkResult(None)
        if isinstance(tree, exp.Alter) and [type(a) for a in tree.actions] == [exp.AlterRename]:
            return self._rename(tree.this.name, tree.actions[0].this.name)
        if isinstance(tree, exp.Create) and tree.kind in ("TABLE", "VIEW"):
            return self._create(tree, params)
        if isinstance(tree, exp.Insert) and not isinstance(tree.expression, exp.Values):
            return self._insert(tree.this.name, self._query(tree.expression, params), bool(tree.args.get("by_name")))
        return SparkResult(self._query(tree, params))

    def executemany(self, sql: str, rows: list) -> None:
        """INSERT INTO name VALUES (?, ...) for each row: the rows appended to the view `name`."""
        tree = sqlglot.parse_one(sql, read="duckdb")
        if not isinstance(tree, exp.Insert):
            raise NotTranspiled(f"executemany runs INSERTs only, not {sql[:60]!r}")
        target = self.spark.table(tree.this.name)
        self._insert(tree.this.name, self.spark.createDataFrame(list(rows), target.schema))

    def unregister(self, name: str) -> None:
        self.drop(name)

    def _insert(self, name: str, rows, by_name: bool = False) -> SparkResult:
        """`rows` appended to the table `name`, column by column in order and cast to its types, as DuckDB's
        INSERT INTO name SELECT does; by_name=True (INSERT INTO name BY NAME SELECT): matched by name, NULL in
        the columns `rows` lacks."""
        from pyspark.sql import functions as F

        target = self.spark.table(name)
        if by_name:
            unknown = set(rows.columns) - set(target.columns)
            if unknown:
                raise NotTranspiled(f"INSERT INTO {name} BY NAME: no column {sorted(unknown)[0]!r}")
            rows = rows.select(*[F.col(f"`{c}`") if c in rows.columns else F.lit(None).alias(c) for c in target.columns])
        if len(rows.columns) != len(target.columns):
            raise NotTranspiled(f"INSERT INTO {name}: {len(rows.columns)} columns for {len(target.columns)}")
        typed = rows.select(*[F.col(f"`{have}`").cast(field.dataType).alias(field.name)
                              for have, field in zip(rows.columns, target.schema.fields, strict=True)])
        self.register(name, target.unionByName(typed), persist=True)
        return SparkResult(None)

    def has_view(self, name: str) -> bool:
        return name in self.views

    def _rename(self, old: str, new: str) -> SparkResult:
        """ALTER TABLE old RENAME TO new: the same rows (kept ones stay kept) under the other name."""
        frame = self.persisted.pop(old, None)
        persist = frame is not None
        frame = frame if persist else self.spark.table(old)
        self.spark.catalog.dropTempView(old)
        self.views.discard(old)
        self.register(new, frame)
        if persist:
            self.persisted[new] = frame
        return SparkResult(None)

    def drop(self, name: str) -> None:
        self.spark.catalog.dropTempView(name)
        self.views.discard(name)
        self._forget_rows(name)

    def _forget_rows(self, name: str) -> None:
        """Lets go of the rows the table `name` kept, once nothing is named by it any more."""
        old = self.persisted.pop(name, None)
        if old is not None:
            old.unpersist()

    def close(self) -> None:
        for name in list(self.views):
            self.drop(name)
        if self.lease is not None:
            os.close(self.lease)
            self.lease = None

    def _query(self, tree: exp.Expression, params):
        frame = self.spark.sql(tree_to_spark(self._stars_expanded(tree)), args=params or None)
        helpers = [c for c in HELPER_COLUMNS if c in frame.columns]
        return frame.drop(*helpers) if helpers else frame

    def _stars_expanded(self, tree: exp.Expression) -> exp.Expression:
        """DuckDB's * EXCLUDE (...) and * REPLACE (...), which Spark SQL lacks, spelled out column by column from
        the views' schemas (sqlglot's qualify), and every star of a query that unions BY NAME (spark_sql's
        union_by_name needs the columns listed); any other query is left as written."""
        if not (any(star.args.get("except") or star.args.get("replace") for star in tree.find_all(exp.Star))
                or any(union.args.get("by_name") for union in tree.find_all(exp.Union))):
            return tree
        # the schemas of the views the query names only: each is a round trip to Spark Connect's server
        named = {table.name for table in tree.find_all(exp.Table)} & self.views
        schema = {name: {field.name: field.dataType.simpleString() for field in self.spark.table(name).schema.fields}
                  for name in named}
        return qualify(tree, schema=schema, dialect="duckdb", expand_stars=True, quote_identifiers=False,
                       validate_qualify_columns=False)

    def _create(self, tree: exp.Create, params) -> SparkResult:
        target = tree.this
        name = (target.this if isinstance(target, exp.Schema) else target).name
        query = tree.expression
        if query is None:  # create table name (column type, ...): empty, with that schema
            columns = ", ".join(f"{c.name} {c.kind.sql('spark')}" for c in target.expressions)
            frame = self.spark.createDataFrame([], columns)
        else:
            frame = self._query(query, params)
        self.register(name, frame, persist=tree.kind == "TABLE")
        return SparkResult(None)

    def _setting(self, tree: exp.Set) -> SparkResult:
        for item in tree.expressions:
            name = item.this.this.name.lower() if isinstance(item.this, exp.EQ) else str(item.this).lower()
            if name == "timezone" or name in DUCKDB_ONLY_SETTINGS:
                continue  # the session is in UTC already; the others are DuckDB's own
            raise NotTranspiled(f"SET {name} has no Spark meaning here")
        return SparkResult(None)


def same_answer(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Raises AssertionError unless Spark's answer `got` is DuckDB's `want` (issue 16's rule): the same columns
    in the same order, strings, counts and row order exactly, floats to 1e-9; a missing value is missing
    whichever way pandas holds it. The tests and bench_spark hold
    both engines to it."""
    assert list(got.columns) == list(want.columns), (list(got.columns), list(want.columns))
    floats = [c for c in want.columns if want[c].dtype.kind == "f"]
    exact = [c for c in want.columns if c not in floats]
    def missing_alike(frame):  # None, NaN and pd.NA are one missing value (an empty CSV cell)
        frame = frame.astype(object)
        return frame.where(frame.notna(), None)

    pd.testing.assert_frame_equal(missing_alike(got[exact]), missing_alike(want[exact]))
    pd.testing.assert_frame_equal(got[floats].astype(float), want[floats].astype(float), rtol=0, atol=1e-9)
