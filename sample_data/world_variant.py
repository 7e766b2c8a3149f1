"""Other worlds, seeded: a journey with its own stages, services, sources and noise, for generality checks.

The sample world is hand-written, so a ranking tuned to it could pass its tests and still fail on a
team's real export. `build(seed, out)` writes a different world for every seed, in canonical files:
alerts.csv, journey_map.yaml, metrics.csv and incidents.csv (the ground truth: every real incident with
the ids of its alerts). Each seed draws its own mix (the returned "traits" say which):
- stages, their impact ladder (spread, flat 4-7, one 10 and the rest 2-5, steep) and sensitivity, the
  services behind each stage and how the rules match them (exact names, globs, regexes);
- many instances per service: Alertmanager fires per instance, with an `instance` label;
- several sources per outage: Alertmanager, PagerDuty and Datadog on the same failure under their own
  names are ONE incident;
- metrics: conversion everywhere it is measured; time to value and satisfaction with an hour-to-hour
  coefficient of variation of up to ~0.5 (and one-hour spikes in some worlds); pure-noise columns a team
  added; stages with conversion only; stages with no metrics at all (world_variant_metrics.py);
- real incidents (daytime, after a week of history, never two at once), stage-wide or one segment,
  including quiet ones: warnings only, a 35-60% stage-wide conversion drop on a mid-impact stage;
- criticals on customer-facing services no touchpoint claims ("unmapped_criticals": not incidents, but
  they must stay visible);
- noise (world_variant_alerts.py): loud criticals on internal systems, uncorroborated warnings and
  routine alerts on the highest-impact stage, harmless daytime criticals, night blips, flapping checks.
The ground truth is honest: a real incident moves every journey metric its stage has for its duration
(conversion, time to value, satisfaction); nothing else moves any metric.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from journeylens.sample_data import world_variant_alerts as tools
from journeylens.sample_data.world_common import digest, iso, write_csv
from journeylens.sample_data.world_variant_metrics import DAYS, NOISE_COLUMNS, header, metric_rows

STAGE_POOL = ["browse", "search", "signup", "login", "onboarding", "cart", "checkout", "booking", "payment",
              "activation", "upgrade", "renewal", "support", "delivery"]
WORDS = ["atlas", "boreal", "cobalt", "delta", "ember", "fjord", "garnet", "harbor", "ion", "juniper", "krypton",
         "lumen", "mosaic", "nova", "orbit", "pylon", "quartz", "raven", "sierra", "tundra", "umber", "vortex",
         "willow", "xenon", "yarrow", "zephyr"]
SUFFIXES = ["-api", "-svc", "-web", "-worker", "-gateway", "-proxy"]
# customer-facing helpers a team forgets to map, and the critical check each one fires
UNMAPPED = {"captcha": "CaptchaDown", "cdn-edge": "EdgeOriginUnreachable", "sso": "SSOProviderDown",
            "fraud-check": "FraudScoringFailing", "tax-calc": "TaxServiceUnavailable", "geoip": "GeoIPLookupFailing"}
LADDERS = ["spread", "flat", "one-top", "steep"]
ALERT_HEADER = ["alert_id", "fired_at", "resolved_at", "service", "name", "severity", "source", "fingerprint",
                "region", "labels", "message"]


def _impacts(r: random.Random, ladder: str, n: int) -> list[int]:
    if ladder == "flat":
        return [r.randint(4, 7) for _ in range(n)]
    if ladder == "one-top":
        return r.sample([10] + [r.randint(2, 5) for _ in range(n - 1)], n)
    if ladder == "steep":
        ladder_values = [10]
        while len(ladder_values) < n:
            ladder_values.append(max(1, ladder_values[-1] - r.randint(1, 2)))
        return r.sample(ladder_values, n)
    return [r.randint(3, 10) for _ in range(n)]


def _traits(r: random.Random, stage_ids: list[str]) -> dict:
    has_ttv = r.random() < 0.85
    dark = r.sample(stage_ids, r.choice([0, 0, 1]))
    lit = [s for s in stage_ids if s not in dark]
    return {"ladder": r.choice(LADDERS), "has_ttv": has_ttv, "ttv_cv": round(r.uniform(0.05, 0.5), 3),
            "ttv_spike_rate": r.choice([0.0, 0.0, 0.005, 0.02]), "sat_sd": round(r.uniform(0.005, 0.06), 3),
            "ttv_effect": round(r.uniform(1.2, 3.0), 2), "sat_effect": round(r.uniform(0.02, 0.2), 3),
            "noise_columns": sorted(r.sample(sorted(NOISE_COLUMNS), r.randint(0, 2))),
            "dark_stages": sorted(dark), "conversion_only": sorted(r.sample(lit, r.randint(0, 2))) if has_ttv else [],
            "max_instances": r.randint(1, 6), "multi_source": round(r.uniform(0.1, 1.0), 2),
            "quiet_outages": r.randint(0, 2), "unmapped_services": r.randint(0, 2),
            "top_noise_rate": round(r.uniform(0.0, 3.0), 2), "internal_rate": round(r.uniform(0.2, 0.7), 2)}


def _plan(seed: int, r: random.Random) -> dict:
    """Stages, their services, instances and rules, segments, internal systems and the world's traits."""
    words = r.sample(WORDS, len(WORDS))
    stages, touchpoints, services, style_of = [], [], {}, {}
    for stage in r.sample(STAGE_POOL, r.randint(4, 7)):
        names = [f"{stage}-{words.pop()}{r.choice(SUFFIXES)}" for _ in range(r.randint(2, 3))]
        services[stage] = names
        stages.append({"id": stage, "sensitivity": round(r.uniform(0.3, 1.0), 2),
                       "peak": r.choice([30, 80, 200, 600]), "conversion": r.uniform(0.35, 0.9),
                       "ttv": round(math.exp(r.uniform(math.log(30), math.log(1500)))),
                       "satisfaction": r.uniform(0.7, 0.9)})
        style_of[stage] = style = r.choice(["glob", "regex", "exact"])
        if style == "glob":
            touchpoints.append({"stage": stage, "match": {"service": f"{stage}-*"}})
        elif style == "regex":
            touchpoints.append({"stage": stage, "match": {"service": "re:^(" + "|".join(names) + ")$"}})
        else:
            touchpoints += [{"stage": stage, "match": {"service": name}} for name in names]
    traits = _traits(r, [s["id"] for s in stages])
    for stage, impact in zip(stages, _impacts(r, traits["ladder"], len(stages)), strict=True):
        stage["impact"] = impact
    internal = [f"{r.choice(['ci', 'backup', 'vpn', 'build', 'ldap', 'logs'])}-{words.pop()}" for _ in range(4)]
    unmapped = []
    for stage in r.sample(list(services), traits["unmapped_services"]):
        thing = r.choice(sorted(UNMAPPED))
        # `signup-captcha` when the stage's rules name services; a glob `signup-*` would claim that name
        unmapped.append((f"{stage}-{thing}" if style_of[stage] != "glob" else f"{thing}-{words.pop()}",
                         UNMAPPED[thing]))
    segments = [("standard", 1.0), ("premium", round(r.uniform(1.2, 2.5), 1))]
    if r.random() < 0.5:
        segments.append(("enterprise", round(r.uniform(2.5, 4.0), 1)))
    every = [s for names in services.values() for s in names] + internal + [s for s, _ in unmapped]
    instances = {s: [f"{s}-{digest(seed, s, i, n=4)}:{r.choice([8080, 9090, 9100])}"
                     for i in range(r.randint(1, traits["max_instances"]))] for s in every}
    return {"stages": stages, "touchpoints": touchpoints, "services": services, "internal": internal,
            "unmapped": unmapped, "instances": instances, "segments": segments, "traits": traits,
            "start": datetime(2026, 3, 2, tzinfo=UTC) + timedelta(days=r.randint(0, 90))}


def _journey_map(plan: dict) -> str:
    lines = ["journey: variant", "stages:"]
    for s in plan["stages"]:
        lines += [f"  - id: {s['id']}", f"    impact: {s['impact']}", f"    sensitivity: {s['sensitivity']}"]
    lines.append("touchpoints:")
    for t in plan["touchpoints"]:
        lines += [f"  - stage: {t['stage']}", "    match:"]
        lines += [f'      {key}: "{value}"' for key, value in t["match"].items()]
    lines.append("segments:")
    for segment, weight in plan["segments"]:
        lines += [f"  - id: {segment}", f"    weight: {weight}"]
    return "\n".join(lines) + "\n"


def _incidents(r: random.Random, plan: dict) -> list[dict]:
    """Real incidents, on stages that have metrics (so that they show): daytime, after a week of history,
    never two at once. The quiet ones hit a mid-impact stage as a whole and fire warnings only."""
    lit = [s for s in plan["stages"] if s["id"] not in plan["traits"]["dark_stages"]]
    impacts = sorted({s["impact"] for s in lit})
    mid = [s for s in lit if impacts[0] < s["impact"] < impacts[-1]] or [s for s in lit if s["impact"] < impacts[-1]]
    days = sorted(r.sample(range(7, DAYS), r.randint(4, 8)))
    quiet = set(r.sample(range(len(days)), min(len(days), plan["traits"]["quiet_outages"]))) if mid else set()
    out: list[dict] = []
    for n, day in enumerate(days):
        stage = r.choice(mid if n in quiet else lit)
        start = plan["start"] + timedelta(days=day, hours=r.randint(8, 18), minutes=r.randint(0, 59))
        if n in quiet:
            out.append({"stage": stage["id"], "start": start, "end": start + timedelta(minutes=r.randint(60, 300)),
                        "conversion": r.uniform(0.40, 0.65), "segment": None, "quiet": True, "severity": "warning"})
            continue
        # a third of them hurt one segment only, harder (an enterprise-only outage, a free-tier quota bug)
        segment = r.choice(plan["segments"])[0] if r.random() < 0.35 else None
        severity = r.choices(list(tools.SEVERITY_WEIGHTS), weights=list(tools.SEVERITY_WEIGHTS.values()))[0]
        out.append({"stage": stage["id"], "start": start, "end": start + timedelta(minutes=r.randint(25, 300)),
                    "conversion": r.uniform(0.15, 0.5) if segment else r.uniform(0.35, 0.75), "segment": segment,
                    "quiet": False, "severity": severity})
    return out


def _message(alert: dict, instance: str) -> str:
    where = instance or alert["service"]
    return alert["name"] if where in alert["name"] else f"{alert['name']} on {where}"


def build(seed: int, out: Path) -> dict:
    """Writes one world into `out`; returns {file kind: path}, the incidents' alert ids ("truth"), the
    unmapped criticals' alert ids ("unmapped_criticals") and what this world drew ("traits")."""
    r = random.Random(seed)
    plan = _plan(seed, r)
    incidents = _incidents(r, plan)
    ra = random.Random(f"{seed}:alerts")
    alerts = (tools.incident_alerts(ra, plan, incidents) + tools.unmapped_alerts(ra, plan, incidents)
              + tools.noise(ra, plan, incidents))
    alerts.sort(key=lambda a: a["start"])
    out.mkdir(parents=True, exist_ok=True)
    rows, members = [], {}
    for i, a in enumerate(alerts):
        alert_id = f"a{seed}-{i:05d}"
        instance = a["labels"].get("instance", "")
        fingerprint = (digest(a["source"], a["service"], a["name"], instance, n=12)
                       if a["source"] == "alertmanager" else "")
        labels = ";".join(f"{k}={v}" for k, v in a["labels"].items())
        rows.append([alert_id, iso(a["start"]), iso(a["end"]), a["service"], a["name"], a["severity"], a["source"],
                     fingerprint, a["region"], labels, _message(a, instance)])
        members.setdefault(a["tag"], []).append(alert_id)
    write_csv(out / "alerts.csv", ALERT_HEADER, rows)
    (out / "journey_map.yaml").write_text(_journey_map(plan))
    write_csv(out / "metrics.csv", header(plan), metric_rows(seed, plan, incidents))
    truth = {f"INC-{n + 1:03d}": members[f"INC-{n + 1:03d}"] for n in range(len(incidents))}
    write_csv(out / "incidents.csv", ["incident_id", "opened_at", "resolved_at", "stage", "alert_ids", "outcome"],
              [[key, iso(inc["start"]), iso(inc["end"]), inc["stage"], ";".join(truth[key]), "actioned"]
               for key, inc in zip(truth, incidents, strict=True)])
    unmapped = {f"UNMAPPED-{n + 1}": members[f"UNMAPPED-{n + 1}"] for n in range(len(plan["unmapped"]))}
    return {"alerts": out / "alerts.csv", "journey_map": out / "journey_map.yaml", "metrics": out / "metrics.csv",
            "incidents": out / "incidents.csv", "truth": truth, "unmapped_criticals": unmapped,
            "traits": plan["traits"], "incident_details": [
                {"key": key, "stage": inc["stage"], "start": iso(inc["start"]), "end": iso(inc["end"]),
                 "segment": inc["segment"], "conversion": round(inc["conversion"], 3), "quiet": inc["quiet"]}
                for key, inc in zip(truth, incidents, strict=True)],
            "stages": {s["id"]: s["impact"] for s in plan["stages"]}}
