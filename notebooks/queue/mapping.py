import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import json

    import duckdb
    import yaml

    from journeylens.notebooks.ingest.layouts import quote_ident
    from journeylens.notebooks.ingest.map_file import MATCH_COLUMNS, check_match
    from journeylens.notebooks.ingest.yaml_input import load_yaml
    from journeylens.notebooks.queue.rule_suggestions import unmapped_services
    from journeylens.notebooks.workspace.picker import require_workspace, workspace_picker
    from journeylens.notebooks.workspace.contract import IngestError
    from journeylens.notebooks.workspace.snapshot import connect, sql_text


@app.function
def workspace_rules(con) -> list:
    """The touchpoint rules of the workspace, in the order they are tried (journey, then position)."""
    rows = con.execute(
        "select journey, stage, touchpoint, match from touchpoints order by journey, position"
    ).fetchall()
    return [{"journey": j, "stage": s, "touchpoint": t, "match": json.loads(m)} for j, s, t, m in rows]


@app.function
def rules_yaml(rules: list) -> str:
    """The rules as the YAML `touchpoints:` list an analyst edits (same shape as the journey map)."""
    items = [{k: r[k] for k in ("stage", "touchpoint", "match") if r.get(k) is not None} for r in rules]
    return yaml.safe_dump({"touchpoints": items}, sort_keys=False, allow_unicode=True)


@app.function
def parse_rules(text: str, journey: str | None = None) -> list:
    """Edited rules back from YAML: a `touchpoints:` list (or a whole journey map, or a bare list).
    Raises ValueError naming the rule and key, with the checks the journey-map reader applies."""
    try:
        document = load_yaml(text, "the rules") or []  # bounded: size, aliases and depth (yaml_input)
    except IngestError as err:
        raise ValueError(str(err)) from None
    items = document.get("touchpoints") or [] if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise ValueError("expected a list of rules under `touchpoints:`")
    rules = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not item.get("stage") or not isinstance(item.get("match"), dict):
            raise ValueError(f"rule {index}: expected `stage` and a `match` mapping, found {item!r}")

        def refuse(field, expected, found, index=index):
            raise ValueError(f"rule {index}, {field}: expected {expected}, found {found}")

        for key, pattern in item["match"].items():
            check_match(key, pattern, refuse)
        rules.append({"journey": item.get("journey", journey), "stage": str(item["stage"]),
                      "touchpoint": item.get("touchpoint"),
                      "match": {str(k): str(v) for k, v in item["match"].items()}})
    return rules


@app.function
def match_condition(key: str, pattern: str, name: str, params: dict, table: str = "inputs") -> str:
    """SQL for one `key: pattern` of a rule; adds its bound parameters to `params` under `name`.

    value   : the column `key` (allowlist MATCH_COLUMNS), or the label for `labels.<key>`;
              `severity` matches the normalised label or the tool's own text
    glob    : lower(value) GLOB lower(pattern): whole value, * ? [..], case-insensitive
    re:     : regexp_matches(value, pattern): a search like Python's re.search, case-sensitive (RE2;
              write (?i) for case-insensitive)
    A NULL value (no region, no such label) matches nothing. `table` is the SQL alias of the rows
    matched: "inputs", the distinct inputs of the touchpoint rules (sql/queue/01_rule_matches.sql),
    which carry each label a rule uses as its own column `labels.<key>` (see mapping_columns) and the
    tool's own severity text; any other alias, alert groups (playbooks and suppression rules), whose
    labels are read with json_extract_string(labels, JSON pointer) and whose severity is the label."""
    inputs = table == "inputs"
    if key.startswith("labels.") and inputs:
        values = [f"{table}.{quote_ident(key)}"]
    elif key.startswith("labels."):
        params[f"{name}_key"] = label_pointer(key)
        values = [f"json_extract_string({table}.labels, ${name}_key)"]
    elif key == "severity":
        values = [f"{table}.severity"] + ([f"{table}.severity_raw"] if inputs else [])
    elif key in MATCH_COLUMNS:
        values = [f'{table}."{key}"']
    else:
        raise ValueError(f"cannot match on {key!r}: use one of {', '.join(MATCH_COLUMNS)} or labels.<key>")
    pattern = str(pattern)
    if pattern.startswith("re:"):
        params[name] = pattern[3:]
        tests = [f"regexp_matches({v}, ${name})" for v in values]
    else:
        params[name] = pattern
        tests = [f"lower({v}) glob lower(${name})" for v in values]
    return tests[0] if len(tests) == 1 else "(" + " or ".join(tests) + ")"


@app.function
def label_pointer(key: str) -> str:
    """The JSON pointer of a `labels.<key>` (RFC 6901: ~ and / escaped)."""
    return "/" + key[len("labels."):].replace("~", "~0").replace("/", "~1")


@app.function
def rule_case(rules: list, params: dict) -> str:
    """The position of the first rule an input matches, as SQL over the alias `inputs`, its bound values
    added to `params`: CASE WHEN <rule 1, keys ANDed> THEN 1 WHEN <rule 2> THEN 2 … END (first match
    wins); NULL when there are no rules."""
    whens = []
    for position, rule in enumerate(rules, start=1):
        if not rule.get("match"):
            raise ValueError(f"rule {position} has no match keys")
        conditions = [match_condition(str(k), v, f"r{position}_{i}", params)
                      for i, (k, v) in enumerate(rule["match"].items(), start=1)]
        whens.append(f"when {' and '.join(conditions)} then {position}")
    return "case " + " ".join(whens) + " end" if rules else "null"


@app.function
def mapping_columns(rules: list, params: dict) -> tuple:
    """What the rules look at, as (raw, labels): `raw` = the quoted alert columns they read (`labels`
    for any `labels.<key>`, plus severity_raw with severity); `labels` = [(SQL over those columns, name)]
    extracting each `labels.<key>` once, its JSON pointer a parameter added to `params`."""
    raw, labels = {}, {}
    for rule in rules:
        for key in rule.get("match") or {}:
            if key.startswith("labels."):
                raw["labels"] = "labels"
                if key not in labels:
                    name = f"label_{len(params)}"
                    params[name] = label_pointer(key)
                    labels[key] = f"json_extract_string(labels, ${name})"
            elif key in MATCH_COLUMNS:
                raw[key] = quote_ident(key)
                if key == "severity":
                    raw["severity_raw"] = "severity_raw"
    return list(raw.values()), [(sql, name) for name, sql in labels.items()]


@app.function
def rule_matches_sql(rules: list, source: str = "alerts") -> tuple:
    """(SQL of sql/queue/01_rule_matches.sql with the rules filled in, parameters, the raw columns the
    rules read). `source` is the table the inputs are read from: alerts, or alert_pieces."""
    params = {}
    raw, labels = mapping_columns(rules, params)
    text = sql_text("rule_matches").replace("alerts /* source */", source)
    if rules:
        text = (text.replace("/* mapping inputs */", "".join(f"{c}, " for c in raw))
                .replace("/* label columns */", "".join(f"{sql} as {quote_ident(name)}, " for sql, name in labels))
                .replace("null /* rule_position */", rule_case(rules, params)))
    return text, params, raw


@app.function
def create_rule_matches(con, rules: list, source: str = "alerts", alias: str = "alerts") -> str:
    """Creates (or replaces) the temp tables `rule_matches` (each distinct input of the rules in `source`,
    with the position of the first rule it matches) and `mapping_rules` (position, journey, stage,
    touchpoint). Returns the condition that joins a row of `source`, aliased `alias`, to its match
    (`matches`): it replaces `true /* mapping join */` in sql/queue/02_mapped_alerts.sql and 06."""
    text, params, raw = rule_matches_sql(rules, source)
    con.execute(text, params)
    con.execute("create or replace temp table mapping_rules (position integer, journey varchar, stage varchar, "
                "touchpoint varchar)")
    if rules:
        con.executemany("insert into mapping_rules values (?, ?, ?, ?)",
                        [(i, *(None if r.get(f) is None else str(r[f]) for f in ("journey", "stage", "touchpoint")))
                         for i, r in enumerate(rules, start=1)])
    return "true" + "".join(f" and {alias}.{c} is not distinct from matches.{c}" for c in raw)


@app.function
def create_mapped_alerts(con, rules: list | None = None) -> None:
    """Creates (or replaces) the temp table `mapped_alerts` (sql/queue/02_mapped_alerts.sql): every column
    of `alerts`, then stage, touchpoint, rule_position (1-based index of the first matching rule) and
    journey; NULL when unmapped. `rules` = [{stage, touchpoint, match: {key: pattern}}] in order; None =
    the workspace's touchpoints (ordered by journey, then position)."""
    join = create_rule_matches(con, workspace_rules(con) if rules is None else rules)
    con.execute(sql_text("mapped_alerts").replace("true /* mapping join */", join))


@app.function
def coverage(con, top: int = 10) -> dict:
    """How much of the alert stream the rules map (from `mapped_alerts`, built from the workspace
    rules when missing). mapped_share = alerts with a stage / alerts.
    Returns {summary: {alerts, mapped, mapped_share}, by_source, by_service, unmapped} DataFrames;
    `unmapped` = the `top` services with most unmapped alerts, each with a suggested rule
    (rule_suggestions.unmapped_services)."""
    exists = con.execute(
        "select count(*) from duckdb_tables() where table_name = 'mapped_alerts' and temporary").fetchall()
    if not exists[0][0]:
        create_mapped_alerts(con)
    total, mapped = con.execute("select count(*), count(stage) from mapped_alerts").fetchall()[0]
    summary = {"alerts": total, "mapped": mapped, "mapped_share": mapped / total if total else None}
    share = "count(*) as alerts, count(stage) as mapped, count(stage) / count(*) as mapped_share"
    by_source = con.execute(f"select coalesce(source, '(none)') as source, {share} from mapped_alerts "
                            "group by all order by alerts desc, source").df()
    by_service = con.execute(sql_text("mapping_coverage")).df()
    return {"summary": summary, "by_source": by_source, "by_service": by_service,
            "unmapped": unmapped_services(con, by_service, top)}


@app.cell(hide_code=True)
def _():
    import marimo as mo

    mo.md(
        """
        # Journey mapping: which stage can each alert hurt?

        Every alert gets the stage and touchpoint of the **first** touchpoint rule it matches (SPEC §2.2);
        an alert no rule matches is *unmapped*. A rule matches when **every** key matches:

        - a key is an alert column (`service`, `name`, `source`, `severity`, `region`, `message`,
          `fingerprint`, `alert_id`) or a label, `labels.<key>`; a missing value matches nothing;
        - a pattern is a **glob** (`payments-*`; whole value; **case-insensitive**, since tools disagree on
          case), or after `re:` a **regular expression** searched anywhere in the value (`re:^/api/pay`;
          case-sensitive, add `(?i)` to ignore case);
        - `severity` matches the normalised label (critical … info) or the tool's own text.

        One SQL definition maps (`sql/queue/01_rule_matches.sql`): a `CASE` over the rules in order, every
        pattern a bound parameter, run once per distinct value of the columns the rules read; the queue
        and this coverage both join to it.

        $$\text{coverage} = \frac{\text{alerts with a stage}}{\text{alerts}}$$

        by source and by service. For each top unmapped
        service a rule is suggested: the stage of mapped services with the same name prefix, else
        sharing a name word, else the stage whose names share a word; else none ("probably internal").
        Edit the rules below: coverage updates when you leave the editor. To keep them, upload a new
        journey map (the workspace keeps every version).
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
    con = connect(require_workspace(mo, workspace_path.value))
    saved_rules = workspace_rules(con)
    journeys = sorted({r["journey"] for r in saved_rules})
    return con, journeys, saved_rules


@app.cell
def _(mo, saved_rules):
    rules_editor = mo.ui.text_area(value=rules_yaml(saved_rules), rows=16, full_width=True,
                                   label="Touchpoint rules (YAML, first match wins)")
    rules_editor
    return (rules_editor,)


@app.cell
def _(con, journeys, mo, rules_editor):
    import altair as alt

    try:
        edited_rules = parse_rules(rules_editor.value, journey=journeys[0] if len(journeys) == 1 else None)
        create_mapped_alerts(con, edited_rules)
        result = coverage(con)
    except (ValueError, yaml.YAMLError, duckdb.Error) as err:
        result = None
        view = mo.callout(mo.md(f"The rules cannot be used: `{err}`"), kind="danger")
    if result is not None:
        s = result["summary"]
        share = "n/a" if s["mapped_share"] is None else f"{s['mapped_share']:.0%}"
        services = result["by_service"].head(15).melt(id_vars="service", value_vars=["mapped", "unmapped_alerts"],
                                                       var_name="state", value_name="count")
        view = mo.vstack([
            mo.md(f"**{s['mapped']:,} of {s['alerts']:,} alerts mapped ({share}).**"),
            alt.Chart(services).mark_bar().encode(
                x=alt.X("count:Q", title="alerts"), y=alt.Y("service:N", sort=None, title=None),
                color=alt.Color("state:N", title=None), tooltip=["service:N", "state:N", "count:Q"],
            ).properties(title="The 15 services with most alerts: mapped and unmapped", width=560),
            mo.ui.tabs({"Top unmapped services": result["unmapped"], "By service": result["by_service"],
                        "By source": result["by_source"]}),
        ])
    view
    return


if __name__ == "__main__":
    app.run()
