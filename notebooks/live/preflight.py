"""What the live receiver checks before it acknowledges a body.

An acknowledged event must be stored, so a body is refused (4xx, naming the field) when it cannot be one
of the route's payloads. The checks are the ones the file ingest would make first: the same layout
detectors (`native.json_layout_for`) decide what a record is, and the contract's required columns and
timestamp forms are asked for. The full conversion (every value, every type) runs when the micro-batch
is committed (`commit.py`); a body it still refuses is kept and audited there, never dropped.

Bounded like a file upload: the body's size (the server), its nesting depth and the records per body.
"""

import json
import re
from dataclasses import dataclass

from journeylens.notebooks.ingest.json_records import MAX_JSON_DEPTH, nesting_depth
from journeylens.notebooks.ingest.native import json_layout_for
from journeylens.notebooks.workspace.contract import KIND_NAMES, kind_spec, normalise_name

# Records in one body: a collector batch is 8,192 spans by default, Alertmanager sends one payload.
MAX_RECORDS = 50_000
# An ISO 8601 date-time (what the adapters' timestamps are), or epoch seconds/milliseconds as a number.
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")
# The kinds /ingest/<kind> takes as canonical records (the journey map is a YAML document, not records).
RECORD_KINDS = tuple(kind for kind in KIND_NAMES if kind != "journey-map")


class BodyRefused(Exception):
    """A body the receiver will not acknowledge: the field (a JSON path), what was expected and found."""

    def __init__(self, field: str | None, expected: str, found: str, status: int = 400):
        self.field, self.expected, self.found, self.status = field, expected, found, status
        where = f"{field}: " if field else ""
        super().__init__(f"{where}expected {expected}, found {found}")

    def as_dict(self) -> dict:
        return {"error": str(self), "field": self.field, "expected": self.expected, "found": self.found}


@dataclass(frozen=True)
class Route:
    """One receiving path: the kind it stores and the native layouts it accepts (None: canonical records)."""

    name: str
    kind: str
    layouts: tuple | None


HOOKS = {
    "alertmanager": Route("alertmanager", "alerts", ("alertmanager_webhook", "grafana_webhook")),
    "grafana": Route("grafana", "alerts", ("grafana_webhook", "alertmanager_webhook")),
    "pagerduty": Route("pagerduty", "alerts", ("pagerduty_webhook_v3", "pagerduty_events_v2",
                                                "pagerduty_events_v1")),
    "datadog": Route("datadog", "alerts", ("datadog_webhook", "datadog_eventbridge", "datadog_events_api")),
}
TRACES = Route("otlp", "ai", ("otel_otlp_json",))


def found_text(value, limit: int = 60) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def parse_json_body(data: bytes, lines: bool) -> list:
    """The records of a body: one JSON value (an object, or an array of objects) or JSON Lines. Refuses
    what is not UTF-8 JSON, nests deeper than MAX_JSON_DEPTH or holds more than MAX_RECORDS records."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise BodyRefused(None, "a UTF-8 body", f"a byte that is not UTF-8 at offset {err.start}") from None
    if not text.strip():
        raise BodyRefused(None, "a JSON body", "an empty body")
    if lines or (text.lstrip()[:1] == "{" and "\n{" in text.strip()):
        values = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                values.append(json_or_refuse(line, f"line {number}"))
    else:
        value = json_or_refuse(text, None)
        values = value if isinstance(value, list) else [value]
    if not values:
        raise BodyRefused(None, "at least one JSON record", "none")
    if len(values) > MAX_RECORDS:
        raise BodyRefused(None, f"at most {MAX_RECORDS:,} records in one body", f"{len(values):,}", status=413)
    for index, value in enumerate(values):
        if not isinstance(value, dict):
            raise BodyRefused(f"[{index}]", "a JSON object", found_text(value))
        if nesting_depth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
            raise BodyRefused(f"[{index}]", f"values nested at most {MAX_JSON_DEPTH} deep", "deeper nesting")
    return values


def json_or_refuse(text: str, where: str | None):
    try:
        return json.loads(text)
    except RecursionError:
        raise BodyRefused(where, f"values nested at most {MAX_JSON_DEPTH} deep", "deeper nesting") from None
    except json.JSONDecodeError as err:
        raise BodyRefused(where, "JSON", f"{err.msg} at line {err.lineno}, column {err.colno}") from None


def check_hook(route: Route, records: list) -> str:
    """The layout every record of a hook's body has (the file ingest's detectors), checked for the fields
    its adapter cannot do without. Returns the layout name."""
    layout = None
    for index, record in enumerate(records):
        found = json_layout_for(record, route.kind)
        name = found.name if found else None
        if name not in route.layouts:
            raise BodyRefused(f"[{index}]" if len(records) > 1 else None,
                              f"a {route.name} payload ({', '.join(route.layouts)})",
                              f"{name or 'no known layout'} (keys {found_text(sorted(record)[:8])})", status=422)
        if layout and name != layout:
            raise BodyRefused(f"[{index}]", f"every record of one body in one layout ({layout})", name, status=422)
        layout = name
        CHECKS.get(name, lambda _r, _p: None)(record, f"[{index}]." if len(records) > 1 else "")
    return layout


def check_alert_list(record: dict, prefix: str) -> None:
    for number, alert in enumerate(record["alerts"]):
        path = f"{prefix}alerts[{number}]"
        if not isinstance(alert, dict):
            raise BodyRefused(path, "an alert object", found_text(alert))
        if not isinstance(alert.get("labels"), dict):
            raise BodyRefused(f"{path}.labels", "an object of labels", found_text(alert.get("labels")))
        check_time(alert.get("startsAt"), f"{path}.startsAt", required=True)
        check_time(alert.get("endsAt"), f"{path}.endsAt")
        status = alert.get("status")
        if status is not None and str(status).lower() not in ("firing", "resolved"):
            raise BodyRefused(f"{path}.status", "firing or resolved", found_text(status))


def check_pagerduty_v3(record: dict, prefix: str) -> None:
    event = record["event"]
    check_time(event.get("occurred_at"), f"{prefix}event.occurred_at", required=True)
    if not isinstance(event.get("data"), dict):
        raise BodyRefused(f"{prefix}event.data", "the incident object", found_text(event.get("data")))


def check_otlp(record: dict, prefix: str) -> None:
    for number, resource in enumerate(record.get("resourceSpans") or []):
        path = f"{prefix}resourceSpans[{number}]"
        if not isinstance(resource, dict):
            raise BodyRefused(path, "a ResourceSpans object", found_text(resource))
        scopes = resource.get("scopeSpans", resource.get("instrumentationLibrarySpans")) or []
        for inner, scope in enumerate(scopes if isinstance(scopes, list) else [scopes]):
            spans = scope.get("spans") if isinstance(scope, dict) else None
            if not isinstance(spans, list):
                raise BodyRefused(f"{path}.scopeSpans[{inner}].spans", "a list of spans", found_text(spans))


CHECKS = {"alertmanager_webhook": check_alert_list, "grafana_webhook": check_alert_list,
          "pagerduty_webhook_v3": check_pagerduty_v3, "otel_otlp_json": check_otlp}


def check_time(value, path: str, required: bool = False) -> None:
    if value is None or value == "":
        if required:
            raise BodyRefused(path, "an ISO 8601 time", "nothing")
        return
    if isinstance(value, bool) or not (isinstance(value, (int, float)) or ISO_TIME.match(str(value).strip())):
        raise BodyRefused(path, "an ISO 8601 time or epoch seconds", found_text(value))


def check_records(kind: str, records: list) -> None:
    """Canonical records of a kind (/ingest/<kind>): every required column by its name or an alias, and
    its timestamps in a form the ingest reads. Values are checked in full at commit."""
    columns = kind_spec(kind)["columns"]
    for index, record in enumerate(records):
        names = {normalise_name(key): key for key in record}
        for column in columns:
            key = next((names[n] for n in (column.name, *column.aliases) if n in names), None)
            if key is None:
                if column.required:
                    raise BodyRefused(f"[{index}].{column.name}", f"a {column.name} (or {', '.join(column.aliases[:3]) or 'its name'})",
                                      "no such field", status=422)
                continue
            if column.parser == "ts":
                check_time(record[key], f"[{index}].{key}", required=column.required)
