"""Other worlds, seeded: a journey with its own stages, services, sources and noise, for generality checks.

The sample world is hand-written, so a ranking tuned to it could pass its tests and still fail on a
team's real export. `build(seed, out)` writes a different world for every seed, in canonical files:
alerts.csv, journey_map.yaml, metrics.csv and incidents.csv (the ground truth: every real incident with
the ids of its alerts). What varies: the number and names of the stages and their impact and
sensitivity, the services behind each stage and how the rules match them (exact names, globs,
regexes, a label), the internal systems no customer touches, traffic levels, which stages the real
incidents hit, how hard, for how long, and with which severities (quiet warnings on a busy stage
included), and the noise: criticals on internal systems, harmless daytime criticals on customer
services, night blips, flapping checks and background warnings.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from journeylens.sample_data.world_common import digest, iso, write_csv

STAGE_POOL = ["browse", "search", "signup", "login", "onboarding", "cart", "checkout", "booking", "payment",
              "activation", "upgrade", "renewal", "support", "delivery"]
WORDS = ["atlas", "boreal", "cobalt", "delta", "ember", "fjord", "garnet", "harbor", "ion", "juniper", "krypton",
         "lumen", "mosaic", "nova", "orbit", "pylon", "quartz", "raven", "sierra", "tundra", "umber", "vortex",
         "willow", "xenon", "yarrow", "zephyr"]
SUFFIXES = ["-api", "-svc", "-web", "-worker", "-gateway", "-proxy"]
SYMPTOMS = ["ErrorRate", "LatencyHigh", "5xxRatio", "Timeouts", "QueueBacklog", "SaturationHigh", "Unavailable"]
NOISE_CHECKS = ["DiskUsageHigh", "CertificateExpiry", "PodRestarting", "HighMemoryUsage", "GCPauseLong",
                "ReplicaLag", "CronJobFailed"]
SOURCES = ["alertmanager", "pagerduty", "datadog"]
SEVERITY_WEIGHTS = {"critical": 0.3, "error": 0.2, "warning": 0.4, "info": 0.1}
DAYS = 28
HOURLY = [0.16, 0.11, 0.08, 0.07, 0.08, 0.12, 0.22, 0.38, 0.58, 0.76, 0.88, 0.95,
          0.98, 1.00, 1.00, 0.97, 0.92, 0.86, 0.80, 0.72, 0.60, 0.46, 0.33, 0.22]
ALERT_HEADER = ["alert_id", "fired_at", "resolved_at", "service", "name", "severity", "source", "fingerprint",
                "region", "labels", "message"]


def _plan(r: random.Random) -> dict:
    """Stages, their services and rules, segments and internal systems."""
    words = r.sample(WORDS, len(WORDS))
    stages, touchpoints, services = [], [], {}
    for stage in r.sample(STAGE_POOL, r.randint(4, 7)):
        names = [f"{stage}-{words.pop()}{r.choice(SUFFIXES)}" for _ in range(r.randint(2, 3))]
        services[stage] = names
        stages.append({"id": stage, "impact": r.randint(3, 10), "sensitivity": round(r.uniform(0.3, 1.0), 2),
                       "peak": r.choice([30, 80, 200, 600]), "conversion": r.uniform(0.35, 0.9)})
        style = r.choice(["glob", "regex", "exact"])
        if style == "glob":
            touchpoints.append({"stage": stage, "match": {"service": f"{stage}-*"}})
        elif style == "regex":
            touchpoints.append({"stage": stage, "match": {"service": "re:^(" + "|".join(names) + ")$"}})
        else:
            touchpoints += [{"stage": stage, "match": {"service": name}} for name in names]
    internal = [f"{r.choice(['ci', 'backup', 'vpn', 'build', 'ldap', 'logs'])}-{words.pop()}" for _ in range(4)]
    segments = [("standard", 1.0), ("premium", round(r.uniform(1.2, 2.5), 1))]
    return {"stages": stages, "touchpoints": touchpoints, "services": services, "internal": internal,
            "segments": segments, "start": datetime(2026, 3, 2, tzinfo=UTC) + timedelta(days=r.randint(0, 90))}


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
    """Real incidents: daytime, after a week of history, never two at once."""
    out: list[dict] = []
    for day in sorted(r.sample(range(7, DAYS), r.randint(4, 6))):
        stage = r.choice(plan["stages"])
        start = plan["start"] + timedelta(days=day, hours=r.randint(8, 18), minutes=r.randint(0, 59))
        # a third of them hurt one segment only, harder (an enterprise-only outage, a free-tier quota bug)
        segment = r.choice(plan["segments"])[0] if r.random() < 0.35 else None
        out.append({"stage": stage["id"], "start": start, "end": start + timedelta(minutes=r.randint(25, 300)),
                    "conversion": r.uniform(0.15, 0.5) if segment else r.uniform(0.35, 0.75), "segment": segment})
    return out


def _alert(r, service, name, severity, start, end, tag, labels=None) -> dict:
    source = r.choice(SOURCES)
    return {"service": service, "name": name, "severity": severity, "start": start, "end": end, "tag": tag,
            "source": source, "labels": labels or {}, "region": r.choice(["us-east-1", "eu-west-1"])}


def _symptom(r: random.Random, service: str) -> str:
    """A check named for the service's own word and a symptom: `signup-atlas-api` -> `AtlasErrorRate`."""
    return f"{service.split('-')[1].title()}{r.choice(SYMPTOMS)}"


def _incident_alerts(r: random.Random, plan: dict, incidents: list[dict]) -> list[dict]:
    out = []
    for number, inc in enumerate(incidents):
        for _ in range(r.randint(1, 4)):
            service = r.choice(plan["services"][inc["stage"]])
            severity = r.choices(list(SEVERITY_WEIGHTS), weights=list(SEVERITY_WEIGHTS.values()))[0]
            start = inc["start"] + timedelta(minutes=r.randint(0, 20))
            end = max(start + timedelta(minutes=5), inc["end"] + timedelta(minutes=r.randint(-10, 10)))
            out.append(_alert(r, service, _symptom(r, service), severity,
                              start, end, f"INC-{number + 1:03d}"))
    return out


def _noise(r: random.Random, plan: dict, incidents: list[dict]) -> list[dict]:
    customer = [s for names in plan["services"].values() for s in names]
    out = []
    for day in range(DAYS):
        base = plan["start"] + timedelta(days=day)
        for service in plan["internal"]:  # criticals on systems no customer touches
            if r.random() < 0.4:
                start = base + timedelta(hours=r.randint(0, 23), minutes=r.randint(0, 59))
                out.append(_alert(r, service, r.choice(NOISE_CHECKS), "critical", start,
                                  start + timedelta(minutes=r.randint(15, 180)), "internal"))
        for _ in range(r.randint(2, 6)):  # background daytime warnings on customer services
            service = r.choice(customer)
            start = base + timedelta(hours=r.randint(7, 21), minutes=r.randint(0, 59))
            out.append(_alert(r, service, r.choice(NOISE_CHECKS), r.choice(["warning", "info", "warning"]), start,
                              start + timedelta(minutes=r.randint(5, 90)), "background"))
        if r.random() < 0.4:  # a night blip: a few minutes at ~3 a.m. on a customer service
            service = r.choice(customer)
            start = base + timedelta(hours=r.randint(2, 4), minutes=r.randint(0, 50))
            out.append(_alert(r, service, _symptom(r, service),
                              r.choice(["critical", "error"]), start, start + timedelta(minutes=r.randint(2, 7)),
                              "night-blip"))
        if r.random() < 0.3:  # a harmless daytime critical on a customer service: no journey moves
            service = r.choice(customer)
            start = base + timedelta(hours=r.randint(9, 17), minutes=r.randint(0, 59))
            if not any(i["start"] - timedelta(hours=3) < start < i["end"] + timedelta(hours=3) for i in incidents):
                out.append(_alert(r, service, r.choice(NOISE_CHECKS), "critical", start,
                                  start + timedelta(minutes=r.randint(10, 40)), "harmless-critical"))
    for service in r.sample(customer, 2):  # flapping checks
        for day in r.sample(range(DAYS), 3):
            t = plan["start"] + timedelta(days=day, hours=r.randint(9, 15), minutes=r.randint(0, 59))
            for _ in range(r.randint(6, 11)):
                end = t + timedelta(minutes=r.randint(3, 9))
                out.append(_alert(r, service, "CacheHitRateLow", "warning", t, end, "flapping"))
                t = end + timedelta(minutes=r.randint(4, 20))
    return out


def _metric_rows(r: random.Random, plan: dict, incidents: list[dict]) -> list[list[object]]:
    rows = []
    for h in range(DAYS * 24):
        hour = plan["start"] + timedelta(hours=h)
        season = HOURLY[hour.hour] * (0.7 if hour.weekday() >= 5 else 1.0)
        for stage in plan["stages"]:
            for segment, weight in plan["segments"]:
                damage = 1.0
                for inc in (i for i in incidents if i["stage"] == stage["id"] and i["segment"] in (None, segment)):
                    secs = (min(inc["end"], hour + timedelta(hours=1)) - max(inc["start"], hour)).total_seconds()
                    damage *= 1 - max(0.0, secs) / 3600 * (1 - inc["conversion"])
                entered = max(0, round(r.gauss(1, 0.08) * stage["peak"] * season / weight))
                p = min(0.98, stage["conversion"] * (1 + 0.1 * (weight - 1))) * damage
                completed = min(entered, max(0, round(r.gauss(entered * p, math.sqrt(entered * p * (1 - p) + 1)))))
                rows.append([iso(hour), stage["id"], segment, entered, completed])
    return rows


def build(seed: int, out: Path) -> dict:
    """Writes one world into `out`; returns {file kind: path} and the incidents' alert ids."""
    r = random.Random(seed)
    plan = _plan(r)
    incidents = _incidents(r, plan)
    alerts = sorted(_incident_alerts(r, plan, incidents) + _noise(r, plan, incidents), key=lambda a: a["start"])
    out.mkdir(parents=True, exist_ok=True)
    rows, members = [], {}
    for i, a in enumerate(alerts):
        alert_id = f"a{seed}-{i:05d}"
        fingerprint = digest(a["source"], a["service"], a["name"], n=12) if a["source"] == "alertmanager" else ""
        labels = ";".join(f"{k}={v}" for k, v in a["labels"].items())
        rows.append([alert_id, iso(a["start"]), iso(a["end"]), a["service"], a["name"], a["severity"], a["source"],
                     fingerprint, a["region"], labels, f"{a['name']} on {a['service']}"])
        members.setdefault(a["tag"], []).append(alert_id)
    write_csv(out / "alerts.csv", ALERT_HEADER, rows)
    (out / "journey_map.yaml").write_text(_journey_map(plan))
    write_csv(out / "metrics.csv", ["ts", "stage", "segment", "entered", "completed"], _metric_rows(r, plan, incidents))
    truth = {f"INC-{n + 1:03d}": members[f"INC-{n + 1:03d}"] for n in range(len(incidents))}
    write_csv(out / "incidents.csv", ["incident_id", "opened_at", "resolved_at", "stage", "alert_ids", "outcome"],
              [[key, iso(inc["start"]), iso(inc["end"]), inc["stage"], ";".join(truth[key]), "actioned"]
               for key, inc in zip(truth, incidents, strict=True)])
    return {"alerts": out / "alerts.csv", "journey_map": out / "journey_map.yaml", "metrics": out / "metrics.csv",
            "incidents": out / "incidents.csv", "truth": truth}
