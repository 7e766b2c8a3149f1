"""PagerDuty: Events API v2 and v1 events, V3 webhooks, REST incidents (JSON, and dumped to CSV), change
events, and incident CSV exports (advanced, legacy, UI, basic report).

Alert layouts give one notice per event (`status`, `event_at`, `alert_key`); the core folds them.
"""

from journeylens.notebooks.ingest.native.layout_types import JsonLayout, TabularLayout
from journeylens.notebooks.ingest.native.pagerduty_tabular import export_sql, rest_dump_sql

V1_ACTIONS = {"trigger", "acknowledge", "resolve"}


def is_events_v2(first: dict) -> bool:
    return "event_action" in first


def is_events_v1(first: dict) -> bool:
    # Datadog and others also send an `event_type`; v1's own keys make it PagerDuty's
    return (str(first.get("event_type", "")).lower() in V1_ACTIONS
            and ("service_key" in first or "incident_key" in first))


def is_webhook_v3(first: dict) -> bool:
    event = first.get("event")
    return isinstance(event, dict) and str(event.get("event_type", "")).startswith(("incident.", "service."))


def is_rest_incident(record) -> bool:
    return (isinstance(record, dict) and record.get("type") in ("incident", "incident_reference")
            and "id" in record and "status" in record)


def is_rest_incidents(first: dict) -> bool:
    incidents = first.get("incidents")
    if isinstance(incidents, list):
        return bool(incidents) and is_rest_incident(incidents[0])
    return is_rest_incident(first.get("incident")) or is_rest_incident(first)


def is_change_event(first: dict) -> bool:
    return isinstance(first.get("payload"), dict) and ("routing_key" in first or "links" in first)


def is_rest_dump_csv(names: set) -> bool:
    """REST incidents written by a DataFrame: the API's own field names, objects as text in cells."""
    return {"id", "status", "service", "created_at", "title"} <= names


def is_incidents_csv(names: set) -> bool:
    times = {"created_on", "created", "service_name", "opened_on"}
    return "incident_number" in names or bool({"urgency", "priority_name"} & names and times & names)


LAYOUTS = [
    JsonLayout("pagerduty_events_v2", "alerts", "pagerduty", is_events_v2, "pagerduty_event_alerts"),
    JsonLayout("pagerduty_events_v1", "alerts", "pagerduty", is_events_v1, "pagerduty_event_alerts"),
    JsonLayout("pagerduty_webhook_v3", "alerts", "pagerduty", is_webhook_v3, "pagerduty_incident_alerts"),
    JsonLayout("pagerduty_rest_incidents", "alerts", "pagerduty", is_rest_incidents, "pagerduty_incident_alerts"),
    # reached when a file of REST incidents is ingested as incidents: json_layout_for must prefer a layout of
    # the asked kind among those that recognise the record (today the first one, for alerts, answers)
    JsonLayout("pagerduty_rest_incidents", "incidents", "pagerduty", is_rest_incidents, "pagerduty_rest_incidents"),
    JsonLayout("pagerduty_change_events", "changes", "pagerduty", is_change_event, "pagerduty_change_events"),
    TabularLayout("pagerduty_rest_incidents_csv", "alerts", "pagerduty", is_rest_dump_csv, rest_dump_sql("alerts")),
    TabularLayout("pagerduty_rest_incidents_csv", "incidents", "pagerduty", is_rest_dump_csv,
                  rest_dump_sql("incidents")),
    TabularLayout("pagerduty_incidents_csv", "alerts", "pagerduty", is_incidents_csv, export_sql("alerts")),
    TabularLayout("pagerduty_incidents_csv", "incidents", "pagerduty", is_incidents_csv, export_sql("incidents")),
]
