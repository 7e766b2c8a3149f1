"""Datadog: event exports (CSV and the like)."""

from journeylens.notebooks.ingest.native.layout_types import TabularLayout


def is_events(names: set) -> bool:
    return "date_happened" in names or {"alert_type", "monitor_id"} <= names


LAYOUTS = [
    TabularLayout("datadog_events", "alerts", "datadog", is_events),
]
