"""Synthetic AI interaction worlds for the outcome signals beyond task completion: one feature per kind,
each steady for 60 days and then changed in that one kind only, beside a feature that never changes.
Stored in a temp workspace through the ordinary upload (ingest_file), eval scores with them."""

import csv
from datetime import datetime, timedelta

import numpy as np
from journeylens.notebooks.ingest.upload import ingest_file

T0 = datetime(2026, 1, 1)
DAYS, CHANGE_DAY, PER_DAY = 90, 60, 80
# feature -> the kind that changes from CHANGE_DAY on
EVENTS = {"edits": "edit_rate", "falls": "fallback_reason", "silent": "silent_failure", "thumbs": "thumbs_down",
          "slow": "p95_latency", "pricey": "cost_per_success", "steady": None}
FIELDS = ["interaction_id", "ts", "feature", "accepted", "segment", "task_type", "role", "model_version", "stage",
          "edited", "fallback", "fallback_reason", "feedback", "latency_ms", "cost_usd"]


def interaction(rng, event: str | None, changed: bool, k: int, model: str) -> tuple[dict, float]:
    """One interaction's fields and its judge task_completion score."""
    hit = changed and event is not None
    fallback_reason = None
    if rng.random() < 0.02:
        fallback_reason = "low_confidence"
    elif rng.random() < (0.10 if hit and event == "fallback_reason" else 0.01):
        fallback_reason = "timeout"
    feedback = ""
    if rng.random() < 0.5:  # half the interactions carry feedback
        feedback = "down" if rng.random() < (0.30 if hit and event == "thumbs_down" else 0.05) else "up"
    edited = rng.random() < (0.45 if hit and event == "edit_rate" else 0.20)
    latency = rng.lognormal(np.log(700), 0.3) * (2.2 if hit and event == "p95_latency" else 1.0)
    cost = 0.002 * rng.lognormal(0, 0.1) * (2.0 if hit and event == "cost_per_success" else 1.0)
    judge = 0.2 if rng.random() < (0.30 if hit and event == "silent_failure" else 0.03) else 0.85
    row = {"accepted": str(fallback_reason is None).lower(), "segment": "enterprise" if k % 3 == 0 else "free",
           "task_type": "lookup" if k % 2 else "summary", "role": "admin" if k % 4 == 0 else "member",
           "model_version": model, "stage": "checkout", "edited": str(edited).lower(),
           "fallback": str(fallback_reason is not None).lower(), "fallback_reason": fallback_reason or "",
           "feedback": feedback, "latency_ms": round(latency), "cost_usd": round(cost, 6)}
    return row, judge


def build_world(tmp_path, features=tuple(EVENTS), drift: bool = False, seed: int = 7):
    """A workspace with the features asked for (EVENTS). drift=True: from CHANGE_DAY on, every feature runs
    a new model version twice as slow (a model drift)."""
    rng = np.random.default_rng(seed)
    rows, scores = [], []
    for feature in features:
        for day in range(DAYS):
            changed = day >= CHANGE_DAY
            model = "m2" if drift and changed else "m1"
            for k in range(PER_DAY):
                row, judge = interaction(rng, EVENTS[feature], changed, k, model)
                if drift and changed:
                    row["latency_ms"] *= 2
                iid = f"{feature}-{day}-{k}"
                rows.append({"interaction_id": iid, "ts": (T0 + timedelta(days=day, minutes=10 * k)).isoformat() + "Z",
                             "feature": feature, **row})
                scores.append({"interaction_id": iid, "name": "task_completion", "value": judge, "source": "llm"})
    ai_path, scores_path, ws = tmp_path / "ai.csv", tmp_path / "scores.csv", tmp_path / "ws"
    for path, fields, data in ((ai_path, FIELDS, rows), (scores_path, ["interaction_id", "name", "value", "source"],
                                                         scores)):
        with path.open("w", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=fields)
            writer.writeheader()
            writer.writerows(data)
    ingest_file(ws, "ai", ai_path)
    ingest_file(ws, "scores", scores_path)
    return ws
