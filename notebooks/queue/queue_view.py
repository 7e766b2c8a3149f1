"""One ranked queue for every surface: the command line, the audit report, the retro and the app.

The ranking (queue/ranking.py) gives one row per alert group, journey signal, AI signal or burn-rate
page, best first. Several groups can be one outage: they share an `incident_key`. What a person works
through is the queue of *entries*: one per incident candidate (its member groups listed), the others
as they are. This module turns the ranked frame into that queue, keeps the SPEC §4.1 view (alert
groups only) and counts what each surface says it shows, so that every surface says the same thing.

- entry: the rows sharing an incident_key; kind 'incident' when it has >= 2 members, else the
  member's kind. It stands where its best member stands in the frame's order (suppressed, score desc, first
  fired, id), so score = the best member's score and the entry is suppressed only if every member is.
- entries keep the frame's order (the order of their leads) and are ranked 1..n.
- lane: 'needs_mapping' for an alert group no touchpoint claims (stage null), else 'queue'; an entry
  is in the needs-mapping lane only if all its members are.

Until the ranking gives kind, lane, incident_key, incident_reason, instances and suggested_rule, they
are derived here (with_queue_columns): every group its own entry, no instances known."""

import inspect
import json

import pandas as pd
from journeylens.notebooks.ingest.playbook_file import load_playbooks
from journeylens.notebooks.queue.profiles import load_profile
from journeylens.notebooks.workspace.snapshot import connect

SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
URGENT = ("critical", "high")  # a needs-mapping group of these severities is counted (and shown) first
SIGNAL_KINDS = {"journey_signal": "journey signals", "ai_signal": "AI signals", "burn_rate_page": "burn-rate pages"}
# The lead member's score components, after the entry's own columns.
COMPONENT_COLUMNS = ("impact", "sensitivity", "stage_factor", "severity_component", "exposure",
                     "confidence_component", "duration_component", "recurrence_component", "signal",
                     "corroboration", "harm_observed")
QUEUE_COLUMNS = (
    "rank", "kind", "lane", "entry_id", "score", "suppressed", "suppressed_reason", "stage", "service", "name",
    "severity", "first_fired_at", "last_fired_at", "members", "member_group_ids", "sources", "services",
    "instances", "alert_ids", "alert_count", "incident_reason", "suggested_rule", "harm", "harm_segment",
    *COMPONENT_COLUMNS,
)
# Joined with ';' over the members, distinct, in the members' order: (entry column, member column).
LISTED = (("member_group_ids", "group_id"), ("sources", "source"), ("services", "service"),
          ("instances", "instances"), ("alert_ids", "alert_ids"))


def derived_kind(frame: pd.DataFrame) -> pd.Series:
    """kind where the ranking does not give it: journeylens' own rows are journey signals (service
    'journey:<stage>') or AI signals; every other row is an alert group."""
    own = frame["source"].eq("journeylens")
    journey = frame["service"].astype("string").str.startswith("journey:").fillna(False)
    return pd.Series("alert_group", index=frame.index).mask(own & journey, "journey_signal").mask(
        own & ~journey, "ai_signal")


def with_queue_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with kind, lane, incident_key, incident_reason, instances and suggested_rule: the ranking's
    when it gives them, else derived (module docstring). Missing texts become ''."""
    out = frame.copy()
    if "kind" not in out:
        out["kind"] = derived_kind(out)
    if "lane" not in out:
        out["lane"] = "queue"
        out.loc[out["stage"].isna() & out["kind"].eq("alert_group"), "lane"] = "needs_mapping"
    if "incident_key" not in out:
        out["incident_key"] = out["group_id"]
    out["incident_key"] = out["incident_key"].fillna(out["group_id"])
    for column in ("incident_reason", "instances", "suggested_rule"):
        out[column] = out[column].fillna("").astype(str) if column in out else ""
    return out


def in_frame_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame in its ranking's order: by `rank` when given, else (suppressed, score desc, first fired, id)."""
    if "rank" in frame:
        return frame.sort_values("rank", kind="stable")
    return frame.sort_values(["suppressed", "score", "first_fired_at", "group_id"],
                             ascending=[True, False, True, True], kind="stable")


def listed(frame: pd.DataFrame, key: str, column: str) -> pd.Series:
    """Per `key`: the distinct ';'-separated parts of `column` over its rows, in row order, joined by ';'."""
    parts = frame[[key, column]].assign(**{column: frame[column].fillna("").astype(str).str.split(";")})
    parts = parts.explode(column)
    parts = parts[parts[column].str.strip().ne("")].drop_duplicates()
    # string sum concatenates in row order inside pandas: ';'.join per group would call Python per group
    return (parts[column].astype(str) + ";").groupby(parts[key], sort=False).sum().str[:-1]


def severity_rank(severity: pd.Series) -> pd.Series:
    """0 for critical .. 4 for info; an unknown word ranks last."""
    ranks = {name: i for i, name in enumerate(SEVERITY_ORDER)}
    return severity.astype("string").str.lower().map(ranks).fillna(len(SEVERITY_ORDER)).astype(int)


def queue_entries(frame: pd.DataFrame) -> pd.DataFrame:
    """The ranked queue: one row per entry (module docstring), QUEUE_COLUMNS, ranked 1..n in the frame's
    order. Singletons (most rows) are taken as they are; only incident candidates are aggregated."""
    if frame.empty:
        return pd.DataFrame(columns=list(QUEUE_COLUMNS))
    rows = in_frame_order(with_queue_columns(frame)).reset_index(drop=True)
    key = "incident_key"
    # an entry stands where its best member stands; it is shown by its best alert group (a signal only when
    # it has none), whose playbook, changes and drill-down are what on-call acts on
    position = rows.groupby(key, sort=False).ngroup()
    leads = (rows.assign(_position=position, _signal=rows["kind"].ne("alert_group"))
             .sort_values(["_position", "_signal"], kind="stable").drop_duplicates(key, keep="first")
             .drop(columns=["_position", "_signal"]).set_index(key))
    leads["score"] = rows.groupby(key, sort=False)["score"].max()
    entries = leads.assign(member_group_ids=leads["group_id"], sources=leads["source"].fillna(""),
                           services=leads["service"].fillna(""), alert_ids=leads["alert_ids"].fillna(""))
    # members listed lead first (alert groups before signals, each in the frame's order)
    shared = (rows.assign(_position=position, _signal=rows["kind"].ne("alert_group"))
              .sort_values(["_position", "_signal"], kind="stable").drop(columns=["_position", "_signal"]))
    shared = shared[shared[key].duplicated(keep=False)]
    if len(shared):
        by_key = shared.groupby(key, sort=False)
        worst = shared.assign(_rank=severity_rank(shared["severity"])).groupby(key, sort=False)["_rank"].min()
        together = pd.DataFrame({
            "members": by_key.size(), "suppressed": by_key["suppressed"].all(),
            "first_fired_at": by_key["first_fired_at"].min(), "last_fired_at": by_key["last_fired_at"].max(),
            "alert_count": by_key["alert_count"].sum(), "severity": worst.map(dict(enumerate(SEVERITY_ORDER))),
            "stage": by_key["stage"].first(),  # the first member's that has one
            "lane": shared["lane"].eq("needs_mapping").groupby(shared[key], sort=False).all().map(
                {True: "needs_mapping", False: "queue"}),
            **{name: listed(shared, key, column) for name, column in LISTED},
        })
        together["kind"] = "incident"
        for column in together:  # cast only where the aggregate's type differs (a datetime cast costs seconds)
            if column not in entries or entries[column].dtype != together[column].dtype:
                entries[column] = entries[column].astype(object) if column in entries else None
            entries.loc[together.index, column] = together[column]
    entries["members"] = rows.groupby(key, sort=False).size().reindex(entries.index)
    entries = entries.reset_index().rename(columns={key: "entry_id"})
    entries["rank"] = range(1, len(entries) + 1)
    for column in QUEUE_COLUMNS:
        if column not in entries:
            entries[column] = pd.NA
    entries = entries[list(QUEUE_COLUMNS)].astype({"suppressed": bool, "members": int, "alert_count": int})
    for column in ("first_fired_at", "last_fired_at"):
        entries[column] = pd.to_datetime(entries[column])
    return entries


def alerts_only(frame: pd.DataFrame) -> pd.DataFrame:
    """ranked_alerts.csv (SPEC §4.1): the alert-group rows of the frame in its order, ranked 1..n, the
    frame's columns in its order (RANKED_COLUMNS first) with the queue columns after them."""
    rows = in_frame_order(with_queue_columns(frame))
    groups = rows[rows["kind"].eq("alert_group")].reset_index(drop=True)
    groups["rank"] = range(1, len(groups) + 1)
    return groups


def queue_counts(frame: pd.DataFrame, entries: pd.DataFrame | None = None) -> dict:
    """What every surface counts, from the ranked frame (all rows, signals included); `entries`, when
    the caller has them, saves collapsing the frame again (queue_entries(frame))."""
    rows = with_queue_columns(frame)
    groups = rows[rows["kind"].eq("alert_group")]
    unmapped = groups[groups["lane"].eq("needs_mapping")]
    entries = queue_entries(frame) if entries is None else entries
    suppressed = int(entries["suppressed"].sum())
    counts = {
        "alerts": int(groups["alert_count"].sum()), "alert_groups": len(groups), "entries": len(entries),
        "in_queue": len(entries) - suppressed, "suppressed": suppressed,
        "incident_candidates": int(entries["kind"].eq("incident").sum()),
        "needs_mapping": len(unmapped),
        "needs_mapping_urgent": int(unmapped["severity"].astype("string").str.lower().isin(URGENT).sum()),
    }
    counts.update({kind: int(rows["kind"].eq(kind).sum()) for kind in SIGNAL_KINDS})
    return counts


def counts_text(counts: dict) -> str:
    """The one line every surface prints about what it counted (the same words everywhere)."""
    signals = ", ".join(f"{counts[kind]:,} {label}" for kind, label in SIGNAL_KINDS.items())
    return (f"Counted {counts['alerts']:,} alerts in {counts['alert_groups']:,} alert groups, and {signals}: "
            f"{counts['entries']:,} queue entries ({counts['incident_candidates']:,} incident candidates), "
            f"{counts['in_queue']:,} in the queue and {counts['suppressed']:,} suppressed; "
            f"needs mapping: {counts['needs_mapping']:,} groups ({counts['needs_mapping_urgent']:,} critical/high).")


def rule_text(rule) -> str:
    """A suggested touchpoint rule as one line: '{"stage": "signup", "match": {"service": "signup-*"}}'
    (rule_suggestions' JSON) -> 'service: signup-* -> stage signup'; other text is kept as it is."""
    try:
        found = json.loads(rule) if isinstance(rule, str) else rule
    except ValueError:
        return str(rule)
    if not isinstance(found, dict) or not found.get("stage"):
        return "" if found is None else str(rule)
    match = ", ".join(f"{key}: {value}" for key, value in (found.get("match") or {}).items())
    return f"{match} -> stage {found['stage']}"


def needs_mapping(frame: pd.DataFrame, suggestions: pd.DataFrame | None = None) -> pd.DataFrame:
    """The needs-mapping lane: alert groups no touchpoint claims, critical/high first, then in the frame's
    order. `suggestions` (service, suggested_rule: mapping.coverage()["unmapped"]) fills a rule the
    ranking did not give."""
    groups = alerts_only(frame)
    lane = groups[groups["lane"].eq("needs_mapping")]
    if suggestions is not None and len(suggestions) and len(lane):
        known = suggestions.dropna(subset=["suggested_rule"]).drop_duplicates("service").set_index("service")
        fill = lane["service"].map(known["suggested_rule"].map(rule_text)).astype("string").fillna("").astype(str)
        lane = lane.assign(suggested_rule=lane["suggested_rule"].where(lane["suggested_rule"].ne(""), fill))
    urgent = ~lane["severity"].astype("string").str.lower().isin(URGENT).fillna(False)
    return lane.assign(_later=urgent).sort_values(["_later", "rank"], kind="stable").drop(columns="_later")


def ranked_frame(workspace, profile_name: str | None = None) -> pd.DataFrame:
    """The ranked frame of a workspace with every entry kind, as the app ranks it (signals included), so
    that rank, audit, retro and the app count one queue. A profile never saved raises KeyError."""
    from journeylens.notebooks.queue import ranking

    if "signals" in inspect.signature(ranking.ranked_alerts).parameters:
        return ranking.ranked_alerts(workspace, profile_name, signals=True)
    # until ranked_alerts takes `signals`: its steps, with the signals the app's LiveQueue queues
    con = connect(workspace)
    try:
        profile = load_profile(workspace, profile_name)["profile"]
        ranking.rank_alerts(con, profile, load_playbooks(workspace), signals=True)
        return con.execute(ranking.queue_select()).df()
    finally:
        con.close()
