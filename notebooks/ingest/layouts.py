"""Native layouts.

Exports load as the tools write them, with no mapping: Alertmanager webhook payloads, PagerDuty
Events API v2 events and change events (JSON), PagerDuty incident CSV exports and Datadog-style
event CSVs (by their headers), OpenTelemetry GenAI attributes (by name). The JSON layouts are
read by set-based SQL in `sql/ingest/`; the header-driven ones by the alias table in
`workspace/contract.py`.
"""

import duckdb
from journeylens.notebooks.ingest.json_records import (
    json_problem,
    json_value,
    python_json_records,
    records_frame,
)
from journeylens.notebooks.ingest.readers import csv_relation
from journeylens.notebooks.workspace.contract import IngestError, normalise_name
from journeylens.notebooks.workspace.snapshot import sql_text

# Native JSON layouts: (layout, the kind it belongs to, the SQL file that reads it).
NATIVE_JSON = {
    "alertmanager_webhook": ("alerts", "alertmanager_alerts"),
    "pagerduty_events_v2": ("alerts", "pagerduty_event_alerts"),
    "pagerduty_change_events": ("changes", "pagerduty_change_events"),
}
# The tool a layout comes from, used as `source` when the file has no source column.
LAYOUT_SOURCE = {
    "alertmanager_webhook": "alertmanager",
    "pagerduty_events_v2": "pagerduty",
    "pagerduty_incidents_csv": "pagerduty",
    "datadog_events": "datadog",
}


def json_layout(first: dict) -> str:
    """Names the native layout of a JSON record by its keys; "records" for plain objects."""
    if isinstance(first.get("alerts"), list) and ({"version", "receiver", "groupKey"} & first.keys()):
        return "alertmanager_webhook"
    if "event_action" in first:
        return "pagerduty_events_v2"
    if isinstance(first.get("payload"), dict) and ("routing_key" in first or "links" in first):
        return "pagerduty_change_events"
    return "records"


def tabular_layout(kind: str, columns: list) -> str:
    """Names the layout of a tabular file by its header (after name normalisation)."""
    names = {normalise_name(c) for c in columns}
    pagerduty_times = {"created_on", "created", "service_name"}
    if "incident_number" in names or ({"urgency", "priority_name"} & names and pagerduty_times & names):
        return "pagerduty_incidents_csv"
    if "date_happened" in names or {"alert_type", "monitor_id"} <= names:
        return "datadog_events"
    if any(n.startswith("gen_ai_") for n in names):
        return "otel_genai"
    return "columns"


def first_json_record(con, path, file_name: str) -> dict:
    """The first record, read by DuckDB without reading the whole file (fast for big JSON Lines)."""
    try:
        row = con.sql("select json from read_json_objects($p, format = 'auto') limit 1", params={"p": str(path)})
        rows = row.fetchall()
        first = rows[0] if rows else None
    except duckdb.Error as err:
        python_json_records(path, file_name)  # names the line and character of the problem
        if json_problem(err):
            raise IngestError(file_name, 1, None, "a readable JSON record", json_problem(err)) from None
        raise
    if first is None:
        raise IngestError(file_name, None, None, "at least one JSON record", "none")
    value = json_value(first[0], file_name, 1)
    if not isinstance(value, dict):
        raise IngestError(file_name, 1, None, "a JSON object", type(value).__name__)
    return value


def open_source(con, kind: str, path, file_name: str, fmt: str, numbered: bool = False) -> dict:
    """Creates the view `raw_src` of all-text source columns and names its layout.

    Returns {layout, columns, numbered}. `numbered` tells whether `raw_src` carries `__row`, the 1-based
    data row (CSV rows, Parquet rows, JSON array elements, JSON Lines lines, or for native layouts the
    record an alert starts in). CSV rows are numbered only when asked (`numbered`): it costs a pass."""
    if fmt == "csv":
        rel = csv_relation(con, path, numbered=numbered)
        columns = [c for c in rel.columns if c != "__row"]
        rel.create_view("raw_src")
        return {"layout": tabular_layout(kind, columns), "columns": columns, "numbered": numbered}
    if fmt == "parquet":
        try:
            rel = con.read_parquet(str(path), file_row_number=True)
            columns = [c for c in rel.columns if c != "file_row_number"]
        except RuntimeError as err:  # the Python binding cannot turn a name that is not UTF-8 into text
            if "conversion error" not in str(err):
                raise
            raise IngestError(file_name, "header", None, "column names in UTF-8",
                              "a column name that is not UTF-8 text (a damaged file?)") from None
        texts = ", ".join(
            f"case when typeof({quote_ident(c)}) like '%STRUCT%' or typeof({quote_ident(c)}) like '%[]' "
            f"or typeof({quote_ident(c)}) like 'MAP%' then to_json({quote_ident(c)})::varchar "
            f"else cast({quote_ident(c)} as varchar) end as {quote_ident(c)}"
            for c in columns
        )
        rel.project(f"file_row_number + 1 as __row, {texts}").create_view("raw_src")
        return {"layout": tabular_layout(kind, columns), "columns": columns, "numbered": True}
    first = first_json_record(con, path, file_name)
    layout = json_layout(first)
    if layout in NATIVE_JSON:
        layout_kind, sql_name = NATIVE_JSON[layout]
        if layout_kind != kind:
            raise IngestError(file_name, 1, None, f"{kind} records", f"a {layout} record (ingest it as {layout_kind})")
        # Numbering rows serialises the scan (about 2x slower); Alertmanager's grouping does not need
        # it, so only its diagnosis asks for numbers. PagerDuty pairing follows file order: numbered.
        number = numbered or layout != "alertmanager_webhook"
        row = "row_number() over ()" if number else "null::bigint"
        if layout == "alertmanager_webhook":
            reader = sql_text("alertmanager_payloads")
            payloads = con.sql(f"select {row} as __row, * from ({reader})", params={"path": str(path)})
            payloads.create_view("am_payloads")
        else:
            docs = con.sql(f"select {row} as __row, json as doc from read_json_objects($p, format = 'auto')",
                           params={"p": str(path)})
            docs.create_view("docs")
        rel = con.sql(sql_text(sql_name))
        rel.create_view("raw_src")
        return {"layout": layout, "columns": [c for c in rel.columns if c != "__row"], "numbered": True}
    frame = records_frame(python_json_records(path, file_name))
    con.register("raw_frame", frame)
    con.sql("select * from raw_frame").create_view("raw_src")
    columns = [c for c in frame.columns if c != "__row"]
    layout = tabular_layout(kind, columns)
    return {"layout": "records" if layout == "columns" else layout, "columns": columns, "numbered": True}


def quote_ident(name: str) -> str:
    """A SQL identifier for any name a user gave (a column header may be `x"; drop table alerts; --`)."""
    return '"' + str(name).replace('"', '""') + '"'
