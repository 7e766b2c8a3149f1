"""Hourly journey metrics per stage and segment for the 30 alert days."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from pathlib import Path

from journeylens.sample_data.world_common import REAL_INCIDENTS, START, rng, write_csv

# stage -> segment -> (entered per hour at the daily peak, conversion, time to value in s, satisfaction)
PROFILE = {
    "discovery": {"free": (260, 0.46, 45, 0.80), "pro": (60, 0.55, 40, 0.83), "enterprise": (22, 0.60, 38, 0.85)},
    "signup": {"free": (110, 0.63, 190, 0.78), "pro": (26, 0.71, 170, 0.82), "enterprise": (12, 0.78, 240, 0.84)},
    "onboarding": {"free": (70, 0.55, 900, 0.74), "pro": (20, 0.68, 780, 0.80), "enterprise": (10, 0.80, 1500, 0.83)},
    "checkout": {"free": (42, 0.58, 120, 0.79), "pro": (18, 0.72, 105, 0.83), "enterprise": (12, 0.86, 150, 0.86)},
    "renewal": {"free": (8, 0.70, 60, 0.80), "pro": (8, 0.82, 55, 0.84), "enterprise": (5, 0.91, 90, 0.87)},
}
# share of the daily peak, by UTC hour: quiet nights, a busy afternoon
HOURLY = [0.16, 0.11, 0.08, 0.07, 0.08, 0.12, 0.22, 0.38, 0.58, 0.76, 0.88, 0.95,
          0.98, 1.00, 1.00, 0.97, 0.92, 0.86, 0.80, 0.72, 0.60, 0.46, 0.33, 0.22]
WEEKDAY = [1.0, 1.02, 1.0, 0.98, 0.93, 0.70, 0.66]  # Monday first
HEADER = ["ts", "stage", "segment", "entered", "completed", "time_to_value_s", "satisfaction"]


def _overlap(start: datetime, end: datetime, lo: datetime, hi: datetime) -> float:
    secs = (min(end, hi) - max(start, lo)).total_seconds()
    return max(0.0, secs) / 3600.0


def incident_effect(stage: str, segment: str, hour: datetime) -> tuple[float, float, float]:
    """Conversion multiplier, time-to-value multiplier and satisfaction drop for one hourly bucket."""
    conv, ttv, sat = 1.0, 1.0, 0.0
    hi = hour + timedelta(hours=1)
    for inc in REAL_INCIDENTS:
        if inc["stage"] != stage:
            continue
        c, t, s = inc["effects"][segment]
        full = _overlap(inc["start"], inc["end"], hour, hi)
        tail = 0.5 * _overlap(inc["end"], inc["restored"], hour, hi)  # recovering: half the damage
        share = min(1.0, full + tail)
        conv *= 1 - share * (1 - c)
        ttv *= 1 + share * (t - 1)
        sat += share * s
    return conv, ttv, sat


def _binomial(r, n: int, p: float) -> int:
    if n < 40:
        return sum(1 for _ in range(n) if r.random() < p)
    k = round(r.gauss(n * p, math.sqrt(n * p * (1 - p))))
    return min(n, max(0, k))


def rows() -> list[list[object]]:
    r = rng(2)
    out: list[list[object]] = []
    for h in range(30 * 24):
        hour = START + timedelta(hours=h)
        season = HOURLY[hour.hour] * WEEKDAY[hour.weekday()] * (1 + 0.004 * h / 24)
        for stage, segs in PROFILE.items():
            for segment, (peak, conv, ttv, sat) in segs.items():
                lam = peak * season
                entered = max(0, round(r.gauss(lam, math.sqrt(lam))))
                c_mult, t_mult, s_drop = incident_effect(stage, segment, hour)
                p = min(0.99, max(0.01, conv * c_mult * (1 + r.gauss(0, 0.03))))
                completed = _binomial(r, entered, p)
                if completed:
                    tv = ttv * t_mult * math.exp(r.gauss(0, 0.12))
                    sv = sat - s_drop + r.gauss(0, 0.12 / math.sqrt(completed))
                    ttv_s, sat_s = f"{tv:.0f}", f"{min(1.0, max(0.0, sv)):.2f}"
                else:
                    ttv_s, sat_s = "", ""
                out.append([hour.strftime("%Y-%m-%dT%H:%M:%SZ"), stage, segment, entered, completed, ttv_s, sat_s])
    return out


def generate_metrics(out: Path) -> None:
    write_csv(out / "journey_metrics.csv", HEADER, rows())
