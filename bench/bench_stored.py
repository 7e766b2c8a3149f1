"""Stored-workspace ranking benchmark (not a test): `make bench` runs it after the ranking benchmark.

Issue 16 §1: a workspace keeps each upload's alert pieces (notebooks/ingest/piece_store.py), so ranking a
stored workspace reads pieces, not every alert. Per size (BENCH_STORED_SIZES, default 1M, 3M and 10M alerts
of bench/rank_world.py's world), in a child process, all in one run:

1. the world's journey map, metrics and alerts are written to files and ingested into a fresh workspace; a
   small alerts upload and a ranking come first, so the big upload is pieced after its ingest, as
   `journeylens ingest` does in a workspace in use (both timed);
2. bare: `group by fingerprint ... order by ... limit 100` over the stored alerts (the upload's Parquet file),
   the best of three;
3. the ranking of the stored workspace (map, group, score, correlate, route, top 100) on a new snapshot,
   reading the kept pieces, in a child process of its own: the best of two. Target at 10M: at most 10x bare;
4. the same ranking with JOURNEYLENS_PIECE_STORE=off (every alert pieced afresh, as before), once: its top
   100 must hold the same scores;
5. peak memory (max RSS of the ranking child).

BENCH_STORED_MEMORY (default 30,000,000) alerts are ranked once more in a child of their own, for the
memory target: within 8 GB. Results go to bench/out/stored_results.json.
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from journeylens.notebooks.ingest.piece_store import keep_workspace_pieces
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.queue.ranking import queue_select, rank_alerts
from journeylens.notebooks.workspace.snapshot import connect, new_connection

from bench.rank_world import build_world

SIZES = [int(s) for s in os.environ.get("BENCH_STORED_SIZES", "1000000,3000000,10000000").split(",")]
MEMORY_SIZE = int(os.environ.get("BENCH_STORED_MEMORY", 30_000_000))
MAX_RATIO = 10.0
MAX_MEMORY_MB = 8 * 1024
ALERT_COLUMNS = ("alert_id", "fired_at", "resolved_at", "service", "name", "severity", "source", "fingerprint",
                 "confidence", "region", "labels")


def timed(function):
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def write_world(n: int, folder: Path) -> dict:
    """The rank world of `n` alerts as files an analyst would upload: {kind: path}."""
    con = new_connection()
    build_world(con, n)
    stages = con.execute("select stage, impact, sensitivity from stages order by position").fetchall()
    rules = con.execute("select stage, match from touchpoints order by position").fetchall()
    journey = {
        "journey": "shop",
        "stages": [{"id": s, "impact": float(i), "sensitivity": round(float(v), 6)} for s, i, v in stages],
        "touchpoints": [{"stage": s, "match": json.loads(m)} for s, m in rules],
        "segments": [{"id": s, "weight": float(w)} for s, w in con.execute("select segment, weight from segments").fetchall()],
    }
    files = {"journey-map": folder / "map.yaml", "metrics": folder / "metrics.parquet",
             "alerts": folder / "alerts.parquet", "first-alerts": folder / "first.parquet"}
    files["journey-map"].write_text(yaml.safe_dump(journey, sort_keys=False))
    columns = ", ".join(ALERT_COLUMNS)
    con.sql("select ts, stage, segment, entered, completed from journey_metrics").write_parquet(str(files["metrics"]))
    # the first 1,000 alerts come first, as last week's upload; the rest is the new export
    con.sql(f"select {columns} from alerts order by fired_at limit 1000").write_parquet(str(files["first-alerts"]))
    con.sql(f"select {columns} from alerts order by fired_at offset 1000").write_parquet(str(files["alerts"]))
    con.close()
    return files


def ranked(workspace: Path) -> tuple:
    """(seconds, top 100 scores) of a full ranking on a new snapshot."""
    con = connect(workspace)
    try:
        seconds, top = timed(lambda: (rank_alerts(con, None, []), con.execute(queue_select(100)).df())[1])
        return seconds, sorted(round(float(score), 9) for score in top["score"])
    finally:
        con.close()


def bare_seconds(workspace: Path) -> float:
    stored = sorted(str(p) for p in (workspace / "uploads").glob("*/alerts.parquet"))
    con = new_connection()
    try:
        query = ("select fingerprint, count(*) as n, min(severity_rank) as worst from read_parquet($files) "
                 "group by fingerprint order by n desc, worst limit 100")
        return min(timed(lambda: con.execute(query, {"files": stored}).fetchall())[0] for _ in range(3))
    finally:
        con.close()


def build_workspace(n: int, folder: Path) -> dict:
    """Runs in a child process: the world's files, ingested into `folder`/ws as a workspace in use."""
    workspace = folder / "ws"
    files = write_world(n, folder)
    for kind in ("journey-map", "metrics"):
        ingest_file(workspace, kind, files[kind])
    ingest_file(workspace, "alerts", files["first-alerts"])
    ranked(workspace)  # a workspace in use has been ranked: it leaves the plan new uploads are pieced under
    ingest_s, _ = timed(lambda: ingest_file(workspace, "alerts", files["alerts"]))
    # what `journeylens ingest` does once the upload is stored: piece it for the next ranking
    pieces_s, kept = timed(lambda: keep_workspace_pieces(workspace))
    for path in files.values():  # the workspace holds what the rankings read
        path.unlink()
    return {"alerts": n, "ingest_s": ingest_s, "pieces_s": pieces_s, "kept_uploads": kept}


def rank_workspace(folder: Path, memory_only: bool = False) -> dict:
    """Runs in a child process of its own, so that its peak memory is the rankings' alone."""
    workspace = folder / "ws"
    result = {}
    if memory_only:
        result["stored_s"], _ = ranked(workspace)
    else:
        result["bare_s"] = bare_seconds(workspace)
        runs = [ranked(workspace) for _ in range(2)]
        result["stored_s"], scores = min(runs, key=lambda run: run[0])
        os.environ["JOURNEYLENS_PIECE_STORE"] = "off"
        result["afresh_s"], afresh_scores = ranked(workspace)
        if scores != afresh_scores:
            raise SystemExit("the kept pieces and every alert pieced afresh ranked differently")
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def stored_run(n: int, memory_only: bool = False) -> dict:
    """Builds a stored workspace of `n` alerts in one child process and ranks it in another."""
    with tempfile.TemporaryDirectory(prefix="bench-stored-") as tmp:
        built = child("--build", str(n), tmp)
        return {**built, **child("--memory" if memory_only else "--rank", tmp)}


def child(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.bench_stored", *args], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1])  # bench/ runs from the repository root
    if done.returncode:
        raise SystemExit(f"bench child {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 3 and sys.argv[1] == "--build":
        print(json.dumps(build_workspace(int(sys.argv[2]), Path(sys.argv[3]))))
        return
    if len(sys.argv) > 2 and sys.argv[1] in ("--rank", "--memory"):
        print(json.dumps(rank_workspace(Path(sys.argv[2]), memory_only=sys.argv[1] == "--memory")))
        return
    results = []
    for n in SIZES:
        print(f"stored-workspace ranking: {n:,} alerts, built and ranked in child processes ...", file=sys.stderr,
              flush=True)
        results.append(stored_run(n))
    memory = None
    if MEMORY_SIZE:
        print(f"  {MEMORY_SIZE:,} alerts for the memory target ...", file=sys.stderr, flush=True)
        memory = stored_run(MEMORY_SIZE, memory_only=True)
    largest = results[-1]
    print(f"\n{'alerts':>12} {'bare s':>8} {'stored s':>9} {'x bare':>7} {'afresh s':>9} {'x bare':>7} "
          f"{'us/alert stored':>16} {'ingest s':>9} {'pieces s':>9} {'peak GB':>8}")
    for r in results:
        print(f"{r['alerts']:>12,} {r['bare_s']:8.2f} {r['stored_s']:9.2f} {r['stored_s'] / r['bare_s']:7.1f} "
              f"{r['afresh_s']:9.2f} {r['afresh_s'] / r['bare_s']:7.1f} {1e6 * r['stored_s'] / r['alerts']:16.3f} "
              f"{r['ingest_s']:9.2f} {r['pieces_s']:9.2f} {r['max_rss_mb'] / 1024:8.2f}")
    ratio = largest["stored_s"] / largest["bare_s"]
    print(f"\nstored ranking at {largest['alerts']:,}: {ratio:.1f}x bare (target <= {MAX_RATIO:.0f}x): "
          f"{'PASS' if ratio <= MAX_RATIO else 'FAIL'}")
    if memory:
        print(f"{memory['alerts']:,} alerts ranked in {memory['stored_s']:.1f} s, peak {memory['max_rss_mb'] / 1024:.2f} GB "
              f"(target <= 8 GB): {'PASS' if memory['max_rss_mb'] <= MAX_MEMORY_MB else 'FAIL'}")
    out = Path(__file__).resolve().parent / "out"
    out.mkdir(exist_ok=True)
    (out / "stored_results.json").write_text(json.dumps({"at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                                         "sizes": results, "memory": memory}, indent=2))


if __name__ == "__main__":
    main()
