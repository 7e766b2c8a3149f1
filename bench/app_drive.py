"""Timing one interaction with the served app in Chromium, for bench/bench_app.py: the wall time the browser
sees and the server's script-run time (app/streamlit_app.py's JOURNEYLENS_RUN_TIMINGS lines).

Settled, for Streamlit, means its script run is over: the app root carries `data-test-script-state`
("running" while the server runs the page, "notRunning" once every element of the run has arrived; the
status widget, `stStatusWidget`, shows the same state with a delay). A MutationObserver installed in every
page counts the runs and stamps when the last one ended, so a run shorter than a poll is not missed and a
run that reruns itself (st.rerun after a decision) is waited for too. Wall time = from the action to the
last run's end, or to the element the interaction changes, whichever comes later, in the page's own clock: an
element of the DOM by a MutationObserver, a table drawn on a canvas by its pixels (WATCH_PAINTED)."""

import json
import os
import time
from pathlib import Path

# counts the script runs of this document, stamps the end of the latest and the arrival of the last message
# from the server, on the page's clock. A run as short as a few tens of ms can reach the page in one batch
# with its end, so the app's state attribute never shows "running": the server's timing hook (ServerRuns)
# tells that such a run happened, and its last message tells when it reached the page.
OBSERVER = """(() => {
  const runs = window.__benchRuns = {started: 0, endedAt: 0, messageAt: 0};
  new MutationObserver(records => {
    for (const record of records) {
      const state = record.target.getAttribute('data-test-script-state');
      if (state === 'running') runs.started++;
      else if (state === 'notRunning') runs.endedAt = performance.now();
    }
  }).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
  const Socket = window.WebSocket;
  window.WebSocket = function (...args) {
    const socket = new Socket(...args);
    socket.addEventListener('message', () => { runs.messageAt = performance.now(); });
    return socket;
  };
  window.WebSocket.prototype = Socket.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
})()"""
# the app is idle: then the later of the time its last run ended and its last message arrived (whether a run
# of the interaction happened at all, wait_idle asks the page's run count and the server's hook)
IDLE_NOW = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const runs = window.__benchRuns;
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && Math.max(runs.endedAt, runs.messageAt);
}"""
QUIET_S = 0.5  # a run that starts this soon after the last one ended belongs to the same interaction
# How often the benchmark looks whether the page settled. The stamps it reads come from observers, so this
# delays the looking, never the figure; polling on every animation frame ("raf") kept Chromium painting 60
# frames a second, a core's worth of work on this 2-core machine taken from the server being measured.
POLL_MS = 50


class BenchFailure(Exception):
    """An expected way for the benchmark to fail (a page that hangs, an element that never comes): reported
    as one line, without a traceback."""


class ServerRuns:
    """The server's script runs as the app's timing hook appends them to `path`, one JSON line each."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.touch()

    def mark(self) -> int:
        return len(self.path.read_text().splitlines())

    def since(self, mark: int) -> list[dict]:
        return [json.loads(line) for line in self.path.read_text().splitlines()[mark:]]


def open_page(browser, timeout_s: float):
    """A tab that counts its script runs; `timeout_s` bounds every wait in it."""
    page = browser.new_page(viewport={"width": 1600, "height": 1200})
    page.set_default_timeout(timeout_s * 1000)
    page.add_init_script(OBSERVER)
    return page


def wait_idle(page, runs: ServerRuns, mark: int, started_before: int, what: str, timeout_s: float) -> float:
    """Waits until a run started after `started_before` runs (or the server reported one after `mark`) and
    every run has ended, with no new one within QUIET_S; returns the page-clock time (ms) the last run
    ended or its last message arrived."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout_s
    try:
        while True:
            while not (page.evaluate("window.__benchRuns.started") > started_before or runs.since(mark)):
                if time.monotonic() > deadline:
                    raise BenchFailure(f"{what}: no script run started within {timeout_s:.0f} s")
                time.sleep(POLL_MS / 1000)
            left_ms = max(1.0, (deadline - time.monotonic()) * 1000)
            page.wait_for_function(IDLE_NOW, polling=POLL_MS, timeout=left_ms)
            started, reported = page.evaluate("window.__benchRuns.started"), len(runs.since(mark))
            page.wait_for_timeout(QUIET_S * 1000)
            if page.evaluate("window.__benchRuns.started") == started and len(runs.since(mark)) == reported:
                return page.evaluate(f"({IDLE_NOW})()")
            started_before = started
    except Error as error:  # a timeout, or the page gone
        raise BenchFailure(f"{what}: the app did not settle within {timeout_s:.0f} s "
                           f"({str(error).splitlines()[0]})") from None


# stamps, on the page's clock, the first change of the document after which `ready(arg)` holds: started
# before the action, so the stamp is when the change showed, not when the benchmark got round to looking (a
# check made after wait_idle's quiet window would add that window to every figure)
WATCH_READY = """([ready, arg]) => {
  const check = eval(ready);
  window.__benchReadyAt = 0;
  const observer = new MutationObserver(() => {
    if (check(arg)) { window.__benchReadyAt = performance.now(); observer.disconnect(); }
  });
  observer.observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
}"""


# stamps, on the page's clock, the first animation frame in which the pixels of the canvas `selector` finds
# differ from those before the action: what a reader of a canvas-drawn table (st.dataframe is glide-data-grid)
# sees. The grid's DOM copy of its cells, for screen readers, is a memo debounced by 200 ms (its useDebouncedMemo
# in Streamlit's DataFrame bundle), so a DOM watch alone stamps up to 200 ms after the new numbers showed. Looks
# every frame only from the action until the change, a second or so: POLL_MS's warning is about a whole run.
WATCH_PAINTED = """(selector) => {
  const pixels = () => {
    const canvas = document.querySelector(selector);
    if (!canvas || !canvas.width || !canvas.height) return null;
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let hash = 0;
    for (let i = 0; i < data.length; i++) hash = (Math.imul(hash, 31) + data[i]) | 0;
    return hash;
  };
  const before = pixels();
  window.__benchPaintedAt = 0;
  const look = () => {
    const now = pixels();
    if (now !== null && now !== before) window.__benchPaintedAt = performance.now();
    else requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}"""


def wait_stamp(page, stamp: str, what: str, timeout_s: float) -> float:
    """Waits until a watch (WATCH_READY: __benchReadyAt, WATCH_PAINTED: __benchPaintedAt) has seen its change;
    returns the page-clock time (ms) it first showed."""
    from playwright.sync_api import Error

    try:
        return page.wait_for_function(f"window.{stamp}", polling=POLL_MS, timeout=timeout_s * 1000).json_value()
    except Error:
        raise BenchFailure(f"{what}: the page did not show the change within {timeout_s:.0f} s") from None


def timed_load(page, url: str, runs: ServerRuns, what: str, timeout_s: float) -> dict:
    """A page load: from the navigation's start (the new document's clock origin) to its run's end."""
    from playwright.sync_api import Error

    mark = runs.mark()
    try:
        page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
    except Error:
        raise BenchFailure(f"{what}: {url} did not answer within {timeout_s:.0f} s") from None
    ended = wait_idle(page, runs, mark, 0, what, timeout_s)
    return figures(page, ended / 1000, runs, mark, what)


def timed_action(page, action, runs: ServerRuns, what: str, timeout_s: float, ready_js: str | None = None,
                 ready_arg=None, painted: str | None = None) -> dict:
    """An interaction on a settled page: `action()` (a key press, a click), then its run(s) and, when
    `ready_js(ready_arg)` is given, the change it must show. `painted` (a canvas's selector) times that change by
    the canvas's pixels instead: `ready_js` then only checks that what changed is what should have."""
    mark = runs.mark()
    if ready_js:
        page.evaluate(WATCH_READY, [ready_js, ready_arg])
    if painted:
        page.evaluate(WATCH_PAINTED, painted)
    before = page.evaluate("({started: window.__benchRuns.started, now: performance.now()})")
    action()
    ended = wait_idle(page, runs, mark, before["started"], what, timeout_s)
    shown = wait_stamp(page, "__benchReadyAt", what, timeout_s) if ready_js else ended
    if painted:
        shown = wait_stamp(page, "__benchPaintedAt", what, timeout_s)
    return figures(page, (max(ended, shown) - before["now"]) / 1000, runs, mark, what)


def figures(page, wall_s: float, runs: ServerRuns, mark: int, what: str) -> dict:
    if page.get_by_test_id("stException").count():
        raise BenchFailure(f"{what}: the page shows a traceback")
    server = runs.since(mark)
    return {"wall_s": wall_s, "server_s": sum(run["seconds"] for run in server), "runs": len(server)}


def rss_mb(pid: int) -> tuple[float, float]:
    """(resident memory now, its peak) in MB of process `pid` and its children, from /proc (Linux)."""
    now = peak = 0.0
    for one in [pid, *descendants(pid)]:
        status = dict(line.split(":", 1) for line in Path(f"/proc/{one}/status").read_text().splitlines()
                      if ":" in line)
        now += int(status["VmRSS"].split()[0]) / 1024
        peak += int(status["VmHWM"].split()[0]) / 1024
    return now, peak


def descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *descendants(int(child))]
    return found


def server_pid(port: int) -> int:
    """The pid of the streamlit server this process started on `port` (bench/app_server.serve)."""
    for child in descendants(os.getpid()):
        cmdline = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        if b"streamlit" in b" ".join(cmdline) and str(port).encode() in cmdline:
            return child
    raise BenchFailure(f"no streamlit process of this benchmark serves port {port}")
