"""notebooks/queue/groups.py and sql/queue/04-06, 20, 30-33 (pieces, buckets, groups, alert details): which alerts are the same problem."""

import csv
import fnmatch
import json
import random
import re
from datetime import datetime, timedelta

import pytest
from journeylens.notebooks.ingest.sample_workspace import build_sample_workspace
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.queue.groups import (
    GROUP_COLUMNS,
    HELD_MOMENTS,
    create_alert_groups,
    details_sql,
    group_alerts,
    groups_select,
    hold_alert_moments,
)
from journeylens.notebooks.queue.mapping import create_mapped_alerts
from journeylens.notebooks.workspace.snapshot import connect

COLUMNS = ["alert_id", "fired_at", "resolved_at", "service", "name", "severity", "source", "fingerprint",
           "confidence", "region", "labels"]
T0 = datetime(2026, 1, 5, 10, 0)
MAP = """\
journey: shop
stages:
  - {id: checkout, impact: 9, sensitivity: 1.0}
touchpoints:
  - {stage: checkout, touchpoint: cart, match: {service: "cart-*"}}
"""


def at(minutes):
    return (T0 + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def alert(alert_id, fired, resolved=None, service="cart-service", name="CartSlow", fingerprint="", **extra):
    return {"alert_id": alert_id, "fired_at": at(fired),
            "resolved_at": "" if resolved is None else at(resolved),
            "service": service, "name": name, "severity": "warning", "source": "alertmanager",
            "fingerprint": fingerprint, **extra}


def groups_of(tmp_path, rows, **params):
    """The alert_groups rows of a workspace holding `rows`, as dicts keyed by column."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    ws = tmp_path / "ws"
    (tmp_path / "map.yaml").write_text(MAP)
    ingest_file(ws, "journey-map", tmp_path / "map.yaml")
    with open(tmp_path / "alerts.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    ingest_file(ws, "alerts", tmp_path / "alerts.csv")
    con = connect(ws)
    try:
        create_mapped_alerts(con)
        create_alert_groups(con, **params)
        cursor = con.execute(groups_select())
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def test_columns(tmp_path):
    groups = groups_of(tmp_path, [alert("a1", 0, 5, fingerprint="f")])
    assert tuple(groups[0]) == GROUP_COLUMNS


def test_same_fingerprint_within_gap_is_one_group(tmp_path):
    rows = [alert("a1", 0, 10, fingerprint="f", severity="warning", confidence="0.4"),
            alert("a2", 50, 70, fingerprint="f", severity="critical", name="Renamed", confidence="0.9"),
            alert("a3", 100, None, fingerprint="f", confidence="")]
    (group,) = groups_of(tmp_path, rows)
    assert group["alert_ids"] == "a1;a2;a3" and group["alert_count"] == 3
    assert group["first_fired_at"] == T0 and group["last_fired_at"] == T0 + timedelta(minutes=100)
    assert group["last_resolved_at"] is None  # the latest alert has no resolution: maybe still going on
    assert group["unresolved_count"] == 1
    assert (group["severity_rank"], group["severity"], group["confidence"]) == (1, "critical", 0.9)
    assert (group["name"], group["stage"], group["touchpoint"], group["fingerprint"]) == (
        "CartSlow", "checkout", "cart", "f")
    assert group["group_key"] == "fingerprint:f"
    assert group["duration_min"] == 100.0


def test_gap_counts_from_the_end_of_every_earlier_alert(tmp_path):
    rows = [alert("a1", 0, 120, fingerprint="f"), alert("a2", 10, 20, fingerprint="f"),
            alert("a3", 170, 175, fingerprint="f"),  # 50 min after a1 ended (a2 ended long before)
            alert("a4", 236, 240, fingerprint="f")]  # 61 min after a3 ended: a new group
    first, second = groups_of(tmp_path, rows)
    assert (first["alert_ids"], second["alert_ids"]) == ("a1;a2;a3", "a4")
    assert first["last_resolved_at"] == T0 + timedelta(minutes=175)
    assert first["duration_min"] == 175.0 and second["duration_min"] == 4.0
    assert first["group_id"] != second["group_id"]
    assert [g["alert_count"] for g in groups_of(tmp_path / "wide", rows, gap_minutes=90)] == [4]


def test_beyond_gap_is_two_groups_and_unresolved_counts_as_ended_when_fired(tmp_path):
    rows = [alert("a1", 0, None, fingerprint="f"), alert("a2", 61, 62, fingerprint="f")]
    assert [g["alert_ids"] for g in groups_of(tmp_path, rows)] == ["a1", "a2"]


def test_no_fingerprint_groups_by_name_and_service(tmp_path):
    rows = [alert("a1", 0, 5), alert("a2", 10, 15), alert("a3", 12, 14, name="Other"),
            alert("a4", 20, 25, service="cart-api"), alert("a5", 30, 35, fingerprint="f")]
    groups = {g["group_key"]: g["alert_ids"] for g in groups_of(tmp_path, rows)}
    assert groups == {"rule:CartSlow @ cart-service": "a1;a2", "rule:Other @ cart-service": "a3",
                      "rule:CartSlow @ cart-api": "a4", "fingerprint:f": "a5"}


def test_flapping_warning(tmp_path):
    # fires and resolves 4 times within an hour: 3 fire -> resolve -> fire cycles
    rows = [alert(f"a{i}", 15 * i, 15 * i + 5, fingerprint="f") for i in range(4)]
    (group,) = groups_of(tmp_path, rows)
    assert (group["flap_count"], group["flapping"]) == (3, True)
    (group,) = groups_of(tmp_path / "strict", rows, flap_min_cycles=4)
    assert (group["flap_count"], group["flapping"]) == (3, False)
    (group,) = groups_of(tmp_path / "narrow", rows, flap_window_minutes=10)
    assert group["flap_count"] == 0


def test_overlapping_alerts_are_not_flaps(tmp_path):
    rows = [alert(f"a{i}", i, 60) for i in range(5)]  # five instances of one rule, all firing at once
    (group,) = groups_of(tmp_path, rows)
    assert (group["alert_count"], group["flap_count"], group["flapping"]) == (5, 0, False)


def test_input_order_does_not_change_the_result(tmp_path):
    rows = [alert(f"a{i:02d}", (i * 37) % 400, (i * 37) % 400 + 3, fingerprint=f"f{i % 3}")
            for i in range(30)]
    rows += [alert("tie-b", 500, 505), alert("tie-a", 500, 501)]  # same fired_at: alert_id decides
    expected = groups_of(tmp_path / "sorted", sorted(rows, key=lambda r: r["alert_id"]))
    shuffled = rows[:]
    random.Random(7).shuffle(shuffled)
    assert groups_of(tmp_path / "shuffled", shuffled) == expected
    assert [g["alert_ids"] for g in expected if g["group_key"].startswith("rule:")] == ["tie-a;tie-b"]


def test_group_alerts_on_an_empty_workspace(tmp_path):
    groups = group_alerts(tmp_path / "empty")
    assert len(groups) == 0 and tuple(groups.columns) == GROUP_COLUMNS


@pytest.fixture(scope="module")
def sample_groups(tmp_path_factory):
    ws = tmp_path_factory.mktemp("sample") / "ws"
    build_sample_workspace(ws)
    return group_alerts(ws)


def test_sample_flapping_warnings(sample_groups):
    flapping = sample_groups[sample_groups["flapping"]]
    episodes = flapping.groupby("name").size().to_dict()
    # README: CartCacheHitRateLow on days 3, 11, 19, 26; RecommendationsLatencyP95 on days 6, 15, 22;
    # the Datadog monitor "cdn-edge cache-miss ratio elevated" on days 4, 12, 27
    assert episodes == {"CartCacheHitRateLow": 4, "RecommendationsLatencyP95": 3,
                        "cdn-edge cache-miss ratio elevated": 3}
    assert (flapping["alert_count"] >= 6).all()


def test_sample_checkout_outage_is_a_few_groups(sample_groups):
    start, end = datetime(2026, 10, 26, 14, 0), datetime(2026, 10, 26, 15, 30)
    fired = sample_groups["first_fired_at"]
    outage = sample_groups[(fired >= start) & (fired < end) & (sample_groups["stage"] == "checkout")]
    assert 1 <= len(outage) <= 5
    assert set(outage["service"]) == {"payments-gateway", "checkout-web"}
    assert outage["alert_count"].sum() == 5
    assert not outage["flapping"].any()
    assert sample_groups["alert_count"].sum() == len(sample_groups["alert_ids"].str.split(";").explode())


def test_a_group_shows_its_first_alerts_names_region_and_source(tmp_path):
    """The group's service, name, region and source are its first alert's, even where a later alert has
    a value and the first has none: two pieces of one bucket and a second bucket, out of order."""
    rows = [alert("a2", 10, 12, fingerprint="f", name="Later", region="eu-west-1"),
            alert("a4", 70, 75, fingerprint="f", name="NextHour", region="us-east-1", source="datadog"),
            alert("a1", 0, 5, fingerprint="f", name="First"),
            alert("a3", 20, 25, fingerprint="f", name="Last", source="datadog", service="cart-web")]
    [group] = groups_of(tmp_path, rows)
    assert group["alert_ids"] == "a1;a2;a3;a4"
    assert (group["service"], group["name"], group["source"]) == ("cart-service", "First", "alertmanager")
    assert not group["region"]


def reference_groups(alerts: list, stage_of: dict, tie_order: dict, gap: float, flap_window: float) -> dict:
    """The documented grouping rules, alert by alert in Python: {alert_ids: (stage, flap_count, and the
    first alert's service, name and labels)}. Alerts are in (fired_at, alert_id) order; "first" (the
    first alert, the first alert that maps) is first by tie_order: jl_order_key (fired_at, then a hash of
    alert_id), as 04_alert_pieces.sql orders them."""
    by_key = {}
    for a in alerts:
        key = ("f", a["fingerprint"]) if (a["fingerprint"] or "").strip() else ("r", a["name"], a["service"])
        by_key.setdefault(key, []).append(a)
    groups = {}
    for rows in by_key.values():
        rows.sort(key=lambda a: (a["fired_at"], a["alert_id"]))
        current, ended, previous_fired = None, None, None
        for a in rows:
            minutes_since_end = None if ended is None else (a["fired_at"] - ended).total_seconds() / 60
            if minutes_since_end is None or minutes_since_end > gap:
                current = {"ids": [], "mapped": [], "flaps": 0, "first": []}
                groups[id(current)] = current
            elif minutes_since_end >= 0 and (a["fired_at"] - previous_fired).total_seconds() / 60 <= flap_window:
                current["flaps"] += 1
            current["ids"].append(a["alert_id"])
            current["first"].append((a["fired_at"], tie_order[a["alert_id"]], a["service"], a["name"], a["labels"]))
            if stage_of[a["alert_id"]] is not None:
                current["mapped"].append((a["fired_at"], tie_order[a["alert_id"]], stage_of[a["alert_id"]]))
            end = a["resolved_at"] or a["fired_at"]
            ended = end if ended is None else max(ended, end)
            previous_fired = a["fired_at"]
    return {";".join(g["ids"]): (min(g["mapped"])[2] if g["mapped"] else None, g["flaps"], *min(g["first"])[2:])
            for g in groups.values()}


def reference_stage(alert: dict, rules: list):
    """The touchpoint rules of SPEC §2.2 on one alert in Python: the first rule whose every key matches (a
    glob on the whole value ignoring case, or after `re:` a regular-expression search); a missing value
    matches nothing."""
    def value(key):
        if key.startswith("labels."):
            return json.loads(alert["labels"]).get(key[len("labels."):]) if alert["labels"] else None
        return alert[key]

    def matches(key, pattern):
        found = value(key)
        if found is None:
            return False
        if pattern.startswith("re:"):
            return re.search(pattern[3:], found) is not None
        return fnmatch.fnmatchcase(found.lower(), pattern.lower())

    return next((r["stage"] for r in rules if all(matches(k, p) for k, p in r["match"].items())), None)


@pytest.mark.parametrize("seed", range(6))
def test_bucketed_grouping_matches_the_alert_by_alert_rules(seed):
    """sql/queue/04-06 sessionise gap-wide buckets and map distinct inputs (01_rule_matches.sql over the
    pieces), not alerts: on random alerts (ties, overlaps, resolutions, blank fingerprints, labels that
    decide the stage) it must agree with the rules applied one alert at a time, the touchpoint rules
    included (reference_stage), as must mapped_alerts, coverage's mapping."""
    from journeylens.notebooks.queue.mapping import create_mapped_alerts
    from journeylens.notebooks.workspace.snapshot import new_connection

    rng = random.Random(seed)
    gap, flap_window = rng.choice([5, 30, 60]), rng.choice([10, 60, 120])
    alerts = []
    for i in range(300):
        fired = T0 + timedelta(minutes=rng.randrange(0, 2000), seconds=rng.choice([0, 0, 30]))
        resolved = None if rng.random() < 0.3 else fired + timedelta(minutes=rng.randrange(0, 90))
        alerts.append({"alert_id": f"a{i:03d}", "fired_at": fired, "resolved_at": resolved,
                       "service": rng.choice(["cart-api", "cart-web", "search", "batch"]),
                       "name": rng.choice(["Slow", "Errors"]), "severity": rng.choice(["critical", "warning"]),
                       "fingerprint": rng.choice(["", " ", None, "f1", "f2", "f3"]),
                       "labels": rng.choice([None, '{"team":"pay"}', '{"team":"web"}'])})
    rules = [{"stage": "checkout", "touchpoint": "pay", "match": {"service": "cart-*", "labels.team": "pay"}},
             {"stage": "browse", "touchpoint": "web", "match": {"service": "re:^cart-w"}},
             {"stage": "search", "match": {"name": "errors", "severity": "critical"}}]
    con = new_connection()
    con.execute("create table alerts (alert_id varchar, fired_at timestamp, resolved_at timestamp, service varchar, "
                "name varchar, severity varchar, severity_raw varchar, severity_rank tinyint, source varchar, "
                "fingerprint varchar, confidence double, region varchar, labels varchar, message varchar)")
    con.executemany("insert into alerts values (?, ?, ?, ?, ?, ?, null, ?, 'prometheus', ?, null, null, ?, null)",
                    [(a["alert_id"], a["fired_at"], a["resolved_at"], a["service"], a["name"], a["severity"],
                      1 if a["severity"] == "critical" else 3, a["fingerprint"], a["labels"]) for a in alerts])
    stage_of = {a["alert_id"]: reference_stage(a, rules) for a in alerts}
    create_mapped_alerts(con, rules)
    assert dict(con.execute("select alert_id, stage from mapped_alerts").fetchall()) == stage_of
    tie_order = dict(con.execute("select alert_id, jl_order_key(fired_at, alert_id) from alerts").fetchall())
    create_alert_groups(con, gap_minutes=gap, flap_window_minutes=flap_window, rules=rules)
    columns = "alert_ids, stage, flap_count, service, name, labels"
    ours = {ids: tuple(rest) for ids, *rest in con.execute(f"select {columns} from ({groups_select()})").fetchall()}
    assert ours == reference_groups(alerts, stage_of, tie_order, gap, flap_window)
    assert any(value[0] for value in ours.values()) and len(ours) > 20
    # the details of a few groups, worked out alone (as the queue's top rows are), are theirs in full
    few = con.execute(f"select {columns} from ({groups_select('hash(g.group_id) % 7 = 0')})").fetchall()
    few = {ids: tuple(rest) for ids, *rest in few}
    assert few and len(few) < len(ours) and all(ours[ids] == value for ids, value in few.items())
    # the app's open ranking reads them from the moments it holds: blank fingerprints keyed as above
    hold_alert_moments(con)
    ctes, details = details_sql("select group_id from alert_groups", held=True)
    held = dict(con.execute(f"with {ctes} select {details['alert_ids']}, {details['flap_count']} "
                            "from alert_groups as g left join d using (group_id)").fetchall())
    assert held == {ids: value[1] for ids, value in ours.items()}


def test_held_moments_give_the_details_every_alert_gives(tmp_path):
    """The app's open ranking reads a page's group details from every alert's key, bucket and moment, held
    once (hold_alert_moments): the same alert ids, instances and flap cycles as two joins over every alert."""
    ws = tmp_path / "ws"
    build_sample_workspace(ws)
    con = connect(ws)
    try:
        create_alert_groups(con)
        hold_alert_moments(con)
        assert con.execute(f"select count(*) from {HELD_MOMENTS}").fetchone()[0] == \
            con.execute("select count(*) from alerts").fetchone()[0], "every alert is held once"
        read = {}
        for held in (False, True):
            ctes, columns = details_sql("select group_id from alert_groups", held=held)
            read[held] = con.execute(f"with {ctes} select g.group_id, {columns['alert_ids']}, {columns['instances']}, "
                                     f"{columns['flap_count']} from alert_groups as g left join d using (group_id) "
                                     "order by g.group_id").fetchall()
    finally:
        con.close()
    assert read[True] == read[False]
    assert any(row[3] for row in read[True]) and any(row[2] for row in read[True]), "flaps and instances seen"
