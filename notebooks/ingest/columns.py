"""Columns: from a file's own columns to the canonical table, as SQL.

`resolve_columns` decides which source columns feed each canonical column (`--map`, then the canonical
name, then the aliases of `contract.py`; the first non-empty value per row wins). `build_plan` turns that
into three layers of SQL over the file's text: the value of each column, its parsed value, and the
checks a refusal names (row, column, expected, found). `output_select` is the guarded conversion that
ingest runs in one pass: a bad value aborts it, and only then does `diagnosis.py` find where.
"""

from journeylens.notebooks.ingest.layouts import is_native_json, layout_source, quote_ident
from journeylens.notebooks.ingest.native.layout_types import INTERNAL_COLUMNS
from journeylens.notebooks.ingest.notices import (
    identify_notices,
    notice_expression,
    notice_layer,
    resolve_exemption,
)
from journeylens.notebooks.ingest.value_maps import (
    SourceExpr,
    check_mapping,
    constant_source,
    path_source,
    source_sql,
    split_path,
    value_lookup,
    value_maps_for,
    visible_columns,
)
from journeylens.notebooks.workspace.contract import (
    MAX_CELL_BYTES,
    TS_FROM,
    TS_UNTIL,
    IngestError,
    expected_text,
    kind_spec,
    normalise_name,
)

# Columns journeylens derives itself; a file's own column of that name is kept in `extra`.
INTERNAL = set(INTERNAL_COLUMNS)
DEFAULTS = {"metrics": {"segment": "'all'"}, "ai": {"shadow": "false"}}
# Columns an export gives only as an offset: (canonical column of the base time, offset in seconds).
# PagerDuty incident exports carry seconds_to_first_ack / seconds_to_resolve, not the times.
DERIVED = {
    ("incidents", "acknowledged_at"): ("opened_at", "seconds_to_first_ack"),
    ("incidents", "resolved_at"): ("opened_at", "seconds_to_resolve"),
}


def resolve_columns(kind: str, source_columns: list, mapping: dict | None, file_name: str) -> dict:
    """Which source columns feed each canonical column.

    Order of precedence: a constant (`--set source=grafana`), an explicit mapping (`--map canonical=Their
    Column`, or a path into a column holding JSON: `labels.team`), the canonical name, then the aliases
    of `contract.py`. Names match after normalisation. When several aliases are present, all are kept
    and the first non-empty value per row wins. A value map (`--map-values`, the severity map) wraps
    every source of its column. `mapping` is the old {canonical: source} or the four parts of
    value_maps.full_mapping. Returns {canonical: [source, ...]} (a source is a column name or a
    value_maps.SourceExpr), the unused source columns (`extras`) and the missing required columns."""
    spec = kind_spec(kind)
    full = check_mapping(kind, mapping, file_name)
    by_norm = {}
    for column in source_columns:
        if column not in INTERNAL:
            by_norm.setdefault(normalise_name(column), column)
    resolved, used = {}, set()
    for canonical, value in full["map_set"].items():
        resolved[canonical] = [constant_source(canonical, value)]
    for canonical, source in full["map"].items():
        actual = by_norm.get(normalise_name(source))
        if actual is not None:
            resolved[canonical] = [actual]
            used.add(actual)
            continue
        path = split_path(source, by_norm, normalise_name)
        if path is None:
            shown = visible_columns(source_columns)
            raise IngestError(file_name, "header", source,
                              "a column of the file (" + ", ".join(shown[:20]) + (" …" if len(shown) > 20 else "")
                              + ") or a path into one holding JSON, such as labels.team", "no such column")
        resolved[canonical] = [path_source(source, path[0], path[1], file_name)]
    for column in spec["columns"]:
        if column.name in resolved:
            continue
        candidates = [by_norm.get(normalise_name(n)) for n in (column.name, *column.aliases)]
        sources = [c for c in dict.fromkeys(candidates) if c is not None and c not in used]
        if sources:
            resolved[column.name] = sources
            used.update(sources)
    for canonical in value_maps_for(kind, full):
        resolved[canonical] = [mapped_values(canonical, s) for s in resolved.get(canonical, [])]
    missing = [c.name for c in spec["columns"] if c.required and c.name not in resolved]
    extras = [c for c in source_columns if c not in used and c not in INTERNAL and c != "severity_raw"]
    return {"resolved": resolved, "extras": extras, "missing": missing}


def mapped_values(canonical: str, source):
    """A source with its column's value map applied (a constant is already the value wanted)."""
    if isinstance(source, SourceExpr) and source.origin == "set":
        return source
    origin = "path" if isinstance(source, SourceExpr) and source.origin == "path" else "value"
    wrapped = SourceExpr(str(source), value_lookup(canonical, source_sql(source)), origin, source_sql(source))
    wrapped.__dict__.update({k: v for k, v in getattr(source, "__dict__", {}).items()
                             if k not in ("sql", "origin", "inner")})
    return wrapped


def source_value(column, sources: list) -> str:
    """The text of a canonical column from its source columns. With several, the first one whose value
    parses wins, else the first non-empty one (which the checks then refuse): a PagerDuty export with
    an empty priority_name falls back to urgency, a Datadog `priority: normal` to `alert_type`. A
    source may be an expression (a path, a constant, a value map: value_maps.SourceExpr)."""
    if not sources:
        return "null::varchar"
    if len(sources) == 1:
        # the hot path: only '' becomes NULL here; blank text is told apart by the checks, which only
        # trim a value that did not parse (trimming every cell costs a sixth of a large ingest)
        return f"nullif({source_sql(sources[0])}, '')"
    texts = [f"case when trim({source_sql(s)}) <> '' then {source_sql(s)} end" for s in sources]
    if column.parser == "text":
        return f"coalesce({', '.join(texts)})"
    parsing = [f"case when {parse_expression(column.parser, t)} is not null then {t} end" for t in texts]
    return f"coalesce({', '.join(parsing + texts)})"


def derived_value(base: str, seconds_column: str) -> str:
    """ISO text of base time + seconds, where the base is another canonical column's source text."""
    base, text = f'jl_ts("v__{base}")', quote_ident(seconds_column)
    seconds = f"try_cast({text} as double)"
    # Only a plausible base plus at most a century is added up. Any other offset (text, NaN, inf, 1e20)
    # stays its own text, so the timestamp check refuses it by name instead of the engine failing on
    # the arithmetic; a base out of range is refused by its own column's check.
    return (f"case when {seconds} is null or not ({seconds} between -3.2e9 and 3.2e9) then nullif({text}, '') "
            f"when {base} >= TIMESTAMP '{TS_FROM}' and {base} < TIMESTAMP '{TS_UNTIL}' then strftime({base} + "
            f"to_microseconds(cast({seconds} * 1e6 as bigint)), '%Y-%m-%dT%H:%M:%S') end")


def parse_expression(parser: str, value: str) -> str:
    """SQL that parses one text value per the column's parser (NULL when it cannot)."""
    if parser.startswith("enum:"):
        # an explicit "no value" in an optional enum (feedback: none) is empty, not a refusal
        return (f"case when lower(trim({value})) in ('', 'none', 'null', 'n/a', 'absent') then null "
                f"else lower(trim({value})) end")
    return {
        "text": value,
        "ts": f"jl_ts({value})",
        "severity": f"jl_severity_rank({value})",
        "status": f"jl_status({value})",
        "bool": f"jl_bool({value})",
        "double": f"try_cast({value} as double)",
        "unit": f"try_cast({value} as double)",
        "count": f"try_cast({value} as double)",
        "labels": f"jl_labels({value})",
    }[parser]


def bad_condition(column, parsed: str, value: str, exempt: str | None = None) -> str:
    """SQL that is true where the value is present but wrong, or (required) absent. Blank text counts
    as absent; parsers trim, so only a value that did not parse is trimmed here."""
    parser = column.parser
    present = f"({value} is not null and trim({value}) <> '')"
    unparsed = f"({parsed} is null and {present})"
    if parser.startswith("enum:"):
        options = ", ".join("'" + o + "'" for o in parser[5:].split("|"))
        bad = f"({parsed} is not null and {parsed} not in ({options}))"
    elif parser == "text":
        bad = "false"
    elif column.limits:
        # finite and in the column's documented range (NaN and inf fail isfinite; counts are whole)
        low, high = (float(x) for x in column.limits)
        bad = f"({unparsed} or not (isfinite({parsed}) and {parsed} between {low!r} and {high!r}))"
        if parser == "count":
            bad = f"({bad} or {parsed} <> floor({parsed}))"
    elif parser == "ts":
        bad = (f"({unparsed} or {parsed} < TIMESTAMP '{TS_FROM}' "
               f"or {parsed} >= TIMESTAMP '{TS_UNTIL}')")
    else:
        bad = unparsed
    if column.required:
        absent = f"(not {present})" if parser == "text" else f"({parsed} is null and not {present})"
        if exempt:  # e.g. a resolve notice without a fired time (notices.resolve_exemption)
            absent = f"({absent} and not {exempt})"
        bad = f"({absent} or {bad})"
    return bad


def build_plan(kind: str, resolution: dict, source_columns: list, layout: str) -> dict:
    """The three layers of the canonical conversion, as SQL text over the view `raw_src`.

    values : one trimmed text value `v__<col>` per canonical column (first non-empty source wins)
    parsed : `p__<col>`, the parsed value, next to its text
    checks : [(column label, SQL true where a row is bad, expected, "column" | "row")]: a refusal names
             the first bad row, and within it the first failing check in this order
    The fast path guards every output column with error(); only a refused file pays for the checks
    one by one with row numbers (see diagnosis.diagnose)."""
    spec = kind_spec(kind)
    value_sql, checks = [], []
    for column in spec["columns"]:
        sources = resolution["resolved"].get(column.name, [])
        value = source_value(column, sources)
        derived = DERIVED.get((kind, column.name))
        if not sources and derived and all(d in source_columns for d in derived[1:]):
            value = derived_value(*derived)
        value_sql.append(f"{value} as {quote_ident('v__' + column.name)}")
    sources = [s for s in source_columns if s not in INTERNAL]
    if sources:
        # one cheap guard for the whole row (strlen is O(1)); the diagnosis names the column
        widest = ", ".join(f"strlen({quote_ident('s__' + s)})" for s in sources)
        checks.append(("__cells", f"greatest({widest}) > {MAX_CELL_BYTES}", "", "row"))
    for source in sources:
        checks.append((source, f"strlen({quote_ident('s__' + source)}) > {MAX_CELL_BYTES}",
                       f"a cell of at most {MAX_CELL_BYTES:,} bytes", "cell"))
    # Native layouts build their labels with to_json in SQL: already canonical, not parsed again.
    trusted = {"labels"} if is_native_json(layout) else set()
    parsed_sql = []
    for column in spec["columns"]:
        v, p = quote_ident("v__" + column.name), quote_ident("p__" + column.name)
        parser = "text" if column.name in trusted else column.parser
        parsed_sql.append(f"{parse_expression(parser, v)} as {p}")
        exempt = resolve_exemption(kind, column.name, is_native_json(layout))
        expected = expected_text(column) + (" (a resolve or acknowledgement may leave it out when it names its alert)"
                                            if exempt else "")
        checks.append((column.name, bad_condition(column, p, v, exempt), expected, "column"))
    if kind == "metrics":
        checks.append(("completed", '("p__completed" > "p__entered")', "a value <= entered", "row"))
    lengths = ", ".join(f"{quote_ident(s)} as {quote_ident('s__' + s)}" for s in source_columns if s not in INTERNAL)
    row = "__row, " if "__row" in source_columns else ""
    extra_source = "__extra, " if "__extra" in source_columns else ""
    severity_raw = "severity_raw, " if "severity_raw" in source_columns else ""
    values_select = f"select {row}{extra_source}{severity_raw}{', '.join(value_sql)}, {lengths} from raw_src"
    parsed_select = f"select *, {', '.join(parsed_sql)} from ({values_select})"
    return {"values": values_select, "parsed": parsed_select, "checks": checks, "layout": layout,
            "extras": resolution["extras"], "has_extra_json": bool(extra_source), "has_row": bool(row),
            "has_severity_raw": bool(severity_raw)}


def output_select(kind: str, plan: dict, table_columns: list, guarded: bool = True) -> str:
    """The final SELECT in the canonical table's column order and types. With `guarded`, a bad value
    raises instead of being stored, so a file is stored whole or not at all."""
    spec = kind_spec(kind)
    by_name = {c.name: c for c in spec["columns"]}
    checks = {label: bad for label, bad, _, scope in plan["checks"] if scope == "column"}
    defaults = DEFAULTS.get(kind, {})
    source_of_layout = layout_source(plan["layout"])
    outputs = []
    for name, sql_type in table_columns:
        p = quote_ident("p__" + name)
        notice = notice_expression(name, plan) if kind == "alerts" else None
        if notice is not None:
            expression = notice
            if guarded and checks.get(name, "false") != "false":
                expression = f"case when {checks[name]} then error('journeylens: bad {name}') else {expression} end"
        elif name in by_name:
            expression = p
            if by_name[name].parser == "severity":
                expression = f"jl_severity_label({p})"
            if name in defaults:
                expression = f"coalesce({expression}, {defaults[name]})"
            if name == "source" and source_of_layout:
                expression = f"coalesce({expression}, '{source_of_layout}')"
            if guarded and checks.get(name, "false") != "false":
                expression = f"case when {checks[name]} then error('journeylens: bad {name}') else {expression} end"
        elif name == "severity_rank":
            expression = '"p__severity"'
        elif name == "severity_raw":
            expression = '"severity_raw"' if plan["has_severity_raw"] else '"v__severity"'
        elif name == "extra":
            expression = extra_expression(plan)
        elif name == "upload_id":
            expression = "$upload_id"
        else:
            expression = "null"
        outputs.append(f"cast({expression} as {sql_type}) as {quote_ident(name)}")
    guards = []
    if guarded:
        # a constant message: labels can be a user's column names, and the diagnosis names them anyway
        guards = [f"case when {bad} then error('journeylens: refused row') end"
                  for _, bad, _, scope in plan["checks"] if scope == "row"]
    parsed = notice_layer(plan["parsed"], is_native_json(plan["layout"])) if kind == "alerts" else plan["parsed"]
    select = f"select {', '.join(outputs)} from ({parsed})"
    if guards:
        select += f" where coalesce({', '.join(guards)}, true)"
    if kind == "alerts":
        select = identify_notices(select)
    return select


def extra_expression(plan: dict) -> str:
    """Source columns journeylens does not model, kept losslessly as one JSON object."""
    if plan["has_extra_json"]:
        return "__extra"
    if not plan["extras"]:
        return "null"
    pairs = ", ".join(f"{quote_ident(c)} := {quote_ident('s__' + c)}" for c in plan["extras"])
    return f"to_json(struct_pack({pairs}))"
