import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import json
    import os
    import re

    import duckdb
    import pandas as pd
    import yaml

    from journeylens.notebooks.ingest.map_file import MATCH_COLUMNS, check_match
    from journeylens.notebooks.workspace.contract import IngestError
    from journeylens.notebooks.ingest.layouts import quote_ident
    from journeylens.notebooks.workspace.snapshot import connect, sql_text
    from journeylens.notebooks.ingest.yaml_input import load_yaml

    # Name tokens too common to say anything about a journey stage (suggestions ignore them).
    GENERIC_TOKENS = frozenset({
        "api", "app", "backend", "cron", "frontend", "gateway", "internal", "job", "jobs", "prod", "proxy",
        "server", "service", "staging", "svc", "web", "worker",
    })
    INTERNAL_REASON = ("probably internal: no mapped service or stage shares a name token; "
                       "leave unmapped or map explicitly")


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
def match_condition(key: str, pattern: str, name: str, params: dict, table: str = "alerts",
                    flat_labels: bool = False) -> str:
    """SQL for one `key: pattern` of a rule; adds its bound parameters to `params` under `name`.

    value   : the alert column (allowlist MATCH_COLUMNS), or json_extract_string(labels, JSON pointer)
              for `labels.<key>`; `severity` matches the normalised label or the tool's own text
    glob    : lower(value) GLOB lower(pattern): whole value, * ? [..], case-insensitive
    re:     : regexp_matches(value, pattern): a search like Python's re.search, case-sensitive (RE2;
              write (?i) for case-insensitive)
    A NULL value (no region, no such label) matches nothing. `table` is the SQL alias of the rows
    matched (alerts here; alert groups for playbooks and suppression rules). `flat_labels`: the rows
    carry each label a rule uses as its own column, named `labels.<key>` (see mapping_columns)."""
    if key.startswith("labels.") and flat_labels:
        values = [f"{table}.{quote_ident(key)}"]
    elif key.startswith("labels."):
        pointer = "/" + key[len("labels."):].replace("~", "~0").replace("/", "~1")
        params[f"{name}_key"] = pointer
        values = [f"json_extract_string({table}.labels, ${name}_key)"]
    elif key == "severity":
        # alert rows also carry the tool's own text; alert groups only the normalised label
        values = [f"{table}.severity"] + ([f"{table}.severity_raw"] if table in ("alerts", "pieces") else [])
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
def rule_case(rules: list, params: dict, table: str = "alerts", flat_labels: bool = False) -> dict:
    """The SQL pieces of a rule set, its bound values added to `params`:
    position = CASE WHEN <rule 1, keys ANDed> THEN 1 WHEN <rule 2> THEN 2 … END (first match wins), and
    stage / touchpoint / journey = lists of bound parameters indexed by that position."""
    whens = []
    for position, rule in enumerate(rules, start=1):
        if not rule.get("match"):
            raise ValueError(f"rule {position} has no match keys")
        conditions = [match_condition(str(k), v, f"r{position}_{i}", params, table=table, flat_labels=flat_labels)
                      for i, (k, v) in enumerate(rule["match"].items(), start=1)]
        whens.append(f"when {' and '.join(conditions)} then {position}")
    parts = {"position": "case " + " ".join(whens) + " end" if rules else "null"}
    for field in ("stage", "touchpoint", "journey"):
        names = [f"{field}_{p}" for p in range(1, len(rules) + 1)]
        params.update(dict(zip(names, [None if r.get(field) is None else str(r[field]) for r in rules], strict=True)))
        parts[field] = "[" + ", ".join(f"${n}" for n in names) + "]" if rules else "null"
    return parts


@app.function
def mapping_columns(rules: list, params: dict) -> tuple:
    """What the rules look at, as (raw, labels): `raw` = the quoted alert columns they read (`labels`
    for any `labels.<key>`, plus severity_raw with severity); `labels` = [(SQL over those columns, name)]
    extracting each `labels.<key>` once. Rules tested with flat_labels=True against rows holding the raw
    columns and these extractions map them exactly as they map alerts."""
    raw, labels = {}, {}
    for rule in rules:
        for key in rule.get("match") or {}:
            if key.startswith("labels."):
                raw["labels"] = "labels"
                if key not in labels:
                    name = f"label_{len(params)}"
                    params[name] = "/" + key[len("labels."):].replace("~", "~0").replace("/", "~1")
                    labels[key] = f"json_extract_string(labels, ${name})"
            elif key in MATCH_COLUMNS:
                raw[key] = quote_ident(key)
                if key == "severity":
                    raw["severity_raw"] = "severity_raw"
    return list(raw.values()), [(sql, name) for name, sql in labels.items()]


@app.function
def rule_sql(rules: list) -> tuple:
    """(SQL of sql/queue/01_mapped_alerts.sql with the rules filled in, parameters). One statement, set-based."""
    params = {}
    text = sql_text("mapped_alerts")
    if rules:
        parts = rule_case(rules, params)
        text = (text.replace("null /* rule_position */", parts["position"])
                .replace("null /* rule_stages */", parts["stage"])
                .replace("null /* rule_touchpoints */", parts["touchpoint"])
                .replace("null /* rule_journeys */", parts["journey"]))
    return text, params


@app.function
def create_mapped_alerts(con, rules: list | None = None) -> None:
    """Creates (or replaces) the temp table `mapped_alerts`: every column of `alerts`, then stage,
    touchpoint, rule_position (1-based index of the first matching rule) and journey; NULL when
    unmapped. `rules` = [{stage, touchpoint, match: {key: pattern}}] in order; None = the workspace's
    touchpoints (ordered by journey, then position)."""
    text, params = rule_sql(workspace_rules(con) if rules is None else rules)
    con.execute(text, params)


@app.function
def name_tokens(text) -> list:
    """Lower-case words of a name, split on anything not a letter or digit; words under 3 letters,
    numbers and GENERIC_TOKENS dropped, a trailing plural `s` ignored (payments ~ payment)."""
    words = re.split(r"[^a-z0-9]+", str(text or "").lower())
    tokens = [w[:-1] if len(w) > 4 and w.endswith("s") else w for w in words]
    return [t for t in tokens if len(t) >= 3 and not t.isdigit() and t not in GENERIC_TOKENS]


@app.function
def glob_literal(text: str) -> str:
    """A glob that matches exactly `text` (its * ? [ escaped as character classes)."""
    return re.sub(r"([*?\[])", r"[\1]", text)


@app.function
def suggest_rule(service: str, mapped: dict, stage_words: dict) -> dict:
    """A suggested rule for an unmapped service, and why. Tried in order, first hit wins:
      1. mapped services whose first name token is this one's first token -> their stage (most alerts),
         rule `service: "<first token><separator>*"` (e.g. payments-ledger -> payments-*)
      2. mapped services sharing any other name token -> their stage, rule on the exact service name
      3. the stage whose id, name or touchpoint names share most tokens with the service, exact rule
      4. none: probably internal (stage None)
    `mapped`: {service: {stage: alerts}} of mapped services; `stage_words`: {stage: set of tokens}."""
    tokens = name_tokens(service)
    exact = {"service": glob_literal(service)}

    def best(services):
        votes = {}
        for other in services:
            for stage, count in mapped[other].items():
                votes[stage] = votes.get(stage, 0) + count
        return max(votes, key=lambda s: votes[s]) if votes else None

    others = [s for s in mapped if s != service]
    head = re.match(r"[A-Za-z0-9]+[^A-Za-z0-9]?", service)
    if head and tokens and name_tokens(head.group(0)) == tokens[:1]:
        same_first = [s for s in others if name_tokens(s)[:1] == tokens[:1]]
        if same_first:
            prefix = head.group(0)
            return {"stage": best(same_first), "match": {"service": glob_literal(prefix) + "*"},
                    "reason": f"shares the prefix {tokens[0]!r} with " + ", ".join(sorted(same_first))}
    sharing = [s for s in others if set(name_tokens(s)) & set(tokens)]
    if sharing:
        return {"stage": best(sharing), "match": exact,
                "reason": "shares a name token with " + ", ".join(sorted(sharing))}
    overlap = {stage: len(words & set(tokens)) for stage, words in stage_words.items()}
    if overlap and max(overlap.values()) > 0:
        stage = max(overlap, key=lambda s: overlap[s])
        return {"stage": stage, "match": exact,
                "reason": f"its name shares {sorted(stage_words[stage] & set(tokens))} with stage {stage}"}
    return {"stage": None, "match": None, "reason": INTERNAL_REASON}


@app.function
def coverage(con, top: int = 10) -> dict:
    """How much of the alert stream the rules map (from `mapped_alerts`, built from the workspace
    rules when missing). mapped_share = alerts with a stage / alerts.
    Returns {summary: {alerts, mapped, mapped_share}, by_source, by_service, unmapped} DataFrames;
    `unmapped` = the `top` services with most unmapped alerts, each with a suggested rule (suggest_rule).
    A service that is partly mapped gets no suggestion: its rules are narrower on purpose."""
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
    mapped_counts = {}
    per_stage = "select service, stage, count(*) from mapped_alerts where stage is not null group by all"
    for service, stage, count in con.execute(per_stage).fetchall():
        mapped_counts.setdefault(service, {})[stage] = count
    stage_words = {}
    for stage, name in con.execute("select stage, name from stages").fetchall():
        stage_words.setdefault(stage, set()).update(name_tokens(stage) + name_tokens(name))
    for stage, touchpoint in con.execute("select stage, touchpoint from touchpoints").fetchall():
        stage_words.setdefault(stage, set()).update(name_tokens(touchpoint))
    unmapped = (by_service[by_service["unmapped_alerts"] > 0]
                .sort_values(["unmapped_alerts", "service"], ascending=[False, True]).head(top)
                [["service", "unmapped_alerts", "alerts", "sources"]].reset_index(drop=True))
    suggestions = []
    for row in unmapped.itertuples():
        if row.service in mapped_counts:
            reason = (f"partly mapped ({row.alerts - row.unmapped_alerts} of {row.alerts} alerts, to "
                      f"{', '.join(sorted(mapped_counts[row.service]))}): its rules are narrower on purpose")
            suggestions.append({"stage": None, "match": None, "reason": reason})
        else:
            suggestions.append(suggest_rule(row.service, mapped_counts, stage_words))
    stages = [s["stage"] for s in suggestions]
    rules = [json.dumps({"stage": s["stage"], "match": s["match"]}) if s["stage"] else None
             for s in suggestions]
    unmapped["suggested_stage"] = pd.Series(stages, index=unmapped.index, dtype=object)
    unmapped["suggested_rule"] = pd.Series(rules, index=unmapped.index, dtype=object)
    unmapped["reason"] = [s["reason"] for s in suggestions]
    return {"summary": summary, "by_source": by_source, "by_service": by_service, "unmapped": unmapped}


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

        One SQL statement maps every alert: a `CASE` over the rules in order, every pattern a bound
        parameter. **Coverage** = mapped alerts / alerts, by source and by service. For each top unmapped
        service a rule is suggested: the stage of mapped services with the same name prefix, else
        sharing a name word, else the stage whose names share a word; else none ("probably internal").
        Edit the rules below: coverage updates when you leave the editor. To keep them, upload a new
        journey map (the workspace keeps every version).
        """
    )
    return (mo,)


@app.cell
def _(mo):
    default_workspace = os.environ.get("JOURNEYLENS_WORKSPACE", "workspace")
    workspace_path = mo.ui.text(value=default_workspace, label="Workspace folder")
    workspace_path
    return (workspace_path,)


@app.cell
def _(mo, workspace_path):
    con = connect(workspace_path.value)
    saved_rules = workspace_rules(con)
    journeys = sorted({r["journey"] for r in saved_rules})
    rules_editor = mo.ui.text_area(value=rules_yaml(saved_rules), rows=16, full_width=True,
                                   label="Touchpoint rules (YAML, first match wins)")
    rules_editor
    return con, journeys, rules_editor


@app.cell
def _(con, journeys, mo, rules_editor):
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
        view = mo.vstack([
            mo.md(f"**{s['mapped']:,} of {s['alerts']:,} alerts mapped ({share}).**"),
            mo.ui.tabs({"Top unmapped services": result["unmapped"], "By service": result["by_service"],
                        "By source": result["by_source"]}),
        ])
    view
    return


if __name__ == "__main__":
    app.run()
