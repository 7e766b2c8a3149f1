"""The views a snapshot reads stored files through: one per canonical table, and for alerts the notices, the
notices of the keys that fold, and their fold (sql/ingest/14, 15)."""

from journeylens.notebooks.workspace.sql_files import sql_text


def create_alert_views(con, files: dict) -> None:
    """`alert_notices`: every stored notice; `fold_notices`: those of the lifecycle keys that fold; `alerts`:
    their fold, one row per alert (sql/ingest/14, 15)."""
    create_notice_views(con, files["alerts"], "alert_notice")
    create_table_view(con, "alert_fold_keys", files["alert_fold_keys"])
    # the notices of the keys that fold, picked before 14 shapes them (a notice id is a hash): the fold reads
    # every alert of a million in 0.15 s, not 0.5 s, when a few keys fold. The key as 14 derives it.
    con.execute("create or replace view fold_notice_files as select f.* from alert_notice_files as f semi join "
                "(select distinct alert_key from alert_fold_keys) as k on coalesce(f.alert_key, f.alert_id) = k.alert_key")
    con.execute(f"create or replace view fold_notices as {notices_over('fold_notice_files')}")
    con.execute(f"create or replace view alerts as {sql_text('folded_alerts')}")


def create_notice_views(con, files: list, prefix: str) -> None:
    """Views over stored notice files: `<prefix>_parquet` (the files), `<prefix>_files` (in the canonical
    shape: uploads stored before notices were modelled lack their columns) and `<prefix>s` (14 over them)."""
    create_table_view(con, "alerts", files, view_name=f"{prefix}_parquet")
    con.execute(f"create or replace view {prefix}_files as select * from canonical.alerts "
                f"union all by name select * from {prefix}_parquet")
    con.execute(f"create or replace view {prefix}s as {notices_over(f'{prefix}_files')}")


def notices_over(files_view: str) -> str:
    """sql/ingest/14_alert_notices.sql over the view `files_view` of stored notice files."""
    return sql_text("alert_notices").replace("alert_notice_files /* notices */", files_view)


def list_alert_files(con, dirs: dict, manifests: list) -> None:
    """The table snapshot_alert_files(upload_id, path, root): each upload's alert file, for ingest/piece_store.py."""
    con.execute("create or replace table snapshot_alert_files (upload_id varchar, path varchar, root varchar)")
    root = str(dirs["root"].resolve())
    rows = [(m["upload_id"], str(dirs["uploads"] / m["upload_id"] / "alerts.parquet"), root)
            for m in manifests if "alerts" in m["tables"]]
    if rows:
        con.executemany("insert into snapshot_alert_files values (?, ?, ?)", rows)


def create_table_view(con, table: str, files: list, view_name: str | None = None) -> None:
    """A view with the canonical columns and types over the given Parquet files (empty when none)."""
    view = view_name or table
    if not files:
        con.execute(f'create or replace view "{view}" as select * from canonical."{table}"')
        return
    # File paths are values, so they go through the relational API rather than into SQL text.
    con.read_parquet(files, union_by_name=True).create_view(view, replace=True)
