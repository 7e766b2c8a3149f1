"""Named, versioned configuration: weight profiles, playbook catalogues, thresholds, assumptions,
owners and decisions.

Each name is a folder `<workspace>/<kind>/<name>/` of `v0001.json`, `v0002.json`...: a save never
overwrites, and records who, when and why, in the file and in the audit trail. `diff_payloads` lists
what changed between two versions.
"""

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from journeylens.notebooks.workspace.paths import (
    CONFIG_KINDS,
    CONFIG_NAME,
    config_name_or_refuse,
    fsync_path,
    inside_workspace,
)
from journeylens.notebooks.workspace.store import current_user, new_staging, writer_lock
from journeylens.notebooks.workspace.trail import commit


def config_dir(workspace, kind: str, name: str) -> Path:
    """<workspace>/<kind>/<name>: refused (IngestError) unless `name` is a plain name and the folder
    resolves inside the workspace (a symlinked folder pointing elsewhere is refused too)."""
    if kind not in CONFIG_KINDS:
        raise ValueError(f"unknown configuration kind {kind!r}")
    root = Path(workspace)
    folder = root / kind / config_name_or_refuse(kind, name)
    inside_workspace(root, folder)
    return folder


def save_version(workspace, kind: str, name: str, payload: dict, author: str | None = None,
                 comment: str = "") -> dict:
    """Saves `payload` as the next version of `name`: never overwrites, and records who, when and why
    in the file and in the audit log. Staged, then committed through the audit trail
    (trail.commit), which renames it into place: a crash leaves the old versions, or the old ones
    plus the complete new one and its entry."""
    with writer_lock(workspace) as dirs:
        folder = config_dir(workspace, kind, name)
        folder.mkdir(parents=True, exist_ok=True)
        versions = list_versions(workspace, kind, name)
        number = (versions[-1]["version"] + 1) if versions else 1
        record = {"name": name, "version": number, "author": author or current_user(), "comment": comment,
                  "saved_at": datetime.now(UTC).isoformat(), "payload": payload}
        data = json.dumps(record, indent=2, sort_keys=True).encode()
        staged = new_staging(workspace)[1] / f"v{number:04d}.json"
        staged.write_bytes(data)
        fsync_path(staged)
        what = {"kind": kind, "name": name, "version": number, "sha256": hashlib.sha256(data).hexdigest()}
        commit(dirs, f"{kind[:-1]}.saved", what, comment, renames=[(staged, folder / staged.name)])
    return record


def list_versions(workspace, kind: str, name: str) -> list:
    """Every saved version of `name`, oldest first (payloads included)."""
    folder = config_dir(workspace, kind, name)
    if not folder.is_dir():
        return []
    return [json.loads(p.read_text()) for p in sorted(folder.glob("v[0-9][0-9][0-9][0-9].json"))]


def list_names(workspace, kind: str) -> list:
    root = Path(workspace) / kind
    names = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.is_symlink()) if root.is_dir() else []
    return [name for name in names if CONFIG_NAME.fullmatch(name)]


def load_version(workspace, kind: str, name: str, version: int | None = None):
    """The record of one version (the latest when `version` is None), or None when nothing is saved."""
    versions = list_versions(workspace, kind, name)
    if not versions:
        return None
    if version is None:
        return versions[-1]
    match = [v for v in versions if v["version"] == int(version)]
    if not match:
        raise KeyError(f"{kind[:-1]} {name!r} has no version {version} (it has 1 to {versions[-1]['version']})")
    return match[0]


def diff_payloads(old, new, prefix: str = "") -> list:
    """[(path, old value, new value)] for every leaf that differs; lists are compared whole."""
    if isinstance(old, dict) and isinstance(new, dict):
        changes = []
        for key in sorted(set(old) | set(new), key=str):
            path = f"{prefix}.{key}" if prefix else str(key)
            changes += diff_payloads(old.get(key), new.get(key), path)
        return changes
    return [] if old == new else [(prefix, old, new)]


def config_state(workspace, kinds: tuple) -> tuple:
    """((kind, name, latest version file), ...) for `kinds`: what a cache of answers that depend on that
    configuration is keyed by. A directory listing, no file read: a save always adds a version file."""
    state = []
    for kind in kinds:
        for name in list_names(workspace, kind):
            files = sorted(p.name for p in (Path(workspace) / kind / name).glob("v[0-9][0-9][0-9][0-9].json"))
            state.append((kind, name, files[-1] if files else ""))
    return tuple(state)
