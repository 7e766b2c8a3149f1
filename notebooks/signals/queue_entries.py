"""How a signal enters the ranked queue: as a row of the temp table alert_groups, scored, routed and ranked
like any alert group (journey signals: journey_signals.append_signal_groups; AI task-completion drops:
outcome_signals.append_ai_signal_groups; journey SLO burn-rate pages: burn_entries.append_burn_rate_groups).
"""

import pandas as pd


def insert_queue_entries(con, rows: pd.DataFrame, open_until, kind: str) -> int:
    """Adds signal entries of one `kind` (journey_signal, ai_signal, burn_rate_page) to the temp table
    alert_groups, to be scored, routed and ranked like alert groups: source 'journeylens', no alert ids.
    `rows`: group_id, group_key, service, title (the name),
    stage, first_fired_at, ended_at (None while it goes on: then open until `open_until`),
    severity_rank."""
    if rows.empty:
        return 0
    con.register("signal_rows", rows)
    con.execute("""
        insert into alert_groups by name
        select group_id, group_key, ? as kind, 1 as alert_count, service, title as name, stage,
            null as touchpoint, null as journey, 'journeylens' as source, group_id as fingerprint,
            null as region, null as labels, first_fired_at, coalesce(ended_at, ?) as last_fired_at,
            ended_at as last_resolved_at, case when ended_at is null then 1 else 0 end as unresolved_count,
            severity_rank, jl_severity_label(severity_rank) as severity, 1.0 as confidence,
            (epoch(coalesce(ended_at, ?)) - epoch(first_fired_at)) / 60.0 as duration_min
        from signal_rows""", [kind, open_until, open_until])
    con.unregister("signal_rows")
    return len(rows)
