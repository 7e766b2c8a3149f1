"""Opsgenie and Jira Service Management: Alert API responses and webhook payloads (alert notices)."""

from journeylens.notebooks.ingest.native.layout_types import (
    JsonLayout,
    TabularLayout,
    columns_by_name,
    quote_ident,
)
from journeylens.notebooks.workspace.snapshot import sql_text

# A CSV of alerts (an export, or the Alert API written out by a script) carries the API's fields under
# any case convention (TinyId, tiny_id, Tiny Id): each row becomes the API's alert object, read by the
# same query as the JSON. No public copy of Opsgenie's own CSV export was found; this reads its fields.
CSV_FIELDS = {
    "id": "id", "tiny_id": "tinyId", "alias": "alias", "message": "message", "status": "status",
    "acknowledged": "acknowledged", "is_seen": "isSeen", "snoozed": "snoozed", "count": "count",
    "last_occurred_at": "lastOccurredAt", "created_at": "createdAt", "updated_at": "updatedAt",
    "source": "source", "owner": "owner", "priority": "priority", "entity": "entity",
    "description": "description", "tags": "tags", "integration": "integration", "details": "details",
}


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


def is_alerts_csv(names: set) -> bool:
    return {"tiny_id", "message"} <= names and bool({"alias", "status", "created_at"} & names)


def alerts_csv_sql(columns: list) -> str:
    """The CSV as `docs`: every row the Alert API's object of its known fields (tags given as a JSON array
    or as comma-separated text), every other column kept beside them (in extra)."""
    pairs = []
    for name, column in columns_by_name(columns).items():
        quoted = quote_ident(column)
        key = CSV_FIELDS.get(name, name)  # a normalised name is [0-9a-z_] only: safe as a SQL string
        if key == "tags":
            value = (f"case when ltrim({quoted}) like '[%' and json_valid({quoted}) then {quoted}::json "
                     f"when trim({quoted}) <> '' then to_json(list_transform(string_split({quoted}, ','), "
                     "lambda t: trim(t))) end")
        elif key in ("details", "integration"):
            value = f"case when json_valid({quoted}) then {quoted}::json else to_json({quoted}) end"
        else:
            value = quoted
        pairs.append(f"'{key}', {value}")
    docs = f"select row_number() over () as __row, json_object({', '.join(pairs)}) as doc from src"
    return f"with docs as ({docs}) select * from ({sql_text('opsgenie_alerts')})"


LAYOUTS = [
    JsonLayout("opsgenie_alerts", "alerts", "opsgenie", is_opsgenie_alerts, "opsgenie_alerts"),
    TabularLayout("opsgenie_alerts_csv", "alerts", "opsgenie", is_alerts_csv, alerts_csv_sql),
]
