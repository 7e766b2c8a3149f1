import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import json

    from journeylens.notebooks.queue.groups import create_alert_groups, details_sql
    from journeylens.notebooks.ai.outcome_signals import append_ai_signal_groups
    from journeylens.notebooks.ai.signal_actions import append_ai_kind_groups
    from journeylens.notebooks.ai.churn_signals import append_churn_signal_groups
    from journeylens.notebooks.signals.burn_entries import append_burn_rate_groups
    from journeylens.notebooks.queue.mapping import match_condition
    from journeylens.notebooks.queue.rule_suggestions import lane_suggestions
    from journeylens.notebooks.signals.journey_signals import append_signal_groups, journey_deviations, journey_signals
    from journeylens.notebooks.ingest.playbook_file import load_playbooks, tier_shown
    from journeylens.notebooks.queue.playbook_match import routed_whens
    from journeylens.notebooks.queue.profiles import load_profile
    from journeylens.notebooks.queue.ranking_store import replace_table
    from journeylens.notebooks.queue.scoring import COMPONENTS, rescore, resolved, score_groups
    from journeylens.notebooks.workspace.picker import require_workspace, workspace_picker
    from journeylens.notebooks.workspace.snapshot import RANK_MEMORY_LIMIT, close_snapshot, connect, limit_memory, sql_text

    # Keys a suppression rule or playbook may match on: what a group carries (besides `stage`).
    GROUP_MATCH_KEYS = ("service", "name", "source", "severity", "region", "fingerprint")
    # ranked_alerts.csv (SPEC §4.1): the contract's columns first, then every score component.
    RANKED_COLUMNS = (
        "rank", "group_id", "alert_ids", "service", "name", "stage", "touchpoint", "first_fired_at",
        "last_fired_at", "alert_count", "severity", "score", "suppressed", "suppressed_reason",
        "impact", "sensitivity", "stage_factor", *COMPONENTS, "signal", "harm", "corroboration", "harm_observed",
        "harm_segment", "window_conversion", "conversion_baseline", "source", "last_resolved_at", "duration_min",
        "flapping", "flap_count", "playbook", "playbook_action", "automation_tier", "playbook_owner", "window_start",
        "window_end", "change_at", "change_kind", "change_service", "change_description",
        # issue 14: the one queue's columns (ranked_queue.csv collapses rows by incident_key)
        "kind", "lane", "incident_key", "incident_size", "incident_reason", "instances", "suggested_rule",
        "harm_metric", "harm_evidence", "harm_value", "harm_baseline",
    )
    # why a row is suppressed, over ranked_groups as r and suppression_rules as sr (the open ranking says it alike)
    SUPPRESSED_REASON = ("case when sr.reason is not null then sr.reason when r.suppressed then 'score ' || "
                         "round(r.score, 1) || ' below the threshold ' || r.threshold end")
    INCIDENT_COLUMNS = ("incident_key", "incident_size", "incident_reason")
    CHANGE_COLUMNS = ("change_at", "change_kind", "change_service", "change_description")


@app.function
def rule_when(rule: dict, name: str, params: dict, table: str = "g") -> str:
    """SQL that is true where a group matches a rule: its `stage` glob (when given; "*" also matches an
    unmapped group) and every key of its `match`, as touchpoint rules do."""
    conditions = []
    if rule.get("stage") not in (None, "*"):
        params[f"{name}_stage"] = str(rule["stage"])
        conditions.append(f"lower(coalesce({table}.stage, 'unmapped')) glob lower(${name}_stage)")
    for index, (key, pattern) in enumerate((rule.get("match") or {}).items(), start=1):
        if key not in GROUP_MATCH_KEYS and not str(key).startswith("labels."):
            raise ValueError(f"rule {name}: cannot match groups on {key!r} (use stage, "
                             f"{', '.join(GROUP_MATCH_KEYS)} or labels.<key>)")
        conditions.append(match_condition(str(key), str(pattern), f"{name}_{index}", params, table=table))
    for bound, operator in (("from", ">="), ("until", "<")):
        if rule.get(bound):
            params[f"{name}_{bound}"] = str(rule[bound])
            conditions.append(f"{table}.first_fired_at {operator} cast(${name}_{bound} as timestamp)")
    return " and ".join(conditions) or "true"


@app.function
def routes_sql(suppress: list, playbooks: list) -> tuple:
    """(SQL of sql/queue/18_routed_groups.sql with the rules filled in as CASEs, parameters)."""
    params = {}
    text = sql_text("routed_groups")
    for placeholder, rules, prefix in (("suppression_position", suppress, "s"), ("playbook_position", playbooks, "p")):
        if rules:
            whens = routed_whens(rules, prefix, params, rule_when)
            text = text.replace(f"null /* {placeholder} */", f"case {whens} end")
    return text, params


@app.function
def rerank(con, profile: dict | None = None, playbooks: list | None = None) -> None:
    """After a weight, threshold, suppression or playbook change: re-route when the rules changed, re-score
    and re-rank (route_groups). Needs the tables a rank_alerts call left on `con`; `profile` resolved
    (resolve_profile, load_profile), None for the defaults."""
    route_groups(con, resolved(profile), playbooks)


@app.function
def route_groups(con, p: dict, playbooks: list | None = None) -> None:
    """Marks suppressed groups, attaches playbooks and leaves the scored_groups and ranked_groups views
    under the resolved profile `p`. The groups are routed again (routed_groups) only when the suppression
    rules or playbooks differ from those they were routed under (route_rules): a weight change re-scores
    and re-ranks the routed rows without joining them again. The rule texts go to two small tables
    (suppression_rules, playbook_rules) that queue_select joins for the rows it returns."""
    suppress, playbooks = p.get("suppress") or [], playbooks or []
    rules = json.dumps([suppress, playbooks], sort_keys=True, default=str)
    if con.execute("select rules from route_rules").fetchone()[0] != rules:
        text, params = routes_sql(suppress, playbooks)
        replace_table(con, "routed_groups", text, params)
        replace_table(con, "route_rules", "select cast($rules as varchar) as rules", {"rules": rules})
        con.execute("create or replace temp table suppression_rules (position integer, reason varchar)")
        if suppress:
            con.executemany("insert into suppression_rules values (?, ?)",
                            [(i, str(r.get("reason") or "suppression rule")) for i, r in enumerate(suppress, 1)])
        con.execute("create or replace temp table playbook_rules (position integer, playbook varchar, "
                    "playbook_action varchar, automation_tier varchar, playbook_owner varchar)")
        if playbooks:
            con.executemany("insert into playbook_rules values (?, ?, ?, ?, ?)",
                            [(i, b["id"], b["action"], tier_shown(b), b["owner"]) for i, b in enumerate(playbooks, 1)])
    con.execute("create or replace temp table rank_settings as select cast($t as double) as threshold, "
                "cast($spare as boolean) as spare_harm, cast($rank as integer) as spare_rank",
                {"t": float(p["threshold"]), "spare": bool(p["threshold_spares_harm"]),
                 "rank": int(p["needs_mapping_spares_rank"])})
    rescore(con, p)
    con.execute(f"create or replace temp view ranked_groups as {sql_text('ranked_groups')}")


@app.function
def rank_alerts(con, profile: dict | None = None, playbooks: list | None = None, signals: bool = False) -> None:
    """map -> group -> score -> route -> rank, all in DuckDB: leaves the temp tables alert_groups
    (wide) and ranked_groups (narrow) on `con`; queue_select() joins them for output. `profile` resolved
    (resolve_profile, load_profile), None for the defaults. signals=True also queues the fired journey
    signals and AI task-completion drops on their stages; the CSV of SPEC §4.1 is alert groups only, so
    the command line leaves them out."""
    p = resolved(profile)
    limit_memory(con, RANK_MEMORY_LIMIT)
    create_alert_groups(con, gap_minutes=p["group_gap_minutes"], flap_window_minutes=p["flap_window_minutes"],
                        flap_min_cycles=int(p["flap_min_cycles"]))
    if signals:  # the deviations serve the signals and the burn rates
        deviations = journey_deviations(con)
        append_signal_groups(con, journey_signals(deviations))
        append_ai_signal_groups(con)
        append_ai_kind_groups(con, p)
        append_churn_signal_groups(con)
        append_burn_rate_groups(con, deviations)
    # the change made shortly before each group started (a deploy, a flag...): shown, never scored
    con.execute(f"create or replace temp table group_changes as {sql_text('group_changes')}",
                {"lookback_minutes": int(p["change_lookback_minutes"]), "group_id": None, "per_group": 1})
    score_groups(con, p, deviations_ready=signals, route=False)
    route_groups(con, p, playbooks)


@app.function
def queue_select(top: int | None = None, include_suppressed: bool = True, details: bool = True,
                 only: str | None = None, held: bool = False) -> str:
    """The SELECT of the ranked queue in RANKED_COLUMNS order: the narrow ranks joined to the wide
    groups, the suppression reason and the playbook, for the rows asked for only. details=False leaves
    out what needs every alert again (alert_ids, instances, flap cycles: null), for a caller that works
    them out for the rows it shows (the app's open ranking, live_queue.py). `only`, a SELECT of group_id,
    keeps those rows (ranked among all) and works out their details only; held=True reads the alerts'
    groups the app's open ranking holds (groups.hold_alert_members)."""
    narrow = {"rank", "group_id", "first_fired_at", "score", "suppressed", "impact", "sensitivity", "stage_factor",
              *COMPONENTS, "signal", "harm", "corroboration", "harm_observed", "harm_segment",
              "window_conversion", "conversion_baseline", "window_start", "window_end", "kind", "lane",
              "harm_metric", "harm_evidence", "harm_value", "harm_baseline"}
    routed = {"playbook", "playbook_action", "automation_tier", "playbook_owner"}
    reason = SUPPRESSED_REASON
    # the alert ids and flap cycles need every alert in order: worked out for the rows returned only
    if details:
        ctes, detail_columns = details_sql("select group_id from r", held=held)
    else:
        ctes = "d as (select null::varchar as group_id)"
        detail_columns = {"alert_ids": "null::varchar", "instances": "null::varchar", "flap_count": "null::integer",
                          "flapping": "null::boolean"}
    columns = ", ".join(
        f"{reason} as suppressed_reason" if c == "suppressed_reason"
        else "null::varchar as suggested_rule" if c == "suggested_rule"  # filled by lane_suggestions
        else f"{detail_columns[c]} as {c}" if c in detail_columns
        else f'gi."{c}"' if c in INCIDENT_COLUMNS
        else f'{"r" if c in narrow else "pb" if c in routed else "gc" if c in CHANGE_COLUMNS else "g"}."{c}"'
        for c in RANKED_COLUMNS
    )
    where = "" if include_suppressed else "where not suppressed"
    limit = f"limit {int(top)}" if top else ""
    order = "suppressed, score desc, first_fired_at, group_id"
    chosen = f"where group_id in ({only})" if only else ""
    return (f"with r as (select * from (select row_number() over (order by {order}) as rank, * "
            f"from (select * from ranked_groups {where} order by {order} {limit})) {chosen}), {ctes} "
            f"select {columns} from r join alert_groups as g using (group_id) "
            "left join d using (group_id) "
            "left join suppression_rules as sr on sr.position = r.suppression_position "
            "left join playbook_rules as pb on pb.position = r.playbook_position "
            "left join group_changes as gc using (group_id) "
            "left join group_incidents as gi using (group_id) "
            "order by r.rank")


@app.function
def ranked_alerts(workspace, profile_name: str | None = None, top: int | None = None,
                  include_suppressed: bool = True, signals: bool = False):
    """The ranked queue of a workspace as a DataFrame of RANKED_COLUMNS, best first. signals=True ranks
    the journey signals, AI drops and burn-rate pages beside the alert groups, as the app does."""
    con = connect(workspace)
    try:
        return ranked_queue(con, workspace, profile_name, top, include_suppressed, signals)
    finally:
        close_snapshot(con)


@app.function
def ranked_queue(con, workspace, profile_name: str | None = None, top: int | None = None,
                 include_suppressed: bool = True, signals: bool = False):
    """ranked_alerts on an open connection to `workspace`: a DuckDB snapshot, or the Spark engine's
    (spark_engine.open_workspace), which runs the same SQL files."""
    profile = load_profile(workspace, profile_name)["profile"]
    rank_alerts(con, profile, load_playbooks(workspace), signals=signals)
    return lane_suggestions(con, con.execute(queue_select(top, include_suppressed)).df())


@app.cell(hide_code=True)
def _():
    import marimo as mo

    mo.md(
        r"""
        # The ranked queue

        Every alert is mapped to its journey stage (`mapping`), grouped with its duplicates (`groups`) and
        scored by customer impact (`scoring`); then suppression rules and playbooks are matched (first
        match wins) and the groups are ranked:

        $$\text{suppressed} = \text{a suppression rule matches} \lor \big(\text{score} < \text{threshold}
        \land \lnot(\text{spares harm} \land \text{harm observed})\big)$$

        $$\text{rank} = \text{order by } (\text{suppressed}, -\text{score}, \text{first fired}, \text{group id})$$

        Suppressed groups are kept with their reason and rank last. Below, on a workspace: its queue under
        a saved weight profile (`journeylens rank --profile NAME` gives the same rows), with or without the
        journey signals and AI drops the app queues beside the alert groups.
        """
    )
    return (mo,)


@app.cell
def _(mo):
    workspace_path = workspace_picker(mo)
    workspace_path
    return (workspace_path,)


@app.cell
def _(mo, workspace_path):
    from journeylens.notebooks.workspace.versions import list_names

    workspace = require_workspace(mo, workspace_path.value)
    names = ["default"] + [n for n in list_names(workspace, "profiles") if n != "default"]
    return names, workspace


@app.cell
def _(mo, names):
    with_signals = mo.ui.switch(value=False, label="queue journey signals and AI drops too (as the app)")
    picks = mo.ui.dictionary({
        "profile": mo.ui.dropdown(names, value="default", label="Weight profile"),
        "suppressed": mo.ui.switch(value=False, label="show suppressed groups"),
        "top": mo.ui.slider(10, 200, step=10, value=30, label="rows", show_value=True),
    })
    mo.vstack([with_signals, picks])
    return picks, with_signals


@app.cell
def _(with_signals, workspace):
    from journeylens.notebooks.queue.live_queue import LiveQueue

    live = LiveQueue(workspace, signals=with_signals.value)  # a snapshot, read only, kept for re-ranking
    return (live,)


@app.cell
def _(live, mo, picks, workspace):
    import altair as alt

    record = load_profile(workspace, picks.value["profile"])
    live.update(record["profile"], load_playbooks(workspace))
    queue = live.queue()
    shown = (queue if picks.value["suppressed"] else queue[~queue["suppressed"]]).head(picks.value["top"])
    # only the columns the chart reads: a NaN elsewhere (harm_evidence of an unmeasured group) is not JSON
    per_stage = queue[["stage", "suppressed"]].assign(stage=queue["stage"].fillna("unmapped"),
                             state=queue["suppressed"].map({True: "suppressed", False: "in the queue"}))
    reasons = queue.loc[queue["suppressed"], "suppressed_reason"].str.replace(r"^score .* below", "score below",
                                                                              regex=True).value_counts()
    mo.vstack([
        mo.md(f"**Profile {record['name']} v{record['version']}** ({record.get('comment') or 'no comment'}): "
              f"{len(queue):,} groups, {int((~queue['suppressed']).sum()):,} in the queue, "
              f"{int(queue['suppressed'].sum()):,} suppressed"
              + "".join(f"; {n:,} {reason}" for reason, n in reasons.items()) + "."),
        alt.Chart(per_stage).mark_bar().encode(
            x=alt.X("count():Q", title="groups"), y=alt.Y("stage:N", title=None, sort="-x"),
            color=alt.Color("state:N", title=None), tooltip=["stage:N", "state:N", "count():Q"],
        ).properties(title="Groups per stage, in the queue and suppressed", width=560),
        mo.ui.table(shown[["rank", "score", "stage", "service", "name", "severity", "alert_count", "harm_observed",
                           "suppressed", "suppressed_reason", "playbook", "change_at", "change_service"]],
                    selection=None, page_size=20),
    ])
    return (queue,)


if __name__ == "__main__":
    app.run()
