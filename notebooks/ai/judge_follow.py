"""`journeylens judge --follow`: the evaluation worker (issue 17 §2).

Every `poll` seconds it looks whether the workspace's AI uploads changed: a listing of `uploads/`, and the
manifests only when that changed; no snapshot is opened. When they did, or calls are left over from an
earlier round, a **round** plans the calls the judge cache does not hold (`judge_plan`), runs those the
hourly budget allows with the usual concurrency and failure handling (`run_calls`) and stores the new
verdicts as llm scores (`store_new_verdicts`), as `journeylens judge` does: a round reads the workspace's
interactions and the cache whole, like a `judge` run.

- **Budget**: at most `budget_calls` calls and `budget_usd` estimated USD started in any rolling hour. When
  it is spent the calls wait, oldest first, never dropped. Each call is appended to
  `<workspace>/judge/budget.jsonl` (when, estimated USD) before it starts, so a restarted worker keeps the
  hour's spending: the cache knows what was judged, not when. A call whose estimate alone is above the USD
  budget runs alone in an hour with nothing spent, or it would wait for ever.
- **Outages**: after a round with failed calls the worker waits `poll` seconds, doubled after each such round
  up to `max_backoff`, and makes them again; it never exits for them.
- **Stop**: once `stop` is set (SIGTERM or SIGINT, through `stop_on_signals`) no call starts, those in
  flight have `grace` seconds to end, then are cancelled (not recorded: the next run makes them), and what
  the cache holds is stored before returning (an upload is committed whole or not at all).
- **Resume**: the cache holds every verdict, so a restarted worker asks only for what it lacks and its first
  round stores what a cut-off round had judged but not stored. No cursor file is needed.

One worker per workspace (`<workspace>/judge/follow.lock`): two would ask for the same calls.
"""

import asyncio
import contextlib
import fcntl
import json
import os
import signal
import threading
import time
from collections import deque

from journeylens.notebooks.ai.judge_cache import cache_file
from journeylens.notebooks.ai.judge_runner import JudgeError, run_calls, tally
from journeylens.notebooks.ai.judge_workspace import estimate_cost, judge_plan, store_new_verdicts
from journeylens.notebooks.workspace.paths import is_workspace, workspace_dirs
from journeylens.notebooks.workspace.snapshot import list_manifests

HOUR = 3600.0
DEFAULT_POLL = 5.0  # seconds between two looks at the workspace
DEFAULT_MAX_BACKOFF = 300.0  # the longest wait after rounds with failed calls
DEFAULT_GRACE = 5.0  # seconds the calls in flight have to end once stopped (a supervisor's kill comes at 10)
TICK = 0.05  # how often a running round looks at `stop`


def ai_uploads(workspace) -> tuple:
    """The ids of the committed uploads that hold AI interactions: what tells a round is due. Manifests only
    (a score upload, such as the judge's own, does not count)."""
    return tuple(m["upload_id"] for m in list_manifests(workspace) if "ai_interactions" in m["tables"])


class UploadWatch:
    """`ai_uploads`, read again only when the names in <workspace>/uploads changed since the last look (a
    commit adds a folder): an idle poll costs one directory listing."""

    def __init__(self, workspace):
        self.workspace, self.names, self.ids = workspace, None, None

    def current(self) -> tuple:
        folder = workspace_dirs(self.workspace, create=False)["uploads"]
        names = set(os.listdir(folder)) if folder.is_dir() else set()
        if names != self.names:
            self.names, self.ids = names, ai_uploads(self.workspace)
        return self.ids


class HourlyBudget:
    """At most `calls` calls and `usd` estimated USD started in any rolling `window` (an hour); None is no
    limit. Spending is kept in <workspace>/judge/budget.jsonl, a line per started call, so that it outlives a
    restart; lines older than the window are dropped when the worker starts."""

    def __init__(self, workspace, calls: int | None = None, usd: float | None = None, prices: dict | None = None,
                 window: float = HOUR):
        self.calls, self.usd, self.prices, self.window = calls, usd, prices, window
        self.path = cache_file(workspace).with_name("budget.jsonl") if calls or usd else None
        self.spent = deque(self.read())
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(f".budget-{os.getpid()}.jsonl")
            temporary.write_text("".join(json.dumps({"at": at, "usd": usd}) + "\n" for at, usd in self.spent))
            os.replace(temporary, self.path)

    def read(self) -> list:
        """[(when, usd)] of the calls started in the window, from the ledger; a cut or foreign line is skipped."""
        if self.path is None or not self.path.exists():
            return []
        entries, since = [], time.time() - self.window
        for line in self.path.read_bytes().decode("utf-8", errors="replace").splitlines():
            with contextlib.suppress(ValueError, TypeError, KeyError):
                entry = json.loads(line)
                at, usd = float(entry["at"]), float(entry["usd"])
                if at > since:
                    entries.append((at, usd))
        return sorted(entries)

    def trim(self) -> None:
        since = time.time() - self.window
        while self.spent and self.spent[0][0] <= since:
            self.spent.popleft()

    def cost(self, call) -> float:
        return estimate_cost([call], self.prices)["usd"]

    def fitting(self, calls: list) -> list:
        """The first of `calls` that the window allows now."""
        self.trim()
        room = len(calls) if self.calls is None else max(0, self.calls - len(self.spent))
        if self.usd is None:
            return calls[:room]
        left, fit = self.usd - sum(usd for _, usd in self.spent), []
        for call in calls[:room]:
            cost = self.cost(call)
            if cost > left and (fit or self.spent):  # above the whole budget: alone, in an empty hour
                break
            fit.append(call)
            left -= cost
        return fit

    def charge(self, call) -> None:
        """Counts a call about to start (the run_calls `started` hook), in memory and in the ledger."""
        entry = (time.time(), self.cost(call) if self.usd is not None else 0.0)
        self.spent.append(entry)
        if self.path is not None:
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps({"at": entry[0], "usd": entry[1]}) + "\n")

    def free_in(self) -> float:
        """Seconds until the oldest call in the window leaves it (0 when nothing is spent)."""
        self.trim()
        return max(0.0, self.spent[0][0] + self.window - time.time()) if self.spent else 0.0

    def left(self) -> dict:
        """What the window allows now: {calls, usd}, None where there is no limit."""
        self.trim()
        return {"calls": None if self.calls is None else max(0, self.calls - len(self.spent)),
                "usd": None if self.usd is None else max(0.0, self.usd - sum(usd for _, usd in self.spent))}


async def run_until_stopped(settings: dict, calls: list, workspace, concurrency: int, stop, grace: float,
                            started, base_delay: float) -> dict:
    """run_calls, ended by `stop`: no call starts once it is set, those in flight have `grace` seconds, then
    are cancelled (the tally is then lost; the cache keeps every record that arrived)."""
    task = asyncio.ensure_future(run_calls(settings, calls, workspace, concurrency, None, base_delay,
                                           halt=stop, started=started))
    while not task.done() and not stop.is_set():
        await asyncio.wait({task}, timeout=TICK)
    if not task.done():
        await asyncio.wait({task}, timeout=grace)
    if not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return {**tally([], len(calls)), "stopped": f"calls in flight cancelled after {grace:g} s"}
    return task.result()


def follow_round(workspace, settings: dict, budget: HourlyBudget, concurrency: int, stop, grace: float,
                 base_delay: float) -> dict:
    """One round: plan, run what the budget allows, store. `left` counts the calls still without a verdict
    (failed, not run, or `waiting` for the budget)."""
    plan = judge_plan(workspace, settings["model"], prices=budget.prices)
    calls = budget.fitting(plan["calls"])
    run = (asyncio.run(run_until_stopped(settings, calls, workspace, concurrency, stop, grace, budget.charge,
                                         base_delay)) if calls else tally([], 0))
    run.pop("records")
    stored = store_new_verdicts(workspace, settings["model"], plan["ids"])
    return {"event": "round", "interactions": plan["interactions"], "planned": len(plan["calls"]),
            "called": len(calls) - run["not_run"], **run, **stored, "waiting": len(plan["calls"]) - len(calls),
            "left": len(plan["calls"]) - run["judged"] - run["unparsed"], "budget": budget.left()}


@contextlib.contextmanager
def worker_lock(workspace):
    """Holds <workspace>/judge/follow.lock while following; JudgeError when another worker holds it."""
    path = cache_file(workspace).with_name("follow.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise JudgeError(f"another `judge --follow` is following {workspace} (it holds {path})") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def follow_workspace(workspace, settings: dict, concurrency: int = 4, poll: float = DEFAULT_POLL,
                     budget_calls: int | None = None, budget_usd: float | None = None, prices: dict | None = None,
                     stop=None, progress=None, max_rounds: int | None = None, until_idle: bool = False,
                     max_backoff: float = DEFAULT_MAX_BACKOFF, grace: float = DEFAULT_GRACE,
                     base_delay: float = 0.5, window: float = HOUR) -> dict:
    """Judges the workspace's interactions as they arrive, until `stop` is set (or after `max_rounds` rounds,
    or, with `until_idle`, once a round leaves no call without a verdict). `progress(event)` is told of the
    start ({event: start, poll, budget}), of each round ({event: round, called, judged, failed, unparsed, not_run, stored, upload, waiting, left, budget,
    ...}), of each wait for the budget ({event: budget, waiting, resume_in, budget}) and after failures
    ({event: backoff, failed, last_error, retry_in}; {event: error, error, retry_in} when a round raised).
    Returns the totals: rounds, called, judged, failed, unparsed, stored, and why it ended (`ended`)."""
    for name, value in (("calls per hour", budget_calls), ("USD per hour", budget_usd)):
        if value is not None and not value > 0:
            raise JudgeError(f"the budget of {name} must be above 0, not {value!r}")
    if not is_workspace(workspace):  # a mistyped path would be followed for ever, and created
        raise JudgeError(f"no workspace at {workspace}: ingest a file first (`journeylens ingest ai FILE`)")
    stop = stop if stop is not None else threading.Event()
    report = progress or (lambda event: None)
    totals = dict.fromkeys(("rounds", "called", "judged", "failed", "unparsed", "stored"), 0)
    with worker_lock(workspace):
        budget = HourlyBudget(workspace, budget_calls, budget_usd, prices, window)
        watch, seen, due, streak, ended = UploadWatch(workspace), None, True, 0, "stopped"
        report({"event": "start", "poll": poll, "budget": budget.left()})
        while not stop.is_set():
            if max_rounds is not None and totals["rounds"] >= max_rounds:
                ended = "max_rounds"
                break
            uploads, wait = watch.current(), poll
            if due or uploads != seen:
                seen, due = uploads, False
                totals["rounds"] += 1
                try:
                    result = follow_round(workspace, settings, budget, concurrency, stop, grace, base_delay)
                except Exception as err:  # a worker outlives a bad round (a disk, a workspace being repaired)
                    streak, due = streak + 1, True
                    wait = min(poll * 2 ** (streak - 1), max_backoff)
                    report({"event": "error", "error": f"{type(err).__name__}: {str(err)[:200]}", "retry_in": wait})
                    stop.wait(wait)
                    continue
                for key in ("called", "judged", "failed", "unparsed", "stored"):
                    totals[key] += result[key]
                report(result)
                if stop.is_set():
                    break
                if result["failed"] or result["stopped"]:
                    streak, due = streak + 1, True
                    wait = min(poll * 2 ** (streak - 1), max_backoff)
                    report({"event": "backoff", "failed": result["failed"], "last_error": result["last_error"],
                            "retry_in": wait})
                elif result["waiting"]:
                    streak, due = 0, True
                    wait = max(poll, budget.free_in())
                    report({"event": "budget", "waiting": result["waiting"], "resume_in": wait,
                            "budget": budget.left()})
                else:
                    streak = 0
                    if until_idle and not result["left"]:
                        ended = "idle"
                        break
            elif until_idle:
                ended = "idle"
                break
            stop.wait(wait)
    return {**totals, "ended": ended}


@contextlib.contextmanager
def stop_on_signals(stop, signals=(signal.SIGTERM, signal.SIGINT)):
    """While inside, SIGTERM and SIGINT set `stop` (the worker ends its round cleanly and returns); the first
    one puts the previous handlers back, so a second one acts as it did before. Installed only from the main
    thread (Python allows no other); elsewhere nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {sig: signal.getsignal(sig) for sig in signals}

    def restore():
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    def on_signal(signum, frame):
        stop.set()
        restore()

    for sig in signals:
        signal.signal(sig, on_signal)
    try:
        yield stop
    finally:
        restore()
