"""One notification evaluation of a workspace: evaluate -> diff against the state -> group -> rate limit ->
send (or, dry, say what would be sent) -> record.

- evaluate: every rule's entries now (rules.py); a rule that cannot be read is reported in `errors` and
  skipped, its state untouched (unknown is not resolved).
- diff: the changes each destination is owed (state.py): fired, escalated, resolved.
- group: one message per rule and destination (PagerDuty: one event per entry) (messages.py).
- rate limit: at most `max_per_minute` messages per destination in any minute, counted across evaluations;
  a message over it is deferred: not sent, not recorded, still owed, so the next evaluation sends it.
- send: with retries (destinations.py); then each delivery is committed at once (records.py).

Two evaluations never run at once on one workspace: a sending one holds `<workspace>/notify/.lock` from its
reading of the state to its last record, so a message is never sent twice by two processes. A dry run takes
no lock, sends nothing and writes nothing, the workspace's folder included.

`notify_workspace(workspace, dry_run=False, now=None)` is what the command line, the app and the live
server call; `now` (default: the clock) is when the evaluation happens, for the rate limit and the records.
"""

import contextlib
import fcntl
import time
from pathlib import Path

from journeylens.notebooks.notify.config import load_config, notification_rules
from journeylens.notebooks.notify.destinations import send
from journeylens.notebooks.notify.messages import change_record, plan_messages
from journeylens.notebooks.notify.records import deliveries, record_delivery
from journeylens.notebooks.notify.rules import evaluate_rules
from journeylens.notebooks.notify.state import (
    budget,
    forget_unconfigured,
    load_state,
    notify_dir,
    owed_changes,
    told,
    utc_now,
)

# The public API in one place: what the app, the command line and the live server call.
__all__ = ["notify_workspace", "notification_rules", "deliveries", "deliver"]
COUNTS = ("rules", "entries", "fired", "escalated", "resolved", "sent", "failed", "deferred")


@contextlib.contextmanager
def notify_lock(workspace, dry_run: bool):
    """Serialises sending evaluations of one workspace (module docstring); a dry run takes none."""
    if dry_run:
        yield
        return
    folder = notify_dir(workspace)
    folder.mkdir(exist_ok=True)
    with open(folder / ".lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def empty_result(version) -> dict:
    return {"config_version": version, **dict.fromkeys(COUNTS, 0), "errors": [], "deliveries": [], "messages": []}


def shown(message: dict) -> dict:
    """What a dry run shows of a message: the changes it carries and its payload (no secret is in either)."""
    return {"changes": [change_record(c) for c in message["changes"]], "payload": message["payload"]}


def notify_workspace(workspace, dry_run: bool = False, now=None, environ=None, sleep=time.sleep) -> dict:
    """Evaluates the workspace's notification rules and delivers what they owe (module docstring).
    Returns {config_version, rules, entries, fired, escalated, resolved, sent, failed, deferred, errors,
    deliveries, messages}: fired/escalated/resolved count distinct entry changes owed to any destination; sent,
    failed and deferred count messages; `deliveries` says what became of each message, and `messages`, on a
    dry run, holds every message that would be sent or deferred, with its payload (no secret in it)."""
    stored = load_config(workspace) if Path(workspace).is_dir() else None
    if stored is None:
        return {**empty_result(None), "note": "no notification config: `journeylens notify set FILE` stores one"}
    found = evaluate_rules(workspace, stored["config"])
    return {**deliver(workspace, stored["config"], found, dry_run, now, environ, sleep),
            "config_version": stored["version"]}


def deliver(workspace, config: dict, found: dict, dry_run: bool = False, now=None, environ=None,
            sleep=time.sleep) -> dict:
    """Delivers what the rules' entries `found` ({rule id: [entries] or Exception}, rules.evaluate_rules)
    owe each destination under `config` (module docstring); the result as notify_workspace's."""
    now = utc_now(now)
    result = empty_result(None)
    destinations = {d["id"]: d for d in config["destinations"]}
    workspace_name = Path(workspace).resolve().name
    with notify_lock(workspace, dry_run):
        state = forget_unconfigured(load_state(workspace), config)
        messages, seen = [], set()
        for rule in config["rules"]:
            entries = found.get(rule["id"], LookupError("not evaluated"))  # unknown is never "all resolved"
            if isinstance(entries, Exception):
                result["errors"].append({"rule": rule["id"], "error": f"{type(entries).__name__}: {entries}"})
                continue
            result["rules"] += 1
            result["entries"] += len(entries)
            for destination in rule["destinations"]:
                changes = owed_changes(rule, destination, entries, state)
                seen |= {(rule["id"], c["key"], c["change"]) for c in changes}
                messages += plan_messages(rule, destinations[destination], changes, workspace_name, config["app_url"])
        for word in ("fired", "escalated", "resolved"):
            result[word] = sum(change == word for _, _, change in seen)
        left = {name: budget(state, d, now) for name, d in destinations.items()}
        for message in messages:
            said = {k: message[k] for k in ("id", "rule", "destination", "type", "summary")}
            if left[message["destination"]] <= 0:
                result["deferred"] += 1
                result["deliveries"].append({**said, "status": "deferred"})
                if dry_run:
                    result["messages"].append({**said, "would": "defer", **shown(message)})
                continue
            left[message["destination"]] -= 1
            if dry_run:
                result["deliveries"].append({**said, "status": "dry-run"})
                result["messages"].append({**said, "would": "send", **shown(message)})
                continue
            outcome = send(destinations[message["destination"]], message, config["retry"], environ, sleep)
            sent = outcome["status"] == "sent"
            if sent:
                state = told(state, message["destination"], message["changes"], now)
            record_delivery(workspace, message, outcome, state if sent else None, now.isoformat())
            result["sent" if sent else "failed"] += 1
            result["deliveries"].append({**said, **{k: outcome[k] for k in ("status", "attempts", "http_status",
                                                                              "error")}})
    return result
