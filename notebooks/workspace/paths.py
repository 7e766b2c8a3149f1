"""Where a workspace keeps things.

The folders and files of a workspace, and the rules for every name a user gives that becomes a
path: an upload id is an id, a profile name a plain name, and any path the workspace touches
resolves inside it (symlinks followed).
"""

import getpass
import os
import re
import time
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from pathlib import Path

from journeylens.notebooks.workspace.contract import IngestError

# What journeylens keeps in a workspace folder. No output a user names (--out, an app download, a
# report) may be written to any of these, or inside one of these folders.
STORED_NAMES = ("uploads", ".staging", ".trash", ".lock", ".readers", "audit.jsonl", "audit.head",
                "audit.pending", "quarantine", "judge", "profiles", "playbooks", "thresholds", "assumptions",
                "owners", "decisions", "severity_maps", ".cache", "live", "notify")
# What may be versioned in a workspace; each lives in <workspace>/<kind>/<name>/v0001.json, ...
CONFIG_KINDS = ("profiles", "playbooks", "thresholds", "assumptions", "owners", "decisions", "severity_maps")
# An upload id is an id, never a path: u<UTC date>T<time with microseconds>-<6 hex digits>.
UPLOAD_ID = re.compile(r"u[0-9]{8}T[0-9]{6,12}-[0-9a-f]{6}")
# A configuration name (profile, playbook catalogue, thresholds...): it becomes a folder name.
CONFIG_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
VERSION_FILE = re.compile(r"v([0-9]{4})\.json")


def workspace_dirs(workspace, create: bool = True) -> dict:
    """The workspace layout; writers create what is missing, readers (create=False) never create anything,
    so a mistyped path stays a mistyped path.

    uploads/<upload_id>/ : one upload (manifest.json + one Parquet file per table), immutable; a removed
                           one keeps its files (removed.json instead of manifest.json) until no reader
                           holds a snapshot of it
    .staging/<pid>-<id>/ : what a writer is preparing; invisible to readers
    audit.jsonl          : append-only, hash-chained log of what changed, by whom and why; audit.head
                           names its last entry, audit.pending an entry being committed"""
    root = Path(workspace)
    dirs = {"root": root, "uploads": root / "uploads", "staging": root / ".staging", "trash": root / ".trash"}
    for d in dirs.values() if create else ():
        d.mkdir(parents=True, exist_ok=True)
    return dirs


def is_workspace(folder) -> bool:
    """A journeylens workspace folder: it has an audit log or an uploads folder."""
    folder = Path(folder)
    return (folder / "audit.jsonl").exists() or (folder / "uploads").is_dir()


def upload_id_or_refuse(upload_id) -> str:
    """The upload id, checked to be an id (never a path such as ../x or /abs) before anything uses it."""
    if not isinstance(upload_id, str) or not UPLOAD_ID.fullmatch(upload_id):
        raise IngestError("upload id", None, None, "an upload id such as u20261130T141806123456-3fa9c2 "
                          "(`journeylens uploads` lists them)", repr(upload_id)[:120])
    return upload_id


def config_name_or_refuse(kind: str, name) -> str:
    """A configuration name, checked to be a plain name (it becomes a folder in the workspace)."""
    if not isinstance(name, str) or not CONFIG_NAME.fullmatch(name):
        raise IngestError(f"{kind[:-1]} name", None, None, "1-64 letters, digits, '.', '_' or '-', starting with "
                          "a letter or digit", repr(name)[:120])
    return name


def plain_file_name(name, fallback: str = "upload") -> str:
    """A name a user gave a file (a browser upload's name), reduced to one plain file name: no folder part,
    no control characters, no leading dots, at most 200 characters."""
    base = re.split(r"[/\\]", str(name or ""))[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".")[:200]
    return base or fallback


def inside_workspace(root, path) -> Path:
    """`path` resolved (symlinks followed); refused unless it lies inside the workspace `root`."""
    base, resolved = Path(root).resolve(), Path(path).resolve()
    if resolved != base and base not in resolved.parents:
        raise IngestError(str(path), None, None, f"a path inside the workspace {base}", f"one that resolves to {resolved}")
    return resolved


def fsync_path(path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durably(path, data: bytes) -> None:
    """Writes a whole file so that it is either absent or complete after a crash: a temporary file,
    fsync, one rename, fsync of the folder."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    fsync_path(path.parent)


# The person acting inside `acting_as` (the app's sessions share one OS user, so the audit trail would
# otherwise name `root` for a decision ana made). A ContextVar, not the environment: each Streamlit
# session runs in its own thread, and one session's name must never leak into another's entries.
ACTOR: ContextVar = ContextVar("journeylens_actor", default=None)


def current_user() -> str:
    """Who the audit trail names: the person of the enclosing `acting_as`, else JOURNEYLENS_USER, else
    the operating-system user."""
    return ACTOR.get() or os.environ.get("JOURNEYLENS_USER") or getpass.getuser()


@contextmanager
def acting_as(who: str | None):
    """Every change recorded inside (versions, uploads, audit entries) names `who` (when given)."""
    token = ACTOR.set((who or "").strip() or None)
    try:
        yield
    finally:
        ACTOR.reset(token)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def forget_old_cache_files(folder: Path, pattern: str, keep: int) -> None:
    """Keeps the `keep` most recently used files of `pattern` in a cache folder of the workspace (saved rankings,
    kept alert pieces), and removes partial files whose writer died: none writes for an hour."""
    used = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in used[keep:]:
        path.unlink(missing_ok=True)
    for partial in folder.glob(".*.partial*"):  # and DuckDB's write-ahead log beside one (.partial.wal)
        with suppress(OSError):  # another process may have removed it meanwhile
            if time.time() - partial.stat().st_mtime > 3600:
                partial.unlink(missing_ok=True)
