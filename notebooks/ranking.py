import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    from notebooks.alert_groups import create_alert_groups
    from notebooks.journey_mapping import create_mapped_alerts, match_condition
    from notebooks.playbooks import load_playbooks
    from notebooks.profiles import load_profile
    from notebooks.scoring import COMPONENTS, resolve_profile, score_groups
    from notebooks.workspace import connect, sql_text

    # Keys a suppression rule or playbook may match on: what a group carries (besides `stage`).
    GROUP_MATCH_KEYS = ("service", "name", "source", "severity", "region", "fingerprint")
    # ranked_alerts.csv (SPEC §4.1): the contract's columns first, then every score component.
    RANKED_COLUMNS = (
        "rank", "group_id", "alert_ids", "service", "name", "stage", "touchpoint", "first_fired_at",
        "last_fired_at", "alert_count", "severity", "score", "suppressed", "suppressed_reason",
        "impact", "sensitivity", "stage_factor", *COMPONENTS, "signal", "harm", "corroboration",
        "window_conversion", "conversion_baseline", "source", "last_resolved_at", "duration_min", "flapping",
        "flap_count", "playbook", "playbook_action", "automation_tier", "playbook_owner",
    )


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
def ranked_sql(suppress: list, playbooks: list, threshold: float) -> tuple:
    """(SQL of sql/43_ranked_groups.sql with the rules filled in, parameters)."""
    params = {"threshold": float(threshold)}
    text = sql_text("ranked_groups")

    def fill(placeholder, rules, prefix):
        if rules:
            whens = " ".join(f"when {rule_when(r, f'{prefix}{i}', params)} then {i}" for i, r in enumerate(rules, 1))
            return text.replace(f"null /* {placeholder} */", f"case {whens} end")
        return text

    def fill_list(placeholder, values, prefix):
        if not values:
            return text
        names = [f"{prefix}{i}" for i in range(1, len(values) + 1)]
        params.update(dict(zip(names, values, strict=True)))
        return text.replace(f"null /* {placeholder} */", "[" + ", ".join(f"${n}" for n in names) + "]")

    text = fill("suppression_position", suppress, "s")
    text = fill_list("suppression_reasons", [str(r.get("reason") or "suppression rule") for r in suppress], "sr")
    text = fill("playbook_position", playbooks, "p")
    for field, placeholder in (("id", "playbook_ids"), ("action", "playbook_actions"), ("tier", "playbook_tiers"),
                               ("owner", "playbook_owners")):
        text = fill_list(placeholder, [str(p[field]) for p in playbooks], f"p{field}")
    return text, params


@app.function
def rank_alerts(con, profile: dict | None = None, playbooks: list | None = None) -> None:
    """map -> group -> score -> suppress and route, all in DuckDB: leaves the temp table
    `ranked_groups` (RANKED_COLUMNS and more) on `con`."""
    p = resolve_profile(profile)
    create_mapped_alerts(con)
    create_alert_groups(con, gap_minutes=p["group_gap_minutes"], flap_window_minutes=p["flap_window_minutes"],
                        flap_min_cycles=int(p["flap_min_cycles"]))
    score_groups(con, p)
    text, params = ranked_sql(p.get("suppress") or [], playbooks or [], p["threshold"])
    con.execute(text, params)


@app.function
def ranked_alerts(workspace, profile_name: str | None = None, top: int | None = None,
                  include_suppressed: bool = True):
    """The ranked queue of a workspace as a DataFrame of RANKED_COLUMNS, best first."""
    con = connect(workspace)
    try:
        profile = load_profile(workspace, profile_name)["profile"]
        rank_alerts(con, profile, load_playbooks(workspace))
        where = "" if include_suppressed else "where not suppressed"
        limit = f"limit {int(top)}" if top else ""
        columns = ", ".join(f'"{c}"' for c in RANKED_COLUMNS)
        return con.execute(f"select {columns} from ranked_groups {where} order by rank {limit}").df()
    finally:
        con.close()


@app.cell(hide_code=True)
def _():
    import marimo as mo

    mo.md(
        """
        # The ranked queue

        Map every alert to its journey stage (`journey_mapping`), group duplicates (`alert_groups`),
        score each group by customer impact (`scoring`), then mark suppressed groups (below the
        profile's threshold, or matching a suppression rule) and attach the playbook that applies.
        Suppressed groups are kept, with their reason.
        """
    )
    return (mo,)


@app.cell
def _(mo):
    import os

    workspace = os.environ.get("JOURNEYLENS_WORKSPACE", "workspace")
    queue = ranked_alerts(workspace, top=20)
    mo.ui.table(queue, selection=None) if len(queue) else mo.md("_No alerts in this workspace yet._")
    return


if __name__ == "__main__":
    app.run()
