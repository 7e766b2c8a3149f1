"""Small worlds for the weight calibration, stored through the public ingest.

One mapped service, one alert per group (each its own name), several ISO weeks. `rule` says which alerts
became actioned incidents: "confidence" (the AIOps tool's confidence and the duration tell, the severity
does not: loud critical noise), "severity" (exactly the critical ones: the active profile already ranks
them first), and a handful of noise incidents on loud alerts."""

import csv
import random
from datetime import datetime, timedelta
from pathlib import Path

from journeylens.notebooks.ingest.upload import ingest_file

MAP = """journey: shop
stages:
  - id: checkout
    name: Checkout
    impact: 8
    sensitivity: 1.0
touchpoints:
  - stage: checkout
    match:
      service: "pay-*"
"""
MONDAY = datetime(2026, 10, 5)  # ISO week 2026-W41


def write_csv(path: Path, rows: list) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def build_world(folder: Path, weeks: int = 4, per_week: int = 40, positives: int = 8, rule: str = "confidence",
                seed: int = 7) -> Path:
    """A workspace in folder/ws whose incident history follows `rule`; returns its path."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    alerts, incidents = [], []
    for week in range(weeks):
        for index in range(per_week):
            fired = MONDAY + timedelta(days=7 * week, hours=2 + index * 3)
            real = index < positives
            if rule == "confidence":
                severity = rng.choice(["warning", "high"]) if real else rng.choice(["critical", "critical", "info"])
                confidence = rng.uniform(0.75, 1.0) if real else rng.uniform(0.0, 0.6)
                minutes = rng.uniform(120, 300) if real else rng.uniform(1, 30)
            else:
                severity = "critical" if real else "warning"
                confidence, minutes = 0.5, 30
            alert_id = f"a{week}-{index}"
            alerts.append({"alert_id": alert_id, "fired_at": fired.isoformat(), "service": "pay-api",
                           "name": f"check {week}-{index}", "severity": severity, "confidence": round(confidence, 3),
                           "resolved_at": (fired + timedelta(minutes=minutes)).isoformat()})
            if real or index % 5 == 0:
                incidents.append({"incident_id": f"i{week}-{index}", "opened_at": (fired + timedelta(minutes=5)).isoformat(),
                                  "alert_ids": alert_id, "outcome": "actioned" if real else "noise"})
    ws = folder / "ws"
    (folder / "map.yaml").write_text(MAP)
    ingest_file(ws, "journey-map", folder / "map.yaml")
    ingest_file(ws, "alerts", write_csv(folder / "alerts.csv", alerts))
    ingest_file(ws, "incidents", write_csv(folder / "incidents.csv", incidents))
    return ws
