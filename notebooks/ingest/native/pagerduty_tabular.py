"""PagerDuty incident tables: the SQL that reads them (over the view `src`, all-text columns + `__row`).

- CSV exports (advanced, legacy, UI and the basic report with `#` and `Opened On`) load through the alias
  table; only what it cannot say is written here: `#` and `Opened On` (no alias can name `#`, which
  normalises to nothing). The incident status (triggered/acknowledged/resolved) is the notice status as
  it is: the status parser reads those words.
- REST incidents dumped to CSV (pandas' `DataFrame(incidents).to_csv()`) hold objects as text in a cell:
  `service` as `{'id': 'P..', 'summary': 'Checkout', 'type': 'service_reference'}` (Python's repr) or as
  JSON. Their `summary` is the service (and the priority's name the severity).
"""

from journeylens.notebooks.ingest.native.layout_types import columns_by_name, quote_ident


def export_sql(kind: str):
    """SQL for an incident CSV export read as `kind`: the file's columns as they are, but `#` and
    `Opened On` put under their canonical names."""

    def sql(columns: list) -> str:
        names = columns_by_name(columns)
        renamed, outputs = [], []
        if "" in names and names[""].strip() == "#":
            renamed.append(names[""])
            outputs.append(f"{quote_ident(names[''])} as {'alert_id' if kind == 'alerts' else 'incident_id'}")
        if "opened_on" in names:
            renamed.append(names["opened_on"])
            outputs.append(f"{quote_ident(names['opened_on'])} as {'fired_at' if kind == 'alerts' else 'opened_at'}")
        rest = f"* exclude ({', '.join(quote_ident(c) for c in renamed)})" if renamed else "*"
        return f"select {rest}{''.join(', ' + o for o in outputs)} from src"

    return sql


def object_text_field(cell: str, field: str) -> str:
    """SQL for `field` of an object written as text in a cell: JSON, or Python's repr (single quotes, or
    double quotes around a text that holds a single quote)."""
    single = f"""regexp_extract({cell}, '[''"]{field}[''"]\\s*:\\s*''((?:[^''\\\\]|\\\\.)*)''', 1)"""
    double = f"""regexp_extract({cell}, '[''"]{field}[''"]\\s*:\\s*"((?:[^"\\\\]|\\\\.)*)"', 1)"""
    return (f"coalesce(try(json_extract_string(try_cast({cell} as json), '$.{field}')), "
            f"nullif({single}, ''), nullif({double}, ''))")


# REST incident fields a dump holds as text, and what journeylens reads from them.
DUMP_FIELDS = {"alerts": {"id": "alert_id", "title": "name", "created_at": "fired_at"},
               "incidents": {"id": "incident_id", "title": "title", "created_at": "opened_at"}}


def rest_dump_sql(kind: str):
    """SQL for REST incidents dumped to CSV, read as `kind`."""

    def sql(columns: list) -> str:
        names = columns_by_name(columns)
        used, outputs = set(), []

        def take(name: str, expression: str, alias: str):
            if name in names:
                used.add(names[name])
                outputs.append(f"{expression.format(c=quote_ident(names[name]))} as {alias}")

        for field, alias in DUMP_FIELDS[kind].items():
            take(field, "nullif({c}, '')", alias)
        take("service", object_text_field("{c}", "summary"), "service")
        changed = [quote_ident(names[n]) for n in ("last_status_change_at", "updated_at") if n in names]
        priority = object_text_field(quote_ident(names["priority"]), "summary") if "priority" in names else "null"
        urgency = f"nullif({quote_ident(names['urgency'])}, '')" if "urgency" in names else "null"
        severity = f"coalesce(case when jl_severity_rank({priority}) is not null then {priority} end, {urgency})"
        if "priority" in names:
            used.add(names["priority"])
        outputs.append(f"{severity} as severity")
        if kind == "alerts":
            outputs.append(f"coalesce({priority}, {urgency}) as severity_raw")
            outputs.append(f"{quote_ident(names['id'])} as alert_key" if "id" in names else "null as alert_key")
            if "status" in names:
                used.add(names["status"])
                outputs.append(f"nullif({quote_ident(names['status'])}, '') as status")
            changed_at = f"coalesce({', '.join(f'nullif({c}, {chr(39)*2})' for c in changed)})" if changed else "null"
            outputs.append(f"{changed_at} as event_at")
            resolved = f"nullif({quote_ident(names['resolved_at'])}, '')" if "resolved_at" in names else "null"
            if "resolved_at" in names:
                used.add(names["resolved_at"])
            status = f"jl_status({quote_ident(names['status'])})" if "status" in names else "null"
            outputs.append(f"case when {status} = 'resolved' then coalesce({resolved}, {changed_at}) end as resolved_at")
            outputs.append("'pagerduty' as source")
        else:
            take("resolved_at", "nullif({c}, '')", "resolved_at")
        take("incident_key", "nullif({c}, '')", "fingerprint" if kind == "alerts" else "fingerprints")
        extras = [c for c in columns if c not in used and c not in ("__row", "__extra")]
        extra = f"to_json(struct_pack({', '.join(f'{quote_ident(c)} := {quote_ident(c)}' for c in extras)}))::varchar" if extras else "null"
        # `src` has `__row` only when rows are numbered: excluding every column of the file keeps it if so
        keep_row = f"* exclude ({', '.join(quote_ident(c) for c in columns if c not in ('__row', '__extra'))}), "
        return f"select {keep_row}{', '.join(outputs)}, {extra} as __extra from src"

    return sql
