"""Grafana Alerting: the webhook contact point's payloads (`version` "1").

Grafana's webhook is Alertmanager's (Grafana runs one) with more: `orgId`, `title`, `state`, `message`
on the payload and `values`, `valueString`, `silenceURL`, `dashboardURL`, `panelURL`, `imageURL` on each
alert. It is told apart from Alertmanager's by those (see `is_webhook`), so this family is tried before
`prometheus` (native/__init__.py FAMILIES). Grafana rules often name no service: the service then comes
from a fallback chain ending in the visible placeholder `unknown` (sql/ingest/03_alert_objects.sql).
"""

from journeylens.notebooks.ingest.native.layout_types import JsonLayout
from journeylens.notebooks.ingest.native.prometheus import truncated_text

GRAFANA_ALERT_KEYS = {"values", "valueString", "dashboardURL", "panelURL", "silenceURL", "imageURL"}


def is_webhook(first: dict) -> bool:
    alerts = first.get("alerts")
    if not isinstance(alerts, list):
        return False
    if "orgId" in first:
        return True
    return any(isinstance(alert, dict) and GRAFANA_ALERT_KEYS & alert.keys() for alert in alerts)


def truncation_warnings(con) -> list[str]:
    """A warning when Grafana left alerts out of a payload (the contact point's max alerts). Reads the
    view `docs` of an opened Grafana webhook file."""
    payloads, dropped = con.sql(
        "with t as (select try_cast(doc ->> 'truncatedAlerts' as bigint) as n from docs) "
        "select count(*) filter (where n > 0), coalesce(sum(n) filter (where n > 0), 0) from t"
    ).fetchall()[0]
    return [truncated_text(payloads, dropped, "Grafana", "the webhook contact point's max alerts")] if dropped else []


LAYOUTS = [
    JsonLayout("grafana_webhook", "alerts", "grafana", is_webhook, "alert_objects"),
]

WARNINGS = {"grafana_webhook": truncation_warnings}
