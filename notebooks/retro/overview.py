"""The Overview page's numbers and sentences: the first thing a reviewer reads about a workspace.

Every figure is one the other surfaces already compute, summarised, never recomputed differently:
- the funnel and the top entries come from the ranked queue (queue/queue_view: queue_entries, queue_counts,
  the same queue the Ranked page, `journeylens rank`, the audit and the retro count);
- the journey at a glance from the journey deviations and signals (signals/journey_signals);
- AI outcomes from ai_metrics' overall row (ai/outcomes);
- what changed from the upload register (workspace/snapshot.list_uploads), and what is due for review from
  the retro's suggestions not yet decided and the assumptions whose review date has come (retro/).
Functions take a workspace path or a ranked frame and return plain dicts and frames, so the page can cache them
per upload set."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from journeylens.notebooks.queue.queue_view import counts_text, queue_counts, queue_entries
from journeylens.notebooks.retro.scope import all_data_scope
from journeylens.notebooks.workspace.snapshot import list_uploads

TOP = 5
RECENT = pd.Timedelta("24h")
WEEK = pd.Timedelta("7D")
KIND_WORDS = {"alert_group": "alert group", "incident": "incident candidate", "journey_signal": "journey signal",
              "ai_signal": "AI signal", "burn_rate_page": "SLO burn-rate page"}


def is_empty(workspace) -> bool:
    """True when nothing was ever stored in the workspace (the page then offers the two first steps)."""
    return list_uploads(workspace).empty


def load_sample(workspace, progress=None) -> list:
    """Builds the sample world into `workspace` (ingest/sample_workspace), only into an empty one: the sample's
    alerts mixed into someone's own exports would rank beside them as if they were real."""
    from journeylens.notebooks.ingest.sample_workspace import build_sample_workspace

    if not is_empty(workspace):
        raise ValueError("this workspace already has uploads; the sample world loads only into an empty one")
    Path(workspace).mkdir(parents=True, exist_ok=True)
    return build_sample_workspace(workspace, progress=progress)


# -- the queue: funnel and top entries ------------------------------------------------------------

def funnel(frame: pd.DataFrame, entries: pd.DataFrame | None = None) -> dict:
    """alerts -> alert groups -> entries worth a look (queue entries not suppressed: alert groups, incident
    candidates and the signals queued beside them), with the counts of queue_counts and a sentence."""
    entries = queue_entries(frame) if entries is None else entries
    counts = queue_counts(frame, entries)
    headline = (f"{counts['alerts']:,} alerts became {counts['alert_groups']:,} alert groups and "
                f"{counts['in_queue']:,} queue entries worth a look")
    return {**counts, "headline": headline, "counted": counts_text(counts), "scope": all_data_scope(frame)}


def why_line(entry) -> str:
    """One line of why an entry ranks where it does: its score, severity and whether harm to customers was
    measured on its stage in its window (and how much), and how many alert groups it joins."""
    parts = [f"score {entry['score']:.1f}"]
    if isinstance(entry["severity"], str) and entry["severity"]:
        parts.append(f"{entry['severity']} severity")
    harm = entry["harm"]
    if bool(entry["harm_observed"]) and pd.notna(harm):
        segment = entry["harm_segment"]
        who = f" for {segment} customers" if isinstance(segment, str) and segment not in ("", "all") else ""
        parts.append(f"customer harm measured on its stage in its window{who} ({harm:.0%} of full harm)")
    else:
        parts.append("no customer harm measured in its window")
    if entry["members"] > 1:
        parts.append(f"{entry['members']} alert groups of one outage")
    return " · ".join(parts)


def top_entries(entries: pd.DataFrame, n: int = TOP) -> pd.DataFrame:
    """The first `n` entries in the queue (not suppressed), best first: rank, entry_id (the incident_key the
    Ranked page opens with ?entry=), title, stage, kind (in words), score and the why line."""
    shown = entries[~entries["suppressed"].astype(bool)].head(n)
    if shown.empty:
        return pd.DataFrame(columns=["rank", "entry_id", "title", "stage", "kind", "score", "why"])
    return pd.DataFrame({
        "rank": shown["rank"].astype(int), "entry_id": shown["entry_id"].astype(str),
        "title": shown["name"].fillna(shown["service"]).astype(str),
        "stage": shown["stage"].astype("string").fillna("unmapped").astype(str),
        "kind": shown["kind"].map(KIND_WORDS).fillna(shown["kind"]).astype(str),
        "score": shown["score"].astype(float),
        "why": [why_line(row) for _, row in shown.iterrows()],
    }).reset_index(drop=True)


def queue_overview(frame: pd.DataFrame, n: int = TOP) -> dict:
    """{funnel, top}: the queue's funnel and its first `n` entries, collapsing the frame once."""
    entries = queue_entries(frame)
    return {"funnel": funnel(frame, entries), "top": top_entries(entries, n)}


# -- the journey at a glance ----------------------------------------------------------------------

def weighted(part: pd.DataFrame, column: str) -> float:
    """The mean of `column` over hours weighted by customers entering (a busy hour weighs what it weighs)."""
    weights = part["trials"].clip(lower=0).fillna(0)
    valid = part[column].notna() & weights.gt(0)
    return float((part.loc[valid, column] * weights[valid]).sum() / weights[valid].sum()) if valid.any() else float("nan")


def journey_glance(deviations: pd.DataFrame, signals: pd.DataFrame) -> pd.DataFrame:
    """Per stage (the stage as a whole): its conversion over the last 24 h of data against its baseline and
    band (weighted by entries), how many signals of the stage started in the last 24 h and 7 days or go on,
    a status (signal firing > below its band > within its band) and a sentence."""
    columns = ["stage", "conversion", "baseline", "band_lower", "band_upper", "signals_24h", "signals_7d",
               "ongoing", "status", "sentence"]
    rows = deviations[(deviations["segment"] == "all") & (deviations["metric"] == "conversion")]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    last = pd.Timestamp(rows["ts"].max())
    started = pd.to_datetime(signals["started_at"]) if len(signals) else pd.Series(dtype="datetime64[ns]")
    out = []
    for stage, part in rows.groupby("stage", sort=True):
        day = part[pd.to_datetime(part["ts"]) > last - RECENT]
        mine = signals[signals["stage"] == stage] if len(signals) else signals
        when = started[mine.index] if len(signals) else started
        recent, week = int((when > last - RECENT).sum()), int((when > last - WEEK).sum())
        ongoing = int(mine["ended_at"].isna().sum()) if len(signals) else 0
        value, base = weighted(day, "value"), weighted(day, "baseline")
        # a conversion is a rate: a band of baseline +/- spreads past 0% or 100% says no more than 0% or 100%
        low, high = max(weighted(day, "band_lower"), 0.0), min(weighted(day, "band_upper"), 1.0)
        if recent or ongoing:
            status = "signal firing"
        elif pd.notna(value) and pd.notna(low) and value < low:
            status = "below its band"
        elif pd.notna(value) and pd.notna(high) and value > high:
            status = "above its band"
        else:
            status = "within its band"
        measured = (f"conversion {value:.1%} over the last 24 h against a baseline of {base:.1%} "
                    f"(band {low:.1%} to {high:.1%})" if pd.notna(value) and pd.notna(base)
                    else "no conversion measured in the last 24 h")
        sentence = (f"{stage}: {measured}; {status}; {week} signal{'s' * (week != 1)} in the last 7 days"
                    + (f", {ongoing} still going on" if ongoing else "") + ".")
        out.append({"stage": stage, "conversion": value, "baseline": base, "band_lower": low, "band_upper": high,
                    "signals_24h": recent, "signals_7d": week, "ongoing": ongoing, "status": status,
                    "sentence": sentence})
    return pd.DataFrame(out, columns=columns)


def workspace_journey(workspace) -> dict:
    """{as_of, stages}: journey_glance of a workspace's journey metrics (empty stages without them)."""
    from journeylens.notebooks.signals.journey_signals import workspace_signals

    if "metrics" not in set(list_uploads(workspace)["kind"]):
        return {"as_of": None, "stages": journey_glance(pd.DataFrame(columns=["ts", "stage", "segment", "metric"]),
                                                        pd.DataFrame())}
    found = workspace_signals(workspace)
    deviations = found["deviations"]
    as_of = pd.Timestamp(deviations["ts"].max()) if len(deviations) else None
    return {"as_of": as_of, "stages": journey_glance(deviations, found["signals"])}


# -- AI outcomes, what changed, what is due -------------------------------------------------------

def ai_glance(workspace) -> dict | None:
    """ai_metrics' overall row (feature and segment 'all') as {interactions, task_completion_rate,
    silent_failure_rate, fallback_rate, cost_per_success}; None when the workspace has no AI interactions."""
    from journeylens.notebooks.ai.outcomes import workspace_ai_metrics

    if "ai" not in set(list_uploads(workspace)["kind"]):
        return None
    metrics = workspace_ai_metrics(workspace)
    overall = metrics[(metrics["feature"] == "all") & (metrics["segment"] == "all")]
    if overall.empty or not overall["interactions"].iloc[0]:
        return None
    row = overall.iloc[0]
    keys = ("interactions", "task_completion_rate", "silent_failure_rate", "fallback_rate", "cost_per_success")
    return {key: (None if pd.isna(row[key]) else float(row[key])) for key in keys}


def cost_text(dollars: float | None) -> str:
    """A cost a reader can take in: '$0.12', or per 1,000 when under a cent ('$0.13 per 1,000'); '—' if none."""
    if dollars is None or pd.isna(dollars):
        return "—"
    return f"${dollars:,.2f}" if dollars >= 0.01 else f"${dollars * 1000:,.2f} per 1,000"


def recent_uploads(workspace, now: pd.Timestamp | None = None) -> pd.DataFrame:
    """Uploads stored in the 7 days before `now` (default: now, UTC), newest first."""
    uploads = list_uploads(workspace)
    now = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now)
    stored = pd.to_datetime(uploads["stored_at"], utc=True, format="ISO8601")
    return uploads[stored > now - WEEK][["file_name", "kind", "rows", "stored_at", "stored_by"]].reset_index(drop=True)


def decision_name(suggestion: dict) -> str:
    """The decisions/ folder a decision on `suggestion` is saved under (retro/governance.decide's key)."""
    from journeylens.notebooks.retro.governance import decision_key
    from journeylens.notebooks.retro.suggestions import decision_of

    return decision_key(decision_of(suggestion))


def retro_suggestions(workspace, context: dict, standing: list | None = None) -> list:
    """[{title, decision}]: the suggestions the retro makes over all data (those report.assemble_retro makes
    for "All data", without the retro's other sections) and the decisions/ folder a decision on each goes to.
    `standing`: the threshold and map suggestions when already made (retro_base.retro_base's)."""
    from journeylens.notebooks.retro import suggestions as made

    if "alerts" not in set(list_uploads(workspace)["kind"]):
        return []
    if standing is None:
        standing = [*made.threshold_suggestions(workspace, context["incidents"]), *made.map_suggestions(workspace)]
    found = [*standing, *made.quiet_touchpoints(context), *made.late_stages(context), *made.playbook_hints(context)]
    return [{"title": made.suggestion_title(s), "decision": decision_name(s)} for s in found]


def workspace_overview(workspace, n: int = TOP, base: dict | None = None) -> dict:
    """{queue, suggestions}: queue_overview and retro_suggestions of a workspace, ranked once (retro_context
    ranks as the app, the CLI and the retro do: the default profile, signals queued beside the groups).
    `base` (retro_base.retro_base of the workspace's current state) saves ranking again: the app's Overview and
    Retro pages share one."""
    if base is None:
        from journeylens.notebooks.retro.weekly import retro_context

        context, standing = retro_context(workspace), None
    else:
        context, standing = base["context"], base["standing"]
    return {"queue": queue_overview(context["frame"], n), "suggestions": retro_suggestions(workspace, context, standing)}


def due_for_review(workspace, suggestions: list) -> dict:
    """{suggestions, open, decided, assumptions_due}: how many `suggestions` (retro_suggestions) there are, the
    titles of those not yet decided, how many are, and the assumptions whose review date has come. Cheap (it
    reads the decisions and assumptions saved), so a decision shows at once. Read-only."""
    from journeylens.notebooks.retro.governance import decided_ids, due_assumptions

    decided = decided_ids(workspace)
    still_open = [s["title"] for s in suggestions if s["decision"] not in decided]
    return {"suggestions": len(suggestions), "open": still_open, "decided": len(suggestions) - len(still_open),
            "assumptions_due": due_assumptions(workspace)}
