import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import pandas as pd

    from journeylens.notebooks.queue.mapping import create_rule_matches, mapping_columns, workspace_rules
    from journeylens.notebooks.ingest.piece_store import (
        bucket_seconds,
        create_alert_pieces,
        drop_alert_pieces,
        kept,
    )
    from journeylens.notebooks.workspace.picker import require_workspace, workspace_picker
    from journeylens.notebooks.workspace.snapshot import close_snapshot, connect, sql_text

    # The columns of a group (groups_select), in order: sql/queue/06_alert_groups.sql says each one's rule, and
    # sql/queue/20_group_alert_details.sql alert_ids, flap_count and flapping.
    GROUP_COLUMNS = (
        "group_id", "group_key", "alert_ids", "alert_count", "service", "name", "stage", "touchpoint",
        "journey", "source", "fingerprint", "region", "labels", "first_fired_at", "last_fired_at",
        "last_resolved_at", "unresolved_count", "severity_rank", "severity", "confidence", "flap_count",
        "flapping", "duration_min",
    )
    # every alert's key, bucket and moment (hold_alert_moments), where the app's open ranking finds the alerts
    # of a page's groups
    HELD_MOMENTS = "held_alert_moments"


@app.function
def create_alert_groups(con, gap_minutes: float = 60, flap_window_minutes: float = 60,
                        flap_min_cycles: int = 3, rules: list | None = None) -> None:
    """Creates (or replaces) the temp table `alert_groups`, one row per problem, from `alerts`, mapped
    with `rules` (None = the workspace's touchpoint rules). Set-based, sql/queue/04_alert_pieces.sql ->
    01_rule_matches.sql over the pieces -> 05_group_buckets.sql -> 06_alert_groups.sql; also leaves
    group_buckets, group_settings and the view alert_moments, which details_sql reads for the alert ids and flap cycles of the
    groups a caller shows, and mapping_rules:

    key        = fingerprint, else name + service
    new group  : fired_at - max(ended_at of earlier alerts of the key) > gap_minutes,
                 ended_at = coalesce(resolved_at, fired_at)
    stage      = the stage of the group's first alert that a rule maps (first rule wins)
    service, name, source, fingerprint, region, labels = the group's first alert's
    first      = by fired_at, then by a hash of alert_id (never by the order alerts arrive in)
    flap cycle : an alert that fires after every earlier alert of its group ended and within
                 flap_window_minutes of the previous alert's fired_at;
                 flapping = flap_count >= flap_min_cycles
    last_resolved_at = max(resolved_at), NULL when the group's latest alert has no resolution;
    duration_min = (max(ended_at) - first_fired_at) in minutes."""
    rules = workspace_rules(con) if rules is None else rules
    params = {"gap_minutes": float(gap_minutes), "flap_window_minutes": float(flap_window_minutes),
              "flap_min_cycles": int(flap_min_cycles),
              "bucket_seconds": bucket_seconds(gap_minutes)}
    raw, _ = mapping_columns(rules, {})
    create_alert_pieces(con, params["bucket_seconds"], kept(raw))  # kept per upload on a workspace (piece_store.py)
    join = create_rule_matches(con, rules, source="alert_pieces", alias="p")  # the rules, once per distinct input
    con.execute(sql_text("group_buckets"), {"gap_minutes": params["gap_minutes"]})
    con.execute(sql_text("alert_groups").replace("true /* mapping join */", join))
    drop_alert_pieces(con)
    con.execute("drop table rule_matches")
    # what details_sql reads of the alerts: a view here; the app's open ranking holds it with keys (hold_alert_moments)
    con.execute(f"create or replace temp view alert_moments as {sql_text('alert_moments')}")
    con.execute("create or replace temp table group_settings as select cast($bucket_seconds as double) as "
                "bucket_seconds, cast($gap_minutes as double) as gap_minutes, cast($flap_window_minutes as double) "
                "as flap_window_minutes, cast($flap_min_cycles as integer) as flap_min_cycles",
                {k: params[k] for k in ("bucket_seconds", "gap_minutes", "flap_window_minutes", "flap_min_cycles")})


@app.function
def details_sql(chosen: str, held: bool = False) -> tuple:
    """(CTE text, column SQL) for the alert ids and flap cycles of the groups `chosen` selects (a SELECT
    of group_id): sql/queue/30_chosen_group_buckets.sql, 31_group_alert_members.sql and
    20_group_alert_details.sql as CTEs `chosen_groups`, `chosen_group_buckets`, `group_alert_members` and `d`
    (join it using group_id), and the SQL of the columns alert_ids, instances, flap_count and flapping, read
    through `d`. held=True reads the members from HELD_MOMENTS (hold_alert_moments,
    33_held_group_members.sql) instead of every alert. Groups without alerts (journey signals) get no ids
    and no cycles."""
    members = sql_text("held_group_members") if held else sql_text("group_alert_members")
    ctes = (f"chosen_groups as ({chosen}), chosen_group_buckets as ({sql_text('chosen_group_buckets')}), "
            f"group_alert_members as ({members}), d as ({sql_text('group_alert_details')})")
    columns = {
        "alert_ids": "coalesce(d.alert_ids, '')",
        "instances": "coalesce(d.instances, '')",
        "flap_count": "coalesce(d.flap_count, 0)",
        "flapping": "coalesce(d.flap_count, 0) >= (select flap_min_cycles from group_settings)",
    }
    return ctes, columns


@app.function
def hold_alert_moments(con) -> None:
    """Keeps every alert's id, times, instance, key and bucket (sql/queue/32_held_alert_moments.sql) in
    HELD_MOMENTS on `con`: the app's open ranking (live_queue.py) finds the alerts of the groups a page shows
    there, by one hash join on (key, bucket), and never folds every stored alert again. One pass over the
    alerts, not a join of every alert to its group: the groups of a page are few."""
    con.execute(sql_text("held_alert_moments"))


@app.function
def groups_select(where: str = "true") -> str:
    """SELECT of GROUP_COLUMNS for the groups of `alert_groups` matching `where` (SQL over alias g),
    with their alert ids and flap cycles, in first-fired order."""
    ctes, details = details_sql(f"select group_id from alert_groups as g where {where}")
    columns = ", ".join(f"{details[c]} as {c}" if c in details else f"g.{c}" for c in GROUP_COLUMNS)
    return (f"with {ctes} select {columns} from alert_groups as g left join d using (group_id) "
            f"where {where} order by g.first_fired_at, g.group_id")


@app.function
def group_alerts(workspace, gap_minutes: float = 60, flap_window_minutes: float = 60,
                 flap_min_cycles: int = 3):
    """The alert groups of a workspace as a DataFrame, on a fresh snapshot (rules from the workspace)."""
    con = connect(workspace)
    try:
        create_alert_groups(con, gap_minutes, flap_window_minutes, flap_min_cycles)
        return con.execute(groups_select()).df()
    finally:
        close_snapshot(con)


@app.cell(hide_code=True)
def _():
    import marimo as mo

    mo.md(
        r"""
        # Alert groups: which alerts are the same problem?

        The ranked queue has one row per **problem**, not per alert. Alerts are the same problem when

        - they share a **key**: the same `fingerprint`, or, when an alert has none, the same rule `name`
          and `service`; and
        - they are **close in time**: an alert joins its key's current group unless it fires more than
          the gap after every earlier alert of that key has ended (`resolved_at`; an alert that never
          resolved counts as ended when it fired).

        **Flapping**: a fire → resolve → fire *cycle* is a re-fire after everything earlier in the group
        ended, within the flap window of the previous fire. A group with at least the minimum number of
        cycles is flapping: one noisy problem, not many.

        $$\text{new group} \iff \text{fired\_at} - \max_{\text{earlier alerts of the key}}
        \text{coalesce}(\text{resolved\_at}, \text{fired\_at}) > \text{gap}$$

        Per group: `alert_count`, `first_fired_at`, `last_fired_at`, `last_resolved_at` (empty while
        the latest alert has no resolution: it may still be going on), the most severe `severity`, the
        highest `confidence`, the first alert's `source`, `region`, `labels` and mapped `stage`, and
        `duration_min` = from the first fire to the latest end. Below, on a workspace: drag the gap and
        the flap window over its real alerts.
        """
    )
    return (mo,)


@app.cell
def _(mo):
    workspace_path = workspace_picker(mo)
    workspace_path
    return (workspace_path,)


@app.cell
def _(mo):
    gap = mo.ui.slider(5, 360, step=5, value=60, label="Gap that starts a new group (minutes)", show_value=True)
    flap_window = mo.ui.slider(5, 240, step=5, value=60, label="Flap window (minutes)", show_value=True)
    flap_cycles = mo.ui.slider(1, 10, value=3, label="Cycles that make a group flapping", show_value=True)
    mo.vstack([gap, flap_window, flap_cycles])
    return flap_cycles, flap_window, gap


@app.cell
def _(flap_cycles, flap_window, gap, mo, workspace_path):
    import altair as alt

    groups = group_alerts(require_workspace(mo, workspace_path.value), gap.value, flap_window.value,
                          flap_cycles.value)
    flapping = groups[groups["flapping"]]
    busiest = groups.groupby("service")["alert_count"].sum().nlargest(12).index
    spans = groups[groups["service"].isin(busiest)].assign(
        ended_at=lambda g: g["first_fired_at"] + pd.to_timedelta(g["duration_min"].clip(lower=5), unit="min"))
    mo.vstack([
        mo.md(f"**{int(groups['alert_count'].sum()):,} alerts form {len(groups):,} groups; "
              f"{len(flapping):,} of them flap.** Each bar below is one group of the 12 services with most alerts: "
              "a wider gap merges bars, a narrower one splits them."),
        alt.Chart(spans).mark_bar(height=10).encode(
            x=alt.X("first_fired_at:T", title="first fired (UTC)"), x2="ended_at:T",
            y=alt.Y("service:N", title=None), color=alt.Color("flapping:N", title="flapping"),
            tooltip=["service:N", "name:N", "alert_count:Q", alt.Tooltip("first_fired_at:T", format="%Y-%m-%d %H:%M"),
                     alt.Tooltip("duration_min:Q", format=".0f"), "flap_count:Q"],
        ).properties(title="Alert groups over time", width=640),
        mo.ui.tabs({"Groups": groups, "Flapping": flapping}),
    ])
    return (groups,)


if __name__ == "__main__":
    app.run()
