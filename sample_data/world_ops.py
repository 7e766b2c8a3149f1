"""Incidents (for retros) and the change log."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from journeylens.sample_data.world_common import (
    MODEL_CHANGE,
    MODEL_NEW,
    MODEL_OLD,
    MODEL_SHADOW,
    REAL_INCIDENTS,
    SHADOW_START,
    at,
    iso,
    rng,
    write_csv,
)

INCIDENT_HEADER = ["incident_id", "opened_at", "acknowledged_at", "resolved_at", "journey_restored_at", "stage",
                   "alert_ids", "fingerprints", "outcome", "playbook", "notes"]
# key -> (opened, acknowledged after opening (min), outcome, playbook, notes)
REAL = {
    "checkout-payments": (at(9, 14, 6), 5, "actioned", "rollback-deploy",
                          "payments-gateway v4.18.0 rolled back 15:12; enterprise checkout hit hardest"),
    "search-latency": (at(13, 20, 11), 9, "auto_mitigated", "autoscale-search",
                       "search-api autoscaled; p99 back to normal by 20:35"),
    "signup-email": (at(17, 9, 36), 22, "escalated", "escalate-email-vendor",
                     "SMTP relay provider degraded; free sign-ups stalled at e-mail verification"),
    "onboarding-slow": (at(24, 10, 12), 28, "actioned", "scale-provisioner-workers",
                        "workspace-provisioner template import slow; pro onboarding time-to-value x3"),
}
STAGE_OF = {"search-api": "discovery", "signup-api": "signup", "checkout-web": "checkout", "cart-service": "checkout"}


def _ids(occs: list[dict], source_filter) -> str:
    return ";".join(i for o in occs if source_filter(o["source"]) for i in o["ids"])


def _row(n: int, opened: datetime, ack: datetime | None, resolved: datetime | None, restored: datetime | None,
         stage: str, occs: list[dict], outcome: str, playbook: str, notes: str) -> list[object]:
    return [f"INC-{n}", iso(opened), iso(ack) if ack else "", iso(resolved) if resolved else "",
            iso(restored) if restored else "", stage, _ids(occs, lambda s: s == "dd"),
            _ids(occs, lambda s: s != "dd"), outcome, playbook, notes]


def incidents(alerts: list[dict]) -> list[list[object]]:
    r = rng(5)
    rows: list[tuple[datetime, list[object]]] = []
    for inc in REAL_INCIDENTS:
        key = inc["key"]
        opened, ack_min, outcome, playbook, notes = REAL[key]
        occs = [a for a in alerts if a["tag"] == key]
        if key == "checkout-payments":  # the Datadog monitor opened a second incident for the same outage
            dd = [a for a in occs if a["source"] == "dd"]
            occs = [a for a in occs if a["source"] != "dd"]
            dup_at = dd[0]["start"] + timedelta(minutes=1)
            rows.append((dup_at, [dup_at, dup_at + timedelta(minutes=4), dup_at + timedelta(minutes=6), None,
                                  inc["stage"], dd, "duplicate", "", "duplicate of the payments-gateway outage"]))
        rows.append((opened, [opened, opened + timedelta(minutes=ack_min), inc["end"], inc["restored"],
                              inc["stage"], occs, outcome, playbook, notes]))
    internal = []
    for svc in ("ci-runner", "backup-cron", "ldap-internal"):  # every other page, three per system
        internal += sorted((a for a in alerts if a["tag"] == "internal" and a["service"] == svc),
                           key=lambda a: a["start"])[:6:2]
    for a in internal:
        opened = a["start"] + timedelta(minutes=1)
        ack = opened + timedelta(minutes=r.randint(4, 25))
        rows.append((opened, [opened, ack, a["end"], None, "", [a], "noise", "",
                              f"{a['service']} is internal; no customer journey affected"]))
    blips = [a for a in alerts if a["tag"] == "night-blip" and a["severity"] == "critical"][:3]
    flaps = [a for a in alerts if a["tag"] == "flapping" and a["service"] == "cart-service"][:1]
    for a in blips + flaps:
        opened = a["start"] + timedelta(minutes=1)
        ack = opened + timedelta(minutes=r.randint(3, 12))
        kind = "night-time blip, self-resolved" if a in blips else "flapping cache-hit warning"
        rows.append((opened, [opened, ack, a["end"], None, STAGE_OF.get(a["service"], ""), [a], "noise", "",
                              f"{kind}; no conversion change"]))
    rows.sort(key=lambda p: p[0])
    return [_row(1001 + n, *args) for n, (_, args) in enumerate(rows)]


SERVICES = ["payments-gateway", "cart-service", "checkout-web", "billing-service", "subscription-renewals",
            "notify-mailer", "signup-api", "workspace-provisioner", "onboarding-api", "search-api",
            "storefront-web", "recommendations", "ci-runner", "ldap-internal"]


def changes() -> list[list[object]]:
    r = rng(6)
    items: list[tuple[datetime, str, str, str]] = [
        (MODEL_CHANGE, "ai-gateway", "config", f"default model {MODEL_OLD} -> {MODEL_NEW}"),
        (SHADOW_START, "ai-gateway", "feature_flag", f"shadow 25% of traffic to {MODEL_SHADOW}"),
        (at(9, 13, 52), "payments-gateway", "deploy", "payments-gateway v4.18.0: new 3-D Secure client"),
        (at(9, 15, 12), "payments-gateway", "deploy", "rollback payments-gateway to v4.17.3"),
        (at(13, 19, 58), "search-api", "deploy", "search-api v3.2.1: query planner tweak"),
        (at(17, 9, 12), "notify-mailer", "deploy", "notify-mailer v1.9.0: new SMTP relay client"),
        (at(17, 12, 40), "notify-mailer", "config", "notify-mailer: fail over to relay pool B"),
        (at(24, 9, 41), "workspace-provisioner", "deploy", "workspace-provisioner v2.7.0: template import rewrite"),
        (at(24, 17, 20), "workspace-provisioner", "config", "workspace-provisioner workers 8 -> 24"),
        (at(6, 10, 0), "checkout-web", "ui", "new checkout summary layout"),
        (at(20, 8, 0), "billing-service", "pricing", "annual plan discount 15% -> 20%"),
        (at(11, 16, 30), "recommendations", "feature_flag", "enable 'recently viewed' rail for 50%"),
    ]
    minor = {svc: r.randint(3, 40) for svc in SERVICES}
    for d in range(30):
        if d % 7 in (0, 1):  # weekends are quiet
            continue
        for _ in range(r.randint(2, 4)):
            svc = r.choice(SERVICES)
            t = at(d, r.randint(8, 17), r.randint(0, 59))
            if r.random() < 0.8:
                minor[svc] += 1
                items.append((t, svc, "deploy", f"{svc} routine release r{minor[svc]}"))
            else:
                items.append((t, svc, "config", f"{svc}: tune {r.choice(['timeouts', 'pool size', 'cache ttl'])}"))
    items.sort(key=lambda c: (c[0], c[1]))
    return [[iso(t), svc, kind, desc] for t, svc, kind, desc in items]


def generate_ops(out: Path, alerts: list[dict]) -> None:
    write_csv(out / "incidents.csv", INCIDENT_HEADER, incidents(alerts))
    write_csv(out / "changes.csv", ["ts", "service", "kind", "description"], changes())
