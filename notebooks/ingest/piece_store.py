"""Alert pieces kept per upload, so that a ranking reads pieces, not every stored alert.

A piece (sql/queue/04_alert_pieces.sql) is the alerts of one key in one gap-wide bucket that the touchpoint
rules see alike. It depends on one upload's alerts only, and an upload never changes once stored, so a workspace
keeps each upload's pieces in `.cache/pieces/<upload id>/<signature>.parquet` (34_stored_alert_pieces.sql) and
a ranking reads them back (35): at a million alerts, about a second instead of three and a half. A ranking makes what is
missing and notes its bucket width and rule columns (`plan.json`); ingest then pieces each new upload of alerts
under that plan (keep_workspace_pieces), so the next ranking reads pieces only. A ranking under another gap, or
a journey map that reads other alert columns, makes them once, lazily, and keeps them too.

The signature says what a file's pieces depend on, so a file is only read where it is right:

- the gap-wide bucket and the alert columns the rules look at;
- the upload's alerts whose lifecycle keys fold (36_fold_key_digests.sql): those alerts are folded across
  uploads (sql/ingest/15_folded_alerts.sql), so an upload's pieces leave them out, and they are pieced afresh
  by every ranking; a later upload that folds more of them, or the removal of one that did, changes the
  digest, and the pieces are made again;
- the SQL that makes them and DuckDB's version (a hash of the alert id orders alerts).

Pieces a ranking had to make are read at once and written to their file beside it (piece_writer.py). The
folder is a cache: a file is written privately and renamed into place, deleting it loses nothing, and a
workspace that cannot take it (read-only, full disk) ranks from the pieces held in memory. JOURNEYLENS_PIECE_STORE=off
turns it off."""

import contextlib
import hashlib
import json
import logging
import os
import time
import uuid
from pathlib import Path

import duckdb
from journeylens.notebooks.ingest.map_file import MATCH_COLUMNS
from journeylens.notebooks.ingest.piece_writer import (  # noqa: F401 (wait_for_kept_pieces: callers import it here)
    release_held,
    wait_for_kept_pieces,
    write_later,
    write_piece_file,
)
from journeylens.notebooks.workspace.alert_views import create_notice_views
from journeylens.notebooks.workspace.sql_files import SQL_DIR, on_duckdb, sql_text

log = logging.getLogger("journeylens.piece_store")
STORE_ENV = "JOURNEYLENS_PIECE_STORE"
SNAPSHOT_FILES = "snapshot_alert_files"  # connect() lists each upload's alert files there: (upload_id, path, root)
# what makes a piece: the notices' shape and fold, the pieces and how they are kept, and the macros they use
PIECE_SQL = ("alert_notices", "folded_alerts", "alert_pieces", "stored_alert_pieces")


def store_enabled() -> bool:
    return os.environ.get(STORE_ENV, "on").strip().lower() not in ("off", "0", "false", "no")


def pieces_select(kept_columns: list, source: str = "alerts") -> str:
    """04_alert_pieces.sql over `source`, keeping `kept_columns` (the rules' columns besides fingerprint, name,
    service)."""
    return (sql_text("alert_pieces").replace("/* mapping columns */", "".join(f"{c}, " for c in kept_columns))
            .replace("alerts /* alerts */", source))


def create_alert_pieces(con, bucket_seconds: float, kept_columns: list) -> None:
    """Creates the temp table alert_pieces (04's rows) on `con`: from each upload's kept pieces on a workspace
    snapshot, made and kept where missing, plus the pieces of the alerts that fold across uploads; on any
    other connection (a table `alerts`), from every alert."""
    params = {"bucket_seconds": float(bucket_seconds)}
    sources = snapshot_sources(con) if store_enabled() else None
    if sources is None:
        con.execute(f"create or replace temp table alert_pieces as {pieces_select(kept_columns)}", params)
        return
    remember_plan(sources[0], bucket_seconds, kept_columns)
    digests = fold_digests(con)
    files, made = keep_pieces(con, sources, digests, bucket_seconds, kept_columns, hold=True)
    parts = []
    if files:  # file paths are values: the relational API, never SQL text
        con.read_parquet([str(f) for f in files]).create_view("kept_piece_files", replace=True)
        parts.append(sql_text("restored_alert_pieces"))
    if digests:  # the alerts that fold across uploads, folded afresh
        con.execute("create or replace temp view refolded_alerts as " + folded_only_alerts())
        parts.append(pieces_select(kept_columns, "refolded_alerts"))
    if not parts:
        parts.append(pieces_select(kept_columns, "(select * from alerts limit 0)"))
    union = " union all by name ".join(f"({part})" for part in parts)
    table = "kept_alert_pieces" if made else "alert_pieces"
    con.execute(f"create or replace temp table {table} as {union}", params if "$bucket_seconds" in union else {})
    drop_views(con, ["kept_piece_files", "refolded_alerts"])
    if made:  # pieces made just now are read where they are, not copied: a view over them and the rest
        tables = " union all by name ".join(f"select * from {t}" for t in (*made, table))
        con.execute(f"create or replace temp view alert_pieces as {tables}")


def drop_alert_pieces(con) -> None:
    """Drops alert_pieces once grouping read it, and lets the writers of the pieces made for it (the tables
    `made_pieces_*` of its database) write their files and drop them."""
    if not on_duckdb(con):  # another engine pieced afresh: nothing held, nothing kept
        con.execute("drop table if exists alert_pieces")
        return
    if con.execute("select count(*) from duckdb_views() where temporary and view_name = 'alert_pieces'").fetchall()[0][0]:
        con.execute("drop view alert_pieces; drop table if exists kept_alert_pieces")
    else:
        con.execute("drop table if exists alert_pieces")
    release_held([row[0] for row in con.execute("select table_name from duckdb_tables() where not temporary "
                                                "and starts_with(table_name, 'made_pieces_')").fetchall()])


def keep_pieces(con, sources: tuple, digests: dict, bucket_seconds: float, kept_columns: list,
                hold: bool = False) -> tuple:
    """([piece files kept earlier], [tables holding the pieces made here]) of every upload of a snapshot under
    its signature. Missing ones are made and kept; hold=True holds them in tables (kept or not: a workspace
    that cannot take the file still ranks) whose files are written meanwhile (piece_writer.py), otherwise
    their files are written first and join the first list."""
    root, uploads = sources
    files, made = [], []
    code = piece_code_digest()  # reads the SQL files: once, not once per upload
    for upload_id, paths in uploads.items():
        target = piece_file(root, upload_id, piece_signature(bucket_seconds, kept_columns, digests.get(upload_id), code))
        if kept_file(target):
            files.append(target)
            continue
        table = f"made_pieces_{uuid.uuid4().hex[:12]}" if hold else None
        if write_upload_pieces(con, paths, target, bucket_seconds, kept_columns, table) and not hold:
            files.append(target)
        if table:
            made.append(table)
    return files, made


def keep_workspace_pieces(workspace, report=None) -> int:
    """Makes the pieces every upload of `workspace` lacks under the plan its last ranking left (remember_plan);
    returns how many uploads have their pieces kept. `journeylens ingest` calls it once its uploads are stored
    and acknowledged (the app ranks a new snapshot in the background instead), so the next ranking reads
    pieces only; a later upload can fold an earlier one's alerts, whose pieces are then made again. A
    workspace never ranked has no plan: its first ranking makes them. `report(fraction, text)` hears when
    it starts and ends. A cache: nothing here fails, it is logged and left to the next ranking."""
    from journeylens.notebooks.workspace.snapshot import connect

    plan = read_plan(workspace)
    if plan is None or not store_enabled():
        return 0
    report = report or (lambda fraction, text: None)
    report(0.0, "keeping the alert pieces the next ranking reads")
    try:
        con = connect(workspace, tables=("alerts",))
        try:
            files, _ = keep_pieces(con, snapshot_sources(con), fold_digests(con), *plan)
        finally:
            con.close()
    except (OSError, duckdb.Error) as exc:
        log.warning("could not keep the alert pieces of %s (%s)", workspace, type(exc).__name__)
        return 0
    report(1.0, f"kept the alert pieces of {len(files)} upload{'' if len(files) == 1 else 's'}")
    return len(files)


def plan_file(root: Path) -> Path:
    return Path(root) / ".cache" / "pieces" / "plan.json"


def remember_plan(root: Path, bucket_width: float, kept_columns: list) -> None:
    """Notes the bucket width and rule columns a ranking pieced with, for ingest to piece new uploads alike."""
    text = json.dumps({"bucket_seconds": float(bucket_width), "columns": list(kept_columns)}, sort_keys=True)
    target = plan_file(root)
    with contextlib.suppress(OSError):
        if target.is_file() and target.read_text() == text:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".plan-{os.getpid()}-{time.monotonic_ns()}.partial")
        partial.write_text(text)
        os.replace(partial, target)


def read_plan(workspace) -> tuple | None:
    """(bucket seconds, kept columns) of the plan, or None when there is none or it is not one journeylens wrote:
    its columns become SQL, so only alert columns the rules may read are taken."""
    allowed = {c for name in (*MATCH_COLUMNS, "labels", "severity_raw") for c in (name, f'"{name}"')}
    try:
        plan = json.loads(plan_file(workspace).read_text())
        width, columns = float(plan["bucket_seconds"]), plan["columns"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not (0 < width < 1e12) or not isinstance(columns, list) or not all(c in allowed for c in columns):
        return None
    return width, columns


def bucket_seconds(gap_minutes: float) -> float:
    """A bucket as wide as the gap, and never zero wide (timestamps are in microseconds)."""
    return max(float(gap_minutes) * 60, 1e-6)


def kept(raw_columns: list) -> list:
    """The rules' columns a piece keeps besides fingerprint, name and service, which every piece has."""
    return [c for c in raw_columns if c.strip('"') not in ("fingerprint", "name", "service")]


def drop_views(con, names: list) -> None:
    """Drops the helper views of a piecing, so that a saved ranking (ranking_store) never keeps one."""
    for name in names:
        for view in (name, f"{name}_notices", f"{name}_notice_files", f"{name}_notice_parquet"):
            con.execute(f"drop view if exists {view}")


def kept_file(target: Path) -> bool:
    """Whether the pieces are kept at `target`; touched when they are, so the ones in use are kept longest."""
    try:
        os.utime(target)
        return True
    except OSError:
        return False


def snapshot_sources(con) -> tuple[Path, dict] | None:
    """(workspace root, {upload id: [its alert files]}) of a workspace snapshot with alerts; None for any other
    connection (nothing to piece from files, and a reader of no workspace creates nothing). Another engine's
    connection (spark_engine: `engine` names it) pieces every alert afresh: the kept pieces are DuckDB's cache."""
    if not on_duckdb(con) or not con.execute("select count(*) from duckdb_tables() where table_name = $t and not temporary",
                       {"t": SNAPSHOT_FILES}).fetchall()[0][0]:
        return None
    rows = con.execute(f"select upload_id, path, root from {SNAPSHOT_FILES} order by upload_id, path").fetchall()
    uploads = {}
    for upload_id, path, _ in rows:
        uploads.setdefault(upload_id, []).append(path)
    return (Path(rows[0][2]), uploads) if rows else None


def fold_digests(con) -> dict:
    """{upload id: (keys, hash)} of the uploads whose alerts' keys fold (36); empty when no key folds, which
    needs no scan of the notices."""
    if not con.execute("select count(*) from alert_fold_keys").fetchall()[0][0]:
        return {}
    return {u: (n, h) for u, n, h in con.execute(sql_text("fold_key_digests")).fetchall()}


def piece_signature(bucket_seconds: float, kept_columns: list, digest, code: str) -> str:
    """What a piece file depends on (the module's docstring); `code` is piece_code_digest()."""
    state = {"bucket_seconds": float(bucket_seconds), "columns": list(kept_columns),
             "folds": None if digest is None else [int(digest[0]), str(digest[1])],
             "code": code, "duckdb": duckdb.__version__}
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:32]


def piece_code_digest() -> str:
    digest = hashlib.sha256()
    for stem in PIECE_SQL:
        digest.update(sql_text(stem).encode())
    for path in sorted((SQL_DIR / "workspace").glob("*_macro_*.sql")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def piece_file(root: Path, upload_id: str, signature: str) -> Path:
    return root / ".cache" / "pieces" / upload_id / f"{signature}.parquet"


def upload_alerts_view(con, paths: list, name: str) -> str:
    """A temp view `name` of the alerts of one upload's notice files that do not fold (15's lone alerts of
    those files); returns its name."""
    create_notice_views(con, paths, f"{name}_notice")
    alerts = (sql_text("folded_alerts").replace("alert_notices /* lone notices */", f"{name}_notices")
              .replace("fold_notices /* fold notices */", f"(select * from {name}_notices limit 0)"))
    con.execute(f"create or replace temp view {name} as {alerts}")
    return name


def folded_only_alerts() -> str:
    """15_folded_alerts.sql without its lone alerts: the alerts whose notices fold across uploads."""
    return sql_text("folded_alerts").replace("alert_notices /* lone notices */",
                                             "(select * from alert_notices limit 0)")


def write_upload_pieces(con, paths: list, target: Path, bucket_seconds: float, kept_columns: list,
                        hold_as: str | None = None) -> bool:
    """Makes one upload's pieces and keeps them at `target`; False when the workspace cannot take the file.
    With `hold_as`, they are also held in the table of that name, and written by a thread of their own once
    the ranking that made them let it go (piece_writer.py); True then only says it started."""
    view = upload_alerts_view(con, paths, "upload_alerts")
    table = hold_as or "upload_pieces"
    con.execute(f"create or replace {'' if hold_as else 'temp '}table {table} as {pieces_select(kept_columns, view)}",
                {"bucket_seconds": float(bucket_seconds)})
    drop_views(con, [view])
    if not hold_as:
        try:
            return write_piece_file(con, table, target)
        finally:
            con.execute(f"drop table {table}")
    write_later(con, table, target)
    return True
