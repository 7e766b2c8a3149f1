"""OpenTelemetry GenAI: spans and their attributes.

Three shapes load as AI interactions with no mapping:
- `otel_otlp_json`: OTLP/JSON export requests (`{"resourceSpans": [...]}`), one per file or per line, as
  the collector's file exporter, OTLP/HTTP JSON clients and SDK JSON exporters write them;
- `otel_console_span`: spans as the Python SDK's ConsoleSpanExporter prints them (one JSON object per
  span: `name`, `context{trace_id, span_id}`, `start_time`, `attributes{...}`, `resource{attributes}`);
- `otel_genai` (tabular): flat records or columns named after the GenAI attributes (`gen_ai.response.id`,
  `gen_ai.request.model`, ...), through the aliases of `workspace/contract.py`.
The two span layouts share `sql/ingest/11_otel_genai_spans.sql`, which documents the fields, the
`feature` chain and what `extra` keeps.
"""

from journeylens.notebooks.ingest.native.layout_types import JsonLayout, TabularLayout


def is_otlp_json(first: dict) -> bool:
    return isinstance(first.get("resourceSpans"), list)


def is_console_span(first: dict) -> bool:
    context = first.get("context")
    return (isinstance(context, dict) and ("trace_id" in context or "span_id" in context)
            and "name" in first and ("start_time" in first or "attributes" in first))


def has_genai_attributes(names: set) -> bool:
    return any(n.startswith("gen_ai_") for n in names)


LAYOUTS = [
    JsonLayout("otel_otlp_json", "ai", "opentelemetry", is_otlp_json, "otel_genai_spans"),
    JsonLayout("otel_console_span", "ai", "opentelemetry", is_console_span, "otel_genai_spans"),
    TabularLayout("otel_genai", "ai", None, has_genai_attributes),
]
