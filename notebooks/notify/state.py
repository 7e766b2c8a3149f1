"""What each destination has been told: the delivery state, and the changes an evaluation owes it.

One message per entry per state change: for every (rule, entry key, destination) the state keeps the level
that destination last heard about. Against the entries a rule finds now (rules.py):

- fired: an entry the destination has not heard of;
- escalated: an entry now at a higher level than the one it heard (a score past a higher band, a ticket
  turned page, a deeper AI drop); a lower level says nothing (the entry keeps its highest level told);
- resolved: an entry it heard of that the rule no longer finds.

The state moves only when a destination acknowledged the message (deliver.py), so a change that failed or
was deferred by the rate limit is found again, and sent, at the next evaluation; evaluating twice on the same
data owes nothing the second time. It also keeps, per destination, when its messages of the last minute went
out: the rate limit counts them across evaluations.

Stored as `<workspace>/notify/state/state-<n>.json`, the highest n the current one: each delivery commits a
new file through the audit trail (records.py) and never overwrites one; older ones are pruned."""

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from journeylens.notebooks.workspace.paths import inside_workspace

STATE_FILE = re.compile(r"state-([0-9]{8})\.json")
KEEP_STATES = 3  # the current state and two before it (read by nobody; kept for a person looking into a problem)
KEPT_FIELDS = ("title", "stage", "service", "severity", "link", "why")
RATE_WINDOW = timedelta(minutes=1)


def notify_dir(workspace) -> Path:
    """<workspace>/notify, refused (IngestError) when it resolves outside the workspace (a symlink)."""
    folder = Path(workspace) / "notify"
    inside_workspace(workspace, folder)
    return folder


def state_files(workspace) -> list:
    """[(n, path)] of the stored states, oldest first."""
    folder = notify_dir(workspace) / "state"
    found = [(int(m.group(1)), p) for p in folder.glob("state-*.json") if (m := STATE_FILE.fullmatch(p.name))]
    return sorted(found) if folder.is_dir() else []


def empty_state() -> dict:
    return {"seq": 0, "entries": {}, "sent": {}}


def load_state(workspace) -> dict:
    """{seq, entries: {(rule, key, destination): record}, sent: {destination: [ISO times]}}; empty when none."""
    files = state_files(workspace)
    if not files:
        return empty_state()
    data = json.loads(files[-1][1].read_text())
    entries = {(r["rule"], r["key"], r["destination"]): r for r in data.get("entries", [])}
    return {"seq": files[-1][0], "entries": entries, "sent": dict(data.get("sent", {}))}


def state_bytes(state: dict) -> bytes:
    """The state as stored: entries sorted, so the same state is the same bytes."""
    entries = [state["entries"][k] for k in sorted(state["entries"])]
    return json.dumps({"entries": entries, "sent": state["sent"]}, indent=1, sort_keys=True, default=str).encode()


def owed_changes(rule: dict, destination: str, entries: list, state: dict) -> list:
    """The changes of one rule that `destination` has not been told (module docstring): each the entry (or,
    resolved, what the state recorded of it) with `change` and `previous_level`."""
    heard = {key: record for (rule_id, key, dest), record in state["entries"].items()
             if rule_id == rule["id"] and dest == destination}
    changes, now_keys = [], set()
    for entry in entries:
        now_keys.add(entry["key"])
        before = heard.get(entry["key"])
        if before is None:
            changes.append({**entry, "change": "fired", "previous_level": None})
        elif entry["level"] > before["level"]:
            changes.append({**entry, "change": "escalated", "previous_level": before["level"]})
    for key, record in heard.items():
        if key not in now_keys:
            changes.append({"rule": rule["id"], "key": key, "level": record["level"], "value": None,
                            **{f: record.get(f) for f in KEPT_FIELDS}, "change": "resolved",
                            "previous_level": record["level"]})
    order = {"escalated": 0, "fired": 1, "resolved": 2}
    return sorted(changes, key=lambda c: (order[c["change"]], -c["level"]))


def told(state: dict, destination: str, changes: list, now: datetime) -> dict:
    """The state after `destination` acknowledged a message carrying `changes`, at `now`."""
    entries = dict(state["entries"])
    for change in changes:
        slot = (change["rule"], change["key"], destination)
        if change["change"] == "resolved":
            entries.pop(slot, None)
            continue
        before = entries.get(slot, {})
        entries[slot] = {"rule": change["rule"], "key": change["key"], "destination": destination,
                         "level": max(change["level"], before.get("level", 0)),
                         "fired_at": before.get("fired_at", now.isoformat()), "told_at": now.isoformat(),
                         **{f: change.get(f) for f in KEPT_FIELDS}}
    sent = {d: recent(times, now) for d, times in state["sent"].items()}
    sent[destination] = [*sent.get(destination, []), now.isoformat()]
    return {**state, "entries": entries, "sent": sent}


def forget_unconfigured(state: dict, config: dict) -> dict:
    """The state without what no configured rule sends to that destination any more (a rule removed, a
    destination taken off a rule): nobody is owed a resolve for a rule that no longer exists."""
    wanted = {(r["id"], d) for r in config["rules"] for d in r["destinations"]}
    entries = {k: v for k, v in state["entries"].items() if (k[0], k[2]) in wanted}
    return {**state, "entries": entries}


def recent(times: list, now: datetime) -> list:
    """The ISO times of `times` within the rate window before `now`."""
    return [t for t in times if now - RATE_WINDOW < datetime.fromisoformat(t) <= now]


def budget(state: dict, destination: dict, now: datetime) -> int:
    """How many more messages `destination` may get now: max_per_minute less those of the last minute."""
    return max(0, destination["max_per_minute"] - len(recent(state["sent"].get(destination["id"], []), now)))


def utc_now(now=None) -> datetime:
    """`now` as an aware UTC datetime (naive means UTC), or the current time."""
    if now is None:
        return datetime.now(UTC)
    now = now if isinstance(now, datetime) else datetime.fromisoformat(str(now))
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
