"""OpenTelemetry GenAI: spans and their attributes."""

from journeylens.notebooks.ingest.native.layout_types import TabularLayout


def has_genai_attributes(names: set) -> bool:
    return any(n.startswith("gen_ai_") for n in names)


LAYOUTS = [
    TabularLayout("otel_genai", "ai", None, has_genai_attributes),
]
