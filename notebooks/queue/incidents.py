"""One entry per outage: alert groups (and the queue's signal entries) that are one problem share an
incident candidate (issue 14). Two Alertmanager replicas, PagerDuty and Datadog paging on the same
checkout failure are four groups (their keys differ) but one outage.

sql/queue/14_incident_links.sql says which groups are related (same stage, overlapping spans, and the
same service, touchpoint, linked change, or the same measured journey harm) and why; 15_incident_labels
joins the islands into connected components, one set-based step at a time; 16_group_incidents names each
candidate by its first alert group. Correlation is reversible: a group listed in the profile's
`incident_splits` stands alone. It reads the scoring's harm, so it runs after the components and before
any weight is applied: a weight change re-ranks candidates without re-correlating them."""

from journeylens.notebooks.workspace.snapshot import has_table, sql_text

MAX_STEPS = 64  # label propagation converges in a few steps; a chain longer than this is cut, not looped on


def correlate_groups(con, p: dict) -> int:
    """Leaves the temp table group_incidents (group_id, incident_key, incident_size, incident_reason) for
    every row of alert_groups, under the resolved profile `p`; returns the propagation steps taken."""
    if not has_table(con, "group_changes"):
        # scoring on its own (tests, notebooks) links no changes: rank_alerts makes the real table first
        con.execute("create temp table group_changes (group_id varchar, change_rank bigint, change_at timestamp, "
                    "change_kind varchar, change_service varchar, change_description varchar)")
    con.execute("create or replace temp table incident_splits (group_id varchar)")
    splits = [str(g) for g in p.get("incident_splits") or []]
    if splits:
        con.executemany("insert into incident_splits values (?)", [(g,) for g in splits])
    con.execute(f"create or replace temp table incident_links as {sql_text('incident_links')}",
                {"correlate_minutes": float(p["correlate_minutes"]),
                 "max_window_hours": float(p["max_window_hours"])})
    # propagate over the islands, not the groups: far fewer of them (a month of one service is a few islands),
    # joined where a group sits in two. Each group then takes the smallest label of its islands (16).
    con.execute("create or replace temp table incident_island_pairs as "
                "with shared as (select group_id, island_id from incident_links "
                "                qualify count(*) over (partition by group_id) > 1) "
                "select distinct a.island_id as island, b.island_id as neighbour from shared as a "
                "join shared as b using (group_id) where a.island_id <> b.island_id")
    con.execute("create or replace temp table incident_labels as "
                "select distinct island_id as island, island_id as label from incident_links")
    steps = 0
    while steps < MAX_STEPS:
        steps += 1
        con.execute(f"create or replace temp table incident_labels_next as {sql_text('incident_labels')}")
        changed = con.execute("select count(*) from incident_labels_next where changed").fetchall()[0][0]
        con.execute("drop table incident_labels")
        con.execute("alter table incident_labels_next rename to incident_labels")
        if not changed:
            break
    con.execute(f"create or replace temp table group_incidents as {sql_text('group_incidents')}")
    return steps
