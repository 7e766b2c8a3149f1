import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import json
    import os
    import re
    from datetime import UTC, datetime
    from pathlib import Path

    from notebooks.workspace_store import append_audit, current_user, fsync_path, workspace_dirs, writer_lock

    # What may be versioned in a workspace; each lives in <workspace>/<kind>/<name>/v0001.json, ...
    CONFIG_KINDS = ("profiles", "playbooks", "thresholds", "assumptions", "owners", "decisions")
    NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@app.function
def config_dir(workspace, kind: str, name: str) -> Path:
    if kind not in CONFIG_KINDS:
        raise ValueError(f"unknown configuration kind {kind!r}")
    if not NAME_PATTERN.match(name or ""):
        raise ValueError(f"a {kind[:-1]} name is 1-64 letters, digits, '.', '_' or '-', not {name!r}")
    return workspace_dirs(workspace)["root"] / kind / name


@app.function
def save_version(workspace, kind: str, name: str, payload: dict, author: str | None = None,
                 comment: str = "") -> dict:
    """Saves `payload` as the next version of `name`: never overwrites, and records who, when and why
    in the file and in the audit log. Written to a temporary file and renamed, so a crash leaves
    either the old versions or the old ones plus the complete new one."""
    with writer_lock(workspace):
        folder = config_dir(workspace, kind, name)
        folder.mkdir(parents=True, exist_ok=True)
        versions = list_versions(workspace, kind, name)
        number = (versions[-1]["version"] + 1) if versions else 1
        record = {"name": name, "version": number, "author": author or current_user(), "comment": comment,
                  "saved_at": datetime.now(UTC).isoformat(), "payload": payload}
        target = folder / f"v{number:04d}.json"
        temporary = folder / f".v{number:04d}.json.tmp"
        temporary.write_text(json.dumps(record, indent=2, sort_keys=True))
        fsync_path(temporary)
        os.rename(temporary, target)
        fsync_path(folder)
        append_audit(workspace, f"{kind[:-1]}.saved", {"name": name, "version": number}, comment)
    return record


@app.function
def list_versions(workspace, kind: str, name: str) -> list:
    """Every saved version of `name`, oldest first (payloads included)."""
    folder = config_dir(workspace, kind, name)
    if not folder.is_dir():
        return []
    return [json.loads(p.read_text()) for p in sorted(folder.glob("v[0-9][0-9][0-9][0-9].json"))]


@app.function
def list_names(workspace, kind: str) -> list:
    root = workspace_dirs(workspace)["root"] / kind
    return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


@app.function
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


@app.function
def diff_payloads(old, new, prefix: str = "") -> list:
    """[(path, old value, new value)] for every leaf that differs; lists are compared whole."""
    if isinstance(old, dict) and isinstance(new, dict):
        changes = []
        for key in sorted(set(old) | set(new), key=str):
            path = f"{prefix}.{key}" if prefix else str(key)
            changes += diff_payloads(old.get(key), new.get(key), path)
        return changes
    return [] if old == new else [(prefix, old, new)]


if __name__ == "__main__":
    app.run()
