"""30 days of alerts from three tools, each in its native layout.

Every alert is first planned as an `Occ` (one occurrence: a source, a check, a service, a time span);
the emitters then render them as Alertmanager v4 webhook payloads (JSON Lines), PagerDuty Events API v2
events (a JSON array) and Datadog monitor events (CSV).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from journeylens.sample_data.world_common import (
    END,
    at,
    digest,
    epoch,
    iso,
    rng,
    write_csv,
    write_json_array,
    write_jsonl,
)

TEAMS = {
    "payments-gateway": "payments", "cart-service": "checkout", "checkout-web": "checkout",
    "billing-service": "billing", "subscription-renewals": "billing", "dunning-worker": "platform",
    "notify-mailer": "growth", "signup-api": "growth", "captcha-proxy": "growth",
    "workspace-provisioner": "onboarding", "onboarding-api": "onboarding", "search-api": "discovery",
    "search-indexer": "discovery", "storefront-web": "web", "cdn-edge": "web", "recommendations": "discovery",
    "ci-runner": "devex", "backup-cron": "infra", "ldap-internal": "it", "log-shipper": "infra",
}
REGIONS = ["us-east-1", "eu-west-1"]
NEVER = "0001-01-01T00:00:00Z"
AM_URL = "http://alertmanager.storefront.internal:9093"
PROM_URL = "http://prometheus.storefront.internal:9090"
ROUTING_KEY = "R0000000000000000000000000SAMPLE"


@dataclass
class Occ:
    source: str  # am | pd | dd
    name: str
    service: str
    severity: str  # critical | error | warning | info
    start: datetime
    end: datetime | None
    summary: str
    tag: str = ""  # "<incident key>" for alerts that belong to a named incident, else a noise kind
    labels: dict = field(default_factory=dict)
    instances: int = 1
    resolved_notice: bool = True
    region: str = "us-east-1"


def _m(minutes: float) -> timedelta:
    return timedelta(minutes=minutes)


def real_incident_alerts() -> list[Occ]:
    pay = {"endpoint": "/api/pay/authorize"}
    return [
        # day 9, Mon 2026-10-26: payments-gateway outage 14:05-15:20
        Occ("am", "PaymentGatewayErrorRate", "payments-gateway", "critical", at(9, 14, 5), at(9, 15, 20),
            "Payment authorization error rate 38% (threshold 5%)", "checkout-payments", pay, instances=2),
        Occ("am", "CheckoutLatencyHigh", "checkout-web", "warning", at(9, 14, 7), at(9, 15, 24),
            "Checkout p95 latency 7.9s", "checkout-payments", {"endpoint": "/checkout/confirm"}),
        Occ("pd", "Payment authorization failures above 20%", "payments-gateway", "critical",
            at(9, 14, 6), at(9, 15, 21), "Payment authorization failures above 20% (payments-gateway)",
            "checkout-payments"),
        Occ("dd", "payments-gateway 5xx rate above 5%", "payments-gateway", "error", at(9, 14, 8), None,
            "5xx rate 31.4% on /api/pay/authorize", "checkout-payments"),
        # day 13, Fri 2026-10-30: search latency spike 20:10-20:35, autoscaler mitigates
        Occ("am", "SearchLatencyHigh", "search-api", "critical", at(13, 20, 10), at(13, 20, 33),
            "Search p99 latency 4.2s", "search-latency", {"endpoint": "/api/search"}),
        Occ("dd", "search-api p99 latency above 2s", "search-api", "warning", at(13, 20, 12), None,
            "p99 latency 4.1s", "search-latency"),
        # day 17, Tue 2026-11-03: e-mail verification degraded 09:30-13:10
        Occ("am", "EmailVerificationDelayHigh", "notify-mailer", "warning", at(17, 9, 30), at(17, 13, 10),
            "Verification e-mails delayed 18 min (p95)", "signup-email", {"flow": "signup"}),
        Occ("dd", "notify-mailer SMTP relay deferrals", "notify-mailer", "warning", at(17, 9, 35), None,
            "SMTP relay deferrals 42%", "signup-email"),
        Occ("am", "SignupVerificationBacklog", "signup-api", "warning", at(17, 9, 48), at(17, 13, 5),
            "4,812 sign-ups waiting for verification", "signup-email"),
        Occ("pd", "Email verification backlog above 5k", "notify-mailer", "error", at(17, 10, 5),
            at(17, 13, 12), "Email verification backlog above 5k (notify-mailer)", "signup-email"),
        Occ("dd", "notify-mailer SMTP relay deferrals", "notify-mailer", "warning", at(17, 11, 2), None,
            "SMTP relay deferrals 57%", "signup-email"),
        # day 24, Tue 2026-11-10: onboarding provisioning slow 10:00-18:00
        Occ("am", "ProvisioningQueueLatency", "workspace-provisioner", "warning", at(24, 10, 4),
            at(24, 17, 50), "Workspace provisioning p95 6.5 min", "onboarding-slow"),
        Occ("dd", "workspace-provisioner p95 latency above 30s", "workspace-provisioner", "warning",
            at(24, 10, 10), None, "p95 provisioning latency 388s", "onboarding-slow"),
        Occ("pd", "Onboarding time-to-value SLO burn", "onboarding-api", "warning", at(24, 11, 30),
            at(24, 17, 55), "Onboarding time-to-value SLO burn rate 6x (onboarding-api)", "onboarding-slow"),
    ]


def noise_alerts() -> list[Occ]:
    r = rng(1)
    out: list[Occ] = []
    # critical alerts on internal, unmapped systems
    for d in range(30):
        if r.random() < 0.4:
            s = at(d, r.randint(8, 20), r.randint(0, 59))
            out.append(Occ("am", "CIRunnerDiskFull", "ci-runner", "critical", s, s + _m(r.randint(15, 120)),
                           "Runner disk 97% full", "internal", {"pool": f"linux-{r.randint(1, 4)}"}))
        if d in (0, 29) or r.random() < 0.3:  # the backup job fails on the first and last night too
            s = at(d, 2, r.randint(0, 30))
            out.append(Occ("pd", "Nightly backup job failed", "backup-cron", "critical", s,
                           at(d, r.randint(6, 9), r.randint(0, 59)), "Nightly backup job failed (backup-cron)",
                           "internal"))
        if r.random() < 0.27:
            s = at(d, r.randint(0, 23), r.randint(0, 59))
            out.append(Occ("dd", "ldap-internal replication lag above 300s", "ldap-internal", "critical", s,
                           None, "replication lag 912s", "internal"))
        if r.random() < 0.33:
            s = at(d, r.randint(0, 23), r.randint(0, 59))
            out.append(Occ("am", "LogShipperBacklog", "log-shipper", "warning", s, s + _m(r.randint(30, 240)),
                           "Log shipper backlog above 1M lines", "internal"))
    out.append(Occ("am", "CIRunnerDiskFull", "ci-runner", "critical", at(29, 22, 10), None,
                   "Runner disk 99% full", "internal", {"pool": "linux-2"}))
    # flapping warnings: the same check firing and resolving over and over
    flappers = [("am", "CartCacheHitRateLow", "cart-service", [3, 11, 19, 26]),
                ("am", "RecommendationsLatencyP95", "recommendations", [6, 15, 22]),
                ("dd", "cdn-edge cache-miss ratio elevated", "cdn-edge", [4, 12, 27])]
    for src, name, svc, days in flappers:
        for d in days:
            t = at(d, r.randint(9, 15), r.randint(0, 59))
            for _ in range(r.randint(6, 11)):
                end = t + _m(r.randint(3, 9))
                out.append(Occ(src, name, svc, "warning", t, end, f"{name} flapping around its threshold",
                               "flapping"))
                t = end + _m(r.randint(4, 16 if src == "am" else 25))
    # night-time blips on customer services: a few minutes at ~3 a.m. while traffic is minimal
    blips = [("am", "CheckoutLatencyHigh", "checkout-web", "warning"),
             ("am", "SearchErrorRateHigh", "search-api", "critical"),
             ("pd", "Signup API 5xx above 2%", "signup-api", "error"),
             ("dd", "billing-service webhook failures", "billing-service", "error"),
             ("am", "SignupApi5xx", "signup-api", "critical"),
             ("dd", "payments-gateway p99 latency above 2s", "payments-gateway", "warning")]
    for i, d in enumerate(sorted(r.sample(range(30), 14))):
        src, name, svc, sev = blips[i % len(blips)]
        s = at(d, 3, r.randint(0, 50))
        out.append(Occ(src, name, svc, sev, s, s + _m(r.randint(2, 6)), f"{name} (short blip)", "night-blip"))
    # the shared dunning worker: billing's dunning alerts are mapped (labels rule), platform's are not
    for d in (5, 16, 28):
        s = at(d, r.randint(6, 11), r.randint(0, 59))
        out.append(Occ("am", "DunningRetryBacklog", "dunning-worker", "warning", s, s + _m(r.randint(40, 150)),
                       "Card-retry queue 2,300 invoices behind", "background", {"team": "billing"}))
    for d in sorted(r.sample(range(30), 5)):
        s = at(d, r.randint(0, 23), r.randint(0, 59))
        out.append(Occ("am", "WorkerQueueDepth", "dunning-worker", "warning", s, s + _m(r.randint(10, 60)),
                       "Generic job queue depth above 10k", "internal", {"team": "platform"}))
    # background: small daytime warnings spread over the customer-facing services
    bg = [("am", "HighMemoryUsage", "storefront-web", "warning"), ("am", "PodRestarting", "onboarding-api", "info"),
          ("am", "SearchIndexLag", "search-indexer", "warning"), ("am", "RenewalJobSlow", "subscription-renewals",
                                                                  "warning"),
          ("pd", "Captcha provider latency", "captcha-proxy", "warning"),
          ("pd", "Invoice PDF rendering errors", "billing-service", "error"),
          ("dd", "cart-service error budget burn", "cart-service", "warning"),
          ("dd", "storefront-web apdex below 0.9", "storefront-web", "info"),
          ("dd", "notify-mailer bounce rate above 3%", "notify-mailer", "warning")]
    for d in range(30):
        for _ in range(r.randint(2, 5)):
            src, name, svc, sev = r.choice(bg)
            s = at(d, r.randint(7, 22), r.randint(0, 59))
            out.append(Occ(src, name, svc, sev, s, s + _m(r.randint(5, 90)), f"{name} on {svc}", "background",
                           region=r.choice(REGIONS)))
    out = _no_overlaps(out)
    for o in out:  # a few Alertmanager resolved notices never arrive
        if o.source == "am" and o.end is not None and r.random() < 0.06:
            o.resolved_notice = False
    return out


def _no_overlaps(occs: list[Occ]) -> list[Occ]:
    """One labelset cannot fire twice at once: drop a planned occurrence that overlaps an earlier one."""
    busy: dict[tuple, datetime] = {}
    kept = []
    for o in sorted(occs, key=lambda o: o.start):
        key = (o.source, o.name, o.service, o.region, sorted(o.labels.items()).__repr__())
        if key in busy and o.start <= busy[key]:
            continue
        busy[key] = o.end or END
        kept.append(o)
    return kept


def _am_alert(o: Occ, i: int, status: str) -> dict:
    labels = {"alertname": o.name, "severity": o.severity, "service": o.service, "job": o.service,
              "instance": f"{o.service}-{i}.prod:9100", "env": "prod", "region": o.region,
              "team": TEAMS.get(o.service, "platform"), **o.labels}
    fp = digest("am", sorted(labels.items()))
    ends = iso(o.end) if status == "resolved" and o.end else NEVER
    return {"status": status, "labels": labels,
            "annotations": {"summary": o.summary, "description": f"{o.name} on {o.service} ({o.region})"},
            "startsAt": iso(o.start), "endsAt": ends, "fingerprint": fp,
            "generatorURL": f"{PROM_URL}/graph?g0.expr=ALERTS%7Balertname%3D%22{o.name}%22%7D&g0.tab=1"}


def _common(dicts: list[dict]) -> dict:
    return {k: v for k, v in dicts[0].items() if all(d.get(k) == v for d in dicts[1:])}


def alertmanager(occs: list[Occ]) -> tuple[list[dict], dict[int, list[str]]]:
    sends: list[tuple[datetime, int, dict]] = []
    fps: dict[int, list[str]] = {}
    for n, o in enumerate(occs):
        repeat = _m({"critical": 30, "error": 60, "warning": 240}.get(o.severity, 24 * 60))
        fps[id(o)] = [_am_alert(o, i, "firing")["fingerprint"] for i in range(1, o.instances + 1)]
        times = []
        t = o.start + timedelta(seconds=30)
        while t < END and (o.end is None or t < o.end):
            times.append((t, "firing"))
            t += repeat
        if o.end is not None and o.end < END and o.resolved_notice:
            times.append((o.end + timedelta(seconds=30), "resolved"))
        for t, status in times:
            alerts = [_am_alert(o, i, status) for i in range(1, o.instances + 1)]
            payload = {"version": "4", "status": status, "receiver": "journeylens",
                       "groupKey": f'{{}}:{{alertname="{o.name}", service="{o.service}"}}',
                       "groupLabels": {"alertname": o.name, "service": o.service},
                       "commonLabels": _common([a["labels"] for a in alerts]),
                       "commonAnnotations": _common([a["annotations"] for a in alerts]),
                       "externalURL": AM_URL, "truncatedAlerts": 0, "alerts": alerts}
            sends.append((t, n, payload))
    sends.sort(key=lambda s: (s[0], s[1]))
    return [p for _, _, p in sends], fps


def pagerduty(occs: list[Occ]) -> tuple[list[dict], dict[int, list[str]]]:
    events: list[tuple[datetime, int, dict]] = []
    keys: dict[int, list[str]] = {}
    for n, o in enumerate(occs):
        key = f"{o.service}/{digest('pd', o.name, iso(o.start), n=12)}"
        keys[id(o)] = [key]
        payload = {"summary": o.summary, "source": f"{o.service}.prod.storefront", "severity": o.severity,
                   "timestamp": iso(o.start), "component": o.service, "group": TEAMS.get(o.service, "platform"),
                   "class": o.name, "custom_details": {"region": o.region, "check": o.name}}
        events.append((o.start, n, {"routing_key": ROUTING_KEY, "event_action": "trigger", "dedup_key": key,
                                    "payload": payload}))
        if o.end is not None and o.end < END:
            resolved = {**payload, "timestamp": iso(o.end), "summary": f"RESOLVED: {o.summary}"}
            events.append((o.end, n, {"routing_key": ROUTING_KEY, "event_action": "resolve", "dedup_key": key,
                                      "payload": resolved}))
    events.sort(key=lambda e: (e[0], e[1]))
    return [e for _, _, e in events], keys


DD_TYPE = {"critical": ("error", "P1"), "error": ("error", "P2"), "warning": ("warning", "P3"),
           "info": ("info", "P4")}


def datadog(occs: list[Occ]) -> tuple[list[list[object]], dict[int, list[str]]]:
    ordered = sorted(enumerate(occs), key=lambda p: (p[1].start, p[0]))
    rows, ids = [], {}
    for seq, (_, o) in enumerate(ordered):
        event_id = 7100000000 + seq * 1000 + int(digest("dd", seq, n=4), 16) % 1000
        ids[id(o)] = [str(event_id)]
        alert_type, priority = DD_TYPE[o.severity]
        monitor = 40000000 + int(digest("monitor", o.name, o.service, n=6), 16) % 1000000
        team = TEAMS.get(o.service, "platform")
        tags = f"env:prod,service:{o.service},team:{team},region:{o.region},monitor:{monitor}"
        rows.append([event_id, epoch(o.start), o.name, alert_type, priority, f"{o.service}-1.prod.storefront",
                     o.service, tags, monitor, "Monitor Alert"])
    return rows, ids


DD_HEADER = ["id", "date_happened", "title", "alert_type", "priority", "host", "service", "tags", "monitor_id",
             "source_type_name"]


def generate_alerts(out: Path) -> list[dict]:
    """Writes the three alert files; returns every planned occurrence with the ids it was given.

    `ids` are Alertmanager fingerprints, PagerDuty dedup keys or Datadog event ids (by `source`)."""
    occs = real_incident_alerts() + noise_alerts()
    am, am_ids = alertmanager([o for o in occs if o.source == "am"])
    pd, pd_ids = pagerduty([o for o in occs if o.source == "pd"])
    dd, dd_ids = datadog([o for o in occs if o.source == "dd"])
    write_jsonl(out / "alertmanager.jsonl", am)
    write_json_array(out / "pagerduty_events.json", pd)
    write_csv(out / "datadog_events.csv", DD_HEADER, dd)
    ids = {**am_ids, **pd_ids, **dd_ids}
    return [{"tag": o.tag, "source": o.source, "name": o.name, "service": o.service, "severity": o.severity,
             "start": o.start, "end": o.end, "ids": ids[id(o)]} for o in occs]
