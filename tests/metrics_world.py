"""A small journey-metrics world shared by the signals and governance tests (tests/ is on the import path)."""

import csv
from datetime import datetime, timedelta

import numpy as np
from journeylens.notebooks.ingest.upload import ingest_file

MAP = """\
journey: shop
stages:
  - {id: checkout, impact: 9, sensitivity: 1.0}
touchpoints:
  - {stage: checkout, match: {service: "pay-*"}}
segments:
  - {id: enterprise, weight: 2}
  - {id: free, weight: 1}
"""


def metrics_workspace(tmp_path, hours=24 * 21, drop_at=24 * 18 + 14, drop_hours=2, entered=400, drop=0.35):
    """A checkout stage with a daily traffic cycle; enterprise conversion falls by `drop` for
    `drop_hours` hours at `drop_at`. free has so little traffic that nothing it does can alert."""
    rng = np.random.default_rng(4)
    start = datetime(2026, 3, 2)
    rows = []
    for h in range(hours):
        ts = (start + timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M:%SZ")
        daily = 0.6 + 0.4 * np.sin(2 * np.pi * (h % 24) / 24)
        n = int(entered * daily) + 50
        rate = 0.5 * (1 - drop) if drop_at <= h < drop_at + drop_hours else 0.5
        rows.append([ts, "checkout", "enterprise", n, rng.binomial(n, rate), 60 + rng.normal(0, 2), ""])
        thin = int(rng.integers(2, 9))
        rows.append([ts, "checkout", "free", thin, rng.binomial(thin, 0.1 if h % 50 == 0 else 0.5), "", ""])
    ws = tmp_path / "ws"
    (tmp_path / "map.yaml").write_text(MAP)
    ingest_file(ws, "journey-map", tmp_path / "map.yaml")
    with open(tmp_path / "metrics.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ts", "stage", "segment", "entered", "completed", "time_to_value_s", "satisfaction"])
        writer.writerows(rows)
    ingest_file(ws, "metrics", tmp_path / "metrics.csv")
    return ws, start + timedelta(hours=drop_at)
