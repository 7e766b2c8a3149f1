"""Prometheus Alertmanager: webhook payloads (version 4), and the alert list of the API v2
(`GET /api/v2/alerts`), which `amtool alert query -o json` prints as well.

Both are read as notices (one row per alert per payload or list): the view `alerts` folds them. A
webhook notice is firing or resolved; in the API list every alert is still firing (its state active,
suppressed or unprocessed), and its `endsAt` is a timeout Alertmanager keeps pushing forward, never a
resolution, so the notice's time is `updatedAt`.
"""

from journeylens.notebooks.ingest.native.layout_types import JsonLayout


def is_webhook(first: dict) -> bool:
    return isinstance(first.get("alerts"), list) and bool({"version", "receiver", "groupKey"} & first.keys())


def is_api_alert(first: dict) -> bool:
    """One alert of the API v2 list: its status is an object with a state (a webhook's is a word)."""
    status = first.get("status")
    return (isinstance(status, dict) and "state" in status and isinstance(first.get("labels"), dict)
            and "startsAt" in first and "fingerprint" in first)


def truncation_warnings(con) -> list[str]:
    """A warning when Alertmanager left alerts out of a payload (`max_alerts`): they are not in the
    file, so nothing can store them. Reads the view `alertmanager_payloads` of an opened webhook file."""
    payloads, dropped = con.sql(
        "select count(*) filter (where truncatedAlerts > 0), coalesce(sum(truncatedAlerts) "
        "filter (where truncatedAlerts > 0), 0) from alertmanager_payloads"
    ).fetchall()[0]
    return [truncated_text(payloads, dropped, "Alertmanager", "max_alerts of its webhook_config")] if dropped else []


def truncated_text(payloads: int, dropped: int, tool: str, setting: str) -> str:
    return (f"{dropped:,} alert{'' if dropped == 1 else 's'} left out by {tool} ({payloads:,} "
            f"payload{'' if payloads == 1 else 's'} with truncatedAlerts > 0): they are not in this file; raise "
            f"{setting} or export the alerts another way to have them.")


LAYOUTS = [
    # Alertmanager's notices need no row order, so its fast path does not number rows (2x faster).
    JsonLayout("alertmanager_webhook", "alerts", "alertmanager", is_webhook, "alertmanager_alerts",
               reader="alertmanager_payloads", number_rows=False),
    JsonLayout("alertmanager_api_alerts", "alerts", "alertmanager", is_api_alert, "alert_objects"),
]

WARNINGS = {"alertmanager_webhook": truncation_warnings}
