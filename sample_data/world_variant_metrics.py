"""Hourly journey metrics of a variant world (sample_data/world_variant.py): conversion, and where the
world has them time to value, satisfaction and the pure-noise columns a team added.

Only the real incidents move a metric, and they move every metric their stage has: conversion drops,
time to value rises, satisfaction falls, for the minutes they overlap each hour. Everything else is noise
drawn per world: time to value varies from hour to hour with a coefficient of variation of up to ~0.5
(lognormal), some worlds add one-hour spikes in one segment, and the extra columns (`nps`,
`support_wait_s`...) carry no signal at all. Stages listed as dark have no rows; stages listed as
conversion-only leave time to value and satisfaction blank.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta

from journeylens.sample_data.world_common import iso

DAYS = 28
HOURLY = [0.16, 0.11, 0.08, 0.07, 0.08, 0.12, 0.22, 0.38, 0.58, 0.76, 0.88, 0.95,
          0.98, 1.00, 1.00, 0.97, 0.92, 0.86, 0.80, 0.72, 0.60, 0.46, 0.33, 0.22]
# pure-noise columns a team might add: name -> (typical value, spread as a lognormal sigma or a gauss sd)
NOISE_COLUMNS = {"nps": (30.0, 14.0), "support_wait_s": (180.0, 0.6), "csat_responses": (12.0, 0.5),
                 "page_weight_kb": (900.0, 0.25)}


def header(plan: dict) -> list[str]:
    t = plan["traits"]
    return (["ts", "stage", "segment", "entered", "completed"]
            + (["time_to_value_s", "satisfaction"] if t["has_ttv"] else []) + list(t["noise_columns"]))


def overlap_share(inc: dict, hour) -> float:
    """The share of the hour starting at `hour` that the incident covers (0..1)."""
    secs = (min(inc["end"], hour + timedelta(hours=1)) - max(inc["start"], hour)).total_seconds()
    return max(0.0, secs) / 3600


def effect(incidents: list[dict], stage: str, segment: str, hour) -> tuple[float, float]:
    """(conversion multiplier, share-weighted severity in 0..1) of the incidents on this stage and
    segment in this hour; the second drives time to value and satisfaction."""
    conversion, strength = 1.0, 0.0
    for inc in incidents:
        if inc["stage"] == stage and inc["segment"] in (None, segment):
            share = overlap_share(inc, hour)
            conversion *= 1 - share * (1 - inc["conversion"])
            strength = min(1.0, strength + share)
    return conversion, strength


def _noise_value(r: random.Random, column: str) -> str:
    typical, spread = NOISE_COLUMNS[column]
    if column == "nps":
        return str(max(-100, min(100, round(r.gauss(typical, spread)))))
    return f"{typical * math.exp(r.gauss(0, spread)):.1f}"


def metric_rows(seed: int, plan: dict, incidents: list[dict]) -> list[list[object]]:
    r = random.Random(f"{seed}:metrics")
    t = plan["traits"]
    # lognormal sigma for the drawn coefficient of variation: cv^2 = exp(sigma^2) - 1
    sigma = math.sqrt(math.log(1 + t["ttv_cv"] ** 2))
    rows = []
    for h in range(DAYS * 24):
        hour = plan["start"] + timedelta(hours=h)
        season = HOURLY[hour.hour] * (0.7 if hour.weekday() >= 5 else 1.0)
        for stage in plan["stages"]:
            if stage["id"] in t["dark_stages"]:
                continue
            for segment, weight in plan["segments"]:
                damage, strength = effect(incidents, stage["id"], segment, hour)
                entered = max(0, round(r.gauss(1, 0.08) * stage["peak"] * season / weight))
                p = min(0.98, stage["conversion"] * (1 + 0.1 * (weight - 1))) * damage
                completed = min(entered, max(0, round(r.gauss(entered * p, math.sqrt(entered * p * (1 - p) + 1)))))
                row = [iso(hour), stage["id"], segment, entered, completed]
                if t["has_ttv"]:
                    row += _experience(r, t, stage, sigma, strength, completed)
                rows.append(row + [_noise_value(r, c) for c in t["noise_columns"]])
    return rows


def _experience(r: random.Random, t: dict, stage: dict, sigma: float, strength: float, completed: int) -> list:
    """Time to value and satisfaction of one stage, segment and hour: noise around the stage's level,
    moved by the incident strength only; blank on conversion-only stages and hours nobody completed."""
    noise, spike = math.exp(r.gauss(-sigma * sigma / 2, sigma)), r.random() < t["ttv_spike_rate"]
    sat_noise = r.gauss(0, t["sat_sd"])
    if stage["id"] in t["conversion_only"] or completed == 0:
        return ["", ""]
    ttv = stage["ttv"] * noise * (r.uniform(2.0, 3.0) if spike else 1.0) * (1 + strength * (t["ttv_effect"] - 1))
    satisfaction = stage["satisfaction"] - strength * t["sat_effect"] + sat_noise
    return [f"{ttv:.0f}", f"{min(1.0, max(0.0, satisfaction)):.3f}"]
