"""Compacting the receiver's small uploads: a receiver under steady load commits one upload per route every
few seconds, and every reader lists every manifest. Once COMPACT_AT uploads of one kind and layout wait at
one level, they are rewritten as one upload and retired in the same commit (`upload.compacted`, whose
renames publish the new upload and turn each old manifest into removed.json), so no reader ever sees both
or neither. Levels make it a merge tree: COMPACT_AT level-0 uploads make one level-1 upload, and so on, so a
row is rewritten about log(uploads) times and the register stays at most COMPACT_AT × levels long.

Nothing any answer reads changes: the rows are the same rows, each still carrying the upload id and
receipt it was stored with (the alert fold orders notices by them), and the tables (notices, fold keys,
interactions…) are the old files' rows concatenated in upload order. The new manifest keeps the newest
stored_at of those it replaces (when data arrived, not when it was rewritten) and lists them in
`compacted_from`."""

import hashlib
import shutil
from datetime import UTC, datetime

from journeylens.notebooks.live import LIVE_PREFIX
from journeylens.notebooks.workspace.snapshot import list_manifests, new_connection
from journeylens.notebooks.workspace.store import (
    commit_upload,
    current_user,
    new_staging,
    reclaim_removed,
    writer_lock,
)

COMPACT_AT = 20
MAX_PER_ROUND = 200  # uploads rewritten in one compaction, at most: a round stays short


def due_groups(manifests: list, at: int = COMPACT_AT) -> list:
    """[[manifest…]] of the receiver's uploads to compact now: per kind, layout and level, oldest first, when
    `at` or more wait at that level."""
    groups: dict[tuple, list] = {}
    for m in manifests:
        if str(m.get("file_name", "")).startswith(LIVE_PREFIX) and m["kind"] != "journey-map":
            groups.setdefault((m["kind"], m["layout"], int(m.get("compaction_level", 0))), []).append(m)
    return [found[:MAX_PER_ROUND] for found in groups.values() if len(found) >= at]


def compact_workspace(workspace, at: int = COMPACT_AT) -> list:
    """Compacts every group that is due; returns the new manifests."""
    made = []
    for group in due_groups(list_manifests(workspace), at):
        made.append(compact_group(workspace, [m["upload_id"] for m in group]))
    return [m for m in made if m]


def compact_group(workspace, upload_ids: list) -> dict | None:
    """Rewrites the uploads as one, in one commit. None when fewer than two of them are still stored."""
    with writer_lock(workspace) as dirs:
        held = {m["upload_id"]: m for m in list_manifests(workspace)}
        group = [held[i] for i in upload_ids if i in held]
        if len(group) < 2:
            return None
        upload_id, staging = new_staging(workspace)
        committing = False
        try:
            tables = write_tables(dirs, group, staging)
            manifest = compacted_manifest(upload_id, group, tables)
            retire = [(dirs["uploads"] / m["upload_id"] / "manifest.json", dirs["uploads"] / m["upload_id"] / "removed.json")
                      for m in group]
            committing = True
            commit_upload(dirs, staging, manifest, f"journeylens serve: {len(group)} small uploads made one",
                          action="upload.compacted", more_what={"replaces": [m["upload_id"] for m in group]},
                          more_renames=retire)
        finally:
            if not committing:
                shutil.rmtree(staging, ignore_errors=True)
        reclaim_removed(dirs)
    return manifest


def write_tables(dirs: dict, group: list, staging) -> dict:
    """Each table of the group's uploads, their rows concatenated in upload order, as one Parquet file."""
    tables = {}
    con = new_connection()
    try:
        for table in sorted({t for m in group for t in m["tables"]}):
            files = [str(dirs["uploads"] / m["upload_id"] / f"{table}.parquet") for m in group if table in m["tables"]]
            out = staging / f"{table}.parquet"
            # file_row_number keeps each file's row order; union_by_name, as the workspace's views read them
            con.sql("select * exclude (filename, file_row_number) from read_parquet($files, filename = true, "
                    "file_row_number = true, union_by_name = true) order by list_position($files, filename), "
                    "file_row_number", params={"files": files}).write_parquet(str(out), compression="snappy")
            tables[table] = con.sql("select count(*) from read_parquet($p)", params={"p": str(out)}).fetchall()[0][0]
    finally:
        con.close()
    return tables


def compacted_manifest(upload_id: str, group: list, tables: dict) -> dict:
    first, level = group[0], 1 + max(int(m.get("compaction_level", 0)) for m in group)
    digest = hashlib.sha256("".join(m["sha256"] for m in group).encode()).hexdigest()
    return {
        "upload_id": upload_id, "kind": first["kind"], "layout": first["layout"], "format": "parquet",
        "file_name": f"{LIVE_PREFIX}compacted-{first['kind']}-{first['layout']}-level{level}-{upload_id}",
        "rows": sum(m["rows"] for m in group), "skipped": 0, "tables": tables, "sha256": digest,
        "bytes": sum(m.get("bytes", 0) for m in group), "stored_at": max(m["stored_at"] for m in group),
        "compacted_at": datetime.now(UTC).isoformat(), "stored_by": current_user(), "compaction_level": level,
        "mapping": first.get("mapping"), "journey": first.get("journey"),
        **{k: first.get(k) for k in ("map", "map_values", "map_set", "severity_map") if k in first},
        "warnings": [], "compacted_from": [{k: m.get(k) for k in ("upload_id", "file_name", "sha256", "rows", "stored_at")}
                                           for m in group],
    }
