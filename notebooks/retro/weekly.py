"""The weekly calibration retro: its numbers.

For an ISO week (Monday 00:00 UTC to the next Monday) or all data: per stage, incidents (outcome not
noise or duplicate), noise incidents, and the mean minutes to acknowledge, resolve and restore the
journey (SPEC §4.3); alerts -> groups -> unsuppressed -> reached people, and the actioned incidents any
suppression would have hidden (it must be none); how many of the top 10 ranked groups became actioned
incidents and which actioned incidents ranked low; conversion stability per stage; AI outcomes week
over week; what changed, with who, when and why; what the queue counted (queue_view.queue_counts, the
words every surface uses) and the coverage gaps (groups on services no touchpoint claims, per service
with the suggested rule). report.assemble_retro puts it together with the
suggestions for the report and the Retro page.
"""

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
from journeylens.notebooks.ai.outcomes import ai_metrics
from journeylens.notebooks.ingest.playbook_file import load_playbooks
from journeylens.notebooks.queue.mapping import coverage
from journeylens.notebooks.queue.profiles import load_profile
from journeylens.notebooks.queue.queue_view import alerts_only, queue_counts
from journeylens.notebooks.queue.ranking import queue_select, rank_alerts
from journeylens.notebooks.retro.coverage_gaps import coverage_gaps
from journeylens.notebooks.retro.scope import week_scope
from journeylens.notebooks.workspace.snapshot import close_snapshot, connect, sql_text

REAL_OUTCOMES = ("actioned", "auto_mitigated", "escalated")
TOP_K = 10
LINK_BEFORE = timedelta(minutes=30)  # a group that fired up to 30 min before an incident opened...
LINK_AFTER = timedelta(hours=2)  # ...or while it was open (2 h when it has no resolution) is linked


def week_window(week: str | None) -> tuple:
    """(start, end) of an ISO week 'YYYY-Www' in UTC, Monday 00:00 to the next Monday; (None, None) for
    all the data. A malformed or impossible week is a clear error."""
    if week is None:
        return None, None
    found = re.fullmatch(r"(\d{4})-W(\d{2})", week.strip())
    if not found:
        raise ValueError(f"--week {week!r}: expected YYYY-Www, e.g. 2026-W44")
    year, number = int(found.group(1)), int(found.group(2))
    try:
        monday = date.fromisocalendar(year, number, 1)
    except ValueError:
        raise ValueError(f"--week {week!r}: {year} has no ISO week {number}") from None
    start = datetime(monday.year, monday.month, monday.day)
    return start, start + timedelta(days=7)


def retro_stages(con, week: str | None = None) -> pd.DataFrame:
    """retro_stages.csv (SPEC §4.3) for an ISO week or all data, set-based (sql/retro/01_retro_stages.sql)."""
    start, end = week_window(week)
    return con.execute(sql_text("retro_stages"), {"start": start, "end": end}).df()


def link_incidents(groups: pd.DataFrame, incidents: pd.DataFrame) -> pd.DataFrame:
    """Which ranked groups each incident is about: by its alert_ids and fingerprints when it lists any,
    else by stage (or service) and time (the group fired from 30 minutes before the
    incident opened until it resolved, or 2 hours). Returns incident_id, group_id pairs."""
    pairs = []
    ids = groups.assign(alert_set=groups["alert_ids"].fillna("").str.split(";").map(set))
    def given(value) -> bool:
        return value is not None and not (isinstance(value, float) and pd.isna(value)) and str(value).strip() != ""

    for inc in incidents.to_dict("records"):
        if given(inc.get("alert_ids")) or given(inc.get("fingerprints")):
            wanted = {a.strip() for a in str(inc.get("alert_ids") or "").split(";") if given(inc.get("alert_ids"))
                      and a.strip()}
            prints = {f.strip() for f in str(inc.get("fingerprints") or "").split(";")
                      if given(inc.get("fingerprints")) and f.strip()}
            hit = ids[ids["alert_set"].map(lambda s, w=wanted: bool(s & w)) | ids["fingerprint"].isin(prints)]
        else:
            opened = pd.Timestamp(inc["opened_at"])
            until = pd.Timestamp(inc["resolved_at"]) if pd.notna(inc.get("resolved_at")) else opened + LINK_AFTER
            same = (ids["stage"] == inc["stage"]) if given(inc.get("stage")) else (ids["service"] == inc.get("service"))
            hit = ids[same & (pd.to_datetime(ids["first_fired_at"]) >= opened - LINK_BEFORE)
                      & (pd.to_datetime(ids["first_fired_at"]) <= until)]
        pairs += [(inc["incident_id"], g) for g in hit["group_id"]]
    return pd.DataFrame(pairs, columns=["incident_id", "group_id"])


def read_audit(workspace) -> pd.DataFrame:
    """The workspace's audit log as rows: at, who, action, what (JSON text), why."""
    path = Path(workspace) / "audit.jsonl"
    rows = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                entry = json.loads(line)
                rows.append({"at": pd.Timestamp(entry["at"]).tz_convert(None), "who": entry.get("who"),
                             "action": entry.get("action"), "what": json.dumps(entry.get("what"), sort_keys=True),
                             "why": entry.get("why", "")})
    return pd.DataFrame(rows, columns=["at", "who", "action", "what", "why"])


def data_weeks(workspace) -> list:
    """The ISO weeks ('YYYY-Www') with alerts or incidents, newest first."""
    con = connect(workspace, tables=("incidents", "alerts"))
    try:
        return [r[0] for r in con.execute(
            "select distinct strftime(opened_at, '%G-W%V') from incidents union "
            "select distinct strftime(fired_at, '%G-W%V') from alerts order by 1 desc").fetchall()]
    finally:
        close_snapshot(con)


def retro_context(workspace, profile_name: str | None = None) -> dict:
    """What every week's retro reads, ranked once: the ranked frame (every kind, as the app ranks), its
    alert groups (with fingerprints), incidents, the hourly stage state, alerts per ISO week, the audit log
    and the coverage's unmapped services with their suggested rules. retro_engine.spark_retro_context is
    the same with the ranking and retro_stages on Apache Spark."""
    con = connect(workspace)
    try:
        found = {**ranked_context(con, workspace, profile_name), **stored_context(con)}
    finally:
        close_snapshot(con)
    return {"workspace": workspace, **found, "audit": read_audit(workspace)}


def ranked_context(con, workspace, profile_name: str | None = None) -> dict:
    """{frame, groups, hourly}: the part of retro_context that ranks, on a DuckDB snapshot or a Spark
    connection (spark_inputs.open_workspace), which run the same SQL."""
    # ranked as the app ranks (signals queued beside the groups), so the retro counts the app's queue
    profile = load_profile(workspace, profile_name)["profile"]
    rank_alerts(con, profile, load_playbooks(workspace), signals=True)
    frame = con.execute(queue_select()).df()
    groups = alerts_only(frame).merge(
        con.execute("select group_id, fingerprint from alert_groups").df(), on="group_id", how="left")
    hourly = con.execute("select stage, hour, conversion, conversion_baseline, entered from stage_hourly").df()
    return {"frame": frame, "groups": groups, "hourly": hourly, "ai_weights": profile["ai_weights"]}


def stored_context(con) -> dict:
    """{unmapped, incidents, weekly_alerts} of a DuckDB snapshot: small reads of the stored rows."""
    return {"unmapped": coverage(con)["unmapped"],
            "incidents": con.execute("select * from incidents order by opened_at").df(),
            "weekly_alerts": dict(con.execute("select strftime(fired_at, '%G-W%V'), count(*) from alerts "
                                              "group by 1").fetchall())}


def context_weeks(ctx: dict) -> list:
    """The ISO weeks a retro context has alerts or incidents in, in order."""
    opened = pd.to_datetime(ctx["incidents"]["opened_at"])
    return sorted(set(ctx["weekly_alerts"]) | {d.strftime("%G-W%V") for d in opened})


def retro(workspace, week: str | None = None, profile_name: str | None = None, context: dict | None = None) -> dict:
    """The calibration retro of a week (or all data): stages (SPEC §4.3), volume and noise, the queue's
    precision, conversion stability, AI week over week and what changed. Plain data for the report and
    the app; `context` (retro_context) saves re-ranking when several weeks are asked for."""
    start, end = week_window(week)
    ctx = context or retro_context(workspace, profile_name)
    kept = ctx.get("stages", {})  # worked out on another engine (retro_engine)
    con = connect(workspace, tables=("incidents", "stages", "ai_interactions", "eval_scores"))
    try:
        stages = kept[week] if week in kept else retro_stages(con, week)
        ai_change = ai_week_over_week(con, start, ctx.get("ai_weights")) if start is not None else None
    finally:
        close_snapshot(con)
    alerts = ctx["weekly_alerts"].get(week, 0) if week else sum(ctx["weekly_alerts"].values())

    def inside(frame, column):
        if start is None:
            return frame
        when = pd.to_datetime(frame[column])
        return frame[(when >= start) & (when < end)]

    groups, incidents = inside(ctx["groups"], "first_fired_at"), inside(ctx["incidents"], "opened_at")
    hourly = inside(ctx["hourly"], "hour")
    hourly = hourly[hourly["entered"] >= 30]  # a thin hour's conversion says little about stability
    links = link_incidents(groups, incidents)
    real = incidents[incidents["outcome"].isin(REAL_OUTCOMES)]
    unsuppressed = groups[~groups["suppressed"]].reset_index(drop=True)
    unsuppressed["window_rank"] = range(1, len(unsuppressed) + 1)
    linked = links.merge(groups[["group_id", "suppressed"]], on="group_id")
    reached = linked.loc[~linked["suppressed"], "group_id"].nunique()
    hidden = [i for i in real["incident_id"] if i in set(linked["incident_id"])
              and linked.loc[linked["incident_id"] == i, "suppressed"].all()]
    top = unsuppressed.head(TOP_K)
    real_links = links[links["incident_id"].isin(real["incident_id"])]
    best = real_links.merge(unsuppressed[["group_id", "window_rank"]], on="group_id").groupby("incident_id")["window_rank"].min()
    stability = conversion_stability(hourly)
    week_frame = inside(ctx["frame"], "first_fired_at")
    return {
        "week": week or "all data", "stages": stages, "incidents_without_stage": int(incidents["stage"].isna().sum()),
        "volume": {"alerts": int(alerts), "groups": len(groups), "unsuppressed": len(unsuppressed),
                   "reached_people": int(reached),
                   "noise_reduction": 1 - len(unsuppressed) / alerts if alerts else None,
                   "actioned": len(real), "actioned_hidden_by_suppression": hidden},
        "precision": {"k": TOP_K, "top": len(top),
                      "top_linked_to_actioned": int(top["group_id"].isin(real_links["group_id"]).sum()),
                      "ranked_low": [{"incident_id": i, "best_rank": int(r)} for i, r in best.items() if r > TOP_K],
                      "not_in_queue": [i for i in real["incident_id"] if i not in best.index]},
        "stability": stability, "ai_week_over_week": ai_change,
        "counts": queue_counts(week_frame), "scope": week_scope(week, start, end, ctx["frame"]), "coverage_gaps": coverage_gaps(week_frame, ctx["unmapped"]),
        **week_changes(ctx["audit"], week),
    }


def week_changes(audit: pd.DataFrame, week: str | None = None) -> dict:
    """{changes, uploads}: the audit log's entries of the week (or all of them). Changes are to the
    configuration; a journey map arrives as an upload, so its uploads count as changes too."""
    start, end = week_window(week)
    if len(audit) and start is not None:
        when = pd.to_datetime(audit["at"])
        audit = audit[(when >= start) & (when < end)]
    if not len(audit):
        return {"changes": audit, "uploads": audit}
    uploads = audit["action"].str.startswith("upload.")
    return {"changes": audit[~uploads | audit["what"].str.contains('"kind": "journey-map"', regex=False)],
            "uploads": audit[uploads]}


def conversion_stability(hourly: pd.DataFrame) -> pd.DataFrame:
    """Per stage: the variance of its hourly conversion, the deepest drop below its baseline, how long
    that drop lasted (the run of consecutive hours more than 10% below around it, at least 1), and the
    hours spent more than 10% below in all. `hourly`: stage, hour, conversion, conversion_baseline."""
    rows = []
    for stage, part in hourly.sort_values("hour").groupby("stage", sort=True):
        ratio = (part["conversion"] / part["conversion_baseline"] - 1).reset_index(drop=True)
        below = (ratio < -0.10).to_numpy()
        duration = 0
        if ratio.notna().any():
            deepest = int(ratio.idxmin())
            left = right = deepest
            while left > 0 and below[left - 1]:
                left -= 1
            while right < len(below) - 1 and below[right + 1]:
                right += 1
            duration = right - left + 1
        rows.append({"stage": stage, "conversion_variance": part["conversion"].var(), "deepest_drop": ratio.min(),
                     "deepest_drop_hours": duration, "hours_below_10pct": int(below.sum())})
    return pd.DataFrame(rows, columns=["stage", "conversion_variance", "deepest_drop", "deepest_drop_hours",
                                       "hours_below_10pct"])


def ai_week_over_week(con, start, weights: dict | None = None) -> pd.DataFrame:
    """SPEC §4.2 metrics per feature and segment for the week from `start` against the week before
    (weighted_score under the profile's ai_weights)."""
    metrics = ["interactions", "task_completion_rate", "silent_failure_rate", "weighted_score", "cost_per_success",
               "acceptance_rate", "fallback_rate"]
    week = timedelta(days=7)
    now = ai_metrics(con, weights, between=(start, start + week))[["feature", "segment", *metrics]]
    before = ai_metrics(con, weights, between=(start - week, start))[["feature", "segment", *metrics]]
    both = now.merge(before, on=["feature", "segment"], how="outer", suffixes=("", "_before"))
    for metric in metrics[1:]:
        both[f"{metric}_change"] = both[metric] - both[f"{metric}_before"]
    return both


def retro_trends(workspace, profile_name: str | None = None, context: dict | None = None,
                 weeks_found: dict | None = None) -> pd.DataFrame:
    """Week over week, for every ISO week with alerts or incidents: noise reduction, the queue's
    precision, the coverage gaps (unmapped groups, critical/high among them) and MTTR per stage (one
    ranking for all weeks). `weeks_found`, when given, is filled with each week's retro (the work is done
    anyway: a page can show any week from it)."""
    ctx = context or retro_context(workspace, profile_name)
    rows = []
    for week in context_weeks(ctx):
        found = retro(workspace, week, context=ctx)
        if weeks_found is not None:
            weeks_found[week] = found
        row = {"week": week, "alerts": found["volume"]["alerts"], "unsuppressed": found["volume"]["unsuppressed"],
               "noise_reduction": found["volume"]["noise_reduction"],
               "top_actioned": found["precision"]["top_linked_to_actioned"], "actioned": found["volume"]["actioned"],
               "unmapped_groups": found["coverage_gaps"]["unmapped_groups"],
               "unmapped_urgent": found["coverage_gaps"]["unmapped_urgent"]}
        row.update({f"mttr_{r['stage']}": r["mttr_min"] for r in found["stages"].to_dict("records")})
        rows.append(row)
    return pd.DataFrame(rows)
