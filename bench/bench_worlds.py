"""The ranking on seeded variant worlds (sample_data/world_variant.py): does it hold on worlds nobody tuned
it on? (issue 14 §5). Not a test: `.venv/bin/python -m bench.bench_worlds [--seeds 1-16] [--held-out 17-56]`.

Each seed's world is built, ingested into a fresh workspace and ranked (ranking.ranked_alerts; its
unsuppressed rows are the queue; with signals=True where the function takes it, as the app queues). What is counted are
DISTINCT PROBLEMS:
- entries: the queue's rows in rank order, kept when lane == 'queue' (if the frame has `lane`) and
  kind == 'alert_group' (if it has `kind`), collapsed by incident_key (group_id without that column); an
  entry's alert ids are the union of its rows' `alert_ids`;
- an entry hits incident X when one of its alert ids is one of X's (incidents.csv);
- precision@10 = distinct incidents hit by the first 10 entries / min(10, incidents): two entries of one
  outage count once, and a world with 5 incidents allows 5;
- recall@20 = distinct incidents hit by the first 20 entries / incidents;
- an unmapped critical is visible when some unsuppressed row holds one of its alerts (and, when the frame
  has `lane`, that row is in the needs_mapping lane).
The baseline ranks every alert group by severity alone (severity component, then the earliest), each
group its own entry, with nothing suppressed. A diagnosis beside them ("one per outage"): the same queue
with every entry dropped whose incidents an earlier entry already hit, i.e. perfect correlation. Per seed range: the mean, the worst decile (10th
percentile), worlds under 0.7 and 0.8, incidents in the top 20. Results: bench/out/worlds_results.json.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
import tempfile
import time
from functools import partial
from multiprocessing import Pool
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).parent / "out" / "worlds_results.json"
SHOWN = ["service", "name", "stage", "severity", "score", "harm", "harm_segment", "window_conversion",
         "conversion_baseline", "exposure", "alert_count"]


def seed_range(text: str) -> list[int]:
    """'1-16' -> [1..16]; '3,5,9-10' -> [3, 5, 9, 10]."""
    seeds: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        low, _, high = part.partition("-")
        seeds += range(int(low), int(high or low) + 1)
    return seeds


def entries(frame: pd.DataFrame) -> list[set[str]]:
    """The queue's distinct entries in rank order, each as the set of its alert ids."""
    rows = frame.sort_values("rank") if "rank" in frame else frame
    if "lane" in rows:
        rows = rows[rows["lane"] == "queue"]
    if "kind" in rows:
        rows = rows[rows["kind"] == "alert_group"]
    keys = rows["incident_key"] if "incident_key" in rows else rows["group_id"]
    out: dict[str, set[str]] = {}
    for key, ids in zip(keys, rows["alert_ids"], strict=True):
        out.setdefault(key, set()).update(str(ids).split(";") if isinstance(ids, str) else ())
    return list(out.values())


def hits(ranked: list[set[str]], truth: dict[str, list[str]], n: int) -> set[str]:
    """The distinct incidents the first n entries hit."""
    return {incident for ids in ranked[:n] for incident, members in truth.items() if ids & set(members)}


def precision_at_10(ranked: list[set[str]], truth: dict) -> float:
    return len(hits(ranked, truth, 10)) / min(10, len(truth)) if truth else 1.0


def recall_at_20(ranked: list[set[str]], truth: dict) -> float:
    return len(hits(ranked, truth, 20)) / len(truth) if truth else 1.0


def truth_collapsed(ranked: list[set[str]], truth: dict) -> list[set[str]]:
    """A diagnosis, not the measure: the entries as perfect correlation would leave them, every entry
    whose incidents an earlier entry already hit dropped. Precision on it minus precision on the
    entries is what one-entry-per-outage can still win; the rest is the score's order."""
    out, seen = [], set()
    for ids in ranked:
        hit = {k for k, m in truth.items() if ids & set(m)}
        if not hit or not hit <= seen:
            out.append(ids)
        seen |= hit
    return out


def unmapped_visible(frame: pd.DataFrame, unmapped: dict[str, list[str]]) -> dict[str, bool]:
    """For each unmapped critical: is one of its alerts on an unsuppressed row (in the needs_mapping lane
    when the frame has lanes)?"""
    rows = frame
    if "suppressed" in rows:
        rows = rows[~rows["suppressed"].astype(bool)]
    if "lane" in rows:
        rows = rows[rows["lane"] == "needs_mapping"]
    shown = {a for ids in rows["alert_ids"] if isinstance(ids, str) for a in ids.split(";")}
    return {key: bool(shown & set(ids)) for key, ids in unmapped.items()}


def severity_order(frame: pd.DataFrame) -> list[set[str]]:
    """The baseline: every alert group by severity alone, then the earliest, each its own entry."""
    rows = frame[frame["kind"] == "alert_group"] if "kind" in frame else frame
    rows = rows.sort_values(["severity_component", "first_fired_at", "group_id"], ascending=[False, True, True])
    return [set(ids.split(";")) for ids in rows["alert_ids"] if isinstance(ids, str)]


def _rank(ws: Path) -> pd.DataFrame:
    from journeylens.notebooks.queue.ranking import ranked_alerts

    extra = {"signals": True} if "signals" in inspect.signature(ranked_alerts).parameters else {}
    return ranked_alerts(ws, include_suppressed=True, **extra)


def _top(frame: pd.DataFrame, truth: dict, n: int = 10) -> list[dict]:
    """The first n rows as shown, each with the incident it belongs to (None = noise): for diagnosis."""
    out = []
    for _, row in frame.head(n).iterrows():
        ids = set(str(row["alert_ids"]).split(";"))
        item = {c: (None if pd.isna(row[c]) else row[c].item() if hasattr(row[c], "item") else row[c])
                for c in [*SHOWN, "kind", "lane", "incident_key", "instances"] if c in row}
        item["incident"] = next((k for k, m in truth.items() if ids & set(m)), None)
        out.append(item)
    return out


def _drop_columns(path: Path, columns: list[str]) -> None:
    """An ablation: the metrics file without some columns (to see what they do to the ranking)."""
    metrics = pd.read_csv(path, dtype=str, keep_default_na=False)
    metrics.drop(columns=[c for c in columns if c in metrics]).to_csv(path, index=False)


def run_world(seed: int, without: tuple[str, ...] = ()) -> dict:
    """Build, ingest, rank and count one world (`without`: metric columns left out before ingest)."""
    from journeylens.notebooks.ingest.upload import ingest_file
    from journeylens.sample_data.world_variant import build

    with tempfile.TemporaryDirectory() as folder:
        world = build(seed, Path(folder) / "files")
        if without:
            _drop_columns(world["metrics"], list(without))
        ws = Path(folder) / "ws"
        for kind, key in (("journey-map", "journey_map"), ("alerts", "alerts"), ("metrics", "metrics"),
                          ("incidents", "incidents")):
            ingest_file(ws, kind, world[key])
        every = _rank(ws)
    # the unsuppressed rows of the full ranking are the queue ranked_alerts(include_suppressed=False) gives
    # (suppressed rows rank last): one ranking per world serves the queue and the baseline
    queue = every[~every["suppressed"].astype(bool)]
    truth = world["truth"]
    ranked, baseline = entries(queue), severity_order(every)
    found, oracle = hits(ranked, truth, 20), truth_collapsed(ranked, truth)
    first = {k: next((i + 1 for i, ids in enumerate(ranked) if ids & set(m)), None) for k, m in truth.items()}
    # each incident's best row as the queue shows it: why a real outage ranks where it does
    best = {k: _top(queue[queue["alert_ids"].map(lambda ids, m=set(m): bool(set(str(ids).split(";")) & m))],
                    {k: m}, 1) for k, m in truth.items()}
    return {"seed": seed, "incidents": len(truth), "precision_at_10": precision_at_10(ranked, truth),
            "recall_at_20": recall_at_20(ranked, truth), "in_top_20": len(found),
            "baseline_precision_at_10": precision_at_10(baseline, truth),
            "baseline_recall_at_20": recall_at_20(baseline, truth), "baseline_in_top_20": len(hits(baseline, truth, 20)),
            "oracle_precision_at_10": precision_at_10(oracle, truth), "oracle_in_top_20": len(hits(oracle, truth, 20)),
            "unmapped": unmapped_visible(queue, world["unmapped_criticals"]), "entries": len(ranked),
            "incident_entry_rank": first, "incident_best_row": best, "incident_details": world["incident_details"], "stages": world["stages"],
            "traits": world["traits"], "top10": _top(queue, truth)}


def summary(worlds: list[dict], prefix: str = "") -> dict:
    p = np.array([w[f"{prefix}precision_at_10"] for w in worlds])
    found, total = sum(w[f"{prefix}in_top_20"] for w in worlds), sum(w["incidents"] for w in worlds)
    unmapped = [v for w in worlds for v in w["unmapped"].values()]
    return {"worlds": len(worlds), "mean_precision_at_10": round(float(p.mean()), 3),
            "worst_decile_precision_at_10": round(float(np.percentile(p, 10)), 3),
            "worlds_under_0.7": int((p < 0.7).sum()), "worlds_under_0.8": int((p < 0.8).sum()),
            "incidents_in_top_20": found, "incidents": total, "recall_at_20": round(found / total, 3),
            "unmapped_visible": sum(unmapped), "unmapped_criticals": len(unmapped)}


def _table(name: str, worlds: list[dict]) -> str:
    lines = [f"\n{name}: seeds {worlds[0]['seed']}-{worlds[-1]['seed']}",
             f"{'seed':>5} {'inc':>4} {'p@10':>6} {'r@20':>6} {'sev p@10':>9} {'sev r@20':>9} {'unmapped':>9}"]
    for w in worlds:
        shown = f"{sum(w['unmapped'].values())}/{len(w['unmapped'])}"
        lines.append(f"{w['seed']:>5} {w['incidents']:>4} {w['precision_at_10']:>6.2f} {w['recall_at_20']:>6.2f} "
                     f"{w['baseline_precision_at_10']:>9.2f} {w['baseline_recall_at_20']:>9.2f} {shown:>9}")
    for label, prefix in (("journeylens", ""), ("severity only", "baseline_"), ("one per outage", "oracle_")):
        s = summary(worlds, prefix)
        lines.append(f"  {label:<14} mean p@10 {s['mean_precision_at_10']:.3f}   worst decile "
                     f"{s['worst_decile_precision_at_10']:.3f}   under 0.7: {s['worlds_under_0.7']}   under 0.8: "
                     f"{s['worlds_under_0.8']}   in top 20: {s['incidents_in_top_20']}/{s['incidents']} "
                     f"({s['recall_at_20']:.0%})")
    s = summary(worlds)
    lines.append(f"  unmapped criticals visible: {s['unmapped_visible']}/{s['unmapped_criticals']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="1-16", help="tuning seeds (default 1-16)")
    parser.add_argument("--held-out", default="17-56", help="seeds the defaults were not chosen on")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--without", default="", help="ablation: metric columns to leave out, comma-separated")
    args = parser.parse_args(argv)
    ranges = {"tuning": seed_range(args.seeds), "held_out": seed_range(args.held_out)}
    seeds = [s for r in ranges.values() for s in r]
    results, started = {}, time.perf_counter()
    with Pool(max(1, args.workers)) as pool:
        without = tuple(filter(None, args.without.split(",")))
        for done, world in enumerate(pool.imap_unordered(partial(run_world, without=without), seeds), 1):
            results[world["seed"]] = world
            sys.stderr.write(f"\r{done}/{len(seeds)} worlds ({time.perf_counter() - started:.0f} s), "
                             f"last: seed {world['seed']} p@10 {world['precision_at_10']:.2f}   ")
            sys.stderr.flush()
    sys.stderr.write("\n")
    report = {"elapsed_s": round(time.perf_counter() - started, 1), "without": args.without}
    for name, range_seeds in ranges.items():
        worlds = [results[s] for s in range_seeds]
        print(_table(name, worlds))
        report[name] = {"seeds": args.seeds if name == "tuning" else args.held_out, "summary": summary(worlds),
                        "baseline": summary(worlds, "baseline_"), "oracle_collapse": summary(worlds, "oracle_"),
                        "worlds": worlds}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, default=str))
    print(f"\n{len(seeds)} worlds in {report['elapsed_s']} s; details in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
