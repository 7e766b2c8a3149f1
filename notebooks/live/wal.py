"""The live receiver's write-ahead log: an acknowledged body is on disk before its 2xx.

Each accepted request is one JSON line (`{"d": digest, "route", "kind", "layout", "at", "records"}`) in the
current segment, `<workspace>/live/wal/wal-<n>.jsonl`. One writer thread takes every line waiting, writes
them, and fsyncs once for all of them (group commit): under load many requests share one fsync, and none
is answered before its fsync returns.

The committer (`commit.py`) rotates the segment every few seconds and stores the closed one as uploads. A
line cut short by a crash was never acknowledged (its fsync had not returned) and is skipped on reading.

Retries add nothing twice: a body's digest (route and bytes) is remembered while its line waits in a
segment, and after its commit in `seen.log` (the newest SEEN_KEEP digests; a sender retries within minutes).
"""

import json
import os
import queue
import threading
from concurrent.futures import Future
from pathlib import Path

from journeylens.notebooks.workspace.paths import fsync_path

SEEN_KEEP = 1_000_000  # committed digests remembered; seen.log is rewritten to this many at twice the size
SEGMENT_GLOB = "wal-*.jsonl"


class WriteAheadLog:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        (self.folder / "wal").mkdir(parents=True, exist_ok=True)
        self.seen_path = self.folder / "seen.log"
        self.seen = load_seen(self.seen_path)
        self.pending: dict[str, Future] = {}  # digest -> the future of the line that holds it
        self.lock = threading.Lock()
        self.lines: queue.Queue = queue.Queue()
        closed = self.segments()
        self.number = (int(closed[-1].stem.split("-")[1]) + 1) if closed else 1
        for segment in closed:  # lines of segments a restart found are pending until committed
            for entry in read_segment(segment):
                self.pending.setdefault(entry["d"], done_future(0))
        self.handle = self.open_segment()
        self.segment_events = 0
        self.stopped = False
        self.writer = threading.Thread(target=self.write_loop, name="journeylens-wal", daemon=True)
        self.writer.start()

    def segments(self) -> list:
        return sorted((self.folder / "wal").glob(SEGMENT_GLOB))

    def open_segment(self):
        path = self.folder / "wal" / f"wal-{self.number:010d}.jsonl"
        handle = open(path, "ab")
        fsync_path(path.parent)
        return handle

    def append(self, entry: dict) -> tuple[Future, bool]:
        """Queues one request's line. Returns (future, duplicate): the future resolves with the number of
        events once the line is fsynced; a duplicate body (a retry) gets the future of the first copy, or a
        finished one when that copy is committed already, and is not written again."""
        digest = entry["d"]
        with self.lock:
            if self.stopped:
                raise RuntimeError("the receiver is stopping")
            if digest in self.seen:
                return done_future(0), True
            if digest in self.pending:
                return self.pending[digest], True
            future: Future = Future()
            self.pending[digest] = future
        self.lines.put((json.dumps(entry, separators=(",", ":"), default=str).encode() + b"\n", future,
                        len(entry["records"])))
        return future, False

    def write_loop(self) -> None:
        while True:
            first = self.lines.get()
            if first is None:
                return
            batch = [first]
            while True:  # everything waiting shares this write and fsync
                try:
                    item = self.lines.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self.lines.put(None)
                    break
                batch.append(item)
            with self.lock:  # a rotation never splits a batch between segments
                try:
                    self.handle.write(b"".join(line for line, _, _ in batch))
                    self.handle.flush()
                    os.fsync(self.handle.fileno())
                    self.segment_events += sum(events for _, _, events in batch)
                    error = None
                except OSError as err:
                    error = err
            for _, future, events in batch:
                if error is None:
                    future.set_result(events)
                else:
                    future.set_exception(error)

    def rotate(self) -> tuple[int, list]:
        """Closes the current segment if it holds anything and opens the next. Returns (events in the closed
        segment, every closed segment waiting for its commit, oldest first)."""
        with self.lock:
            events = self.segment_events
            if self.handle is None:  # closed: every segment waits for its commit
                self.segment_events = 0
                return events, self.segments()
            if self.handle.tell() > 0:
                self.handle.close()
                self.number += 1
                self.handle = self.open_segment()
                self.segment_events = 0
            current = self.handle.name
        return events, [s for s in self.segments() if str(s) != current]

    def committed(self, segment: Path, digests: list) -> None:
        """A segment's uploads are committed: its digests join seen.log (fsynced), then it is deleted. A crash
        between the two commits the segment again, which the ingest recognises as stored (the same bytes)."""
        if digests:
            with open(self.seen_path, "ab") as handle:
                handle.write("".join(d + "\n" for d in digests).encode())
                handle.flush()
                os.fsync(handle.fileno())
        with self.lock:
            self.seen.update(digests)
            for digest in digests:
                self.pending.pop(digest, None)
        segment.unlink()
        fsync_path(segment.parent)
        if len(self.seen) > 2 * SEEN_KEEP:
            self.trim_seen()

    def trim_seen(self) -> None:
        lines = self.seen_path.read_text().splitlines()[-SEEN_KEEP:]
        temporary = self.seen_path.with_suffix(".tmp")
        temporary.write_text("".join(line + "\n" for line in lines))
        fsync_path(temporary)
        os.replace(temporary, self.seen_path)
        with self.lock:
            self.seen = set(lines)

    def waiting_events(self) -> int:
        return self.lines.qsize()

    def close(self) -> None:
        with self.lock:
            self.stopped = True
        self.lines.put(None)
        self.writer.join(timeout=10)
        with self.lock:
            self.handle.close()
            self.handle = None


def read_segment(path: Path):
    """The whole lines of a segment; a last line cut short by a crash (never acknowledged) is skipped."""
    with open(path, "rb") as handle:
        for line in handle:
            if not line.endswith(b"\n"):
                return
            try:
                yield json.loads(line)
            except ValueError:
                continue


def load_seen(path: Path) -> set:
    if not path.exists():
        return set()
    return {line for line in path.read_text().splitlines() if line}


def done_future(value) -> Future:
    future: Future = Future()
    future.set_result(value)
    return future
