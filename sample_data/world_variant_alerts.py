"""The alerts of a variant world (sample_data/world_variant.py): the real incidents as their tools
report them, the criticals on services no touchpoint claims, and the noise.

One outage is reported the way a team's tools really do it: Alertmanager fires once per instance of the
failing service (each with its own fingerprint and an `instance` label), PagerDuty and Datadog page on
the same failure under their own names. They are one incident. Noise never moves a metric, and noise
on a customer service keeps two hours clear of any incident on that service's stage, so that a noise
alert never sits in an outage's harm by accident.
"""

from __future__ import annotations

import random
from datetime import timedelta

from journeylens.sample_data.world_common import digest
from journeylens.sample_data.world_variant_metrics import DAYS

SYMPTOMS = ["ErrorRate", "LatencyHigh", "5xxRatio", "Timeouts", "QueueBacklog", "SaturationHigh", "Unavailable"]
NOISE_CHECKS = ["DiskUsageHigh", "CertificateExpiry", "PodRestarting", "HighMemoryUsage", "GCPauseLong",
                "ReplicaLag", "CronJobFailed"]
SOURCES = ["alertmanager", "pagerduty", "datadog"]
SEVERITY_WEIGHTS = {"critical": 0.3, "error": 0.2, "warning": 0.4, "info": 0.1}
CLEARANCE = timedelta(hours=2)


def _symptom(r: random.Random, service: str) -> str:
    """A check named for the service's own word and a symptom: `signup-atlas-api` -> `AtlasErrorRate`."""
    return f"{service.split('-')[1].title()}{r.choice(SYMPTOMS)}"


def _alert(r, service, name, severity, start, end, tag, source=None, labels=None) -> dict:
    return {"service": service, "name": name, "severity": severity, "start": start, "end": end, "tag": tag,
            "source": source or r.choice(SOURCES), "labels": labels or {},
            "region": r.choice(["us-east-1", "eu-west-1"])}


def _outage(r, plan, service, name, severity, start, end, tag, sources) -> list[dict]:
    """One failure as each tool in `sources` reports it: Alertmanager per instance, the others once."""
    out = []
    for source in sources:
        if source == "alertmanager":
            instances = plan["instances"][service]
            for instance in r.sample(instances, r.randint(1, len(instances))):
                s = start + timedelta(minutes=r.randint(0, 6))
                out.append(_alert(r, service, name, severity, s, max(s + timedelta(minutes=5), end), tag, source,
                                  {"instance": instance, "job": service, "alertname": name}))
        elif source == "pagerduty":
            out.append(_alert(r, service, f"{service} degraded: {name}", severity,
                              start + timedelta(minutes=r.randint(1, 8)), end, tag, source, {"urgency": "high"}))
        else:
            monitor = int(digest(service, name, n=6), 16) % 900000 + 100000
            out.append(_alert(r, service, f"[{severity.upper()}] {name} on {service}", severity,
                              start + timedelta(minutes=r.randint(0, 5)), end, tag, source,
                              {"env": "prod", "monitor_id": monitor}))
    return out


def _sources(r: random.Random, plan: dict) -> list[str]:
    if r.random() < plan["traits"]["multi_source"]:
        return r.sample(SOURCES, r.randint(2, 3))
    return [r.choice(SOURCES)]


def incident_alerts(r: random.Random, plan: dict, incidents: list[dict]) -> list[dict]:
    out = []
    for number, inc in enumerate(incidents):
        tag = f"INC-{number + 1:03d}"
        failing = r.sample(plan["services"][inc["stage"]], r.randint(1, 2))
        for k, service in enumerate(failing):
            severity = "warning" if inc["quiet"] else inc["severity"] if k == 0 else r.choices(
                list(SEVERITY_WEIGHTS), weights=list(SEVERITY_WEIGHTS.values()))[0]
            start = inc["start"] + timedelta(minutes=r.randint(0, 20))
            end = max(start + timedelta(minutes=5), inc["end"] + timedelta(minutes=r.randint(-10, 10)))
            out += _outage(r, plan, service, _symptom(r, service), severity, start, end, tag, _sources(r, plan))
    return out


def unmapped_alerts(r: random.Random, plan: dict, incidents: list[dict]) -> list[dict]:
    """Criticals on the customer-facing services no touchpoint claims (`signup-captcha` CaptchaDown),
    each tagged UNMAPPED-n: not incidents (no metric moves), but never to be hidden."""
    out = []
    for number, (service, check) in enumerate(plan["unmapped"]):
        for _ in range(20):  # a daytime slot clear of every incident
            start = plan["start"] + timedelta(days=r.randint(3, 27), hours=r.randint(8, 19), minutes=r.randint(0, 59))
            if not any(i["start"] - CLEARANCE < start < i["end"] + CLEARANCE for i in incidents):
                break
        end = start + timedelta(minutes=r.randint(20, 120))
        out += _outage(r, plan, service, check, "critical", start, end, f"UNMAPPED-{number + 1}", _sources(r, plan))
    return out


def noise(r: random.Random, plan: dict, incidents: list[dict]) -> list[dict]:
    t = plan["traits"]
    stage_of = {s: stage for stage, names in plan["services"].items() for s in names}
    customer = list(stage_of)
    top = max(plan["stages"], key=lambda s: (s["impact"], s["id"]))["id"]
    out = []

    def clear(service: str, start) -> bool:
        return not any(i["stage"] == stage_of[service] and i["start"] - CLEARANCE < start < i["end"] + CLEARANCE
                       for i in incidents)

    def customer_alert(service, name, severity, start, end, tag, labels=None):
        if clear(service, start):
            instance = r.choice(plan["instances"][service])
            out.append(_alert(r, service, name, severity, start, end, tag,
                              labels={"instance": instance, "job": service, **(labels or {})}))

    for day in range(DAYS):
        base = plan["start"] + timedelta(days=day)
        for service in plan["internal"]:  # loud criticals on systems no customer touches
            if r.random() < t["internal_rate"]:
                start = base + timedelta(hours=r.randint(0, 23), minutes=r.randint(0, 59))
                out += _outage(r, plan, service, r.choice(NOISE_CHECKS), "critical", start,
                               start + timedelta(minutes=r.randint(15, 180)), "internal", _sources(r, plan))
        for _ in range(r.randint(2, 6)):  # background daytime warnings on customer services
            service = r.choice(customer)
            start = base + timedelta(hours=r.randint(7, 21), minutes=r.randint(0, 59))
            customer_alert(service, r.choice(NOISE_CHECKS), r.choice(["warning", "info", "warning"]), start,
                           start + timedelta(minutes=r.randint(5, 90)), "background")
        if r.random() < 0.4:  # a night blip: a few minutes at ~3 a.m. on a customer service
            service = r.choice(customer)
            start = base + timedelta(hours=r.randint(2, 4), minutes=r.randint(0, 50))
            customer_alert(service, _symptom(r, service), r.choice(["critical", "error"]), start,
                           start + timedelta(minutes=r.randint(2, 7)), "night-blip")
        if r.random() < 0.3:  # a harmless daytime critical on a customer service: no journey moves
            service = r.choice(customer)
            start = base + timedelta(hours=r.randint(9, 17), minutes=r.randint(0, 59))
            customer_alert(service, r.choice(NOISE_CHECKS), "critical", start,
                           start + timedelta(minutes=r.randint(10, 40)), "harmless-critical")
        # uncorroborated warnings and routine alerts on the highest-impact stage, nothing behind them
        for _ in range(_count(r, t["top_noise_rate"])):
            service = r.choice(plan["services"][top])
            start = base + timedelta(hours=r.randint(8, 20), minutes=r.randint(0, 59))
            name = _symptom(r, service) if r.random() < 0.5 else r.choice(NOISE_CHECKS)
            customer_alert(service, name, r.choice(["warning", "warning", "error", "info"]), start,
                           start + timedelta(minutes=r.randint(10, 120)), "top-stage-noise")
    for service in r.sample(customer, 2):  # flapping checks
        for day in r.sample(range(DAYS), 3):
            t0 = plan["start"] + timedelta(days=day, hours=r.randint(9, 15), minutes=r.randint(0, 59))
            for _ in range(r.randint(6, 11)):
                end = t0 + timedelta(minutes=r.randint(3, 9))
                customer_alert(service, "CacheHitRateLow", "warning", t0, end, "flapping")
                t0 = end + timedelta(minutes=r.randint(4, 20))
    return out



def _count(r: random.Random, rate: float) -> int:
    """A Poisson-like count with mean `rate` (few draws, deterministic)."""
    return sum(r.random() < rate / 4 for _ in range(4)) if rate <= 4 else round(r.gauss(rate, rate ** 0.5))
