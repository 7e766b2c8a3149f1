"""What was sent, and what failed, kept in the workspace: the audit trail, the delivery state, the delivery log.

Each delivery is committed as soon as its destination answered (trail.commit, under the writer lock), so a
process stopped half-way through an evaluation has recorded everything it sent, and the next evaluation
re-sends only what was never acknowledged:

- sent: a `notify.sent` entry whose commit publishes the next delivery state (state.py: a new file
  `notify/state/state-<n>.json`, renamed into place by the commit, its sha256 in the entry);
- failed: a `notify.failed` entry with the masked error; the state does not move, so the changes stay owed.

Then one line is appended to `<workspace>/notify/deliveries.jsonl`, the log the app lists (`deliveries`):
the trail is the record, the log its readable view (a line a crash cut off is skipped, as the judge's cache
does). Nothing in either holds a URL or a routing key (destinations.py masks every error)."""

import hashlib
import json
import os

import pandas as pd
from journeylens.notebooks.notify.messages import counted
from journeylens.notebooks.notify.state import KEEP_STATES, notify_dir, state_bytes, state_files
from journeylens.notebooks.workspace.paths import fsync_path
from journeylens.notebooks.workspace.store import new_staging, writer_lock
from journeylens.notebooks.workspace.trail import commit

LOG = "deliveries.jsonl"
LISTED_KEYS = 20  # entry keys named in one audit entry (the log line names them all)
DELIVERY_COLUMNS = ("at", "status", "rule", "destination", "type", "changes", "summary", "attempts", "http_status",
                    "error", "keys", "message_id")


def changes_of(message: dict) -> dict:
    """{fired: [keys], escalated: [...], resolved: [...]} of a message, the changes it carries."""
    out = {}
    for change in message["changes"]:
        out.setdefault(change["change"], []).append(change["key"])
    return out


def log_line(message: dict, outcome: dict, at: str, entry: dict) -> dict:
    return {"at": at, "status": outcome["status"], "rule": message["rule"], "rule_kind": message["rule_kind"],
            "destination": message["destination"], "type": message["type"], "summary": message["summary"],
            "changes": [{k: c.get(k) for k in ("change", "key", "title", "stage", "level")} for c in message["changes"]],
            "attempts": outcome["attempts"], "http_status": outcome["http_status"], "error": outcome["error"],
            "message_id": message["id"], "audit_hash": entry["hash"]}


def record_delivery(workspace, message: dict, outcome: dict, state_after: dict | None, at: str, why: str = "") -> dict:
    """Commits one delivery (module docstring) and appends its log line; returns the audit entry.
    `state_after`: the state the destination's acknowledgement leads to (None when it failed)."""
    what = {"rule": message["rule"], "destination": message["destination"], "type": message["type"],
            "message_id": message["id"], "changes": {k: v[:LISTED_KEYS] for k, v in changes_of(message).items()},
            "attempts": outcome["attempts"], "http_status": outcome["http_status"]}
    with writer_lock(workspace) as dirs:
        folder = notify_dir(workspace)
        if state_after is None:
            entry = commit(dirs, "notify.failed", {**what, "error": outcome["error"]}, why)
        else:
            (folder / "state").mkdir(parents=True, exist_ok=True)
            files = state_files(workspace)
            number = files[-1][0] + 1 if files else 1
            data = state_bytes(state_after)
            staged = new_staging(workspace)[1] / f"state-{number:08d}.json"
            staged.write_bytes(data)
            fsync_path(staged)
            entry = commit(dirs, "notify.sent", {**what, "state": f"notify/state/{staged.name}",
                                                 "state_sha256": hashlib.sha256(data).hexdigest()}, why,
                           renames=[(staged, folder / "state" / staged.name)])
            staged.parent.rmdir()  # the staging folder, emptied by the commit's rename
            for _, old in state_files(workspace)[:-KEEP_STATES]:
                old.unlink(missing_ok=True)
        append_log(folder / LOG, log_line(message, outcome, at, entry))
    return entry


def append_log(path, line: dict) -> None:
    """One JSON line, appended and fsynced (the caller holds the writer lock: one writer at a time)."""
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, default=str, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def read_log(workspace) -> list:
    """Every whole line of the delivery log, oldest first (a torn last line is skipped)."""
    path = notify_dir(workspace) / LOG
    if not path.is_file():
        return []
    out = []
    for text in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            line = json.loads(text)
        except ValueError:
            continue
        if isinstance(line, dict):
            out.append(line)
    return out


def deliveries(workspace, limit: int = 200) -> pd.DataFrame:
    """The delivery log, newest first, at most `limit` rows: when, sent or failed, which rule to which
    destination, the changes it carried ('2 fired, 1 resolved'), its summary, attempts, HTTP status, the masked
    error, the entry keys and the message id."""
    lines = read_log(workspace)[::-1][:max(0, int(limit))]
    rows = [{**{c: line.get(c) for c in DELIVERY_COLUMNS}, "changes": counted(line.get("changes") or []),
             "keys": ", ".join(str(c.get("key")) for c in line.get("changes") or [])} for line in lines]
    frame = pd.DataFrame(rows, columns=list(DELIVERY_COLUMNS))
    frame["at"] = pd.to_datetime(frame["at"], utc=True, format="ISO8601")
    return frame
