"""A small two-stage world around one change, for the change-management tests (tests/retro/test_changes.py,
tests/app/test_cli_changes.py): alerts spread evenly at a rate before and after the change hour, hourly
journey metrics at a conversion before and after it."""

import csv
from datetime import datetime, timedelta

import numpy as np
from journeylens.notebooks.ingest.upload import ingest_file

T0 = datetime(2026, 11, 2, 0, 0)
CHANGE_HOUR = 36  # the change lands in the middle of three days of data
MAP = """\
journey: shop
stages:
  - {id: checkout, impact: 9, sensitivity: 1.0}
  - {id: browse, impact: 4, sensitivity: 0.5}
touchpoints:
  - {stage: checkout, match: {service: "cart-*"}}
  - {stage: browse, match: {service: "search-*"}}
"""


def stamp(hours: float) -> str:
    return (T0 + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def alert_rows(service: str, per_hour_before: float, per_hour_after: float, hours: int = 72) -> list:
    """Alerts spread evenly (no bursts) at one rate before the change hour and another after it."""
    rows, t = [], 0.0
    while t < hours:
        rate = per_hour_before if t < CHANGE_HOUR else per_hour_after
        rows.append({"alert_id": f"{service}-{len(rows)}", "fired_at": stamp(t), "service": service,
                     "name": "Slow", "severity": "warning", "source": "alertmanager"})
        t += 1.0 / rate
    return rows


def metric_rows(stage: str, entered: int, conversion_before: float, conversion_after: float, seed: int,
                swing: float = 0.0, hours: int = 72) -> list:
    """Hourly buckets; `swing` makes each hour's conversion wander (noisier than binomial, as real feeds are)."""
    rng = np.random.default_rng(seed)
    rows = []
    for h in range(hours):
        p = conversion_before if h < CHANGE_HOUR else conversion_after
        p = min(max(p + rng.uniform(-swing, swing), 0.01), 0.99)
        rows.append({"ts": stamp(h), "stage": stage, "entered": entered,
                     "completed": int(rng.binomial(entered, p))})
    return rows


def write_csv(path, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def world(tmp_path, alerts: list, metrics: list, changes: list):
    """A workspace with a two-stage map, the given alerts, metrics and changes."""
    ws = tmp_path / "ws"
    (tmp_path / "map.yaml").write_text(MAP)
    ingest_file(ws, "journey-map", tmp_path / "map.yaml")
    # a quiet search service keeps both stages mapped and the alert feed covering all three days
    ingest_file(ws, "alerts", write_csv(tmp_path / "alerts.csv", alerts + alert_rows("search-api", 0.25, 0.25)))
    if metrics:
        ingest_file(ws, "metrics", write_csv(tmp_path / "metrics.csv", metrics))
    ingest_file(ws, "changes", write_csv(tmp_path / "changes.csv", changes))
    return ws


def deploy(service="cart-service", description="cart-service routine release r12", hours=CHANGE_HOUR):
    return {"ts": stamp(hours), "service": service, "kind": "deploy", "description": description}
