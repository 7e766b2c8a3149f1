import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import contextlib
    import fcntl
    import getpass
    import hashlib
    import json
    import os
    import shutil
    import uuid
    from datetime import UTC, datetime
    from pathlib import Path

    # What journeylens keeps in a workspace folder. No output a user names (--out, an app download, a
    # report) may be written to any of these, or inside one of these folders.
    STORED_NAMES = ("uploads", ".staging", ".trash", ".lock", ".readers", "audit.jsonl", "audit.head",
                    "audit.pending", "quarantine", "judge", "profiles", "playbooks", "thresholds", "assumptions",
                    "owners", "decisions")


@app.function
def workspace_dirs(workspace) -> dict:
    """The workspace layout; creates what is missing.

    uploads/<upload_id>/ : one committed upload (manifest.json + one Parquet file per table), immutable
    .staging/<pid>-<id>/ : an upload being written; invisible to readers until renamed into uploads/
    audit.jsonl          : append-only, hash-chained log of what changed, by whom and why"""
    root = Path(workspace)
    dirs = {"root": root, "uploads": root / "uploads", "staging": root / ".staging", "trash": root / ".trash"}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    return dirs


@app.function
@contextlib.contextmanager
def writer_lock(workspace, on_wait=None):
    """Serialises writers (ingest, remove) across processes with an advisory file lock. Readers never
    take it. Waiting is reported through `on_wait` instead of failing."""
    dirs = workspace_dirs(workspace)
    with open(dirs["root"] / ".lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait("waiting for another journeylens process to finish writing to this workspace…")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            clean_abandoned_staging(dirs)
            yield dirs
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@app.function
def clean_abandoned_staging(dirs) -> None:
    """Removes staging folders of processes that died (SIGKILL mid-ingest): they were never committed."""
    for child in dirs["staging"].iterdir():
        pid = child.name.split("-", 1)[0]
        alive = pid.isdigit() and pid_alive(int(pid))
        if not alive or int(pid) == os.getpid():
            shutil.rmtree(child, ignore_errors=True)
    for child in dirs["trash"].iterdir():
        shutil.rmtree(child, ignore_errors=True)


@app.function
def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@app.function
def new_staging(workspace) -> tuple:
    """(upload_id, staging folder). Upload ids sort by time of creation."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    upload_id = f"u{stamp}-{uuid.uuid4().hex[:6]}"
    folder = workspace_dirs(workspace)["staging"] / f"{os.getpid()}-{upload_id}"
    folder.mkdir()
    return upload_id, folder


@app.function
def fsync_path(path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@app.function
def commit_upload(dirs, staging: Path, manifest: dict) -> Path:
    """Makes a staged upload visible in one atomic rename, after everything in it is on disk.

    A process killed before the rename leaves only a staging folder that readers never look at; one
    killed after it leaves a complete upload. There is no state in between."""
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))
    for child in staging.iterdir():
        fsync_path(child)
    fsync_path(staging)
    final = dirs["uploads"] / manifest["upload_id"]
    os.rename(staging, final)
    fsync_path(dirs["uploads"])
    return final


@app.function
def current_user() -> str:
    return os.environ.get("JOURNEYLENS_USER") or getpass.getuser()


@app.function
def append_audit(workspace, action: str, what: dict, why: str = "") -> dict:
    """Appends one entry to the hash-chained audit log: each entry's hash covers the previous hash, so an
    edited or deleted line breaks the chain. Callers hold the writer lock."""
    path = workspace_dirs(workspace)["root"] / "audit.jsonl"
    prev = "0" * 64
    if path.exists():
        lines = path.read_text().splitlines()
        if lines:
            prev = json.loads(lines[-1])["hash"]
    entry = {"at": datetime.now(UTC).isoformat(), "who": current_user(), "action": action, "what": what,
             "why": why, "prev": prev}
    entry["hash"] = hashlib.sha256(json.dumps(entry, sort_keys=True, default=str).encode()).hexdigest()
    with open(path, "a") as handle:
        handle.write(json.dumps(entry, default=str) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    # the head (how many entries, the last hash) catches a log cut short, which the chain alone cannot
    count = sum(1 for _ in open(path))
    head = path.with_name("audit.head")
    head.with_suffix(".tmp").write_text(json.dumps({"entries": count, "hash": entry["hash"]}))
    os.replace(head.with_suffix(".tmp"), head)
    return entry


@app.cell(hide_code=True)
def _():
    import marimo as mo

    mo.md(
        """
        # How a workspace is written

        Writers (ingest, remove, saving a profile) take an advisory file lock, stage their files,
        fsync them and make them visible with one atomic rename; a process killed half-way leaves a
        staging folder that the next writer removes. Every change is appended to a hash-chained
        audit log. Readers never take the lock (see `workspace.py`).
        """
    )
    return


if __name__ == "__main__":
    app.run()
