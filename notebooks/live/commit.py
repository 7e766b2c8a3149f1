"""A closed write-ahead-log segment becomes uploads, through the file ingest itself.

The segment's requests are grouped by route and layout (a file has one layout), and each group is written
as one JSON Lines file, record per line, and stored with `ingest_file`: the same adapters, validation,
lifecycle fold, atomic commit and audit entry as `journeylens ingest`. The file's bytes depend only on the
segment, so a segment committed again after a crash is recognised by its content hash and adds nothing.

A body the receiver acknowledged and the full conversion still refuses (a value its preflight does not
check) is taken out, the rest is stored, and it is kept in `live/refused/` with its refusal, committed with
a `live.refused` audit entry: acknowledged means kept, even when it cannot be read.
"""

import json
import os
from pathlib import Path

from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.live import LIVE_PREFIX
from journeylens.notebooks.live.wal import read_segment
from journeylens.notebooks.workspace.contract import IngestError
from journeylens.notebooks.workspace.paths import fsync_path
from journeylens.notebooks.workspace.store import new_staging, writer_lock
from journeylens.notebooks.workspace.trail import commit

WHY = "received by journeylens serve"
NO_ROWS = "at least one data row"  # upload.convert_tabular's refusal of a file that holds no rows


def commit_segment(workspace, segment: Path) -> dict:
    """Stores one closed segment. Returns {events, requests, uploads: [ingest results], refused: n,
    outcomes: {digest: {upload_id, status} | {error}}, digests: [every digest of the segment]}."""
    groups: dict[tuple, list] = {}
    for entry in read_segment(segment):
        groups.setdefault((entry["route"], entry["kind"], entry.get("layout")), []).append(entry)
    summary = {"events": 0, "requests": 0, "uploads": [], "refused": 0, "outcomes": {}, "digests": []}
    folder = Path(workspace) / "live" / "batches"
    folder.mkdir(parents=True, exist_ok=True)
    for (route, kind, layout), entries in groups.items():
        name = f"{LIVE_PREFIX}{route}-{layout or 'records'}-{segment.stem}.jsonl"
        # the path is this process's own (a receiver killed mid-commit may leave a commit process finishing the
        # same segment); the upload's name, which is not a path, is the segment's
        result, refused = store_group(workspace, kind, folder / f"{os.getpid()}-{name}", name, entries)
        if refused:
            keep_refused(workspace, segment, name, refused)
        summary["refused"] += len(refused)
        for entry, error in refused:
            summary["outcomes"][entry["d"]] = {"error": str(error)}
        accepted = [e for e in entries if e["d"] not in summary["outcomes"]]
        if result is not None:
            summary["uploads"].append(result)
        for entry in accepted:
            summary["outcomes"][entry["d"]] = ({"upload_id": result["upload_id"], "status": result["status"]}
                                               if result else {"upload_id": None, "status": "no rows"})
        summary["events"] += sum(len(e["records"]) for e in entries)
        summary["requests"] += len(entries)
        summary["digests"] += [e["d"] for e in entries]
    return summary


def store_group(workspace, kind: str, path: Path, name: str, entries: list) -> tuple:
    """(the ingest's result or None when nothing was left, [(entry, refusal)]). A refusal that names its
    row takes that row's request out and the rest is tried again; one that names no row refuses them all."""
    remaining, refused = list(entries), []
    while remaining:
        owners = write_batch(path, remaining)
        try:
            return ingest_file(workspace, kind, path, fmt="jsonl", file_name=name,
                               why=f"{WHY}: {len(remaining):,} requests"), refused
        except IngestError as error:
            if error.row is None and error.expected == NO_ROWS:  # e.g. a PagerDuty incident.annotated event,
                return None, refused  # an OTLP batch with no GenAI span: received, and nothing to store
            row = error.row if isinstance(error.row, int) else None
            if row is None or not 1 <= row <= len(owners):
                refused += [(entry, error) for entry in remaining]
                return None, refused
            refused.append((remaining.pop(owners[row - 1]), error))
        finally:
            path.unlink(missing_ok=True)
    return None, refused


def write_batch(path: Path, entries: list) -> list:
    """Writes the records one per line; returns, per line, the index of the entry it came from."""
    owners, lines = [], []
    for index, entry in enumerate(entries):
        for record in entry["records"]:
            lines.append(json.dumps(record, separators=(",", ":"), ensure_ascii=False))
            owners.append(index)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return owners


def keep_refused(workspace, segment: Path, name: str, refused: list) -> None:
    """Commits the refused requests, with their refusals, as `live/refused/<batch name>` and one audit
    entry. A segment committed again (after a crash) finds the file there and records nothing twice."""
    with writer_lock(workspace) as dirs:
        final = Path(workspace) / "live" / "refused" / name
        if final.exists():
            return
        final.parent.mkdir(parents=True, exist_ok=True)
        _, staging = new_staging(workspace)
        staged = staging / name
        staged.write_text("".join(json.dumps({"refusal": str(error), "row": error.row, "column": error.column,
                                              "request": entry}, default=str) + "\n"
                                  for entry, error in refused), encoding="utf-8")
        fsync_path(staged)
        what = {"file_name": name, "segment": segment.name, "requests": len(refused),
                "first_refusal": str(refused[0][1])[:500]}
        commit(dirs, "live.refused", what, f"{WHY}: acknowledged, then refused by the full conversion",
               renames=[(staged, final)])
        staging.rmdir()
