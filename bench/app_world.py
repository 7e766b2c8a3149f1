"""A workspace the size a busy team has, for the app's benchmark: the sample world with its alerts
multiplied to `n` (1M by default), so every alert maps to the sample's stages and the sample's journey
metrics measure harm under them, as on a real workspace; not the ranking benchmark's bare tables.

Each copy of a sample alert keeps its service, name, severity, labels and message, takes a fingerprint
of its own among `KEYS_PER_TEMPLATE` (so the workspace has ~40k problems that recur, as real fleets do),
and moves by a copy-specific offset inside the sample's month, where the metrics are.

    python -m bench.app_world DIR [--alerts N]
"""

import argparse
import tempfile
import time
from pathlib import Path

import duckdb
from journeylens.notebooks.ingest.export import export_kind
from journeylens.notebooks.ingest.sample_workspace import build_sample_workspace
from journeylens.notebooks.ingest.upload import ingest_file

KEYS_PER_TEMPLATE = 160  # × 249 sample alerts ≈ 40k fingerprints, the ranking benchmark's count
MONTH_SECONDS = 30 * 86400
CANONICAL = ("alert_id", "fired_at", "resolved_at", "service", "name", "severity", "source", "fingerprint",
             "confidence", "region", "labels", "message")


def multiplied_alerts(sample_csv: Path, n: int, out: Path) -> int:
    """Writes `n` alerts made from the sample's to `out` (Parquet); returns how many."""
    con = duckdb.connect()
    try:
        con.execute("create table t as select row_number() over (order by fired_at, alert_id) - 1 as k, * "
                    "from read_csv(?, all_varchar = true)", [str(sample_csv)])
        templates = con.execute("select count(*) from t").fetchone()[0]
        columns = ", ".join(f"t.{c}" for c in CANONICAL if c not in ("alert_id", "fired_at", "resolved_at",
                                                                      "fingerprint"))
        con.execute(f"""
            copy (
                with copies as (
                    select i, i % ? as k, i // ? as r from range(?) s(i)
                ), placed as (
                    select c.i, c.r, t.*,
                        epoch(cast(t.fired_at as timestamp) - timestamp '2026-10-01') as since_start,
                        epoch(cast(t.resolved_at as timestamp) - cast(t.fired_at as timestamp)) as lasted
                    from copies c join t using (k)
                )
                select
                    t.alert_id || '#' || t.r as alert_id,
                    timestamp '2026-10-01' + to_seconds(cast((t.since_start + t.r * 7919 * 60) % ? as bigint))
                        as fired_at,
                    timestamp '2026-10-01' + to_seconds(cast((t.since_start + t.r * 7919 * 60) % ? as bigint)
                        + cast(coalesce(least(t.lasted, 4 * 3600), 300) as bigint)) as resolved_at,
                    t.fingerprint || '-' || (t.r % ?) as fingerprint,
                    {columns}
                from placed t
            ) to '{out}' (format parquet)""",
                    [templates, templates, n, MONTH_SECONDS, MONTH_SECONDS, KEYS_PER_TEMPLATE])
        return n
    finally:
        con.close()


def build_app_world(workspace: Path, n: int = 1_000_000, progress=print) -> Path:
    """The sample workspace with its alerts multiplied to `n`; returns the workspace."""
    workspace = Path(workspace)
    started = time.perf_counter()
    build_sample_workspace(workspace)
    with tempfile.TemporaryDirectory() as tmp:
        sample_csv, many = Path(tmp) / "sample_alerts.csv", Path(tmp) / "alerts_many.parquet"
        export_kind(workspace, "alerts", sample_csv)
        multiplied_alerts(sample_csv, n - 249, many)
        ingest_file(workspace, "alerts", many)
    progress(f"built a workspace of {n:,} alerts in {time.perf_counter() - started:.0f} s at {workspace}")
    return workspace


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace", type=Path)
    parser.add_argument("--alerts", type=int, default=1_000_000)
    args = parser.parse_args()
    build_app_world(args.workspace, args.alerts)
