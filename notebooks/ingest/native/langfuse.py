"""Langfuse: trace and observation exports (kind ai), score exports (kind scores).

- `langfuse_traces`: a trace download (`{"trace": {...}, "observations": [...]}`), public-API pages
  (`{"data": [...], "meta": {...}}`) of traces or observations, or trace / observation records one per
  line or in an array, mixed or not. The trace is the interaction; its generations give model, tokens
  and cost (sql/ingest/12_langfuse_traces.sql documents every field).
- `langfuse_scores`: score records or API pages of them (sql/ingest/13_langfuse_scores.sql: source
  API/EVAL -> llm, ANNOTATION -> human; NUMERIC, BOOLEAN, CATEGORICAL and TEXT values).
- `langfuse_*_csv`: the same exports as Langfuse's batch export writes them to CSV (one table per file,
  the JSON field names as the header; objects, arrays and dates JSON-encoded in their cell, strings as
  they are). Each row becomes the JSON record it was and goes through the same SQL.
"""

from journeylens.notebooks.ingest.native.layout_types import JsonLayout, TabularLayout
from journeylens.notebooks.workspace.snapshot import sql_text

# Fields only a Langfuse trace carries beside id and timestamp (the API's and the UI download's).
TRACE_FIELDS = {"userId", "sessionId", "latency", "totalCost", "htmlPath", "projectId", "bookmarked", "public",
                "release", "observations", "scores", "environment"}
OBSERVATION_TYPES = {"GENERATION", "SPAN", "EVENT", "AGENT", "TOOL", "CHAIN", "RETRIEVER", "EVALUATOR",
                     "EMBEDDING", "GUARDRAIL"}
SCORE_TYPES = {"NUMERIC", "CATEGORICAL", "BOOLEAN", "TEXT", "CORRECTION"}
SCORE_SOURCES = {"API", "EVAL", "ANNOTATION"}


def first_of_page(first: dict):
    """An API page's first record ({"data": [...], "meta": {...}}), else the record itself."""
    data = first.get("data")
    if isinstance(data, list) and "meta" in first:
        return data[0] if data and isinstance(data[0], dict) else None
    return first


def is_observation(record: dict) -> bool:
    return "traceId" in record and "startTime" in record and str(record.get("type", "")).upper() in OBSERVATION_TYPES


def is_trace(record: dict) -> bool:
    return "id" in record and "timestamp" in record and "traceId" not in record and len(TRACE_FIELDS & set(record)) >= 2


def is_trace_export(first: dict) -> bool:
    trace = first.get("trace")
    if isinstance(trace, dict):
        return "id" in trace and ("observations" in first or "observations" in trace)
    record = first_of_page(first)
    return isinstance(record, dict) and (is_trace(record) or is_observation(record))


def is_score_export(first: dict) -> bool:
    record = first_of_page(first)
    if not isinstance(record, dict) or "name" not in record or not ({"value", "stringValue"} & set(record)):
        return False
    if "traceId" not in record and "sessionId" not in record:
        return False
    return (str(record.get("dataType", "")).upper() in SCORE_TYPES
            or str(record.get("source", "")).upper() in SCORE_SOURCES)


def is_trace_csv(names: set) -> bool:
    # specific enough not to take a plain AI interactions CSV: a Langfuse-only field and two more
    trace_fields = {"user_id", "session_id", "bookmarked", "public", "release", "environment", "latency", "total_cost"}
    langfuse_only = {"bookmarked", "public", "html_path", "project_id", "total_cost"}
    return ({"id", "timestamp", "name"} <= names and "trace_id" not in names and bool(langfuse_only & names)
            and len(trace_fields & names) >= 3)


def is_observation_csv(names: set) -> bool:
    return {"id", "trace_id", "type", "start_time"} <= names


def is_score_csv(names: set) -> bool:
    return {"trace_id", "name", "value"} <= names and bool({"data_type", "string_value"} & names)


def as_records(stem: str):
    """SQL over the view `src` (one CSV row per export record) that rebuilds each row's JSON record as the
    view `docs` and reads it with the JSON layout's SQL. Cells that are JSON-encoded (objects, arrays,
    quoted dates) are decoded; every other cell stays text, so an id of digits is never read as a number."""
    def quoted(name, mark):
        return mark + str(name).replace(mark, mark * 2) + mark

    def sql(columns: list) -> str:
        cells = ", ".join(
            f"{quoted(c, chr(39))}, case when left(ltrim({quoted(c, chr(34))}), 1) in ('{{', '[', '\"') "
            f"then coalesce(try(json({quoted(c, chr(34))})), to_json({quoted(c, chr(34))})) "
            f"else to_json(nullif({quoted(c, chr(34))}, '')) end"
            for c in columns if c != "__row")
        _, _, body = sql_text(stem).partition("\nwith ")
        # the CSV reader keeps file order: row_number() is the data row whether or not `src` numbers it
        return f"with docs as (select row_number() over () as __row, json_object({cells}) as doc from src),\n{body}"
    return sql


LAYOUTS = [
    JsonLayout("langfuse_traces", "ai", "langfuse", is_trace_export, "langfuse_traces"),
    JsonLayout("langfuse_scores", "scores", "langfuse", is_score_export, "langfuse_scores"),
    TabularLayout("langfuse_traces_csv", "ai", "langfuse", is_trace_csv, as_records("langfuse_traces")),
    TabularLayout("langfuse_observations_csv", "ai", "langfuse", is_observation_csv, as_records("langfuse_traces")),
    TabularLayout("langfuse_scores_csv", "scores", "langfuse", is_score_csv, as_records("langfuse_scores")),
]
