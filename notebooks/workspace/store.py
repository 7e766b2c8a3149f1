"""How a workspace is written.

Writers (ingest, remove, saving a profile) take an advisory file lock, stage their files, and
commit through the audit trail (`trail.commit`): the entry is the commit point and a rename
publishes the files. A process killed half-way is finished or undone by the next writer or reader.
Readers never take the lock; they hold a shared lease on `.readers`, and a removed upload's files
are deleted only once no lease is held (see `snapshot.py`).
"""

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

from journeylens.notebooks.workspace.paths import (  # noqa: F401 (re-exported: the workspace's one import for writers)
    STORED_NAMES,
    UPLOAD_ID,
    current_user,
    fsync_path,
    pid_alive,
    workspace_dirs,
)
from journeylens.notebooks.workspace.trail import TrailDamaged, commit, protocol_step, recover
from journeylens.notebooks.workspace.trail_check import repair_trail, verify_workspace_trail

log = logging.getLogger("journeylens.workspace")


@contextlib.contextmanager
def writer_lock(workspace, on_wait=None, check_trail: bool = True):
    """Serialises writers (ingest, remove, saving a version) across processes with an advisory file lock.
    Readers never take it. Waiting is reported through `on_wait` instead of failing.

    On entry: a commit a crash interrupted is finished or undone, abandoned staging is cleared, and the
    trail is checked against the workspace; a damaged trail stops the writer (TrailDamaged, which names
    the repair command) before anything changes. Removed uploads are reclaimed when no reader holds them.
    `check_trail=False` is for verification and repair themselves."""
    dirs = workspace_dirs(workspace)
    with open(dirs["root"] / ".lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait("waiting for another journeylens process to finish writing to this workspace…")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            try:
                recover(dirs)
            except TrailDamaged:
                if check_trail:
                    raise
            clean_abandoned_staging(dirs)
            if check_trail:
                require_intact_trail(dirs)
                reclaim_removed(dirs)
            yield dirs
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def require_intact_trail(dirs: dict) -> None:
    result = verify_workspace_trail(dirs)
    if not result["ok"]:
        raise TrailDamaged(dirs["root"], result["problems"])


def clean_abandoned_staging(dirs) -> None:
    """Removes staging folders of processes that died (SIGKILL mid-ingest): they were never committed
    (recovery already published any that were)."""
    for child in dirs["staging"].iterdir():
        pid = child.name.split("-", 1)[0]
        alive = pid.isdigit() and pid_alive(int(pid))
        if not alive or int(pid) == os.getpid():
            shutil.rmtree(child, ignore_errors=True)


def reader_lease(dirs: dict) -> int:
    """A file descriptor holding a shared lock on .readers: while any is open, removed uploads keep their
    files, so a reader's snapshot stays readable. Close it to release."""
    fd = os.open(dirs["root"] / ".readers", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
    except BaseException:
        os.close(fd)
        raise
    return fd


def reclaim_removed(dirs: dict) -> list:
    """Deletes the files of removed uploads, but only when no reader in any process holds a snapshot
    (an exclusive lock on .readers succeeds); otherwise leaves them for a later writer."""
    fd = os.open(dirs["root"] / ".readers", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return []
        reclaimed = []
        for folder in dirs["uploads"].iterdir():
            if (UPLOAD_ID.fullmatch(folder.name) and not folder.is_symlink() and (folder / "removed.json").is_file()
                    and not (folder / "manifest.json").exists()):
                os.rename(folder, dirs["trash"] / f"{folder.name}-{uuid.uuid4().hex[:6]}")
                reclaimed.append(folder.name)
                pieces = dirs["root"] / ".cache" / "pieces" / folder.name  # its alert pieces (queue/piece_store.py)
                if pieces.is_dir() and not pieces.is_symlink():
                    os.rename(pieces, dirs["trash"] / f"{folder.name}-pieces-{uuid.uuid4().hex[:6]}")
        if reclaimed:
            fsync_path(dirs["uploads"])
    finally:
        os.close(fd)  # releases the lock: what is in .trash no reader can reach any more
    for child in dirs["trash"].iterdir():
        shutil.rmtree(child, ignore_errors=True)
    return reclaimed


def finish_interrupted_commit(dirs: dict) -> None:
    """For readers: when a writer was killed mid-commit (audit.pending is left) and no writer is active,
    finish or undo its commit now, so what readers see and the trail agree without waiting for the next
    writer. A damaged trail is left to `journeylens trail verify` (readers keep working)."""
    with open(dirs["root"] / ".lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # a writer is active; it finishes its own commit
        try:
            recover(dirs)
        except TrailDamaged as err:
            log.warning("journeylens: %s", err)
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def new_staging(workspace) -> tuple:
    """(upload_id, staging folder). Upload ids sort by time of creation."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    upload_id = f"u{stamp}-{uuid.uuid4().hex[:6]}"
    folder = workspace_dirs(workspace)["staging"] / f"{os.getpid()}-{upload_id}"
    folder.mkdir()
    return upload_id, folder


def commit_upload(dirs, staging: Path, manifest: dict, why: str = "", action: str = "upload.stored",
                  more_what: dict | None = None, more_renames: list = ()) -> Path:
    """Makes a staged upload durable, then commits it (trail.commit): its audit entry (with the
    manifest's hash) is the commit point, and one rename into uploads/ makes it visible. A compaction
    (live/compact.py) retires the uploads it replaces in the same commit (`more_renames`)."""
    data = json.dumps(manifest, indent=2, default=str).encode()
    (staging / "manifest.json").write_bytes(data)
    for child in staging.iterdir():
        fsync_path(child)
    fsync_path(staging)
    protocol_step("staged")
    what = {k: manifest[k] for k in ("upload_id", "file_name", "kind", "layout", "rows", "sha256")}
    final = dirs["uploads"] / manifest["upload_id"]
    commit(dirs, action, {**what, "manifest_sha256": hashlib.sha256(data).hexdigest(), **(more_what or {})}, why,
           renames=[(staging, final), *more_renames])
    return final


def append_audit(workspace, action: str, what: dict, why: str = "") -> dict:
    """Records a change that has no files of its own (a review, a decision's side note). The caller holds
    the writer lock."""
    return commit(workspace_dirs(workspace), action, what, why)


def verify_workspace(workspace, on_wait=None) -> dict:
    """{ok, entries, problems}: the trail's chain and head, and the trail against what the workspace
    holds (trail_check). Waits for an active writer (said through `on_wait`), so a commit in flight is
    never mistaken for damage; finishes a commit a crash interrupted first."""
    with writer_lock(workspace, on_wait=on_wait, check_trail=False) as dirs:
        return verify_workspace_trail(dirs)


def repair_workspace(workspace, why: str = "") -> dict:
    """Repairs a damaged trail (trail_check.repair_trail); {repaired: False} when it is intact."""
    with writer_lock(workspace, check_trail=False) as dirs:
        if verify_workspace_trail(dirs)["ok"]:
            return {"repaired": False}
        return {"repaired": True, **repair_trail(dirs, why)}
