"""When data last arrived in a workspace, and whether a live receiver is feeding it: what the Overview and
Ranked pages say at their top, and what tells them to refresh.

The receiver writes `live/status.json` (its pid and counters) at each commit round; a status whose process
is gone, or older than STALE_SECONDS, is a receiver that stopped."""

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from journeylens.notebooks.live import LIVE_PREFIX
from journeylens.notebooks.workspace.paths import pid_alive, write_durably
from journeylens.notebooks.workspace.snapshot import list_uploads

STATUS_FILE = "status.json"
STALE_SECONDS = 30


def write_status(workspace, state: dict) -> None:
    data = json.dumps({**state, "pid": os.getpid(), "written_at": datetime.now(UTC).isoformat()}, default=str)
    write_durably(Path(workspace) / "live" / STATUS_FILE, data.encode())


def receiver_status(workspace) -> dict | None:
    """The running receiver's last status, or None when no receiver feeds this workspace."""
    path = Path(workspace) / "live" / STATUS_FILE
    try:
        status = json.loads(path.read_text())
        written = datetime.fromisoformat(status["written_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not pid_alive(int(status.get("pid", 0))) or (datetime.now(UTC) - written).total_seconds() > STALE_SECONDS:
        return None
    return status


def last_arrival(workspace, now: datetime | None = None) -> dict:
    """{stored_at, file_name, kind, live, ago_text, uploads, receiver}: the newest upload (None when there
    is none), whether the live receiver committed it, and the receiver's status."""
    uploads = list_uploads(workspace)
    receiver = receiver_status(workspace)
    found = {"uploads": len(uploads), "receiver": receiver, "stored_at": None, "file_name": None, "kind": None,
             "live": False, "ago_text": "never"}
    if uploads.empty:
        return found
    # the latest stored_at, not the newest id: a compacted upload (compact.py) is new, its data is not
    times = pd.to_datetime(uploads["stored_at"], utc=True, format="ISO8601")
    newest = uploads.loc[times.idxmax()]
    stored = times.max()
    now = pd.Timestamp(now or datetime.now(UTC))
    found.update(stored_at=stored, file_name=newest["file_name"], kind=newest["kind"],
                 live=str(newest["file_name"]).startswith(LIVE_PREFIX), ago_text=ago(now - stored))
    return found


def ago(delta: pd.Timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    for size, unit in ((86_400, "day"), (3_600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return f"{seconds} s ago"
