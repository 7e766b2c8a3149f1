"""Prometheus Alertmanager: webhook payloads (version 4)."""

from journeylens.notebooks.ingest.native.layout_types import JsonLayout


def is_webhook(first: dict) -> bool:
    return isinstance(first.get("alerts"), list) and bool({"version", "receiver", "groupKey"} & first.keys())


LAYOUTS = [
    # Alertmanager's grouping needs no row order, so its fast path does not number rows (2x faster).
    JsonLayout("alertmanager_webhook", "alerts", "alertmanager", is_webhook, "alertmanager_alerts",
               reader="alertmanager_payloads", number_rows=False),
]
