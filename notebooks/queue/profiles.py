"""Weight profiles: named, versioned sets of scoring weights and thresholds (see scoring.py).

Every save is a new version with its author, comment and time; versions are compared as a diff and
`journeylens rank --profile NAME` selects one. Stored in `<workspace>/profiles/<name>/`. The built-in
defaults answer for "default" until someone saves one."""

from journeylens.notebooks.queue.scoring import DEFAULT_PROFILE, resolve_profile
from journeylens.notebooks.workspace.versions import (
    diff_payloads,
    list_names,
    list_versions,
    load_version,
    save_version,
)

DEFAULT_NAME = "default"


def load_profile(workspace, name: str | None = None, version: int | None = None) -> dict:
    """{name, version, author, comment, saved_at, profile} of a weight profile, its values completed
    from DEFAULT_PROFILE. The built-in defaults answer for "default" until someone saves one; any other
    name that was never saved is an error, not a silent fallback."""
    name = name or DEFAULT_NAME
    record = load_version(workspace, "profiles", name, version)
    if record is None:
        if name != DEFAULT_NAME:
            known = ", ".join(list_names(workspace, "profiles")) or "none saved yet"
            raise KeyError(f"no weight profile named {name!r} (profiles: {known})")
        return {"name": name, "version": 0, "author": "journeylens", "comment": "built-in defaults",
                "saved_at": None, "profile": resolve_profile(None)}
    return {**{k: v for k, v in record.items() if k != "payload"}, "profile": resolve_profile(record["payload"])}


def save_profile(workspace, name: str, profile: dict, author: str | None = None, comment: str = "") -> dict:
    """Saves a new version of a profile (never overwrites). Only values that differ from the defaults
    need to be given; the whole resolved profile is stored so a version reads the same forever."""
    return save_version(workspace, "profiles", name, resolve_profile(profile), author, comment)


def profile_history(workspace, name: str) -> list:
    """[{version, author, comment, saved_at}] oldest first."""
    return [{k: v for k, v in r.items() if k != "payload"} for r in list_versions(workspace, "profiles", name)]


def profile_diff(workspace, name: str, old_version: int, new_version: int) -> list:
    """[(setting, old, new)] between two versions of a profile (version 0 = the built-in defaults)."""
    def payload(version):
        return DEFAULT_PROFILE if version == 0 else load_version(workspace, "profiles", name, version)["payload"]

    return diff_payloads(resolve_profile(payload(old_version)), resolve_profile(payload(new_version)))
