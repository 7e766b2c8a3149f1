"""A small AI world for the prompt backlog: each interaction is there for one reason to enter the backlog
(or to stay out), stored through the ordinary upload (ingest_file) with its evaluations."""

import csv
from datetime import datetime, timedelta

from journeylens.notebooks.ingest.upload import ingest_file

LATEST = datetime(2026, 3, 10, 12, 0)
FORMULA = "=HYPERLINK(\"http://evil.example\",\"click\")"
FIELDS = ["interaction_id", "ts", "feature", "accepted", "segment", "task_type", "model_version", "prompt", "output",
          "feedback", "intent_mismatch", "shadow"]
# id, hours before LATEST, feature, feedback, intent_mismatch, shadow, prompt
ROWS = [
    ("a1", 0, "search", "down", "", "false", "find a desk"),          # thumbs-down and a low llm score
    ("a2", 1, "search", "up", "true", "false", "compare lamps"),      # intent mismatch
    ("a3", 2, "search", "", "false", "false", "find a chair"),        # low llm score, but a human says fine
    ("a4", 3, "search", "", "", "false", "find a monitor"),           # fine llm score, but a human says low
    ("a5", 72, "search", "down", "", "false", "find a dock"),          # thumbs-down 3 days before: only with 7d
    ("a6", 4, "search", "up", "", "false", "find a webcam"),          # unknown intent_mismatch: not in
    ("s1", 1, "search", "down", "", "true", "find a lamp"),           # shadow: never in
    ("b1", 0.5, "billing", "", "", "false", FORMULA),                 # low llm score, a formula for text
    ("b2", 5, "billing", "", "", "false", "refund?"),                 # nothing wrong: not in
]
# id, value, source, explanation
SCORES = [("a1", 0.2, "llm", "missed the budget"), ("a3", 0.2, "llm", "judge thinks wrong"),
          ("a3", 0.9, "human", "fine by a reviewer"), ("a4", 0.9, "llm", "looks right"),
          ("a4", 0.1, "human", "reviewer: wrong item"), ("b1", 0.3, "llm", FORMULA), ("b2", 0.95, "llm", "good")]


def build_backlog_world(folder):
    """The workspace (folder / 'ws') holding ROWS and SCORES."""
    ai_path, scores_path = folder / "ai.csv", folder / "scores.csv"
    with ai_path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(FIELDS)
        for iid, hours, feature, feedback, mismatch, shadow, prompt in ROWS:
            ts = (LATEST - timedelta(hours=hours)).isoformat() + "Z"
            writer.writerow([iid, ts, feature, "true", "free", "lookup", "m1", prompt, f"answer to {iid}", feedback,
                             mismatch, shadow])
    with scores_path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["interaction_id", "name", "value", "source", "explanation"])
        for iid, value, source, explanation in SCORES:
            writer.writerow([iid, "task_completion", value, source, explanation])
    ws = folder / "ws"
    ingest_file(ws, "ai", ai_path)
    ingest_file(ws, "scores", scores_path)
    return ws
