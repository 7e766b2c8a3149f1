"""The one ranked queue every surface shows (notebooks/queue/queue_view.py), on hand-made ranked frames."""

import pandas as pd
import pytest
from journeylens.notebooks.queue.queue_view import (
    QUEUE_COLUMNS,
    alerts_only,
    counts_text,
    needs_mapping,
    queue_counts,
    queue_entries,
    rule_text,
    with_queue_columns,
)

T0 = pd.Timestamp("2026-11-09 14:00")


def row(group_id, score, stage="checkout", service="payments-api", source="alertmanager", severity="high",
        suppressed=False, minute=0, alerts=1, **extra) -> dict:
    return {"group_id": group_id, "score": score, "stage": stage, "service": service, "source": source,
            "severity": severity, "suppressed": suppressed, "name": f"{service} alert",
            "first_fired_at": T0 + pd.Timedelta(minutes=minute), "last_fired_at": T0 + pd.Timedelta(minutes=minute + 5),
            "alert_count": alerts, "alert_ids": ";".join(f"{group_id}-{i}" for i in range(alerts)),
            "suppressed_reason": "score below the threshold 10.0" if suppressed else None, "harm": 0.5,
            "harm_segment": "all", "exposure": 1.0, **extra}


def ranked(rows: list) -> pd.DataFrame:
    """A frame as the ranking gives it: ordered (suppressed, score desc, first fired, id), ranked 1..n."""
    frame = pd.DataFrame(rows).sort_values(["suppressed", "score", "first_fired_at", "group_id"],
                                           ascending=[True, False, True, True]).reset_index(drop=True)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame


@pytest.fixture
def outage() -> pd.DataFrame:
    """One checkout outage seen by three tools and two instances (incident key g1), a lone group, a
    journey signal, an AI signal and two unmapped groups (one critical, suppressed)."""
    return ranked([
        row("g1", 60, incident_key="g1", instances="pay-1", incident_reason="same stage, overlapping"),
        row("g2", 58, source="pagerduty", incident_key="g1", instances="pay-2", severity="critical", minute=-3,
            alerts=2),
        row("g3", 9, source="datadog", incident_key="g1", instances="pay-1;pay-3", suppressed=True, minute=4),
        row("g4", 30, stage="signup", service="signup-api", incident_key="g4"),
        row("sig-1", 59, source="journeylens", service="journey:checkout", incident_key="sig-1", alert_ids=None),
        row("ai-1", 20, source="journeylens", service="ai:helper", incident_key="ai-1", alert_ids=None),
        row("u1", 2, stage=None, service="signup-captcha", severity="critical", suppressed=True, incident_key="u1"),
        row("u2", 3, stage=None, service="backup-cron", severity="low", suppressed=True, incident_key="u2"),
    ])


def test_groups_sharing_an_incident_key_are_one_entry(outage):
    entries = queue_entries(outage)
    assert list(entries.columns) == list(QUEUE_COLUMNS)
    assert len(entries) == len(outage) - 2  # g2 and g3 join g1
    lead = entries[entries["entry_id"] == "g1"].iloc[0]
    assert (lead["kind"], lead["members"], lead["alert_count"]) == ("incident", 3, 4)
    assert lead["member_group_ids"].split(";")[0] == "g1"  # the lead first
    assert set(lead["member_group_ids"].split(";")) == {"g1", "g2", "g3"}
    assert lead["sources"] == "alertmanager;pagerduty;datadog"
    assert lead["instances"] == "pay-1;pay-2;pay-3"  # distinct, in member order
    assert set(lead["alert_ids"].split(";")) == {"g1-0", "g2-0", "g2-1", "g3-0"}
    assert lead["severity"] == "critical"  # the worst member's
    assert lead["first_fired_at"] == T0 - pd.Timedelta(minutes=3)
    assert lead["last_fired_at"] == T0 + pd.Timedelta(minutes=9)
    assert lead["score"] == 60 and lead["incident_reason"] == "same stage, overlapping"
    alone = entries.set_index("entry_id").loc[["g4", "sig-1", "ai-1"], "kind"].tolist()
    assert alone == ["alert_group", "journey_signal", "ai_signal"]


def test_entries_keep_the_frame_order_and_are_ranked(outage):
    entries = queue_entries(outage)
    assert entries["entry_id"].tolist() == ["g1", "sig-1", "g4", "ai-1", "u2", "u1"]
    assert entries["rank"].tolist() == list(range(1, len(entries) + 1))
    shuffled = outage.sample(frac=1, random_state=3)  # the frame's rank decides, not the row order
    pd.testing.assert_frame_equal(queue_entries(shuffled), entries)


def test_an_entry_is_suppressed_only_when_every_member_is(outage):
    entries = queue_entries(outage).set_index("entry_id")
    assert not entries.loc["g1", "suppressed"]  # g3 is suppressed, g1 and g2 are not
    both = outage.copy()
    both.loc[both["group_id"].isin(["g1", "g2"]), "suppressed"] = True
    both.loc[both["group_id"].isin(["g1", "g2"]), "suppressed_reason"] = "rule: maintenance"
    entries = queue_entries(both).set_index("entry_id")
    assert entries.loc["g1", "suppressed"] and entries.loc["g1", "suppressed_reason"] == "rule: maintenance"


def test_without_the_rankings_columns_every_row_is_its_own_entry(outage):
    bare = outage.drop(columns=["incident_key", "instances", "incident_reason"])
    derived = with_queue_columns(bare).set_index("group_id")
    assert derived.loc["sig-1", "kind"] == "journey_signal" and derived.loc["ai-1", "kind"] == "ai_signal"
    assert derived.loc["u1", "lane"] == "needs_mapping" and derived.loc["g1", "lane"] == "queue"
    entries = queue_entries(bare)
    assert len(entries) == len(bare) and entries["members"].eq(1).all()
    assert entries["entry_id"].tolist() == bare["group_id"].tolist()


def test_alerts_only_is_one_row_per_alert_group_renumbered(outage):
    groups = alerts_only(outage)
    assert groups["group_id"].tolist() == ["g1", "g2", "g4", "g3", "u2", "u1"]
    assert groups["rank"].tolist() == list(range(1, 7))
    assert list(groups.columns[: len(outage.columns)]) == list(outage.columns)


def test_counts_say_what_the_queue_holds(outage):
    counts = queue_counts(outage)
    assert counts == {"alerts": 7, "alert_groups": 6, "entries": 6, "in_queue": 4, "suppressed": 2,
                      "incident_candidates": 1, "needs_mapping": 2, "needs_mapping_urgent": 1,
                      "journey_signal": 1, "ai_signal": 1, "burn_rate_page": 0}
    line = counts_text(counts)
    assert "7 alerts in 6 alert groups" in line and "6 queue entries (1 incident candidates)" in line
    assert "needs mapping: 2 groups (1 critical/high)" in line


def test_needs_mapping_puts_critical_first_and_fills_the_suggested_rule(outage):
    suggestions = pd.DataFrame({"service": ["signup-captcha"],
                                "suggested_rule": ['{"stage": "signup", "match": {"service": "signup-*"}}']})
    lane = needs_mapping(outage, suggestions)
    assert lane["service"].tolist() == ["signup-captcha", "backup-cron"]  # critical before low, whatever the score
    assert lane["suggested_rule"].tolist() == ["service: signup-* -> stage signup", ""]
    given = outage.assign(suggested_rule=outage["group_id"].map({"u1": "service: x -> stage y"}).fillna(""))
    assert needs_mapping(given, suggestions)["suggested_rule"].iloc[0] == "service: x -> stage y"


def test_rule_text_keeps_what_it_cannot_read():
    assert rule_text("service: a -> stage b") == "service: a -> stage b"
    assert rule_text(None) == ""


def test_an_empty_frame_gives_an_empty_queue(outage):
    empty = outage.iloc[0:0]
    assert queue_entries(empty).empty and list(queue_entries(empty).columns) == list(QUEUE_COLUMNS)
    assert queue_counts(empty)["entries"] == 0
