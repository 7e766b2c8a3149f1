"""Opsgenie and Jira Service Management: Alert API responses and webhook payloads (alert notices)."""

from journeylens.notebooks.ingest.native.layout_types import JsonLayout


def is_alert(record) -> bool:
    """An Opsgenie alert as the Alert API returns it (tinyId and message are Opsgenie's own pair)."""
    return isinstance(record, dict) and "tinyId" in record and "message" in record


def is_opsgenie_alerts(first: dict) -> bool:
    data = first.get("data")
    if isinstance(data, list):
        return bool(data) and is_alert(data[0])
    if isinstance(data, dict):
        return is_alert(data)
    if isinstance(first.get("alert"), dict):  # a webhook: the alert and what was done to it
        return "action" in first and (is_alert(first["alert"]) or "alertId" in first["alert"])
    return is_alert(first) and "action" not in first


LAYOUTS = [
    JsonLayout("opsgenie_alerts", "alerts", "opsgenie", is_opsgenie_alerts, "opsgenie_alerts"),
]
