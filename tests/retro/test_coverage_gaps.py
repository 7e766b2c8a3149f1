"""notebooks/retro/coverage_gaps.py: the retro's count of groups on services no touchpoint claims."""

import pandas as pd
from journeylens.notebooks.retro.coverage_gaps import SERVICE_COLUMNS, coverage_gaps, gaps_section


def group(group_id, service, severity, stage=None, alerts=1, rank=1) -> dict:
    return {"rank": rank, "group_id": group_id, "service": service, "severity": severity, "stage": stage,
            "source": "alertmanager", "alert_count": alerts, "score": 10.0 - rank, "suppressed": False,
            "first_fired_at": pd.Timestamp("2026-11-09") + pd.Timedelta(hours=rank),
            "last_fired_at": pd.Timestamp("2026-11-09") + pd.Timedelta(hours=rank)}


def frame() -> pd.DataFrame:
    rows = [group("m1", "payments-api", "critical", stage="checkout", rank=1),
            group("u1", "log-shipper", "low", alerts=4, rank=2), group("u2", "log-shipper", "medium", rank=3),
            group("u3", "signup-captcha", "critical", alerts=2, rank=4), group("u4", "backup-cron", "high", rank=5),
            group("u5", "backup-cron", "info", rank=6)]
    return pd.DataFrame(rows)


def test_gaps_count_unmapped_groups_and_order_services_critical_first():
    suggestions = pd.DataFrame({"service": ["signup-captcha"],
                                "suggested_rule": ['{"stage": "signup", "match": {"service": "signup-*"}}']})
    gaps = coverage_gaps(frame(), suggestions)
    assert (gaps["unmapped_groups"], gaps["unmapped_urgent"]) == (5, 2)
    services = gaps["services"]
    assert list(services.columns) == list(SERVICE_COLUMNS)
    assert services["service"].tolist() == ["backup-cron", "signup-captcha", "log-shipper"]
    assert services.set_index("service").loc["log-shipper", ["groups", "urgent_groups", "alerts"]].tolist() == [2, 0, 5]
    assert services.set_index("service").loc["signup-captcha", "suggested_rule"] == "service: signup-* -> stage signup"
    heading, intro, columns, rows = gaps_section(gaps)
    assert heading == "Coverage gaps" and "5 alert groups" in intro and "(2 critical/high)" in intro
    assert "3 services need a touchpoint" in intro and len(rows) == 3 and rows[2][-1] == "none"


def test_no_gaps_when_everything_maps():
    mapped = frame().assign(stage="checkout")
    gaps = coverage_gaps(mapped)
    assert (gaps["unmapped_groups"], gaps["unmapped_urgent"], len(gaps["services"])) == (0, 0, 0)
    assert coverage_gaps(mapped.iloc[0:0])["unmapped_groups"] == 0
