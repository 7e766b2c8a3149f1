"""A playbook's condition in SQL, over alert groups aliased `g` (sql/queue/18_routed_groups.sql): its
stage and match as for any rule (ranking.rule_when), and for a multi-signal playbook (`when`,
ingest/playbook_rules.py) also: the group meets one of the conditions, and every condition is met by a
group open at the same time, that is whose span (first alert fired to last fired or resolved) comes within
`within_minutes` of this group's span (the group itself counts). Journey signals and AI drops are groups
too (service `journey:<stage>`, `ai:<feature>`) when the ranking queues signals, as the app's does."""


def span_end(table: str) -> str:
    """SQL: when a group stopped being open: its last alert fired or resolved, whichever is later (an
    alert never resolved counts until it last fired, so a lost resolve does not keep it open for ever)."""
    return f"greatest({table}.first_fired_at, {table}.last_fired_at, {table}.last_resolved_at)"


def open_together(name: str, table: str = "o") -> str:
    """SQL: the group `table` is open within $<name>_within minutes of the group g."""
    return (f"{table}.first_fired_at <= {span_end('g')} + to_minutes(cast(${name}_within as bigint)) "
            f"and {span_end(table)} >= g.first_fired_at - to_minutes(cast(${name}_within as bigint))")


def routed_when(playbook: dict, name: str, params: dict, rule_when) -> str:
    """SQL true where the group g gets `playbook` (or meets a suppression rule, which has no `when`);
    `rule_when(rule, name, params, table)` is ranking's condition of one rule (passed in: ranking imports
    this module)."""
    own = rule_when(playbook, name, params)
    when = playbook.get("when")
    if not when:
        return own
    params[f"{name}_within"] = int(when.get("within_minutes", 60))
    takes_part, all_met = [], []
    for index, condition in enumerate(when["all"], start=1):
        takes_part.append(f"({rule_when(condition, f'{name}_g{index}', params)})")
        other = rule_when(condition, f"{name}_o{index}", params, table="o")
        all_met.append(f"exists (select 1 from alert_groups as o where ({other}) and {open_together(name)})")
    return f"({own}) and ({' or '.join(takes_part)}) and " + " and ".join(all_met)


def routed_whens(rules: list, prefix: str, params: dict, rule_when) -> str:
    """`when <condition> then <position>` for each rule (from 1): the first that matches wins."""
    return " ".join(f"when {routed_when(r, f'{prefix}{i}', params, rule_when)} then {i}"
                    for i, r in enumerate(rules, start=1))
