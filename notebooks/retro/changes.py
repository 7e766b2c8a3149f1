"""Change management.

A change (deploy, config, feature flag, pricing, UI) to a service whose alerts map to a stage marks that
stage's mappings and thresholds **to recalibrate** until someone records a review. Alerts that start
shortly after a change are linked to it in the ranked queue (`sql/queue/07_group_changes.sql`).
"""

import json

import pandas as pd
from journeylens.notebooks.queue.mapping import create_mapped_alerts
from journeylens.notebooks.retro.weekly import read_audit
from journeylens.notebooks.workspace.snapshot import close_snapshot, connect
from journeylens.notebooks.workspace.store import append_audit, writer_lock

REVIEWED = "stage.reviewed"


def recalibration_status(workspace) -> pd.DataFrame:
    """Per stage: the latest change (SPEC §2.7) to any service whose alerts map to it, the latest review
    of its mappings and thresholds, and whether it is 'to recalibrate' (a change came after the last
    review, or it was never reviewed since a change)."""
    con = connect(workspace)
    try:
        create_mapped_alerts(con)
        frame = con.execute("""
            with stage_services as (select distinct stage, service from mapped_alerts where stage is not null)
            select s.stage, max(c.ts) as last_change,
                arg_max(c.service || ' ' || c.kind || coalesce(': ' || c.description, ''), c.ts) as what_changed,
                count(c.ts) as changes
            from (select distinct stage from stages) as st
            join stage_services as s using (stage)
            left join changes as c on c.service = s.service
            group by s.stage
            order by s.stage""").df()
    finally:
        close_snapshot(con)
    audit = read_audit(workspace)
    reviews = audit[audit["action"] == REVIEWED] if len(audit) else audit
    last_review = {}
    for row in reviews.to_dict("records"):
        stage = json.loads(row["what"]).get("stage")
        last_review[stage] = (row["at"], row["who"], row["why"])
    frame["last_review"] = frame["stage"].map(lambda s: last_review.get(s, (None,))[0])
    frame["reviewed_by"] = frame["stage"].map(lambda s: last_review.get(s, (None, None))[1])
    pending = frame["last_change"].notna() & (frame["last_review"].isna()
                                               | (pd.to_datetime(frame["last_change"]) > pd.to_datetime(frame["last_review"])))
    frame["status"] = pending.map({True: "to recalibrate", False: "ok"})
    return frame


def mark_reviewed(workspace, stage: str, why: str = "") -> dict:
    """Records that someone reviewed a stage's mappings and thresholds after its latest change."""
    if not stage:
        raise ValueError("which stage was reviewed?")
    with writer_lock(workspace):
        return append_audit(workspace, REVIEWED, {"stage": stage}, why)
