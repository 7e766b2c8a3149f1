"""PagerDuty: Events API v2 events, change events, incident CSV exports."""

from journeylens.notebooks.ingest.native.layout_types import JsonLayout, TabularLayout


def is_events_v2(first: dict) -> bool:
    return "event_action" in first


def is_change_event(first: dict) -> bool:
    return isinstance(first.get("payload"), dict) and ("routing_key" in first or "links" in first)


def is_incidents_csv(names: set) -> bool:
    times = {"created_on", "created", "service_name"}
    return "incident_number" in names or bool({"urgency", "priority_name"} & names and times & names)


LAYOUTS = [
    JsonLayout("pagerduty_events_v2", "alerts", "pagerduty", is_events_v2, "pagerduty_event_alerts"),
    JsonLayout("pagerduty_change_events", "changes", "pagerduty", is_change_event, "pagerduty_change_events"),
    TabularLayout("pagerduty_incidents_csv", "alerts", "pagerduty", is_incidents_csv),
    TabularLayout("pagerduty_incidents_csv", "incidents", "pagerduty", is_incidents_csv),
]
