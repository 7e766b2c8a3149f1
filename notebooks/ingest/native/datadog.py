"""Datadog: monitor notifications and events, as webhooks, the Events API, EventBridge and CSV exports.

Every Datadog shape is read by one query, `sql/ingest/09_datadog_alert_notices.sql`: one notice per
event (see there for the lifecycle key, the status and the severity). The JSON layouts hand it their
records as they are; the event CSV hands it each row as a JSON object of its columns (by normalised
name), so a CSV loads exactly as the same events given as JSON. The monitor alert-history CSV (hour
buckets) has its own query, `10_datadog_monitor_history.sql`.
"""

from journeylens.notebooks.ingest.native.layout_types import (
    JsonLayout,
    TabularLayout,
    columns_by_name,
    quote_ident,
)
from journeylens.notebooks.workspace.snapshot import sql_text

NOTICES = "datadog_alert_notices"
# The columns of the monitor alert-history CSV that its query reads (absent ones are NULL).
HISTORY_COLUMNS = ("hour", "host_name", "alert_name", "alert_type", "priority")


def is_eventbridge(first: dict) -> bool:
    """An EventBridge envelope of a Datadog notification: the partner source, or (after a transforming
    rule changed the source) a `detail` that holds a Datadog monitor."""
    detail = first.get("detail")
    if not isinstance(detail, dict) or "detail-type" not in first:
        return False
    meta = detail.get("meta")
    return str(first.get("source", "")).startswith("aws.partner/datadog.com") or (
        isinstance(meta, dict) and isinstance(meta.get("monitor"), dict))


def is_events_api(first: dict) -> bool:
    """Events API v1: a list (`{"events": [...]}`), a single reply (`{"event": {...}}`) or a bare event; v2:
    `{"data": [{"type": "event", "attributes": {...}}]}` or one such event."""
    data = first.get("data")
    item = data[0] if isinstance(data, list) and data else data
    if isinstance(item, dict) and item.get("type") == "event" and isinstance(item.get("attributes"), dict):
        return True
    events = first.get("events")
    if isinstance(events, list):
        return bool(events) and is_event(events[0])
    event = first.get("event")
    if isinstance(event, dict):
        return is_event(event)
    return "title" in first and is_event(first)


def is_event(record) -> bool:
    # an event without its date still loads (it takes the upload's time), so the date alone cannot decide
    return isinstance(record, dict) and ("date_happened" in record or {"title", "alert_type"} <= record.keys())


def is_webhook(first: dict) -> bool:
    """A webhook payload: the default template (`title`, `event_type`, `date`/`last_updated`) or a richer
    one carrying `alert_transition`."""
    keys = first.keys()
    if "alert_transition" in keys and bool({"title", "alert_title"} & keys):
        return True
    return {"title", "event_type"} <= keys and bool({"date", "last_updated", "date_posix"} & keys)


def is_events_csv(names: set) -> bool:
    return "date_happened" in names or {"alert_type", "monitor_id"} <= names


def is_history_csv(names: set) -> bool:
    return {"hour", "alert_name", "cnt"} <= names


def events_csv_sql(columns: list) -> str:
    """The event CSV as `docs`: each row one JSON object of its columns, by normalised name (the first
    of two columns that normalise alike wins), read by the notices query like any Datadog event.

    The fired time leaves under the file's own date column name (an alias of fired_at), so that a refused
    date names the column the user sees (`date_happened`), not ours."""
    date = columns_by_name(columns).get("date_happened")
    out = "*" if date is None else f"* exclude (fired_at), fired_at as {quote_ident(date)}"
    return f"with docs as ({row_objects(columns)}) select {out} from ({sql_text(NOTICES)})"


def history_csv_sql(columns: list) -> str:
    """The monitor alert-history CSV as `history`: the columns its query reads (NULL when absent) and
    every column as a JSON object (`extra`)."""
    by_name = columns_by_name(columns)
    picked = ", ".join(f"{quote_ident(by_name[c]) if c in by_name else 'null::varchar'} as {c}" for c in HISTORY_COLUMNS)
    history = f"select row_number() over () as __row, {picked}, {json_pairs(by_name)} as extra from src"
    return f"with history as ({history}) select * from ({sql_text('datadog_monitor_history')})"


def row_objects(columns: list) -> str:
    # numbered here: `src` carries `__row` only when a refusal is diagnosed (single-threaded, file order)
    return f"select row_number() over () as __row, {json_pairs(columns_by_name(columns))} as doc from src"


def json_pairs(by_name: dict) -> str:
    # a normalised name is [0-9a-z_] only, so it is safe as a SQL string; the column is quoted
    return "json_object(" + ", ".join(f"'{name}', {quote_ident(column)}" for name, column in by_name.items()) + ")"


LAYOUTS = [
    JsonLayout("datadog_eventbridge", "alerts", "datadog", is_eventbridge, NOTICES),
    JsonLayout("datadog_events_api", "alerts", "datadog", is_events_api, NOTICES),
    JsonLayout("datadog_webhook", "alerts", "datadog", is_webhook, NOTICES),
    TabularLayout("datadog_monitor_history", "alerts", "datadog", is_history_csv, history_csv_sql),
    TabularLayout("datadog_events", "alerts", "datadog", is_events_csv, events_csv_sql),
]
