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
from journeylens.notebooks.ingest.columns import output_select
from journeylens.notebooks.ingest.diagnosis import SEVERITY_COLUMNS, diagnose, plan_source
from journeylens.notebooks.ingest.layouts import quote_ident
from journeylens.notebooks.ingest.map_file import store_journey_map
from journeylens.notebooks.ingest.native import layout_warnings
from journeylens.notebooks.ingest.notices import (
    conversion_params,
    new_notices_only,
    waiting_notices,
    write_fold_keys,
)
from journeylens.notebooks.ingest.preview import preview_file  # noqa: F401 (the page and callers import it here)
from journeylens.notebooks.ingest.readers import check_input_file, detect_format, file_digest
from journeylens.notebooks.ingest.severity_map import load_severity_map
from journeylens.notebooks.ingest.value_maps import (
    as_full,
    find_mapped_duplicate,
    full_mapping,
    other_mapped_copies,
)
from journeylens.notebooks.workspace.contract import KIND_NAMES, IngestError, kind_spec
from journeylens.notebooks.workspace.snapshot import (
    canonical_columns,
    connect,
    list_manifests,
)
from journeylens.notebooks.workspace.store import commit_upload, current_user, new_staging, writer_lock

# Files smaller than this are checked for a duplicate before conversion; larger ones while converting.
EARLY_HASH_BYTES = 64 * 1024 * 1024
# What makes a row the same row again, per kind: re-ingesting an overlapping export adds only what
# is new. (Whole files are recognised earlier by their content hash.)
# Alerts are notices, each new one kept: their identity is computed, not stored (notices.new_notices_only).
NATURAL_KEYS = {
    "ai": ("interaction_id", "shadow"),
    "scores": ("interaction_id", "name", "source"),
    "incidents": ("incident_id",),
    "metrics": ("ts", "stage", "segment"),
    "changes": ("ts", "service", "kind", "description"),
    "tickets": ("ticket_id",),
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
            warnings = layout_warnings(con, plan["layout"])
            select = output_select(kind, plan, canonical_columns(con, table))
            stored = con.execute(f"select count(*) from {quote_ident(stored_view)}").fetchall()[0][0]
            total = None
            if stored and (kind == "alerts" or kind in NATURAL_KEYS):
                total = con.sql(f"select count(*) from ({select})", params=params).fetchall()[0][0]
                select = only_new_rows(kind, select, stored_view)
            out = staging / f"{table}.parquet"
            relation = con.sql(select, params=params)
            written = run_with_progress(con, lambda: relation.write_parquet(str(out), compression="snappy") or True,
                                        report, 0.15, 0.9, should_stop)
            if written is None:
                return None
        except duckdb.Error as err:
            diagnose(kind, path, file_name, fmt, mapping, err, workspace=workspace)
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
    return {"tables": tables, "rows": rows, "skipped": total - rows, "waiting": waiting, "warnings": warnings,
            "layout": plan["layout"], "mapping": plan["resolution"]["resolved"]}


def only_new_rows(kind: str, select: str, stored_view: str) -> str:
    """The conversion without the rows already stored: by natural key, or for alerts by notice identity."""
    if kind == "alerts":
        return new_notices_only(select)
    key_list = ", ".join(quote_ident(k) for k in NATURAL_KEYS[kind])
    return (f"select * from ({select}) anti join (select distinct {key_list} from {quote_ident(stored_view)}) "
            f"using ({key_list})")


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def duplicate_result(file_name: str, duplicate: dict) -> dict:
    return {"status": "duplicate", "upload_id": duplicate["upload_id"], "rows": 0, "skipped": duplicate["rows"],
            "layout": duplicate["layout"], "format": duplicate["format"],
            "message": f"{file_name} is already stored as upload {duplicate['upload_id']} "
                       f"({duplicate['file_name']}, {duplicate['rows']:,} rows): nothing added."}


def ingest_file(workspace, kind: str, path, fmt: str | None = None, mapping: dict | None = None,
                progress=None, file_name: str | None = None, why: str = "", map_values: dict | None = None,
                map_set: dict | None = None) -> dict:
    """Stores one file of a kind in the workspace, whole or not at all.

    `mapping` maps canonical columns to the file's columns or paths ({canonical: source}, or the four
    parts of value_maps.full_mapping); `map_values` {canonical: {from: to}} and `map_set` {canonical:
    value} add to it. The workspace's severity map applies too, and the whole mapping is part of what
    makes an upload the same as a stored one.

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
    given = as_full(mapping)
    with writer_lock(workspace, on_wait=lambda text: report(0.05, text)) as dirs:
        manifests = list_manifests(workspace)
        severity = load_severity_map(workspace) if kind != "journey-map" and SEVERITY_COLUMNS.get(kind) else {}
        mapping = full_mapping(given["map"], {**given["map_values"], **(map_values or {})},
                               {**given["map_set"], **(map_set or {})}, {**given["severity_map"], **severity})

        def stored_duplicate(wait: bool = True):
            if not wait and not hashing.done():
                return None
            return find_mapped_duplicate(manifests, kind, hashing.result()[0], mapping)

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
                        "layout": result["layout"], "format": fmt, "warnings": result.get("warnings") or [],
                        "message": f"every row of {file_name} ({result['skipped']:,}) is already stored: nothing "
                                   f"added{remapped}." + warning_text(result.get("warnings") or [])}
            manifest = {
                "upload_id": upload_id, "kind": kind, "file_name": file_name, "layout": result["layout"],
                "format": fmt, "rows": result["rows"], "skipped": result["skipped"], "tables": result["tables"],
                "sha256": sha256, "bytes": size, "stored_at": datetime.now(UTC).isoformat(),
                "stored_by": current_user(), "mapping": result.get("mapping"), "journey": result.get("journey"),
                **mapping,  # map, map_values, map_set, severity_map: the whole mapping (value_maps)
                "warnings": result.get("warnings") or [],
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
    warnings = result.get("warnings") or []
    return {"status": "stored", "upload_id": upload_id, "rows": result["rows"], "skipped": result["skipped"],
            "layout": result["layout"], "format": fmt, "warnings": warnings,
            "message": f"stored {plural(result['rows'], 'row')} from {file_name} ({result['layout']}, {fmt}) "
                       f"as upload {upload_id}{skipped}{remapped}." + warning_text(warnings)}


def warning_text(warnings: list) -> str:
    return "".join(f" Warning: {w}" for w in warnings)


def other_mapping_note(manifests: list, kind: str, sha256: str, mapping: dict | None) -> str:
    """A note when the same file is stored under another --map: re-ingesting with a corrected mapping is
    a new upload, and the old one is for the user to remove."""
    others = other_mapped_copies(manifests, kind, sha256, mapping)
    if not others:
        return ""
    other = others[-1]
    return (f" (the same file is also stored as upload {other['upload_id']} with another mapping; if this one "
            f"corrects it, remove that one: journeylens remove {other['upload_id']})")
