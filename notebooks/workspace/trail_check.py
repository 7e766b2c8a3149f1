"""Does the trail agree with the workspace?

`verify_workspace_trail` checks the hash chain and the head, then replays the trail and compares it
with what the workspace holds (uploads, removed uploads, every saved version). `repair_trail` keeps
what can be proven and quarantines the rest, recording every step.
"""

import hashlib
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from journeylens.notebooks.workspace.paths import (
    CONFIG_KINDS,
    UPLOAD_ID,
    VERSION_FILE,
    fsync_path,
    write_durably,
)
from journeylens.notebooks.workspace.trail import (
    GENESIS,
    HEAD,
    PENDING,
    TRAIL,
    chain_check,
    entry_hash,
    new_entry,
    read_lines,
    replay,
    verify_trail,
    write_head,
)


def inventory(dirs: dict) -> dict:
    """What the workspace holds: {live: {upload id: (manifest sha256, manifest)}, removed: {id} (folders
    kept for readers until reclaimed), versions: {(kind, name, version): sha256}, strays: [what does not
    belong in uploads/ or a config folder]}."""
    root = Path(dirs["root"])
    live, removed, strays, versions = {}, set(), [], {}
    for child in sorted(Path(dirs["uploads"]).iterdir()):
        if child.is_symlink() or not child.is_dir() or not UPLOAD_ID.fullmatch(child.name):
            strays.append(str(child.relative_to(root)))
        elif (child / "manifest.json").is_file():
            data = (child / "manifest.json").read_bytes()
            try:
                manifest = json.loads(data)
            except ValueError:
                manifest = {}
            live[child.name] = (hashlib.sha256(data).hexdigest(), manifest if isinstance(manifest, dict) else {})
        elif (child / "removed.json").is_file():
            removed.add(child.name)
        else:
            strays.append(str(child.relative_to(root)))
    for kind in CONFIG_KINDS:
        for folder in sorted((root / kind).iterdir()) if (root / kind).is_dir() else []:
            if folder.is_symlink() or not folder.is_dir():
                strays.append(str(folder.relative_to(root)))
                continue
            for file in sorted(folder.iterdir()):
                match = VERSION_FILE.fullmatch(file.name)
                if match and file.is_file() and not file.is_symlink():
                    versions[(kind, folder.name, int(match.group(1)))] = hashlib.sha256(file.read_bytes()).hexdigest()
    return {"live": live, "removed": removed, "versions": versions, "strays": strays}


def disagreements(state: dict, held: dict) -> list:
    """[(problem, detail, subject)] where the trail (replayed `state`) and the workspace (`held`) disagree.
    subject: ("upload", id) | ("version", key) | ("stray", path), for a repair to act on."""
    out = []
    for upload_id, (sha, manifest) in held["live"].items():
        what = state["uploads"].get(upload_id)
        name = f"{upload_id} ({manifest.get('file_name')}, {manifest.get('kind')})"
        if what is None:
            out.append(("an upload no entry records (the trail was cut short, or it was put there by hand)", name,
                        ("upload", upload_id)))
        elif what.get("manifest_sha256") not in (None, sha):
            out.append(("an upload whose manifest differs from the one recorded", name, ("upload", upload_id)))
    for upload_id, what in state["uploads"].items():
        if upload_id not in held["live"]:
            how = "removed without an entry" if upload_id in held["removed"] else "gone (deleted by hand?)"
            out.append((f"a recorded upload that is {how}", f"{upload_id} ({what.get('file_name')})",
                        ("missing-upload", upload_id)))
    for key, sha in held["versions"].items():
        what = state["versions"].get(key)
        label = "{}/{}/v{:04d}.json".format(*key)
        if what is None:
            out.append(("a saved version no entry records", label, ("version", key)))
        elif what.get("sha256") not in (None, sha):
            out.append(("a saved version that differs from the one recorded", label, ("version", key)))
    for key in state["versions"]:
        if key not in held["versions"]:
            out.append(("a recorded version whose file is gone", "{}/{}/v{:04d}.json".format(*key),
                        ("missing-version", key)))
    out += [("something that does not belong in the workspace", path, ("stray", path)) for path in held["strays"]]
    return out


def verify_workspace_trail(dirs: dict) -> dict:
    """{ok, entries, problems}: the chain and the head (trail.verify_trail), and the trail against what
    the workspace holds, uploads and every saved version of profiles, thresholds, playbooks and the rest:
    so a trail cut short and re-headed, or an upload deleted by hand, is caught."""
    trail = verify_trail(dirs["root"])
    state = replay([entry for _, entry in trail["chain"]["entries"]])
    problems = list(trail["problems"])
    if (Path(dirs["root"]) / PENDING).exists():
        problems.append({"line": None, "problem": "an interrupted commit was not finished", "detail": PENDING})
    problems += [{"line": None, "problem": problem, "detail": detail}
                 for problem, detail, _ in disagreements(state, inventory(dirs))]
    return {"ok": not problems, "entries": trail["entries"], "problems": problems}


def confirmed(entry: dict, held: dict) -> bool:
    """Whether the workspace bears out an intact entry found after the trail's damage."""
    subject, _, verb = str(entry.get("action", "")).partition(".")
    what = entry.get("what") if isinstance(entry.get("what"), dict) else {}
    if subject == "upload":
        present = held["live"].get(what.get("upload_id"))
        if verb in ("stored", "recovered", "compacted"):
            return present is not None and what.get("manifest_sha256") in (None, present[0])
        return present is None
    saved = replay([entry])["versions"]
    if saved:
        key, recorded = next(iter(saved.items()))
        return key in held["versions"] and recorded.get("sha256") in (None, held["versions"][key])
    return True  # an entry that records no files (a review, a repair, a loss): nothing contradicts it


def repair_plan(dirs: dict) -> dict:
    """What a repair keeps, re-records, quarantines and records as lost (no change made)."""
    lines, torn = read_lines(dirs["root"])
    chain = chain_check(lines)
    held = inventory(dirs)
    prefix = chain["intact_prefix"]
    kept_entries = [entry for _, entry in chain["entries"][:prefix]]
    readable = {number: entry for number, entry in chain["entries"][prefix:]}
    additions, dropped = [], []
    for number in range(prefix + 1, len(lines) + 1):
        entry = readable.get(number)
        if entry is not None and entry.get("hash") == entry_hash(entry) and confirmed(entry, held):
            what = {**entry["what"], "recovered": {"line": number, "hash": entry["hash"], "at": entry.get("at"),
                                                   "who": entry.get("who")}}
            additions.append((entry["action"], what, entry.get("why", "")))
        else:
            dropped.append(number)
    if torn is not None:
        dropped.append(len(lines) + 1)
    state = replay(kept_entries + [{"action": a, "what": w} for a, w, _ in additions])
    quarantine, recorded_gone = [], []
    for _problem, detail, (kind, subject) in disagreements(state, held):
        if kind in ("upload", "version", "stray"):
            quarantine.append((kind, subject, detail))
        else:
            recorded_gone.append((kind, subject, detail))
    return {"lines": len(lines) + (torn is not None), "kept": prefix, "kept_entries": kept_entries,
            "additions": additions, "dropped": dropped, "quarantine": quarantine, "gone": recorded_gone,
            "state": state, "held": held}


def repair_entries(plan: dict) -> list:
    """(action, what, why) for the quarantined and the gone, after the re-recorded entries."""
    out = list(plan["additions"])
    for kind, subject, _detail in plan["quarantine"]:
        if kind == "upload":
            manifest = plan["held"]["live"][subject][1]
            out.append(("upload.quarantined", {"upload_id": subject, "file_name": manifest.get("file_name"),
                                               "kind": manifest.get("kind")}, "repair: no intact entry proves it"))
        elif kind == "version":
            out.append((f"{subject[0][:-1]}.quarantined", {"kind": subject[0], "name": subject[1],
                                                           "version": subject[2]}, "repair: no intact entry proves it"))
    for kind, subject, detail in plan["gone"]:
        if kind == "missing-upload":
            out.append(("upload.lost", {"upload_id": subject}, f"repair: {detail} is not in the workspace"))
        else:
            out.append((f"{subject[0][:-1]}.lost", {"kind": subject[0], "name": subject[1], "version": subject[2]},
                        f"repair: {detail} is not in the workspace"))
    return out


def repair_trail(dirs: dict, why: str = "") -> dict:
    """Rebuilds a damaged trail from what can be proven; the caller holds the writer lock and ran recovery.

    Kept: the leading entries whose chain holds. Re-recorded (a new entry quoting the old one's hash):
    later entries that are intact on their own and that the workspace bears out. Quarantined (moved to
    quarantine/<stamp>/, not deleted, no longer visible): uploads and versions no kept entry proves.
    Recorded as lost: what the trail recorded but the workspace no longer holds. The damaged trail is
    kept in quarantine/<stamp>/ beside them, and a `trail.repaired` entry says all of it."""
    root = Path(dirs["root"])
    plan = repair_plan(dirs)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    keep = root / "quarantine" / stamp
    keep.mkdir(parents=True)
    for name in (TRAIL, HEAD, PENDING):
        if (root / name).exists():
            shutil.copy2(root / name, keep / name)
    damaged_sha = hashlib.sha256((root / TRAIL).read_bytes()).hexdigest() if (root / TRAIL).exists() else None
    entries = list(plan["kept_entries"])
    previous = entries[-1]["hash"] if entries else GENESIS
    summary = {"lines": plan["lines"], "kept": plan["kept"], "recovered": len(plan["additions"]),
               "dropped_lines": plan["dropped"], "quarantined": [d for _, _, d in plan["quarantine"]],
               "lost": [d for _, _, d in plan["gone"]], "damaged_copy": str(keep.relative_to(root) / TRAIL),
               "damaged_sha256": damaged_sha}
    for action, what, reason in [*repair_entries(plan), ("trail.repaired", summary, why or "journeylens trail repair")]:
        entries.append(new_entry(action, what, reason, previous))
        previous = entries[-1]["hash"]
    # the new trail first, then the moves: a repair cut short is finished by running it again
    write_durably(root / TRAIL, "".join(json.dumps(e, default=str) + "\n" for e in entries).encode())
    write_head(root, len(entries), previous)
    (root / PENDING).unlink(missing_ok=True)
    for kind, subject, _ in plan["quarantine"]:
        source = (root / "uploads" / subject if kind == "upload" else root / subject if kind == "stray"
                  else root / subject[0] / subject[1] / f"v{subject[2]:04d}.json")
        target = keep / source.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(source, target)
    fsync_path(root)
    return summary
