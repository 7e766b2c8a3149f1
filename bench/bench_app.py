"""App benchmark (issue 15, "instant response"; not a test): the real app in Debian's Chromium, each
interaction reported as the wall time the browser sees (bench/app_drive.py says when a page counts as
settled) and as the server's script-run time (app/streamlit_app.py's JOURNEYLENS_RUN_TIMINGS hook).

On the sample workspace (built into a temporary folder, so a decision taken here changes nothing of value):
cold and warm loads of the Overview and Ranked pages, a weight change on Ranked (an arrow key on the severity
weight's slider) at most 0.5 s, a warm load at most 1.5 s, switching the retro week and accepting a
suggestion at most 1 s. On a workspace of BENCH_APP_ALERTS alerts (1,000,000 by default,
bench/app_world.py): the Ranked page's first ranking of a snapshot nobody ranked ahead (no target), then 20
weight changes, each at most 1 s, and the server's memory after them (streamlit and its children, resident)
at most 1.5 GB; then the snapshot ranked ahead as `journeylens ingest` does after storing it, and a cold Ranked
page at most 5 s on a server started again on the same workspace, which opens that ranking; and how long
each server took to start (to its health check: it imports the pages' modules first, app/launch.py).

The machine is shared and noisy, so every figure is also given as a ratio to a baseline measured in the same
run on the same server: loads against a warm load of the Data page (the same browser, websocket, session and
render path, with almost nothing computed), interactions against a rerun of the Data page (the "r" key: the
same round trip as a widget change, with nothing to re-rank). A rerun of the Ranked page with nothing
changed is reported too, without a target: the page's own floor under a weight change. Medians of
BENCH_APP_REPEATS (3) repetitions.
Results: the table below and bench/out/app_results.json (bench/out/ is where every benchmark writes).

    .venv/bin/python -m bench.bench_app
"""

import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

from bench.app_drive import BenchFailure, ServerRuns, open_page, rss_mb, server_pid, timed_action, timed_load
from bench.app_server import CHROMIUM, CHROMIUM_ARGS, serve

ALERTS = int(os.environ.get("BENCH_APP_ALERTS", 1_000_000))
REPEATS = int(os.environ.get("BENCH_APP_REPEATS", 3))
TIMEOUT_S = float(os.environ.get("BENCH_APP_TIMEOUT", 900))  # any one wait; a cold 1M ranking is the longest
WEIGHT_CHANGES = 20
OUT = Path(__file__).resolve().parent / "out"
SEVERITY = ".st-key-knob-weights-severity"  # the widget key's class (st-key-<key>): labels may be regrouped
# (measurement, what it is compared with: "load" or "rerun", target in seconds or None)
SAMPLE = [("Overview, cold load", "load", None), ("Ranked, cold load", "load", None),
          ("Overview, warm load", "load", 1.5), ("Ranked, warm load", "load", 1.5),
          ("Ranked, weight change", "rerun", 0.5), ("Ranked, rerun, nothing changed", "rerun", None),
          ("Retro, week switch", "rerun", 1.0),
          ("Retro, accept a suggestion", "rerun", 1.0)]
LARGE = [("Ranked, first ranking on the page", "load", None), ("Ranked, weight change", "rerun", 1.0),
         ("Ranked, rerun, nothing changed", "rerun", None),
         ("Ranked, cold load", "load", 5.0)]
BASELINES = [("baseline: Data, warm load", "load", None), ("baseline: Data, rerun", "rerun", None)]
MEMORY_TARGET_MB = 1536
GRID_CHANGED = """before => {
  const grid = document.querySelector('[data-testid="stDataFrame"]');
  return !!grid && grid.textContent !== before;  // its cells: an accessible table, clipped
}"""
# the queue table's cells as a reader sees them: glide-data-grid draws them on this canvas (app_drive.WATCH_PAINTED
# times the change by its pixels; GRID_CHANGED, on the grid's debounced DOM copy, checks the numbers changed)
GRID_CANVAS = '[data-testid="stDataFrame"] canvas[data-testid="data-grid-canvas"]'
SHOWS = "text => document.body.innerText.includes(text)"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def baselines(page, url: str, runs: ServerRuns, repeats: int, out: dict) -> None:
    """The Data page's warm load and its rerun (the "r" key), in `page` (a tab of its own)."""
    timed_load(page, f"{url}/data", runs, "Data, first load", TIMEOUT_S)
    for _ in range(repeats):
        out.setdefault("baseline: Data, warm load", []).append(
            timed_load(page, f"{url}/data", runs, "Data, warm load", TIMEOUT_S))
    reruns(page, "Data", runs, repeats, out.setdefault("baseline: Data, rerun", []))


def reruns(page, heading: str, runs: ServerRuns, repeats: int, out: list) -> None:
    """Reruns of the open page with nothing changed (the "r" key, after a click on its `heading` puts the
    focus in the app, on no input): the round trip of a widget change with nothing to compute."""
    for _ in range(repeats):
        page.get_by_role("heading", name=heading, exact=True).click()
        out.append(timed_action(page, lambda: page.keyboard.press("r"), runs, f"{heading}, rerun", TIMEOUT_S))


def weight_changes(page, runs: ServerRuns, count: int, out: list) -> None:
    """`count` changes of the severity weight, one arrow key each, up and down in turn (every one a new
    profile for the open ranking); each waits for the queue table to show other numbers: timed by the grid's
    pixels, checked by its cells' text."""
    slider = page.locator(SEVERITY).get_by_role("slider")
    for i in range(count):
        grid = page.get_by_test_id("stDataFrame").first.text_content()
        slider.focus()
        key = "ArrowRight" if i % 2 == 0 else "ArrowLeft"
        out.append(timed_action(page, lambda key=key: slider.press(key), runs, "Ranked, weight change",
                                TIMEOUT_S, GRID_CHANGED, grid, painted=GRID_CANVAS))


def retro(page, url: str, runs: ServerRuns, repeats: int, out: dict) -> None:
    """Week switches through the picker's options, then accepting the first open threshold suggestions."""
    timed_load(page, f"{url}/retro", runs, "Retro, first load", TIMEOUT_S)
    week = page.get_by_role("combobox", name="Week")
    week.click()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    if len(options) < 2:
        raise BenchFailure("Retro: the week picker offers no week to switch to")
    for _ in range(min(repeats, len(options) - 1)):
        # the next week by keyboard: the picker's list is virtual, so an option far down is not in the DOM
        week.click()
        page.keyboard.press("ArrowDown")
        out.setdefault("Retro, week switch", []).append(
            timed_action(page, lambda: page.keyboard.press("Enter"), runs, "Retro, week switch", TIMEOUT_S))
    if week.input_value() != options[0]:  # back to all the data, where the suggestions are
        week.click()
        timed_action(page, page.get_by_role("option", name=options[0], exact=True).click, runs, "Retro, all data",
                     TIMEOUT_S)
    name = page.get_by_label("Your name (recorded with each decision)")
    name.fill("App benchmark")
    timed_action(page, lambda: name.press("Enter"), runs, "Retro, name", TIMEOUT_S)
    for _ in range(repeats):
        titles = page.locator("strong").filter(has_text=re.compile(r"^(Tighten|Loosen) ")).all_inner_texts()
        if not titles:
            break
        accept = page.get_by_role("button", name="Accept", exact=True).first
        out.setdefault("Retro, accept a suggestion", []).append(
            timed_action(page, accept.click, runs, "Retro, accept a suggestion", TIMEOUT_S, SHOWS,
                         f"Accepted: {titles[0]}."))
    if "Retro, accept a suggestion" not in out:
        raise BenchFailure("Retro: no threshold suggestion to accept on this workspace")


def measure_sample(browser, workspace: Path, repeats: int = REPEATS) -> dict:
    """{measurement: [figures of each repetition]} on the sample workspace at `workspace` (changed by it)."""
    out: dict = {}
    runs = ServerRuns(Path(workspace).parent / "runs.jsonl")
    os.environ["JOURNEYLENS_RUN_TIMINGS"] = str(runs.path)
    with serve(workspace) as url:
        page, other = open_page(browser, TIMEOUT_S), open_page(browser, TIMEOUT_S)
        say("  sample: cold loads ...")
        out["Overview, cold load"] = [timed_load(page, f"{url}/", runs, "Overview, cold load", TIMEOUT_S)]
        out["Ranked, cold load"] = [timed_load(page, f"{url}/ranked", runs, "Ranked, cold load", TIMEOUT_S)]
        say("  sample: baselines, warm loads ...")
        baselines(other, url, runs, repeats, out)
        for title, path in (("Overview", "/"), ("Ranked", "/ranked")):
            out[f"{title}, warm load"] = [timed_load(page, f"{url}{path}", runs, f"{title}, warm load", TIMEOUT_S)
                                          for _ in range(repeats)]
        say("  sample: weight changes ...")
        weight_changes(page, runs, repeats, out.setdefault("Ranked, weight change", []))
        # the page's floor under a weight change: its run and render with nothing re-ranked
        reruns(page, "Ranked alerts", runs, repeats, out.setdefault("Ranked, rerun, nothing changed", []))
        say("  sample: retro ...")
        retro(other, url, runs, repeats, out)
        page.close()
        other.close()
    return out


def measure_large(browser, workspace: Path) -> dict:
    """Two servers on the world. The first, with the ranking store off, ranks on its first page what nobody
    ranked ahead (the worst case: no target), then takes the weight changes and the memory reading. Then the
    snapshot is ranked ahead as `journeylens ingest` does once it has stored it (notebooks/queue/rank_ahead.py),
    and a new server's cold Ranked page opens that ranking: what a reader meets on a snapshot journeylens
    stored (the CLI, the app's Data page) or a server started on one (app/launch.py)."""
    from journeylens.notebooks.queue.rank_ahead import rank_ahead

    out: dict = {}
    runs = ServerRuns(Path(workspace).parent / "runs.jsonl")
    os.environ["JOURNEYLENS_RUN_TIMINGS"] = str(runs.path)
    # the server's start, to its health check answering: it imports the pages' modules first (app/launch.py),
    # so a cold page does not pay for them; reported beside the cold pages so that cost is seen too
    out["start_s"] = {}
    started = time.monotonic()
    store = os.environ.get("JOURNEYLENS_RANKING_STORE")
    os.environ["JOURNEYLENS_RANKING_STORE"] = "off"
    try:
        with serve(workspace) as url:
            out["start_s"]["first server"] = time.monotonic() - started
            page, other = open_page(browser, TIMEOUT_S), open_page(browser, TIMEOUT_S)
            say(f"  {ALERTS:,} alerts: first ranking on the Ranked page (nobody ranked it ahead) ...")
            out["Ranked, first ranking on the page"] = [timed_load(page, f"{url}/ranked", runs,
                                                                   "Ranked, first ranking on the page", TIMEOUT_S)]
            say(f"  {ALERTS:,} alerts: baselines ...")
            baselines(other, url, runs, REPEATS, out)
            say(f"  {ALERTS:,} alerts: {WEIGHT_CHANGES} weight changes ...")
            weight_changes(page, runs, WEIGHT_CHANGES, out.setdefault("Ranked, weight change", []))
            reruns(page, "Ranked alerts", runs, REPEATS, out.setdefault("Ranked, rerun, nothing changed", []))
            now, peak = rss_mb(server_pid(urlparse(url).port))
            out["memory"] = {"rss_mb": now, "peak_rss_mb": peak}
            page.close()
            other.close()
    finally:
        if store is None:
            os.environ.pop("JOURNEYLENS_RANKING_STORE")
        else:
            os.environ["JOURNEYLENS_RANKING_STORE"] = store
    say(f"  {ALERTS:,} alerts: ranking ahead, as journeylens ingest does after storing ...")
    started = time.monotonic()
    if rank_ahead(workspace) is None:
        raise BenchFailure("the snapshot could not be ranked ahead (is the ranking store off?)")
    out["rank_ahead_s"] = time.monotonic() - started
    started = time.monotonic()
    with serve(workspace) as url:
        out["start_s"]["new server"] = time.monotonic() - started
        page = open_page(browser, TIMEOUT_S)
        say(f"  {ALERTS:,} alerts: cold Ranked page on a new server ...")
        out["Ranked, cold load"] = [timed_load(page, f"{url}/ranked", runs, "Ranked, cold load", TIMEOUT_S)]
        page.close()
    return out


def summary(found: dict, plan: list) -> list[dict]:
    """One row per measurement: medians and maxima, target and verdict, ratios to the baseline."""
    median = {kind: statistics.median(f["wall_s"] for f in found[name]) for name, kind, _ in BASELINES}
    median_server = {kind: statistics.median(f["server_s"] for f in found[name]) for name, kind, _ in BASELINES}
    rows = []
    for name, kind, target in plan + BASELINES:
        wall, server = [f["wall_s"] for f in found[name]], [f["server_s"] for f in found[name]]
        row = {"measurement": name, "n": len(wall), "wall_s": statistics.median(wall), "wall_max_s": max(wall),
               "server_s": statistics.median(server), "server_max_s": max(server), "target_s": target,
               "compared_with": kind}
        row["met"] = None if target is None else row["wall_s"] <= target  # the median: one slow run is noise
        row["wall_ratio"] = row["wall_s"] / median[kind] if median[kind] else None
        row["server_ratio"] = row["server_s"] / median_server[kind] if median_server[kind] else None
        rows.append(row)
    return rows


def print_table(title: str, rows: list[dict]) -> None:
    print(f"\n{title}")
    print(f"{'measurement':34s} {'n':>3s} {'wall median (max)':>19s} {'server median':>14s} {'target':>8s} "
          f"{'met':8s} {'x baseline (wall / server)':>27s}")
    for r in rows:
        met = "" if r["met"] is None else ("met" if r["met"] else "NOT MET")
        target = f"<= {r['target_s']:g} s" if r["target_s"] else ""
        ratio = "" if r["measurement"].startswith("baseline") else \
            f"{r['wall_ratio'] or 0:.1f}x / {r['server_ratio'] or 0:.1f}x"
        print(f"{r['measurement']:34s} {r['n']:3d} {r['wall_s']:8.2f} s ({r['wall_max_s']:5.2f}) "
              f"{r['server_s']:12.2f} s {target:>8s} {met:8s} {ratio:>27s}")


def main() -> int:
    from journeylens.notebooks.ingest.sample_workspace import build_sample_workspace
    from playwright.sync_api import sync_playwright

    from bench.app_world import build_app_world

    if not Path(CHROMIUM).exists():
        say(f"app benchmark: {CHROMIUM} is missing (apt-get install chromium); nothing downloads a browser")
        return 2
    results = {"alerts": ALERTS, "repeats": REPEATS, "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-app-") as tmp, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                say("app benchmark: building the sample workspace ...")
                build_sample_workspace(Path(tmp) / "sample" / "ws")
                results["sample"] = summary(measure_sample(browser, Path(tmp) / "sample" / "ws"), SAMPLE)
                print_table("sample workspace", results["sample"])
                say(f"app benchmark: building a workspace of {ALERTS:,} alerts ...")
                build_app_world(Path(tmp) / "large" / "ws", ALERTS, progress=lambda m: say(f"  {m}"))
                found = measure_large(browser, Path(tmp) / "large" / "ws")
                results["large"], results["memory"] = summary(found, LARGE), found["memory"]
                results["server_start_s"], results["rank_ahead_s"] = found["start_s"], found["rank_ahead_s"]
            finally:
                browser.close()
    except BenchFailure as failure:
        say(f"app benchmark failed: {failure}")
        return 1
    print_table(f"{ALERTS:,} alerts", results["large"])
    memory = results["memory"]
    memory["met"] = memory["rss_mb"] <= MEMORY_TARGET_MB
    print(f"{'server memory after 20 changes':34s} {memory['rss_mb'] / 1024:.2f} GB resident "
          f"(peak {memory['peak_rss_mb'] / 1024:.2f} GB), target <= 1.5 GB: {'met' if memory['met'] else 'NOT MET'}")
    print(f"{'ranking ahead after ingest':34s} {results['rank_ahead_s']:.1f} s (no page waits for it)")
    print(f"{'server start, to health':34s} " + ", ".join(
        f"{name} {seconds:.1f} s" for name, seconds in results["server_start_s"].items()))
    OUT.mkdir(exist_ok=True)
    (OUT / "app_results.json").write_text(json.dumps(results, indent=2))
    print(f"\nwritten to {OUT / 'app_results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
