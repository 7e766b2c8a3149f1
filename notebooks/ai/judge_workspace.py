"""Judging a workspace.

`judge_plan` says how many calls a run needs and what it would cost (no key needed); a call that
failed before has no verdict and is planned again. `judge_workspace` runs them, reports how many
were judged, unparsed, failed and not run (when the run stopped early after consecutive failures,
with the reason), and stores every parsed verdict as an `llm` score upload; `offline_workspace` does
the same with the offline evaluator (`code`), no key needed.
"""

import asyncio
import csv
import json
import tempfile
from pathlib import Path

from journeylens.notebooks.ai.judge import RUBRICS, judge_messages, offline_verdicts
from journeylens.notebooks.ai.judge_cache import cache_key, load_cache, read_cache
from journeylens.notebooks.ai.judge_runner import run_calls
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.workspace.snapshot import close_snapshot, connect

SCORE_FIELDS = ("interaction_id", "name", "value", "label", "source", "explanation")
INTERACTION_FIELDS = ("interaction_id", "ts", "task_type", "prompt", "output", "edited_output", "accepted",
                      "edited", "fallback", "feedback", "intent_mismatch")
# USD per million tokens, for the estimate shown before a run (override with --price-in / --price-out)
DEFAULT_PRICES = {"input": 0.15, "output": 0.60}
EXPECTED_OUTPUT_TOKENS = 80  # a verdict: one or two sentences and a label


def workspace_interactions(workspace, limit: int | None = None) -> list:
    """The workspace's AI interactions (production and shadow), oldest first, as dicts."""
    con = connect(workspace, tables=("ai_interactions",))
    try:
        frame = con.execute(f"select {', '.join(INTERACTION_FIELDS)} from ai_interactions "
                            "order by ts, interaction_id").df()
    finally:
        close_snapshot(con)
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return rows[:limit] if limit else rows


def stored_scores(workspace, source: str) -> set:
    """(interaction_id, name) pairs the workspace already holds a score for, from `source`."""
    con = connect(workspace, tables=("eval_scores",))
    try:
        return set(con.execute("select distinct interaction_id, name from eval_scores where source = $s",
                               {"s": source}).fetchall())
    finally:
        close_snapshot(con)


def store_scores(workspace, rows: list, file_name: str) -> dict | None:
    """Stores verdicts as a `scores` upload (a CSV in SPEC §2.5 shape, ingested like any other file), so
    the audit log, the register and removal treat them like every upload. None when there is nothing."""
    if not rows:
        return None
    with tempfile.TemporaryDirectory(prefix="journeylens-judge-") as tmp:
        path = Path(tmp) / file_name
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(SCORE_FIELDS))
            writer.writeheader()
            writer.writerows({k: r.get(k) for k in SCORE_FIELDS} for r in rows)
        return ingest_file(workspace, "scores", path)


def pending_calls(interactions: list, model: str, cached: dict, rubrics=None) -> list:
    """[(interaction, rubric name)] without a verdict in the cache yet (failed calls are called again)."""
    return [(row, name) for row in interactions for name in (rubrics or RUBRICS)
            if cache_key(row["interaction_id"], name, model) not in cached]


def estimate_cost(calls: list, prices: dict | None = None) -> dict:
    """Tokens (about 4 characters each) and USD of the calls, before running them."""
    prices = {**DEFAULT_PRICES, **(prices or {})}
    tokens_in = sum(len(json.dumps(judge_messages(name, row))) // 4 + 1 for row, name in calls)
    tokens_out = EXPECTED_OUTPUT_TOKENS * len(calls)
    usd = (tokens_in * prices["input"] + tokens_out * prices["output"]) / 1e6
    return {"calls": len(calls), "input_tokens": tokens_in, "output_tokens": tokens_out, "usd": usd}


def judge_plan(workspace, model: str, limit: int | None = None, prices: dict | None = None) -> dict:
    """What a run would do: {interactions, cached, calls, retrying, estimate, ids} (no network, no key).
    `retrying` counts the calls that failed before: they have no verdict, so they are made again."""
    interactions = workspace_interactions(workspace, limit)
    cached, failed = read_cache(workspace)
    calls = pending_calls(interactions, model, cached)
    return {"interactions": len(interactions), "cached": len(interactions) * len(RUBRICS) - len(calls),
            "calls": calls, "retrying": sum(cache_key(row["interaction_id"], name, model) in failed
                                            for row, name in calls),
            "estimate": estimate_cost(calls, prices), "ids": {row["interaction_id"] for row in interactions}}


def judge_workspace(workspace, settings: dict, limit: int | None = None, concurrency: int = 4, progress=None,
                    base_delay: float = 0.5) -> dict:
    """Judges the workspace's interactions without a verdict yet for this model and rubric versions, then
    stores every parsed verdict the workspace does not hold yet as llm scores. Returns the counts: judged,
    unparsed, failed and not_run (the calls of this run), stopped (why the run stopped early, or None),
    last_error, stored and upload. Failed and not-run calls are made again by the next run."""
    plan = judge_plan(workspace, settings["model"], limit)
    run = asyncio.run(run_calls(settings, plan["calls"], workspace, concurrency, progress, base_delay))
    stored = store_new_verdicts(workspace, settings["model"], plan["ids"])
    return {"interactions": plan["interactions"], "cached": plan["cached"], "retrying": plan["retrying"],
            "called": len(run.pop("records")), **run, **stored, "estimate": plan["estimate"]}


def store_new_verdicts(workspace, model: str, ids: set) -> dict:
    """Stores the cached parsed verdicts of `model` on the interactions `ids` that the workspace does not
    hold as llm scores yet, as one upload: {stored, upload}. A verdict cached by a run cut off before this
    step is stored by the next run, which does not call for it again."""
    held = stored_scores(workspace, "llm")
    fresh = [dict(r, source="llm") for r in load_cache(workspace).values()
             if r["model"] == model and r["parsed"] and r["value"] is not None
             and r["interaction_id"] in ids and (r["interaction_id"], r["name"]) not in held]
    stored = store_scores(workspace, fresh, f"judge-{model.replace('/', '_')}.csv")
    return {"stored": len(fresh), "upload": stored["upload_id"] if stored else None}


def offline_workspace(workspace, limit: int | None = None) -> dict:
    """The offline evaluator (source 'code') over the workspace's interactions, stored as scores."""
    held = stored_scores(workspace, "code")
    rows = [{"interaction_id": row["interaction_id"], "source": "code", **verdict}
            for row in workspace_interactions(workspace, limit) for verdict in offline_verdicts(row)
            if (row["interaction_id"], verdict["name"]) not in held]
    stored = store_scores(workspace, rows, "offline-evaluator.csv")
    return {"stored": len(rows), "upload": stored["upload_id"] if stored else None}
