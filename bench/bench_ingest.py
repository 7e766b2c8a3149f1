"""Ingest benchmark (not a test): `make bench`, i.e. `python -m bench.bench_ingest`.

1. A canonical alerts CSV (5,000,000 rows): journeylens' `ingest_file` against a bare DuckDB
   `create table t as select * from read_csv(...)` into a fresh on-disk database, measured in the same
   run (the machine is shared, so only the ratio is meaningful). Target: at most 2.0x. Then, reported
   beside it, the work `journeylens ingest` does once the upload is stored and acknowledged: keeping its
   alert pieces for the next ranking (notebooks/ingest/piece_store.py; the workspace has the plan a ranking
   leaves). Every alert of this file has a fingerprint of its own: pieces cannot merge alerts, the worst case.
2. Alertmanager webhook v4 payloads as JSON Lines (1,000,000 alerts, one per payload): alerts per
   second through `ingest_file`. Target: at least 200,000 alerts/s. A bare `read_json_objects` count is
   shown for context.

Inputs are generated once with DuckDB into bench/out/ (gitignored) and reused when the size matches.
Sizes can be lowered for a quick run: BENCH_CSV_ROWS=500000 BENCH_AM_ALERTS=100000.
Results are printed as a table and written to bench/out/results.json.
"""

import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

import duckdb
from journeylens.notebooks.ingest.piece_store import bucket_seconds, keep_workspace_pieces, remember_plan
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.queue.scoring import DEFAULT_PROFILE

OUT = Path(__file__).resolve().parent / "out"
CSV_ROWS = int(os.environ.get("BENCH_CSV_ROWS", 5_000_000))
AM_ALERTS = int(os.environ.get("BENCH_AM_ALERTS", 1_000_000))
MAX_RATIO = 2.0
MIN_ALERTS_PER_S = 200_000

# Shared SQL pieces: deterministic pseudo-random picks from the row number `i`.
PICK = "list_element({items}, 1 + (hash(i * {salt}) % {n})::int)"
SEVERITIES = "['critical', 'high', 'warning', 'warning', 'low', 'info', 'info']"
REGIONS = "['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-south-1']"
SOURCES = "['prometheus', 'datadog', 'grafana', 'cloudwatch']"
NAMES = ("['HighLatency', 'ErrorRate', 'PodCrashLooping', 'DiskFull', 'CPUThrottling', 'QueueBacklog', "
         "'CertExpiring', 'ReplicaLag', 'OOMKilled', '5xxSpike']")


def pick(items: str, salt: int, n: int) -> str:
    return PICK.format(items=items, salt=salt, n=n)


def iso(expr: str) -> str:
    return f"strftime({expr}, '%Y-%m-%dT%H:%M:%SZ')"


FIRED = "(timestamp '2024-01-01' + to_seconds(i * 3 + (hash(i) % 3)::bigint))"
SERVICE = "'svc-' || lpad((hash(i * 3) % 50)::varchar, 2, '0')"
NAME = f"{pick(NAMES, 5, 10)} || '-' || (hash(i * 7) % 20)::varchar"  # ~200 distinct names


def generate_csv(path: Path, rows: int) -> None:
    resolved = f"case when hash(i * 11) % 5 = 0 then null else {iso(FIRED + ' + to_seconds(60 + (hash(i * 13) % 7200)::bigint)')} end"
    select = f"""
        select 'al-' || i as alert_id, {iso(FIRED)} as fired_at, {resolved} as resolved_at,
               {SERVICE} as service, {NAME} as name, {pick(SEVERITIES, 17, 7)} as severity,
               {pick(SOURCES, 19, 4)} as source, printf('%016x', hash(i * 23)) as fingerprint,
               round((hash(i * 29) % 1000) / 1000.0, 3) as confidence, {pick(REGIONS, 31, 5)} as region,
               'env=prod;team=team-' || (hash(i * 37) % 12)::varchar || ';tier=' || (hash(i * 41) % 3)::varchar
                   as labels,
               'p99 above threshold on ' || {SERVICE} || ' for ' || (hash(i * 43) % 30)::varchar || 'm'
                   as message
        from range({rows}) t(i)"""
    copy_to(path, select, "(header)")


def generate_am(path: Path, alerts: int) -> None:
    status = "case when hash(i * 11) % 3 = 0 then 'resolved' else 'firing' end"
    ends = f"case when hash(i * 11) % 3 = 0 then {iso(FIRED + ' + interval 10 minute')} else '0001-01-01T00:00:00Z' end"
    alert = f"""{{'status': {status},
        'labels': {{'alertname': {NAME}, 'severity': {pick(SEVERITIES, 17, 7)}, 'service': {SERVICE},
                    'instance': 'node-' || (hash(i * 47) % 300)::varchar || ':9100'}},
        'annotations': {{'summary': 'p99 above threshold on ' || {SERVICE}}},
        'startsAt': {iso(FIRED)}, 'endsAt': {ends}, 'generatorURL': 'http://prom/graph',
        'fingerprint': printf('%016x', hash(i * 23))}}"""
    select = f"""
        select '4' as version, '{{}}:{{alertname="' || {NAME} || '"}}' as "groupKey", {status} as status,
               'default' as receiver, '{{}}'::json as "groupLabels", '{{}}'::json as "commonLabels",
               '{{}}'::json as "commonAnnotations", 'http://am:9093' as "externalURL", [{alert}] as alerts
        from range({alerts}) t(i)"""
    copy_to(path, select, "(format json)")
    con = duckdb.connect()
    try:
        count = con.sql("select sum(json_array_length(json -> 'alerts')) from read_json_objects($p)",
                        params={"p": str(path)}).fetchall()[0][0]
    finally:
        con.close()
    if count != alerts:
        raise SystemExit(f"generated {path} holds {count} alerts, expected {alerts}")


def copy_to(path: Path, select: str, options: str) -> None:
    """COPY into a temporary name and rename, so an interrupted run never leaves a file that looks done."""
    partial = path.with_suffix(path.suffix + ".partial")
    con = duckdb.connect()
    try:
        con.execute(f"copy ({select}) to '{partial}' {options}")
    finally:
        con.close()
    os.replace(partial, path)


def ensure(path: Path, generate, size: int, what: str) -> Path:
    if path.is_file():
        print(f"  reusing {path.name} ({path.stat().st_size / 1e6:,.0f} MB)", flush=True)
        return path
    print(f"  generating {what} into {path} ...", flush=True)
    start = time.perf_counter()
    generate(path, size)
    print(f"  done in {time.perf_counter() - start:.1f}s ({path.stat().st_size / 1e6:,.0f} MB)", flush=True)
    return path


def timed(work) -> tuple:
    start = time.perf_counter()
    value = work()
    return time.perf_counter() - start, value


def ranked_before(workspace: Path) -> None:
    """The plan a ranking leaves (notebooks/ingest/piece_store.py) under the default gap and rules that read
    labels, as the sample's journey map does: the upload is then pieced as in a workspace in use."""
    workspace.mkdir(parents=True, exist_ok=True)
    remember_plan(workspace, bucket_seconds(DEFAULT_PROFILE["group_gap_minutes"]), ["labels"])


def bare_csv(path: Path, scratch: Path) -> None:
    con = duckdb.connect(str(scratch / "bare.duckdb"))
    try:
        con.execute(f"create table t as select * from read_csv('{path}')")
    finally:
        con.close()


def bare_json(path: Path) -> int:
    con = duckdb.connect()
    try:
        return con.sql("select count(*) from read_json_objects($p, format = 'auto')",
                       params={"p": str(path)}).fetchall()[0][0]
    finally:
        con.close()


def progress_printer(label: str):
    last = {"at": 0.0}

    def report(fraction: float, text: str) -> None:
        now = time.perf_counter()
        if now - last["at"] >= 5 or fraction >= 1.0:
            last["at"] = now
            print(f"    {label}: {fraction:4.0%} {text}", flush=True)
    return report


def main() -> None:
    OUT.mkdir(exist_ok=True)
    print(f"journeylens ingest benchmark (duckdb {duckdb.__version__}, {os.cpu_count()} cores)", flush=True)
    csv_path = ensure(OUT / f"alerts-{CSV_ROWS}.csv", generate_csv, CSV_ROWS, f"{CSV_ROWS:,}-row alerts CSV")
    am_path = ensure(OUT / f"alertmanager-{AM_ALERTS}.jsonl", generate_am, AM_ALERTS,
                     f"{AM_ALERTS:,} Alertmanager alerts (JSON Lines)")
    rows = []
    scratch = Path(tempfile.mkdtemp(prefix="bench-", dir=OUT))
    try:
        print("  bare DuckDB read_csv -> on-disk table ...", flush=True)
        bare_s, _ = timed(lambda: bare_csv(csv_path, scratch))
        print(f"    {bare_s:.2f}s", flush=True)
        print("  journeylens ingest_file(alerts, CSV) ...", flush=True)
        ranked_before(scratch / "ws-csv")
        jl_s, result = timed(lambda: ingest_file(scratch / "ws-csv", "alerts", csv_path,
                                                  progress=progress_printer("csv")))
        print("  then keeping its alert pieces (what `journeylens ingest` does once the upload is stored) ...",
              flush=True)
        pieces_s, kept = timed(lambda: keep_workspace_pieces(scratch / "ws-csv"))
        if kept != 1:
            raise SystemExit("the alert pieces were not kept")
        if result["rows"] != CSV_ROWS:
            raise SystemExit(f"journeylens stored {result['rows']} rows, expected {CSV_ROWS}")
        ratio = jl_s / bare_s
        rows.append({"measurement": f"bare DuckDB read_csv, {CSV_ROWS:,} rows", "seconds": bare_s,
                     "value": f"{CSV_ROWS / bare_s:,.0f} rows/s", "target": "", "pass": None})
        rows.append({"measurement": f"journeylens ingest CSV, {CSV_ROWS:,} rows", "seconds": jl_s,
                     "value": f"{ratio:.2f}x bare", "target": f"<= {MAX_RATIO:.1f}x", "ratio": ratio,
                     "pass": ratio <= MAX_RATIO})
        rows.append({"measurement": "  then keeping its alert pieces for ranking", "seconds": pieces_s,
                     "value": f"{pieces_s / bare_s:.2f}x bare", "target": "(reported)", "pass": None})

        print("  bare DuckDB read_json_objects count ...", flush=True)
        bare_j, lines = timed(lambda: bare_json(am_path))
        print("  journeylens ingest_file(alerts, Alertmanager JSONL) ...", flush=True)
        am_s, result = timed(lambda: ingest_file(scratch / "ws-am", "alerts", am_path,
                                                  progress=progress_printer("am")))
        if result["rows"] != AM_ALERTS:
            raise SystemExit(f"journeylens stored {result['rows']} alerts, expected {AM_ALERTS}")
        rate = AM_ALERTS / am_s
        rows.append({"measurement": f"bare DuckDB read_json_objects count, {lines:,} lines", "seconds": bare_j,
                     "value": f"{lines / bare_j:,.0f} lines/s", "target": "", "pass": None})
        rows.append({"measurement": f"journeylens ingest Alertmanager, {AM_ALERTS:,} alerts", "seconds": am_s,
                     "value": f"{rate:,.0f} alerts/s", "target": f">= {MIN_ALERTS_PER_S:,}/s",
                     "alerts_per_s": rate, "pass": rate >= MIN_ALERTS_PER_S})
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    print()
    print(f"{'measurement':<52} {'seconds':>8}  {'ratio / throughput':<20} {'target':<16} result")
    print("-" * 108)
    for row in rows:
        verdict = "" if row["pass"] is None else ("PASS" if row["pass"] else "FAIL")
        print(f"{row['measurement']:<52} {row['seconds']:>8.2f}  {row['value']:<20} {row['target']:<16} {verdict}")
    (OUT / "results.json").write_text(json.dumps({
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "duckdb": duckdb.__version__,
        "python": platform.python_version(), "cpus": os.cpu_count(), "csv_rows": CSV_ROWS,
        "am_alerts": AM_ALERTS, "results": rows}, indent=2))
    print(f"\nwritten to {OUT / 'results.json'}")


if __name__ == "__main__":
    main()
