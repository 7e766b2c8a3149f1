"""The live receiver's engine, under whatever serves HTTP: accepts checked bodies into the write-ahead
log, and commits them as uploads in micro-batches (every `batch_seconds`, or sooner at `batch_events`).

One receiver per workspace (`live/serve.lock`); other writers (ingest, the app) share the workspace
through its writer lock as usual. On start, segments a stopped or killed receiver left are committed
first; on stop, what is acknowledged is committed before the lock is let go.
"""

import contextlib
import fcntl
import hashlib
import threading
import time
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path

from journeylens.notebooks.live.arrivals import write_status
from journeylens.notebooks.live.committer import Committer, CommitterGone
from journeylens.notebooks.live.wal import WriteAheadLog
from journeylens.notebooks.workspace.paths import workspace_dirs

DEFAULT_BATCH_SECONDS = 2.0
DEFAULT_BATCH_EVENTS = 20_000
# Acknowledged events not yet committed, at most: beyond it the receiver answers 503 (Retry-After) rather
# than let the log outgrow what the committer can catch up with.
DEFAULT_MAX_BACKLOG = 1_000_000
DEFAULT_COMPACT_SECONDS = 60.0  # how often the receiver's small uploads are looked at for compaction


class ReceiverBusy(Exception):
    """Another receiver serves this workspace, or the backlog is full."""


class Receiver:
    def __init__(self, workspace, batch_seconds: float = DEFAULT_BATCH_SECONDS,
                 batch_events: int = DEFAULT_BATCH_EVENTS, max_backlog: int = DEFAULT_MAX_BACKLOG,
                 on_commit=None, log=None, compact_seconds: float = DEFAULT_COMPACT_SECONDS):
        self.workspace = Path(workspace)
        workspace_dirs(self.workspace)
        folder = self.workspace / "live"
        folder.mkdir(exist_ok=True)
        self.lock_handle = open(folder / "serve.lock", "a+")
        try:
            fcntl.flock(self.lock_handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.lock_handle.close()
            raise ReceiverBusy(f"another journeylens serve is receiving into {self.workspace}") from None
        self.batch_seconds, self.batch_events, self.max_backlog = batch_seconds, batch_events, max_backlog
        self.on_commit = on_commit or (lambda summary: None)
        self.compact_seconds, self.compacted_at = compact_seconds, time.monotonic()
        self.log = log or (lambda text: None)
        self.wal = WriteAheadLog(folder)
        self.waiters: dict[str, list] = {}  # digest -> futures of requests that wait for the commit
        self.waiters_lock = threading.Lock()
        self.backlog = 0  # acknowledged events whose segment is not committed yet
        self.state = {"started_at": now_text(), "last_event_at": None, "last_commit_at": None,
                      "last_error": None, "events": 0, "requests": 0, "duplicates": 0, "uploads": 0, "refused": 0,
                      "compactions": 0}
        self.stop_event = threading.Event()
        self.wake = threading.Event()
        self.committing = threading.Lock()
        self.committer = Committer(self.workspace)
        self.commit_now()  # what a killed receiver acknowledged is stored before anything new
        write_status(self.workspace, self.ready_state())
        self.thread = threading.Thread(target=self.commit_loop, name="journeylens-commit", daemon=True)
        self.thread.start()

    @staticmethod
    def digest(route: str, body: bytes) -> str:
        return hashlib.sha256(route.encode() + b"\n" + body).hexdigest()

    def accept(self, route: str, kind: str, layout: str | None, records: list, digest: str) -> tuple:
        """Queues a checked body. Returns (future resolved once it is fsynced, duplicate)."""
        if self.backlog + self.wal.segment_events >= self.max_backlog:
            raise ReceiverBusy(f"{self.backlog + self.wal.segment_events:,} events wait for their commit")
        entry = {"d": digest, "route": route, "kind": kind, "layout": layout, "at": now_text(), "records": records}
        future, duplicate = self.wal.append(entry)
        self.state["requests"] += 1
        if duplicate:
            self.state["duplicates"] += 1
        else:
            self.state["events"] += len(records)
            self.state["last_event_at"] = entry["at"]
            if self.wal.segment_events + len(records) >= self.batch_events:
                self.wake.set()
        return future, duplicate

    def wait_for_commit(self, digest: str) -> Future:
        """A future resolved with the body's outcome ({upload_id, status} or {error}) once it is committed."""
        future: Future = Future()
        with self.waiters_lock:
            self.waiters.setdefault(digest, []).append(future)
        if digest in self.wal.seen and digest not in self.wal.pending:
            self.resolve({digest: {"status": "duplicate", "upload_id": None}})
        self.wake.set()
        return future

    def commit_loop(self) -> None:
        while not self.stop_event.is_set():
            self.wake.wait(self.batch_seconds)
            self.wake.clear()
            if self.stop_event.is_set():
                break
            try:
                self.commit_now()
                self.compact_when_due()
                write_status(self.workspace, self.ready()[1])  # the app's pages read it (arrivals.py)
            except Exception as error:  # noqa: BLE001 - kept in the log; the next round tries again
                self.state["last_error"] = f"{type(error).__name__}: {error}"
                self.log(f"commit failed, tried again in {self.batch_seconds:g} s: {self.state['last_error']}")
                time.sleep(min(self.batch_seconds, 5.0))

    def commit_now(self) -> list:
        """Rotates the log and commits every closed segment, oldest first."""
        with self.committing:
            events, segments = self.wal.rotate()
            self.backlog += events
            summaries = []
            for segment in segments:
                summary = self.commit_segment(segment)
                self.wal.committed(segment, summary["digests"])
                self.backlog = max(0, self.backlog - summary["events"])
                self.state["uploads"] += sum(r["status"] == "stored" for r in summary["uploads"])
                self.state["refused"] += summary["refused"]
                self.state["last_commit_at"], self.state["last_error"] = now_text(), None
                self.resolve(summary["outcomes"])
                summaries.append(summary)
                for result in summary["uploads"]:
                    self.log(result["message"])
                self.on_commit(summary)
            return summaries

    def compact_when_due(self) -> None:
        """Every compact_seconds, the small uploads this receiver made are compacted (compact.py), between
        two commit rounds: acknowledgements never wait for it, commits wait for it."""
        if time.monotonic() - self.compacted_at < self.compact_seconds:
            return
        self.compacted_at = time.monotonic()
        with self.committing:
            try:
                made = self.committer.compact()
            except CommitterGone as gone:
                self.log(f"{gone}: starting another")
                self.committer = Committer(self.workspace)
                made = self.committer.compact()
        for upload in made:
            self.state["compactions"] += 1
            self.log(f"compacted {upload['replaced']} uploads into {upload['upload_id']} (level {upload['level']})")

    def commit_segment(self, segment) -> dict:
        """One segment, in the commit process; a process that died is replaced and asked again, once."""
        try:
            return self.committer.commit(segment)
        except CommitterGone as gone:
            self.log(f"{gone}: starting another")
            self.committer = Committer(self.workspace)
            return self.committer.commit(segment)

    def resolve(self, outcomes: dict) -> None:
        with self.waiters_lock:
            for digest, outcome in outcomes.items():
                for future in self.waiters.pop(digest, []):
                    if not future.done():
                        future.set_result(outcome)

    def ready_state(self) -> dict:
        return {**self.state, "backlog_events": self.backlog + self.wal.segment_events}

    def ready(self) -> tuple[bool, dict]:
        alive = self.thread.is_alive() and not self.stop_event.is_set()
        full = self.backlog + self.wal.segment_events >= self.max_backlog
        status = {**self.ready_state(), "committer_alive": alive}
        return alive and not full and self.state["last_error"] is None, status

    def close(self) -> None:
        """Stops taking bodies, commits what was acknowledged, and lets the workspace go."""
        self.stop_event.set()
        self.wake.set()
        self.thread.join(timeout=60)
        self.wal.close()
        with contextlib.suppress(Exception):
            self.commit_now()
        self.committer.close()
        (self.workspace / "live" / "status.json").unlink(missing_ok=True)  # no receiver feeds it now
        fcntl.flock(self.lock_handle, fcntl.LOCK_UN)
        self.lock_handle.close()


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
