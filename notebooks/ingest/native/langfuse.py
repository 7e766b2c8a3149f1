"""Langfuse: trace and observation exports (kind ai), score exports (kind scores).

- `langfuse_traces`: a trace download (`{"trace": {...}, "observations": [...]}`), public-API pages
  (`{"data": [...], "meta": {...}}`) of traces or observations, or trace / observation records one per
  line or in an array, mixed or not. The trace is the interaction; its generations give model, tokens
  and cost (sql/ingest/41_langfuse_traces.sql documents every field).
- `langfuse_scores`: score records or API pages of them (sql/ingest/42_langfuse_scores.sql: source
  API/EVAL -> llm, ANNOTATION -> human; NUMERIC, BOOLEAN, CATEGORICAL and TEXT values).
"""

from journeylens.notebooks.ingest.native.layout_types import JsonLayout

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


LAYOUTS = [
    JsonLayout("langfuse_traces", "ai", "langfuse", is_trace_export, "langfuse_traces"),
    JsonLayout("langfuse_scores", "scores", "langfuse", is_score_export, "langfuse_scores"),
]
