"""Worlds for the early churn signals' tests: one AI feature over 20 complete weeks of interactions (and
optionally tickets), written as CSV and stored through the ordinary ingest."""

import numpy as np
import pandas as pd
from journeylens.notebooks.ingest.upload import ingest_file

START = pd.Timestamp("2026-01-05")  # a Monday
WEEKS, CHANGE = 20, 15  # the changed worlds change from week 15 (0-based) on


def world(tmp_path, *, adoption_drop=False, usage_drop=False, tickets=None, seed=7):
    """A workspace of one AI feature over 20 complete weeks: new users join every week (20 a week on average;
    2 after the change when adoption drops) and each uses the feature about 4 times a week (most about
    once after the change when usage drops). `tickets`: None (no tickets kind), 'steady' or 'spike'."""
    rng = np.random.default_rng(seed)
    tmp_path.mkdir(parents=True, exist_ok=True)
    rows, users = [], []
    for week in range(WEEKS):
        joining = rng.poisson(2 if adoption_drop and week >= CHANGE else 20)
        users += [(f"u{len(users) + i}", rng.choice(["pro", "free"]), rng.choice(["draft", "reply"]))
                  for i in range(joining)]
        for user, segment, task in users:
            rate = 1 if usage_drop and week >= CHANGE and int(user[1:]) % 10 < 7 else 4
            for _ in range(rng.poisson(rate)):
                ts = START + pd.Timedelta(weeks=week) + pd.Timedelta(seconds=int(rng.integers(0, 7 * 86400)))
                rows.append((f"i{len(rows)}", ts.isoformat(), "summarise", user, segment, task, "onboarding"))
    rows.append(("last", (START + pd.Timedelta(weeks=WEEKS) - pd.Timedelta(minutes=1)).isoformat(), "summarise",
                 "u0", "pro", "draft", "onboarding"))  # the data reaches the last Sunday: every week complete
    ws = tmp_path / "ws"
    frame = pd.DataFrame(rows, columns=["interaction_id", "ts", "feature", "user_id", "segment", "task_type", "stage"])
    frame.to_csv(tmp_path / "ai.csv", index=False)
    ingest_file(ws, "ai", tmp_path / "ai.csv")
    if tickets:
        counts = [rng.poisson(60 if tickets == "spike" and week == CHANGE else 10) for week in range(WEEKS)]
        stamps = [START + pd.Timedelta(weeks=w, seconds=int(rng.integers(0, 7 * 86400)))
                  for w, n in enumerate(counts) for _ in range(n)]
        stamps.append(START + pd.Timedelta(weeks=WEEKS) - pd.Timedelta(minutes=1))
        pd.DataFrame({"ts": [s.isoformat() for s in stamps], "ticket_id": [f"T{i}" for i in range(len(stamps))],
                      "feature": "summarise", "segment": rng.choice(["pro", "free"], len(stamps))}
                     ).to_csv(tmp_path / "tickets.csv", index=False)
        ingest_file(ws, "tickets", tmp_path / "tickets.csv")
    return ws
