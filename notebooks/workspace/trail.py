"""The audit trail and how a change is committed.

`audit.jsonl` holds one entry per change (who, when, what, why); each entry's hash covers its content
and the previous hash, and `audit.head` names the last one. A change is committed in five steps
(`commit`): the intent is written, the entry appended (the commit point), the files published, the
head moved, the intent deleted. `recover` finishes or undoes whatever a crash interrupted, so the
trail and what readers see always agree.
"""

import hashlib
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from journeylens.notebooks.workspace.contract import IngestError
from journeylens.notebooks.workspace.paths import CONFIG_KINDS, current_user, fsync_path, write_durably

GENESIS = "0" * 64  # the `prev` of the first entry
TRAIL, HEAD, PENDING = "audit.jsonl", "audit.head", "audit.pending"
REPAIR_HINT = ("`journeylens trail verify` says what is wrong; `journeylens trail repair` keeps what can be "
               "proven")

class TrailDamaged(IngestError):
    """The audit trail and the workspace disagree: writers stop (nothing is changed) until a repair."""

    def __init__(self, root, problems: list):
        self.problems = problems
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(str(Path(root) / TRAIL), first.get("line"), None,
                         f"an audit trail that agrees with the workspace ({REPAIR_HINT})",
                         f"{first['problem']}: {first['detail']}{more}; nothing was changed")


def protocol_step(name: str) -> None:
    """A named point of the commit protocol. Does nothing; the kill tests replace it to stop the process
    exactly there (staged, intent, committed, published, headed, done)."""


def entry_hash(entry: dict) -> str:
    """The hash of an entry's content (every key but `hash`), which includes the previous entry's hash."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def new_entry(action: str, what: dict, why: str, prev: str) -> dict:
    entry = {"at": datetime.now(UTC).isoformat(), "who": current_user(), "action": action, "what": what,
             "why": why, "prev": prev}
    entry["hash"] = entry_hash(entry)
    return entry


def read_lines(root) -> tuple:
    """(complete lines, torn tail or None). A tail without its newline is an append that never finished."""
    path = Path(root) / TRAIL
    data = path.read_bytes() if path.exists() else b""
    text = data.decode("utf-8", errors="replace")
    if text and not text.endswith("\n"):
        cut = text.rfind("\n") + 1
        return text[:cut].splitlines(), text[cut:]
    return text.splitlines(), None


def read_head(root):
    path = Path(root) / HEAD
    if not path.exists():
        return None
    try:
        head = json.loads(path.read_text())
        return head if isinstance(head, dict) else {}
    except ValueError:
        return {}


def write_head(root, entries: int, last_hash: str) -> None:
    write_durably(Path(root) / HEAD, json.dumps({"entries": entries, "hash": last_hash}).encode())


def chain_check(lines: list) -> dict:
    """{entries: [(line, entry)] of readable entries, problems, last_hash, intact_prefix}. Each entry's hash
    must be the hash of its content and the next entry must name it as `prev`. `intact_prefix` counts the
    leading lines whose chain holds from the start: what a repair can prove."""
    entries, problems, previous, intact, prefix_holds = [], [], GENESIS, 0, True
    for number, line in enumerate(lines, start=1):
        try:
            entry = json.loads(line)
            if not isinstance(entry, dict):
                raise ValueError("not an object")
        except ValueError:
            problems.append({"line": number, "problem": "unreadable", "detail": line[:80]})
            previous, prefix_holds = None, False
            continue
        recorded = entry.get("hash")
        ok = recorded == entry_hash(entry)
        if not ok:
            problems.append({"line": number, "problem": "edited",
                             "detail": f"{entry.get('action')} at {entry.get('at')}"})
        chained = previous is not None and entry.get("prev") == previous
        if previous is not None and not chained:
            problems.append({"line": number, "problem": "chain broken (an entry before it was deleted or moved)",
                             "detail": f"{entry.get('action')} at {entry.get('at')}"})
        prefix_holds = prefix_holds and ok and chained
        intact += prefix_holds
        entries.append((number, entry))
        previous = recorded
    return {"entries": entries, "problems": problems, "last_hash": previous, "intact_prefix": intact}


def verify_trail(root) -> dict:
    """The chain and the head: {ok, entries, problems, chain}. The head (how many entries, the last hash)
    catches a trail cut short, which the chain alone cannot; a torn last line is reported too."""
    lines, torn = read_lines(root)
    chain = chain_check(lines)
    problems = list(chain["problems"])
    if torn is not None:
        problems.append({"line": len(lines) + 1, "problem": "unreadable", "detail": torn[:80]})
    head = read_head(root)
    if head is None:
        if lines:
            problems.append({"line": None, "problem": "the head (audit.head) is missing",
                             "detail": f"the trail has {len(lines)} entries"})
    elif head.get("entries") != len(lines) or (lines and head.get("hash") != chain["last_hash"]):
        problems.append({"line": len(lines), "problem": "cut short or rewritten at the end",
                         "detail": f"the head names {head.get('entries')} entries, the log has {len(lines)}"})
    return {"ok": not problems, "entries": len(lines), "problems": problems, "chain": chain}


def commit(dirs: dict, action: str, what: dict, why: str = "", renames: list = ()) -> dict:
    """Records one change and makes it visible, so that at every instant of a crash the workspace and
    the trail agree once `recover` has run. The caller holds the writer lock and staged everything.

    1 intent: audit.pending names the entry and the renames that publish it (written durably)
    2 commit: the entry is appended to audit.jsonl and fsynced. This is the commit point.
    3 publish: the renames (a staged upload into uploads/, a version file into place, a manifest
      renamed to removed.json); 4 the head; 5 audit.pending is deleted.
    A crash before 2 rolls back (staged files are discarded: nothing was acknowledged); after it, rolls
    forward. Readers see files only once published, so nothing is visible that the trail lacks."""
    root = Path(dirs["root"])
    head = read_head(root) or {"entries": 0, "hash": GENESIS}
    entry = new_entry(action, what, why, head["hash"] if head.get("entries") else GENESIS)
    relative = [[str(Path(a).relative_to(root)), str(Path(b).relative_to(root))] for a, b in renames]
    write_durably(root / PENDING, json.dumps({"entry": entry, "entries": head.get("entries", 0) + 1,
                                              "renames": relative}).encode())
    protocol_step("intent")
    with open(root / TRAIL, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, default=str) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    protocol_step("committed")
    publish(root, relative)
    protocol_step("published")
    write_head(root, head.get("entries", 0) + 1, entry["hash"])
    protocol_step("headed")
    (root / PENDING).unlink()
    fsync_path(root)
    protocol_step("done")
    return entry


def publish(root, renames: list) -> None:
    """Performs the renames of a committed entry; idempotent, so a recovery can finish them."""
    for source, target in renames:
        source, target = Path(root) / source, Path(root) / target
        if source.exists() and not target.exists():
            os.rename(source, target)
            fsync_path(target.parent)
        elif not target.exists():
            raise TrailDamaged(root, [{"line": None, "problem": "a committed change lost its files",
                                       "detail": f"{source} is missing"}])


def recover(dirs: dict) -> str | None:
    """Finishes or undoes a commit a crash interrupted (see `commit`); the caller holds the writer lock.
    Returns what it did, or None when there was nothing to do."""
    root = Path(dirs["root"])
    pending_path = root / PENDING
    if not pending_path.exists():
        return None
    try:
        pending = json.loads(pending_path.read_text())
        entry = pending["entry"]
    except (ValueError, KeyError, TypeError):
        raise TrailDamaged(root, [{"line": None, "problem": "an interrupted commit cannot be read",
                                   "detail": str(pending_path)}]) from None
    lines, torn = read_lines(root)
    if torn is not None:  # an append cut mid-line never committed: drop it
        with open(root / TRAIL, "r+b") as handle:
            handle.truncate(len("".join(line + "\n" for line in lines).encode()))
            os.fsync(handle.fileno())
    try:
        last = json.loads(lines[-1]).get("hash") if lines else GENESIS
    except (ValueError, AttributeError):
        last = None  # a damaged last entry: neither case below can be proven
    if last == entry["hash"]:
        publish(root, pending["renames"])
        write_head(root, pending["entries"], entry["hash"])
        done = f"finished {entry['action']} (interrupted after its commit)"
    elif last == entry["prev"]:
        for source, _ in pending["renames"]:
            staged = root / source
            if staged.parts[len(root.parts):][:1] == (".staging",):
                shutil.rmtree(staged, ignore_errors=True) if staged.is_dir() else staged.unlink(missing_ok=True)
        done = f"undid {entry['action']} (interrupted before its commit; it was never acknowledged)"
    else:
        raise TrailDamaged(root, [{"line": len(lines), "problem": "an interrupted commit does not follow the "
                                   "trail's last entry", "detail": f"{entry['action']} at {entry['at']}"}])
    pending_path.unlink()
    fsync_path(root)
    return done


def replay(entries: list) -> dict:
    """What the trail says the workspace holds: {uploads: {id: what}, removed: {id}, versions:
    {(kind, name, version): what}}. Older entries name their config kind by the action only."""
    kinds = {k[:-1]: k for k in CONFIG_KINDS}
    state = {"uploads": {}, "removed": set(), "versions": {}}
    for entry in entries:
        action, what = str(entry.get("action", "")), entry.get("what") or {}
        if not isinstance(what, dict):
            continue
        subject, _, verb = action.partition(".")
        if subject == "upload" and verb in ("stored", "recovered"):
            state["uploads"][what.get("upload_id")] = what
            state["removed"].discard(what.get("upload_id"))
        elif subject == "upload" and verb == "compacted":  # one new upload; those it replaces are retired
            state["uploads"][what.get("upload_id")] = what
            for replaced in what.get("replaces") or []:
                state["uploads"].pop(replaced, None)
                state["removed"].add(replaced)
        elif subject == "upload" and verb in ("removed", "lost", "quarantined"):
            state["uploads"].pop(what.get("upload_id"), None)
            state["removed"].add(what.get("upload_id"))
        elif subject in kinds:
            key = (what.get("kind") or kinds[subject], str(what.get("name")), what.get("version"))
            if verb in ("saved", "recovered"):
                state["versions"][key] = what
            elif verb in ("lost", "quarantined"):
                state["versions"].pop(key, None)
    return state
