"""The receiver's commits run in a child process: converting a batch is seconds of CPU and of Python, and in
the answering process it held the interpreter lock long enough to stall acknowledgements (p99 ack 1.0 s at
5,000 OTLP spans/s in the same process, 61 ms with the commits in a child: bench/bench_serve.py).

The child (`python -m journeylens.notebooks.live.committer WORKSPACE`) reads one closed segment's path per
line on its standard input and answers each with its commit summary (commit.commit_segment) as one JSON line.
A plain child process, not multiprocessing: nothing of the caller's main module is imported again. It runs
at a lower priority with DuckDB on one thread, so the answering side keeps a core. When the receiver dies,
the child's input closes and it ends after the commit in hand; that commit and the one a restarted receiver
makes of the same segment store the same bytes, which the ingest stores once."""

import json
import os
import subprocess
import sys
from pathlib import Path

COMMIT_NICENESS = 10
COMPACT = "compact"  # the line that asks for a compaction instead of a segment's commit
STOP_SECONDS = 60


class CommitterGone(Exception):
    """The child process ended (a crash, a kill): the receiver starts another one."""


class Committer:
    def __init__(self, workspace):
        env = {**os.environ, "JOURNEYLENS_DUCKDB_THREADS": os.environ.get("JOURNEYLENS_DUCKDB_THREADS", "1")}
        self.process = subprocess.Popen([sys.executable, "-m", "journeylens.notebooks.live.committer", str(workspace)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True,
                                        encoding="utf-8")

    def commit(self, segment: Path) -> dict:
        """The segment's commit summary; raises CommitterGone when the child is gone, RuntimeError when the
        commit failed there (the segment stays, for the next round)."""
        try:
            self.process.stdin.write(f"{segment}\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        except (OSError, ValueError) as error:
            raise CommitterGone(f"the commit process ended ({type(error).__name__})") from None
        if not line:
            raise CommitterGone(f"the commit process ended (status {self.process.poll()})")
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return reply["summary"]

    def compact(self) -> list:
        """Compacts the receiver's small uploads that are due (compact.py) in the child; the new manifests'
        ids, levels and how many uploads each replaced."""
        return self.commit(COMPACT)

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.process.stdout.close()


def main(workspace: str) -> None:
    """The child: commits each segment named on standard input until it closes."""
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # whatever else prints goes to standard error, never into the replies
    try:
        os.nice(COMMIT_NICENESS)
    except OSError:
        pass
    from journeylens.notebooks.live.commit import commit_segment
    from journeylens.notebooks.live.compact import compact_workspace

    for line in sys.stdin:
        asked = line.rstrip("\n")
        try:
            if asked == COMPACT:
                made = compact_workspace(workspace)
                reply = {"summary": [{"upload_id": m["upload_id"], "level": m["compaction_level"],
                                      "replaced": len(m["compacted_from"])} for m in made]}
            else:
                reply = {"summary": commit_segment(workspace, Path(asked))}
        except Exception as error:  # noqa: BLE001 - said to the receiver, which logs it and tries again
            reply = {"error": f"{type(error).__name__}: {error}"}
        try:
            replies.write(json.dumps(reply, default=str) + "\n")
            replies.flush()
        except OSError:
            return


if __name__ == "__main__":
    main(sys.argv[1])
