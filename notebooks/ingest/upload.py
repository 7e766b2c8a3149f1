"""Ingest: one file in, whole or not at all.

1. Hash the file; the same content of the same kind is never stored twice.
2. Detect the format (content first) and the layout (native tool exports load with no mapping).
3. Resolve columns: `--map`, then canonical names, then the alias table of `contract.py`.
4. Convert in one DuckDB pass with every value checked; a bad value aborts the pass.
5. Only then: find the first bad row and column for the message (refused files only).
6. Commit with one atomic rename, under a short cross-process writer lock.
"""

import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from journeylens.notebooks.ingest.columns import build_plan, output_select, resolve_columns
from journeylens.notebooks.ingest.diagnosis import diagnose, plan_source
from journeylens.notebooks.ingest.layouts import open_source, quote_ident
from journeylens.notebooks.ingest.map_file import preview_journey_map, store_journey_map
from journeylens.notebooks.ingest.notices import conversion_params, waiting_notices, write_fold_keys
from journeylens.notebooks.ingest.readers import check_input_file, detect_format, file_digest
from journeylens.notebooks.workspace.contract import KIND_NAMES, IngestError, kind_spec
from journeylens.notebooks.workspace.snapshot import (
    canonical_columns,
    connect,
    find_duplicate,
    list_manifests,
    new_connection,
    stored_copies,
)
from journeylens.notebooks.workspace.store import commit_upload, current_user, new_staging, writer_lock

# Files smaller than this are checked for a duplicate before conversion; larger ones while converting.
EARLY_HASH_BYTES = 64 * 1024 * 1024
# What makes a row the same row again, per kind: re-ingesting an overlapping export adds only what
# is new. (Whole files are recognised earlier by their content hash.)
NATURAL_KEYS = {
    "alerts": ("notice_id",),  # every notice is kept; the view `alerts` folds them
    "ai": ("interaction_id", "shadow"),
    "scores": ("interaction_id", "name", "source"),
    "incidents": ("incident_id",),
    "metrics": ("ts", "stage", "segment"),
    "changes": ("ts", "service", "kind", "description"),
}


def run_with_progress(con, work, report, start: float, end: float, should_stop=None,
                      text: str = "converting and checking every row"):
    """Runs `work()` (one DuckDB query) while reporting DuckDB's own query progress. When
    `should_stop()` turns true the query is interrupted and None is returned."""
    outcome, stopped = {}, False

    def target():
        try:
            outcome["value"] = work()
        except BaseException as err:  # re-raised in the caller's thread
            outcome["error"] = err

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    done = 0.0
    while thread.is_alive():
        thread.join(0.25)
        try:
            # -1 when no query runs (before it starts, after it ends): progress never moves backwards
            done = max(done, min(1.0, con.query_progress() / 100.0))
        except duckdb.Error:
            pass
        report(start + (end - start) * done, f"{text} ({done:.0%})")
        if should_stop and not stopped and should_stop():
            stopped = True
            con.interrupt()
    if stopped:
        thread.join()
        return None
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def convert_tabular(workspace, kind, path, file_name, fmt, mapping, staging, upload_id, report,
                    should_stop=None):
    """Converts a file to its canonical table in `staging`, all rows or none. New rows only: rows whose
    natural key is already stored are skipped and counted. None when `should_stop` cut it short."""
    table = kind_spec(kind)["table"]
    con = connect(workspace, tables=(table,))
    # alerts: the stored rows are notices (the view `alerts` is their fold)
    stored_view = "alert_notices" if kind == "alerts" else table
    params = conversion_params(kind, upload_id, datetime.now(UTC).replace(tzinfo=None))
    try:
        try:
            report(0.1, f"reading {fmt}")
            plan = plan_source(con, kind, path, file_name, fmt, mapping)
            select = output_select(kind, plan, canonical_columns(con, table))
            keys = NATURAL_KEYS.get(kind, ())
            stored = con.execute(f"select count(*) from {quote_ident(stored_view)}").fetchall()[0][0]
            total = None
            if keys and stored:
                total = con.sql(f"select count(*) from ({select})", params=params).fetchall()[0][0]
                key_list = ", ".join(quote_ident(k) for k in keys)
                select = (f"select * from ({select}) anti join (select distinct {key_list} "
                          f"from {quote_ident(stored_view)}) using ({key_list})")
            out = staging / f"{table}.parquet"
            relation = con.sql(select, params=params)
            written = run_with_progress(con, lambda: relation.write_parquet(str(out), compression="snappy") or True,
                                        report, 0.15, 0.9, should_stop)
            if written is None:
                return None
        except duckdb.Error as err:
            diagnose(kind, path, file_name, fmt, mapping, err)
        rows = con.sql("select count(*) from read_parquet($p)", params={"p": str(out)}).fetchall()[0][0]
        tables, waiting = ({table: rows} if rows else {}), 0
        if kind == "alerts" and rows:
            report(0.92, "finding the alerts whose notices fold across uploads")
            tables["alert_fold_keys"] = write_fold_keys(con, out, staging / "alert_fold_keys.parquet")
            waiting = waiting_notices(con)
    finally:
        con.close()
    total = rows if total is None else total
    if total == 0:
        out.unlink(missing_ok=True)
        raise IngestError(file_name, None, None, "at least one data row", "none")
    return {"tables": tables, "rows": rows, "skipped": total - rows, "waiting": waiting,
            "layout": plan["layout"], "mapping": plan["resolution"]["resolved"]}


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def duplicate_result(file_name: str, duplicate: dict) -> dict:
    return {"status": "duplicate", "upload_id": duplicate["upload_id"], "rows": 0, "skipped": duplicate["rows"],
            "layout": duplicate["layout"], "format": duplicate["format"],
            "message": f"{file_name} is already stored as upload {duplicate['upload_id']} "
                       f"({duplicate['file_name']}, {duplicate['rows']:,} rows): nothing added."}


def ingest_file(workspace, kind: str, path, fmt: str | None = None, mapping: dict | None = None,
                progress=None, file_name: str | None = None, why: str = "") -> dict:
    """Stores one file of a kind in the workspace, whole or not at all.

    Returns {status: "stored" | "duplicate", upload_id, rows, skipped, layout, format, message}.
    Raises IngestError, naming file, row and column, for a refused file; nothing stored changes."""
    report = progress or (lambda fraction, text: None)
    path = Path(path)
    file_name = file_name or path.name
    if kind not in KIND_NAMES:
        raise IngestError(file_name, None, None, "a kind: " + ", ".join(KIND_NAMES), repr(kind))
    check_input_file(path, file_name)
    # The content hash runs beside the conversion (it is a few percent of a large ingest); a small file
    # is checked for a duplicate first, a large one as soon as its hash is known.
    hashing = ThreadPoolExecutor(max_workers=1).submit(file_digest, path)
    with writer_lock(workspace, on_wait=lambda text: report(0.05, text)) as dirs:
        manifests = list_manifests(workspace)

        def stored_duplicate(wait: bool = True):
            if not wait and not hashing.done():
                return None
            return find_duplicate(manifests, kind, hashing.result()[0], mapping)

        duplicate = stored_duplicate(wait=path.stat().st_size < EARLY_HASH_BYTES)
        if duplicate:
            return duplicate_result(file_name, duplicate)
        upload_id, staging = new_staging(workspace)
        committing = False
        try:
            fmt = "yaml" if kind == "journey-map" else detect_format(path, file_name, fmt)
            if kind == "journey-map":
                result = store_journey_map(path, file_name, staging, upload_id)
            else:
                result = convert_tabular(workspace, kind, path, file_name, fmt, mapping, staging, upload_id, report,
                                         should_stop=lambda: stored_duplicate(wait=False) is not None)
            duplicate = stored_duplicate()
            if duplicate:
                return duplicate_result(file_name, duplicate)
            sha256, size = hashing.result()
            remapped = other_mapping_note(manifests, kind, sha256, mapping)
            if result["rows"] == 0:
                return {"status": "duplicate", "upload_id": None, "rows": 0, "skipped": result["skipped"],
                        "layout": result["layout"], "format": fmt,
                        "message": f"every row of {file_name} ({result['skipped']:,}) is already stored: nothing "
                                   f"added{remapped}."}
            manifest = {
                "upload_id": upload_id, "kind": kind, "file_name": file_name, "layout": result["layout"],
                "format": fmt, "rows": result["rows"], "skipped": result["skipped"], "tables": result["tables"],
                "sha256": sha256, "bytes": size, "stored_at": datetime.now(UTC).isoformat(),
                "stored_by": current_user(), "mapping": result.get("mapping"), "journey": result.get("journey"),
                "map": dict(sorted((mapping or {}).items())),
            }
            report(0.95, "committing")
            committing = True  # from here the commit protocol owns the staged files (trail.commit)
            commit_upload(dirs, staging, manifest, why)
        finally:
            if not committing:
                shutil.rmtree(staging, ignore_errors=True)
    skipped = f"; {plural(result['skipped'], 'row')} already stored were skipped" if result["skipped"] else ""
    if result.get("waiting"):
        one = result["waiting"] == 1
        skipped += (f"; {plural(result['waiting'], 'notice')} (a resolve or acknowledgement) "
                    f"{'waits' if one else 'wait'} for the firing notice of {'its' if one else 'their'} alert and "
                    f"{'folds' if one else 'fold'} in once it is stored")
    report(1.0, "stored")
    return {"status": "stored", "upload_id": upload_id, "rows": result["rows"], "skipped": result["skipped"],
            "layout": result["layout"], "format": fmt,
            "message": f"stored {plural(result['rows'], 'row')} from {file_name} ({result['layout']}, {fmt}) "
                       f"as upload {upload_id}{skipped}{remapped}."}


def other_mapping_note(manifests: list, kind: str, sha256: str, mapping: dict | None) -> str:
    """A note when the same file is stored under another --map: re-ingesting with a corrected mapping is
    a new upload, and the old one is for the user to remove."""
    others = [m for m in stored_copies(manifests, kind, sha256) if (m.get("map") or {}) != (mapping or {})]
    if not others:
        return ""
    other = others[-1]
    return (f" (the same file is also stored as upload {other['upload_id']} with another mapping; if this one "
            f"corrects it, remove that one: journeylens remove {other['upload_id']})")


def preview_file(kind: str, path, fmt: str | None = None, mapping: dict | None = None, limit: int = 20,
                 file_name: str | None = None) -> dict:
    """What storing the file would do, without storing it: layout, format, how columns resolve, which
    required columns are missing, and the first `limit` canonical rows (unchecked)."""
    path = Path(path)
    file_name = file_name or path.name
    check_input_file(path, file_name)
    if kind == "journey-map":
        return preview_journey_map(path, file_name)
    fmt = detect_format(path, file_name, fmt)
    con = new_connection()
    try:
        try:
            source = open_source(con, kind, path, file_name, fmt)
            columns = con.table("raw_src").columns
            resolution = resolve_columns(kind, columns, mapping, file_name)
            frame = None
            if not resolution["missing"]:
                plan = build_plan(kind, resolution, columns, source["layout"])
                select = output_select(kind, plan, canonical_columns(con, kind_spec(kind)["table"]), guarded=False)
                params = conversion_params(kind, "preview", datetime.now(UTC).replace(tzinfo=None))
                frame = con.sql(f"select * from ({select}) limit {int(limit)}", params=params).df()
        except duckdb.Error as err:
            diagnose(kind, path, file_name, fmt, mapping, err)
    finally:
        con.close()
    return {"layout": source["layout"], "format": fmt, "source_columns": source["columns"],
            "resolved": resolution["resolved"], "missing_required": resolution["missing"], "frame": frame}
