"""Reading a workspace: snapshots.

A workspace is a folder. Each upload is stored once, as immutable Parquet files plus a manifest,
and becomes visible in a single atomic rename. Readers open an in-memory DuckDB whose views read
those files, so the app, a notebook and the command line can all use one workspace at once:
no process ever holds DuckDB's single-writer lock. Writers take a short advisory lock.
"""

import json
import os
import re
import time
import weakref

import duckdb
import pandas as pd
from journeylens.notebooks.workspace.alert_views import (
    create_alert_views,
    create_table_view,
    list_alert_files,
)
from journeylens.notebooks.workspace.background_readers import finish_readers
from journeylens.notebooks.workspace.contract import (
    ALL_TABLES,
    MAP_TABLES,
    STORED_TABLES,
    TIME_COLUMNS,
    IngestError,
)
from journeylens.notebooks.workspace.paths import UPLOAD_ID, upload_id_or_refuse
from journeylens.notebooks.workspace.sql_files import SQL_DIR, _sql_files, on_duckdb, sql_text  # noqa: F401 (re-exported: the one import of readers)
from journeylens.notebooks.workspace.store import (
    finish_interrupted_commit,
    reader_lease,
    reclaim_removed,
    workspace_dirs,
    writer_lock,
)
from journeylens.notebooks.workspace.trail import PENDING, commit

RANK_MEMORY_LIMIT = "3GB"


def new_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with journeylens' macros and the canonical (empty) tables of every kind.

    In-memory on purpose: stored data lives in immutable Parquet files, so no process ever holds
    DuckDB's single-writer file lock and the app, a notebook and the CLI can share a workspace."""
    con = duckdb.connect(":memory:")
    con.execute("set TimeZone = 'UTC'")
    if os.environ.get("JOURNEYLENS_MEMORY_LIMIT"):
        limit_memory(con, None)
    threads = os.environ.get("JOURNEYLENS_DUCKDB_THREADS", "")
    if threads.isdigit() and int(threads) > 0:  # journeylens serve leaves a core to its HTTP side
        con.execute(f"set threads = {int(threads)}")
    # progress is tracked (ingest reports it) but never printed over a terminal, app or notebook
    con.execute("set enable_progress_bar = true")
    con.execute("set enable_progress_bar_print = false")
    con.execute("create schema canonical")
    for path in sorted((SQL_DIR / "workspace").glob("*.sql")):  # the macros, then the canonical tables
        con.execute(path.read_text())
    return con


def limit_memory(con, default: str | None) -> None:
    """Caps DuckDB's memory so it spills to disk instead of growing: journeylens shares a laptop with
    the app, a notebook and a browser. JOURNEYLENS_MEMORY_LIMIT (e.g. 8GB) wins over `default`.
    Ranking, which holds several full-width temp tables, caps itself; streaming ingest runs faster
    with DuckDB's own default (80% of RAM) and does not."""
    limit = os.environ.get("JOURNEYLENS_MEMORY_LIMIT") or default
    if limit is None:
        return
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", limit, re.IGNORECASE):
        raise ValueError(f"JOURNEYLENS_MEMORY_LIMIT must look like 3GB or 512MiB, not {limit!r}")
    con.execute(f"set memory_limit = '{limit}'")


def canonical_columns(con, table: str) -> list:
    """[(column, duckdb type)] of a canonical table, in order."""
    rows = con.execute("select column_name, data_type from information_schema.columns where table_schema = "
                       "'canonical' and table_name = $t order by ordinal_position", {"t": table}).fetchall()
    return [(r[0], r[1]) for r in rows]


def list_manifests(workspace) -> list:
    """Every committed upload's manifest, oldest first. A folder that is not an upload (a name that is
    not an upload id, a symlink, a manifest naming another upload or tables journeylens does not have) is
    never read as one: `journeylens trail verify` reports it. A commit a killed writer left half-done is
    finished or undone first, so what readers see always agrees with the audit trail."""
    dirs = workspace_dirs(workspace, create=False)
    if not dirs["uploads"].is_dir():
        return []
    if (dirs["root"] / PENDING).exists():  # a writer was killed mid-commit: finish or undo it first
        finish_interrupted_commit(dirs)
    manifests = []
    for folder in dirs["uploads"].iterdir():
        if not UPLOAD_ID.fullmatch(folder.name) or folder.is_symlink():
            continue
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
        except (FileNotFoundError, NotADirectoryError, ValueError):
            continue  # removed while we listed (or not an upload): not part of the workspace
        if valid_manifest(manifest, folder.name):
            manifests.append(manifest)
    return sorted(manifests, key=lambda m: m["upload_id"])


def valid_manifest(manifest, upload_id: str) -> bool:
    """A manifest journeylens wrote for this folder: its id, and only canonical tables (their names become
    file paths)."""
    return (isinstance(manifest, dict) and manifest.get("upload_id") == upload_id
            and isinstance(manifest.get("tables"), dict) and set(manifest["tables"]) <= set(STORED_TABLES)
            and all(isinstance(manifest.get(k), str) for k in ("kind", "file_name")))


def list_uploads(workspace) -> pd.DataFrame:
    """The upload register: file name, kind, layout, rows, content hash and when, newest first."""
    rows = [
        {"upload_id": m["upload_id"], "file_name": m["file_name"], "kind": m["kind"], "layout": m["layout"],
         "format": m["format"], "rows": m["rows"], "sha256": m["sha256"], "stored_at": m["stored_at"],
         "stored_by": m.get("stored_by", "")}
        for m in reversed(list_manifests(workspace))
    ]
    columns = ["upload_id", "file_name", "kind", "layout", "format", "rows", "sha256", "stored_at", "stored_by"]
    return pd.DataFrame(rows, columns=columns)


def stored_copies(manifests: list, kind: str, sha256: str) -> list:
    """Stored uploads with the same kind and content, whatever their mapping."""
    return [m for m in manifests if m["kind"] == kind and m["sha256"] == sha256]


def active_table_files(manifests: list, dirs: dict) -> dict:
    """{table: [parquet files]} that make up each table now. A journey map is versioned: only the newest
    upload of each journey is active; earlier ones stay as history."""
    newest_map = {}
    for m in manifests:
        if m["kind"] == "journey-map":
            newest_map[m.get("journey", "")] = m["upload_id"]
    files = {t: [] for t in STORED_TABLES}
    for m in manifests:
        if m["kind"] == "journey-map" and newest_map.get(m.get("journey", "")) != m["upload_id"]:
            continue
        for table in m["tables"]:
            files[table].append(str(dirs["uploads"] / m["upload_id"] / f"{table}.parquet"))
    return files


def connect(workspace, tables: tuple | None = None) -> duckdb.DuckDBPyConnection:
    """A snapshot of the workspace: an in-memory DuckDB whose views read the committed Parquet files.

    Views: one per canonical table (alerts: folded over `alert_notices`, stages, touchpoints, segments, journey_metrics,
    ai_interactions, eval_scores, incidents, changes), `<map table>_history` with every journey-map
    version, and `uploads`. Open a new one to see uploads made after this call. With `tables`, only
    those views (ingest needs one table; building every view costs a tenth of a second)."""
    dirs = workspace_dirs(workspace, create=False)
    # The lease lives as long as the connection: removed uploads keep their files until it is gone. A
    # folder that is no workspace has nothing to protect, and a reader creates nothing.
    lease = reader_lease(dirs) if dirs["uploads"].is_dir() else None
    try:
        con = new_connection()
    except BaseException:
        if lease is not None:
            os.close(lease)
        raise
    if lease is not None:
        weakref.finalize(con, os.close, lease)
    manifests = list_manifests(workspace)
    files = active_table_files(manifests, dirs)
    for table in tables or ALL_TABLES:
        if table == "alerts":
            create_alert_views(con, files)
            list_alert_files(con, dirs, manifests)
        else:
            create_table_view(con, table, files[table])
    if tables:
        return con
    for table in MAP_TABLES:
        history = [str(dirs["uploads"] / m["upload_id"] / f"{table}.parquet")
                   for m in manifests if table in m["tables"]]
        create_table_view(con, table, history, view_name=f"{table}_history")
    uploads = list_uploads(workspace)
    con.register("uploads_frame", uploads)
    con.execute("create view uploads as select * from uploads_frame")
    return con


def query_df(workspace, sql: str, params: dict | None = None, retries: int = 3) -> pd.DataFrame:
    """Runs one query on a fresh snapshot. If an upload is removed while the query reads it, the snapshot
    is rebuilt and the query retried, so removal never surfaces as an error to readers."""
    for attempt in range(retries):
        con = None
        try:
            con = connect(workspace)
            return con.execute(sql, params or {}).df()
        except duckdb.IOException:
            if attempt == retries - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
        finally:
            if con is not None:
                con.close()


def has_table(con, name: str) -> bool:
    """Whether `con` (a DuckDB connection, or spark_engine's) holds a table or view `name`."""
    if not on_duckdb(con):
        return con.has_view(name)
    return bool(con.execute("select (select count(*) from duckdb_tables() where table_name = $name) "
                            "+ (select count(*) from duckdb_views() where view_name = $name)",
                            {"name": name}).fetchall()[0][0])


def close_snapshot(con) -> None:
    """Closes a snapshot once the piece files a ranking on it started writing are written (piece_writer.py):
    their writers read its tables, and DuckDB refuses to close a connection whose cursor is busy."""
    finish_readers(con)
    con.close()


def workspace_summary(workspace) -> pd.DataFrame:
    """Rows per table and the time span each covers."""
    con = connect(workspace)
    try:
        rows = []
        for table in ALL_TABLES:
            ts = TIME_COLUMNS.get(table)
            span = f'min("{ts}"), max("{ts}")' if ts else "null, null"
            n, first, last = con.execute(f'select count(*), {span} from "{table}"').fetchall()[0]
            rows.append({"table": table, "rows": n, "first": first, "last": last})
        return pd.DataFrame(rows)
    finally:
        con.close()


def remove_upload(workspace, upload_id: str, why: str = "") -> dict:
    """Removes one upload and everything it brought. Refused before anything moves unless `upload_id` is an
    upload id (never a path) naming a folder of this workspace whose manifest names it.

    The removal is committed in the audit trail and its manifest renamed to removed.json: readers stop
    seeing it at once, while a reader already holding a snapshot keeps reading its files, which are
    deleted once no reader holds them (store.reclaim_removed)."""
    upload_id_or_refuse(upload_id)
    with writer_lock(workspace) as dirs:
        folder = dirs["uploads"] / upload_id
        manifest_path = folder / "manifest.json"
        if folder.is_symlink() or not manifest_path.is_file():
            raise KeyError(f"no upload {upload_id!r} in {dirs['root']}")
        try:
            manifest = json.loads(manifest_path.read_text())
        except ValueError:
            manifest = None
        if not valid_manifest(manifest, upload_id):
            raise IngestError(str(manifest_path), None, None, f"the manifest of upload {upload_id}",
                              "a file journeylens did not write (see `journeylens trail verify`); nothing was removed")
        commit(dirs, "upload.removed", {k: manifest.get(k) for k in ("upload_id", "file_name", "kind", "rows")}, why,
               renames=[(manifest_path, folder / "removed.json")])
        reclaim_removed(dirs)
    return manifest
