"""Stored-workspace ranking benchmark (not a test): `make bench` runs it after the ranking benchmark.

Issue 16 §1: a stored workspace keeps, per upload, its alert pieces (notebooks/ingest/piece_store.py) and, per
snapshot, the ranking made once it was stored (ranking_store.py, rank_ahead.py): groups, components, incident
links, harm and routing, everything a weight does not change. A reader then re-scores the kept ranking under
its profile (kept_queue.py). Per size (BENCH_STORED_SIZES, default 1M, 3M and 10M alerts of
bench/rank_world.py's world), in a child process, all in one run:

1. the world's journey map, metrics and alerts are written to files and ingested into a fresh workspace; a
   small alerts upload and a ranking come first, so the big upload is pieced after its ingest, then ranked
   ahead and kept, as `journeylens ingest` does in a workspace in use (each step timed);
2. bare: `group by fingerprint ... order by ... limit 100` over the stored alerts (the upload's Parquet file),
   the best of three;
3. in a child process of its own, on a new snapshot: the top 100 of the queue read from the kept ranking
   (kept_queue.kept_ranked_queue, as `journeylens rank` and a new server's Ranked page read it), the best of
   two. Target at 10M: at most 10x bare;
4. the same top 100 ranked in full from the kept pieces (the ranking store off), and with every alert pieced
   afresh (JOURNEYLENS_PIECE_STORE=off), once each: all three must hold the same groups and scores;
5. peak memory (max RSS of the ranking child).

BENCH_STORED_MEMORY (default 30,000,000) alerts are ranked in full once more in a child of their own, for the
memory target: within 8 GB. Results go to bench/out/stored_results.json."""

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
from journeylens.notebooks.queue.kept_queue import kept_ranked_queue
from journeylens.notebooks.queue.rank_ahead import rank_ahead
from journeylens.notebooks.queue.ranking import ranked_alerts
from journeylens.notebooks.workspace.snapshot import new_connection

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


def top_rows(frame) -> list:
    return [(int(r), str(g), round(float(s), 9)) for r, g, s in frame[["rank", "group_id", "score"]].itertuples(False)]


def ranked_kept(workspace: Path) -> tuple:
    """(seconds, top 100 rows) of the queue read from the snapshot's kept ranking, on a new snapshot."""
    os.environ["JOURNEYLENS_RANKING_STORE"] = "on"
    seconds, (top, how) = timed(lambda: kept_ranked_queue(workspace, top=100))
    if how != "saved":
        raise SystemExit(f"the snapshot's ranking was not kept at ingest: the reader ranked it ({how})")
    return seconds, top_rows(top)


def ranked_full(workspace: Path) -> tuple:
    """(seconds, top 100 rows) of a full ranking (every group made again) on a new snapshot."""
    os.environ["JOURNEYLENS_RANKING_STORE"] = "off"
    seconds, top = timed(lambda: ranked_alerts(workspace, top=100, signals=True))
    return seconds, top_rows(top)


def bare_seconds(workspace: Path) -> float:
    stored = sorted(str(p) for p in (workspace / "uploads").glob("*/alerts.parquet"))
    con = new_connection()
    try:
        query = ("select fingerprint, count(*) as n, min(severity_rank) as worst from read_parquet($files) "
                 "group by fingerprint order by n desc, worst limit 100")
        return min(timed(lambda: con.execute(query, {"files": stored}).fetchall())[0] for _ in range(3))
    finally:
        con.close()


def build_workspace(n: int, folder: Path, ahead: bool = True) -> dict:
    """Runs in a child process: the world's files, ingested into `folder`/ws as a workspace in use, the big
    upload pieced and (`ahead`) its snapshot ranked ahead and kept, as `journeylens ingest` leaves it."""
    workspace = folder / "ws"
    files = write_world(n, folder)
    for kind in ("journey-map", "metrics"):
        ingest_file(workspace, kind, files[kind])
    ingest_file(workspace, "alerts", files["first-alerts"])
    ranked_full(workspace)  # a workspace in use has been ranked: it leaves the plan new uploads are pieced under
    ingest_s, _ = timed(lambda: ingest_file(workspace, "alerts", files["alerts"]))
    # what `journeylens ingest` does once the upload is stored: piece it, then rank the snapshot and keep it
    pieces_s, kept = timed(lambda: keep_workspace_pieces(workspace))
    ahead_s = None
    if ahead:
        os.environ["JOURNEYLENS_RANKING_STORE"] = "on"
        ahead_s, _ = timed(lambda: rank_ahead(workspace))
    for path in files.values():  # the workspace holds what the rankings read
        path.unlink()
    return {"alerts": n, "ingest_s": ingest_s, "pieces_s": pieces_s, "kept_uploads": kept, "ahead_s": ahead_s}


def rank_workspace(folder: Path, memory_only: bool = False) -> dict:
    """Runs in a child process of its own, so that its peak memory is the rankings' alone."""
    workspace = folder / "ws"
    result = {}
    if memory_only:
        result["full_s"], _ = ranked_full(workspace)
    else:
        result["bare_s"] = bare_seconds(workspace)
        runs = [ranked_kept(workspace) for _ in range(2)]
        result["stored_s"], kept_top = min(runs, key=lambda run: run[0])
        result["full_s"], full_top = ranked_full(workspace)
        os.environ["JOURNEYLENS_PIECE_STORE"] = "off"
        result["afresh_s"], afresh_top = ranked_full(workspace)
        if not kept_top == full_top == afresh_top:
            raise SystemExit("the kept ranking, the full ranking and every alert pieced afresh ranked differently")
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def stored_run(n: int, memory_only: bool = False) -> dict:
    """Builds a stored workspace of `n` alerts in one child process and ranks it in another."""
    with tempfile.TemporaryDirectory(prefix="bench-stored-") as tmp:
        built = child("--build-only" if memory_only else "--build", str(n), tmp)
        return {**built, **child("--memory" if memory_only else "--rank", tmp)}


def child(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.bench_stored", *args], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1])  # bench/ runs from the repository root
    if done.returncode:
        raise SystemExit(f"bench child {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 3 and sys.argv[1] in ("--build", "--build-only"):
        print(json.dumps(build_workspace(int(sys.argv[2]), Path(sys.argv[3]), ahead=sys.argv[1] == "--build")))
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
    print(f"\n{'alerts':>12} {'bare s':>7} {'kept s':>7} {'x bare':>7} {'full s':>7} {'x bare':>7} "
          f"{'afresh s':>9} {'x bare':>7} {'ingest s':>9} {'pieces s':>9} {'ahead s':>8} {'peak GB':>8}")
    for r in results:
        print(f"{r['alerts']:>12,} {r['bare_s']:7.2f} {r['stored_s']:7.2f} {r['stored_s'] / r['bare_s']:7.1f} "
              f"{r['full_s']:7.2f} {r['full_s'] / r['bare_s']:7.1f} {r['afresh_s']:9.2f} "
              f"{r['afresh_s'] / r['bare_s']:7.1f} {r['ingest_s']:9.2f} {r['pieces_s']:9.2f} {r['ahead_s']:8.2f} "
              f"{r['max_rss_mb'] / 1024:8.2f}")
    ratio = largest["stored_s"] / largest["bare_s"]
    print(f"\nstored ranking (kept) at {largest['alerts']:,}: {ratio:.1f}x bare (target <= {MAX_RATIO:.0f}x): "
          f"{'PASS' if ratio <= MAX_RATIO else 'FAIL'}")
    if memory:
        print(f"{memory['alerts']:,} alerts ranked in full in {memory['full_s']:.1f} s, peak "
              f"{memory['max_rss_mb'] / 1024:.2f} GB (target <= 8 GB): "
              f"{'PASS' if memory['max_rss_mb'] <= MAX_MEMORY_MB else 'FAIL'}")
    out = Path(__file__).resolve().parent / "out"
    out.mkdir(exist_ok=True)
    (out / "stored_results.json").write_text(json.dumps({"at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                                         "sizes": results, "memory": memory}, indent=2))


if __name__ == "__main__":
    main()
