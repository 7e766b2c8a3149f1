"""Change management that does not cry wolf.

A change (deploy, config, feature flag, pricing, UI) to a service whose alerts map to a stage marks that
stage **to recalibrate** only when the change was followed by a measurable shift in the stage's alerting
or journey metrics (retro/change_shifts.py says how it is tested); the row says which shift. A stage whose
changes since its last review moved nothing reads "changed, no shift", one whose data cannot tell reads
"unknown" ("not enough data ..."). A recorded review clears the stage until its next change. Alerts that
start shortly after a change are linked to it in the ranked queue (`sql/queue/07_group_changes.sql`).
"""

import json

import pandas as pd
from journeylens.notebooks.queue.mapping import create_mapped_alerts
from journeylens.notebooks.queue.profiles import load_profile
from journeylens.notebooks.retro.change_shifts import KNOBS, shift_tests, stage_verdicts
from journeylens.notebooks.retro.weekly import read_audit
from journeylens.notebooks.workspace.snapshot import close_snapshot, connect, sql_text
from journeylens.notebooks.workspace.store import append_audit, writer_lock

REVIEWED = "stage.reviewed"
STATUSES = ("to recalibrate", "changed, no shift", "unknown", "ok")


def last_reviews(workspace) -> dict:
    """{stage: (at, who)}: the latest review of each stage in the audit trail."""
    audit = read_audit(workspace)
    found = {}
    for row in audit[audit["action"] == REVIEWED].to_dict("records") if len(audit) else []:
        found[json.loads(row["what"]).get("stage")] = (row["at"], row["who"])
    return found


def change_tests(workspace, profile: dict | None = None) -> pd.DataFrame:
    """Every change since its stage's last review, tested on each metric (change_shifts.shift_tests)."""
    knobs = {k: (profile or load_profile(workspace)["profile"])[k] for k in KNOBS}
    reviews = last_reviews(workspace)
    con = connect(workspace)
    try:
        windows, _ = change_frames(con, reviews, knobs)
    finally:
        close_snapshot(con)
    return shift_tests(windows, knobs)


def change_frames(con, reviews: dict, knobs: dict) -> tuple:
    """(change_shifts windows, stage_change_log) on an open snapshot."""
    create_mapped_alerts(con)
    con.execute("create or replace temp table stage_reviews (stage varchar, reviewed_at timestamp)")
    if reviews:
        con.executemany("insert into stage_reviews values (?, ?)",
                        [[stage, at.to_pydatetime()] for stage, (at, _) in reviews.items()])
    windows = con.execute(sql_text("change_shifts"), {"window_hours": knobs["change_window_hours"]}).df()
    return windows, con.execute(sql_text("stage_change_log")).df()


def recalibration_status(workspace, profile: dict | None = None) -> pd.DataFrame:
    """Per stage: the latest change (SPEC §2.7) to any service whose alerts map to it, the latest review,
    the changes since it, and status with why: 'to recalibrate' (a change since the review was followed
    by a significant, large enough shift, named in why), 'changed, no shift', 'unknown' (not enough data
    to tell) or 'ok' (no change since the last review). `profile`: the weight profile's change_* knobs
    (default: the workspace's default profile)."""
    knobs = {k: (profile or load_profile(workspace)["profile"])[k] for k in KNOBS}
    reviews = last_reviews(workspace)
    con = connect(workspace)
    try:
        windows, frame = change_frames(con, reviews, knobs)
    finally:
        close_snapshot(con)
    verdicts = {row["stage"]: row for row in stage_verdicts(shift_tests(windows, knobs)).to_dict("records")}
    frame["last_review"] = frame["stage"].map(lambda s: reviews.get(s, (None,))[0])
    frame["reviewed_by"] = frame["stage"].map(lambda s: reviews.get(s, (None, None))[1])
    quiet = {"status": "ok", "why": "no change since the last review"}
    none = {"status": "ok", "why": "no change recorded"}
    found = [verdicts.get(stage, quiet if n else none)
             for stage, n in zip(frame["stage"], frame["changes"], strict=True)]
    frame["status"] = [v["status"] for v in found]
    frame["why"] = [v["why"] for v in found]
    return frame


def mark_reviewed(workspace, stage: str, why: str = "") -> dict:
    """Records that someone reviewed a stage's mappings and thresholds after its latest change."""
    if not stage:
        raise ValueError("which stage was reviewed?")
    with writer_lock(workspace):
        return append_audit(workspace, REVIEWED, {"stage": stage}, why)
