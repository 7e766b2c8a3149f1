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

import json

import duckdb
import pandas as pd
from journeylens.notebooks.queue.profiles import load_profile
from journeylens.notebooks.workspace.snapshot import close_snapshot, sql_text

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


# What the entries SQL reads of each ranked row (sql/queue/22_queue_entries.sql); a frame without one of
# them (a hand-made or older frame) reads it as null.
ROW_COLUMNS = (
    "group_id", "incident_key", "kind", "lane", "score", "suppressed", "suppressed_reason", "stage", "service",
    "name", "severity", "first_fired_at", "last_fired_at", "alert_count", "source", "instances", "alert_ids",
    "incident_reason", "suggested_rule", "harm", "harm_segment", *COMPONENT_COLUMNS, "flapping", "playbook",
    "automation_tier", "change_at", "change_service", "change_description", "duration_min",
)
TEXT_COLUMNS = ("group_id", "incident_key", "kind", "lane", "suppressed_reason", "stage", "service", "name",
                "severity", "source", "instances", "alert_ids", "incident_reason", "suggested_rule", "harm_segment",
                "playbook", "automation_tier", "change_service", "change_description")


def rows_for_sql(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame's rows as the entries SQL reads them: ROW_COLUMNS (missing ones null, texts as text, so
    DuckDB never guesses a type from an all-null column) and `position`, their order in the ranking."""
    rows = in_frame_order(with_queue_columns(frame)).reset_index(drop=True)
    out = pd.DataFrame({c: rows[c] if c in rows else None for c in ROW_COLUMNS}, index=rows.index)
    for column in TEXT_COLUMNS:
        out[column] = out[column].astype("string")
    out["suppressed"] = out["suppressed"].fillna(False).astype(bool)
    for column in ("score", "alert_count", "harm", *COMPONENT_COLUMNS, "duration_min"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
    for column in ("first_fired_at", "last_fired_at", "change_at"):
        out[column] = pd.to_datetime(out[column])
    out["flapping"] = out["flapping"].astype("boolean")
    out["position"] = range(1, len(out) + 1)
    return out


def entries_sql(rows: str = "queue_rows") -> str:
    """The entries SELECT (sql/queue/22_queue_entries.sql) over the relation `rows` (a table name or a
    SELECT), best first; it takes the parameter $listed (False: no member lists for entries of several
    rows)."""
    return f"with queue_rows as ({rows if ' ' in rows else f'select * from {rows}'}) " \
           f"select * from ({sql_text('queue_entries')}) order by rank"


def with_entry_types(entries: pd.DataFrame) -> pd.DataFrame:
    entries = entries.astype({"suppressed": bool, "members": int, "rank": int})
    entries["alert_count"] = entries["alert_count"].fillna(0).astype(int)
    for column in ("first_fired_at", "last_fired_at"):
        entries[column] = pd.to_datetime(entries[column])
    return entries


def entries_with_routing(frame: pd.DataFrame) -> pd.DataFrame:
    """queue_entries with the lead group's routing after QUEUE_COLUMNS (lead_group_id, flapping, playbook,
    automation_tier, change_at, change_service, change_description, duration_min): what the app shows."""
    if frame.empty:
        return pd.DataFrame(columns=list(QUEUE_COLUMNS))
    con = duckdb.connect()
    try:
        con.register("frame_rows", rows_for_sql(frame))
        return with_entry_types(con.execute(entries_sql("frame_rows"), {"listed": True}).df())
    finally:
        close_snapshot(con)


def queue_entries(frame: pd.DataFrame) -> pd.DataFrame:
    """The ranked queue: one row per entry (module docstring), QUEUE_COLUMNS, ranked 1..n in the frame's
    order; collapsed in DuckDB (sql/queue/22_queue_entries.sql), as the app's open ranking collapses it."""
    return entries_with_routing(frame)[list(QUEUE_COLUMNS)]


def alerts_only(frame: pd.DataFrame) -> pd.DataFrame:
    """ranked_alerts.csv (SPEC §4.1): the alert-group rows of the frame in its order, ranked 1..n, the
    frame's columns in its order (RANKED_COLUMNS first) with the queue columns after them."""
    rows = in_frame_order(with_queue_columns(frame))
    groups = rows[rows["kind"].eq("alert_group")].reset_index(drop=True)
    groups["rank"] = range(1, len(groups) + 1)
    return groups


def queue_counts(frame: pd.DataFrame, entries: pd.DataFrame | None = None) -> dict:
    """What every surface counts (sql/queue/23_queue_counts.sql), from the ranked frame (all rows, signals
    included); `entries`, when the caller has them, saves collapsing the frame again (queue_entries(frame))."""
    entries = queue_entries(frame) if entries is None else entries
    con = duckdb.connect()
    try:
        con.register("queue_rows", rows_for_sql(frame) if len(frame) else pd.DataFrame({
            c: pd.Series(dtype="string" if c in TEXT_COLUMNS else "float64") for c in ROW_COLUMNS}))
        con.register("entry_rows", entries[["suppressed", "kind"]] if len(entries) else pd.DataFrame(
            {"suppressed": pd.Series(dtype=bool), "kind": pd.Series(dtype="string")}))
        return counts_of(con)
    finally:
        close_snapshot(con)


def counts_of(con) -> dict:
    """The counts of queue_rows and entry_rows on `con`, as ints."""
    found = con.execute(sql_text("queue_counts")).df().iloc[0]
    return {name: int(found[name]) for name in found.index}


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
    return lane_in_order(groups[groups["lane"].eq("needs_mapping")], suggestions)


def lane_in_order(lane: pd.DataFrame, suggestions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Needs-mapping groups (ranked among the alert groups) with the suggested rules filled, critical/high
    first, then by rank."""
    if suggestions is not None and len(suggestions) and len(lane):
        known = suggestions.dropna(subset=["suggested_rule"]).drop_duplicates("service").set_index("service")
        fill = lane["service"].map(known["suggested_rule"].map(rule_text)).astype("string").fillna("").astype(str)
        lane = lane.assign(suggested_rule=lane["suggested_rule"].where(lane["suggested_rule"].ne(""), fill))
    urgent = ~lane["severity"].astype("string").str.lower().isin(URGENT).fillna(False)
    return lane.assign(_later=urgent).sort_values(["_later", "rank"], kind="stable").drop(columns="_later")


def ranked_frame(workspace, profile_name: str | None = None, spark: dict | None = None) -> pd.DataFrame:
    """The ranked frame of a workspace with every entry kind, as the app ranks it (signals included), so
    that rank, audit, retro and the app count one queue. A profile never saved raises KeyError. `spark`
    (spark_inputs.spark_workspace's master, remote, uploads) ranks on Apache Spark instead of DuckDB, with
    the same SQL files and the same answer (spark_engine; EngineUnavailable says what to install)."""
    from journeylens.notebooks.queue import ranking

    if spark is None:
        return ranking.ranked_alerts(workspace, profile_name, signals=True)
    from journeylens.notebooks.workspace.spark_inputs import spark_workspace

    load_profile(workspace, profile_name)  # an unknown profile is refused before a JVM starts
    with spark_workspace(workspace, **spark) as con:
        return ranking.ranked_queue(con, workspace, profile_name, signals=True)
