"""Incident candidates (notebooks/queue/incidents.py, sql/queue/14-16): one entry per outage."""

from datetime import datetime, timedelta

import pytest
from journeylens.notebooks.queue.incidents import correlate_groups
from journeylens.notebooks.queue.scoring import resolve_profile
from journeylens.notebooks.workspace.snapshot import new_connection

T0 = datetime(2026, 10, 26, 14, 0)


def candidates(groups, profile=None):
    """group_incidents of `groups`: (group_id, stage, service, start minute, minutes[, harm_segment])."""
    con = new_connection()
    con.execute("""create temp table alert_groups (group_id varchar, kind varchar, stage varchar, service varchar,
        touchpoint varchar, first_fired_at timestamp, last_fired_at timestamp, last_resolved_at timestamp)""")
    con.execute("create temp table group_components (group_id varchar, harm_observed boolean, harm_segment varchar)")
    for gid, stage, service, start, minutes, *harm in groups:
        first = T0 + timedelta(minutes=start)
        con.execute("insert into alert_groups values (?, 'alert_group', ?, ?, null, ?, ?, ?)",
                    [gid, stage, service, first, first, first + timedelta(minutes=minutes)])
        con.execute("insert into group_components values (?, ?, ?)", [gid, bool(harm), harm[0] if harm else None])
    correlate_groups(con, resolve_profile(profile))
    rows = con.execute("select group_id, incident_key, incident_size, incident_reason from group_incidents").fetchall()
    return {gid: (key, size, reason) for gid, key, size, reason in rows}


def test_two_tools_paging_on_one_service_at_once_are_one_candidate_led_by_the_first():
    found = candidates([("am", "checkout", "payments", 5, 70), ("pd", "checkout", "payments", 6, 70),
                        ("later", "checkout", "payments", 300, 10)])
    assert found["am"][:2] == found["pd"][:2] == ("am", 2)
    assert "the same service payments" in found["am"][2]
    assert found["later"] == ("later", 1, "")


def test_a_chain_of_relations_is_one_candidate():
    # a and b share a service; b and c saw the same measured harm of checkout as a whole
    found = candidates([("a", "checkout", "payments", 0, 30), ("b", "checkout", "payments", 10, 30, "all"),
                        ("c", "checkout", "checkout-web", 20, 30, "all"), ("d", "signup", "payments", 10, 30)])
    assert {found[g][:2] for g in "abc"} == {("a", 3)}
    assert found["d"][1] == 1  # another stage: another outage


def test_a_service_that_alerts_all_day_is_not_one_outage():
    # every hour a new group whose span overlaps the next: transitive overlap alone would chain them all
    found = candidates([(f"g{h:02d}", "checkout", "payments", 60 * h, 75) for h in range(48)])
    assert found["g00"][0] == found["g23"][0] != found["g24"][0] == found["g47"][0]
    assert {size for _, size, _ in found.values()} == {24}


def test_a_group_the_profile_splits_stands_alone():
    found = candidates([("am", "checkout", "payments", 5, 70), ("pd", "checkout", "payments", 6, 70)],
                       {"incident_splits": ["pd"]})
    assert found["pd"] == ("pd", 1, "") and found["am"] == ("am", 1, "")


@pytest.mark.parametrize("gap, together", [(10, True), (20, False)])
def test_spans_join_within_the_correlate_minutes(gap, together):
    found = candidates([("a", "checkout", "payments", 0, 30), ("b", "checkout", "payments", 30 + gap, 30)],
                       {"correlate_minutes": 15})
    assert (found["a"][0] == found["b"][0]) is together
