"""Shared constants and helpers for the sample world (fixed epoch, seeded RNGs, stable writers)."""

from __future__ import annotations

import csv
import hashlib
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

SEED = 20261116
END = datetime(2026, 11, 16, tzinfo=UTC)  # exclusive end of every time series
START = END - timedelta(days=30)  # 2026-10-17 (a Saturday) is "day 0" of alerts and metrics
AI_DAYS = 150
AI_START = END - timedelta(days=AI_DAYS)  # 2026-06-19
MODEL_OLD = "gpt-small-2026-07"
MODEL_NEW = "gpt-small-2026-09"
MODEL_SHADOW = "gpt-small-2026-11-rc"
MODEL_CHANGE = datetime(2026, 9, 17, 10, 0, tzinfo=UTC)
SHADOW_START = datetime(2026, 10, 26, tzinfo=UTC)

# stage id, name, impact, sensitivity
STAGES = [
    ("discovery", "Discovery & search", 5, 0.5),
    ("signup", "Sign-up", 7, 0.7),
    ("onboarding", "Onboarding", 8, 0.8),
    ("checkout", "Checkout", 9, 1.0),
    ("renewal", "Renewal", 8, 0.9),
]
SEGMENTS = [("free", 1.0), ("pro", 1.3), ("enterprise", 2.0)]


def rng(component: int) -> random.Random:
    """One independent generator per component so that editing one never shifts another."""
    return random.Random(SEED * 100 + component)


def at(day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A moment on alert/metric day `day` (day 0 = 2026-10-17), UTC."""
    return START + timedelta(days=day, hours=hour, minutes=minute, seconds=second)


def iso(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch(ts: datetime) -> int:
    return int(ts.timestamp())


def digest(*parts: object, n: int = 16) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:n]


# The real incidents: the alerts, metrics, incidents and changes generators all read this table.
# effects: segment -> (conversion multiplier at full overlap, time-to-value multiplier, satisfaction drop)
REAL_INCIDENTS = [
    {
        "key": "checkout-payments",
        "stage": "checkout",
        "start": at(9, 14, 5),
        "end": at(9, 15, 20),
        "restored": at(9, 15, 40),
        "effects": {"free": (0.55, 1.6, 0.10), "pro": (0.35, 1.8, 0.18), "enterprise": (0.08, 2.5, 0.35)},
    },
    {
        "key": "search-latency",
        "stage": "discovery",
        "start": at(13, 20, 10),
        "end": at(13, 20, 35),
        "restored": at(13, 20, 40),
        "effects": {"free": (0.7, 1.8, 0.05), "pro": (0.72, 1.8, 0.05), "enterprise": (0.75, 1.8, 0.05)},
    },
    {
        "key": "signup-email",
        "stage": "signup",
        "start": at(17, 9, 30),
        "end": at(17, 13, 10),
        "restored": at(17, 14, 0),
        "effects": {"free": (0.45, 3.0, 0.15), "pro": (0.6, 2.6, 0.12), "enterprise": (0.8, 1.8, 0.06)},
    },
    {
        "key": "onboarding-slow",
        "stage": "onboarding",
        "start": at(24, 10, 0),
        "end": at(24, 18, 0),
        "restored": at(24, 18, 30),
        "effects": {"free": (0.85, 2.2, 0.08), "pro": (0.72, 3.2, 0.16), "enterprise": (0.82, 2.6, 0.10)},
    },
]


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def dumps(obj: object) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def write_jsonl(path: Path, rows: list[dict]) -> None:
    write_text(path, "".join(dumps(r) + "\n" for r in rows))


def write_json_array(path: Path, rows: list[dict]) -> None:
    """A JSON array with one object per line: valid JSON, still diff- and grep-friendly."""
    write_text(path, "[\n" + ",\n".join(dumps(r) for r in rows) + "\n]\n")
