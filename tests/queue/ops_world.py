"""A small workspace for the ops knobs' tests (suppression rules, playbooks): checkout and signup stages,
a checkout latency alert while signup surges, the same checkout alert alone ten hours later, and an
unmapped CI alert."""

import csv
from datetime import datetime, timedelta

from journeylens.notebooks.ingest.upload import ingest_file

T0 = datetime(2026, 1, 5, 10, 0)
MAP = """\
journey: shop
stages:
  - {id: signup, impact: 6, sensitivity: 0.8}
  - {id: checkout, impact: 9, sensitivity: 1.0}
touchpoints:
  - {stage: checkout, touchpoint: pay, match: {service: "payments-*"}}
  - {stage: signup, touchpoint: form, match: {service: "signup-*"}}
"""
# a catalogue with a multi-signal playbook on an approval-gated tier
CATALOGUE = """\
tiers:
  auto-mitigate: {approval: required}
playbooks:
  - id: checkout-latency-in-signup-surge
    stage: checkout
    action: Scale checkout; shed recommendation traffic
    tier: auto-mitigate
    owner: payments-oncall
    when:
      within_minutes: 30
      all:
        - {stage: checkout, match: {name: "*Latency*"}}
        - {stage: signup, match: {name: "*Surge*"}}
  - id: review
    action: Triage in the weekly review
    tier: human-review
    owner: sre
"""
COLUMNS = ["alert_id", "fired_at", "resolved_at", "service", "name", "severity", "source"]


def at(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def alert(alert_id, fired, service, name, resolved=None):
    return {"alert_id": alert_id, "fired_at": at(fired), "resolved_at": at(resolved) if resolved else "",
            "service": service, "name": name, "severity": "critical", "source": "alertmanager"}


ALERTS = [
    alert("a1", 0, "payments-api", "PayLatencyHigh", resolved=30),
    alert("a2", 10, "signup-web", "SignupSurge", resolved=40),
    alert("a3", 600, "payments-api", "PayLatencyHigh", resolved=630),
    alert("a4", 5, "ci-runner", "BuildFlaky", resolved=6),
]


def ops_workspace(folder, alerts=None):
    """A workspace in `folder`/ws holding the map and `alerts` (ALERTS by default)."""
    folder.mkdir(parents=True, exist_ok=True)
    ws = folder / "ws"
    (folder / "map.yaml").write_text(MAP)
    ingest_file(ws, "journey-map", folder / "map.yaml")
    with open(folder / "alerts.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(ALERTS if alerts is None else alerts)
    ingest_file(ws, "alerts", folder / "alerts.csv")
    return ws


def by_alert(queue):
    """{first alert id: row} of a ranked queue (ranking.ranked_alerts)."""
    def first(ids):
        return (ids if isinstance(ids, str) else ";".join(ids)).replace(",", ";").split(";")[0].strip()
    return {first(row["alert_ids"]): row for row in queue.to_dict("records")}
