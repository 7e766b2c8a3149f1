"""Seeded variant worlds (sample_data/world_variant*.py) and the ranking's bar on them (issue 3 §7, issue 14 §5).

The defaults were chosen on seeds 1-16; the seeds of the ranking test are outside that range, so this is
a check on worlds the defaults were not tuned to, not a replay of the tuning."""

import csv
import fnmatch
import importlib.util
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.queue.ranking import ranked_alerts
from journeylens.sample_data.world_variant import UNMAPPED, build

# bench/ is a folder of scripts run from the repository root, not part of the package
_spec = importlib.util.spec_from_file_location(
    "bench_worlds", Path(__file__).resolve().parents[2] / "bench" / "bench_worlds.py")
worlds_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worlds_bench)

HELD_OUT_SEEDS = (101, 202, 303)
MIX_SEEDS = range(1, 25)


@pytest.fixture(scope="module")
def worlds(tmp_path_factory):
    folder = tmp_path_factory.mktemp("worlds")
    built = {seed: build(seed, folder / str(seed)) for seed in MIX_SEEDS}
    for world in built.values():  # read once: the metric tests look at every stage of every world
        world["frame"] = pd.read_csv(world["metrics"], parse_dates=["ts"])
    return built


def alert_rows(world: dict) -> dict:
    with open(world["alerts"], newline="") as fh:
        return {row["alert_id"]: row for row in csv.DictReader(fh)}


def claimed(service: str, touchpoints: list) -> bool:
    for t in touchpoints:
        pattern = t["match"]["service"]
        if re.match(pattern[3:], service) if pattern.startswith("re:") else fnmatch.fnmatchcase(service, pattern):
            return True
    return False


def test_the_same_seed_writes_the_same_world_and_another_seed_another(tmp_path):
    first, again, other = build(7, tmp_path / "a"), build(7, tmp_path / "b"), build(8, tmp_path / "c")
    for kind in ("alerts", "journey_map", "metrics", "incidents"):
        assert first[kind].read_bytes() == again[kind].read_bytes(), kind
    assert first["alerts"].read_bytes() != other["alerts"].read_bytes()
    stages = [s["id"] for s in yaml.safe_load(first["journey_map"].read_text())["stages"]]
    assert stages != [s["id"] for s in yaml.safe_load(other["journey_map"].read_text())["stages"]]


def test_every_incident_lists_alerts_that_exist(tmp_path):
    world = build(11, tmp_path)
    ids = {line.split(",")[0] for line in world["alerts"].read_text().splitlines()[1:]}
    assert 4 <= len(world["truth"]) <= 8
    assert all(members and set(members) <= ids for members in world["truth"].values())


def test_each_world_draws_its_own_mix(worlds):
    traits = [w["traits"] for w in worlds.values()]
    for key in ("noise_columns", "dark_stages", "conversion_only", "quiet_outages", "unmapped_services"):
        assert any(t[key] for t in traits) and not all(t[key] for t in traits), key
    assert {t["ladder"] for t in traits} == {"spread", "flat", "one-top", "steep"}
    assert max(t["ttv_cv"] for t in traits) > 0.4 > min(t["ttv_cv"] for t in traits)
    assert not all(t["has_ttv"] for t in traits)


def test_one_outage_is_reported_per_instance_and_by_several_tools(worlds):
    seen_instances = seen_sources = 0
    for world in worlds.values():
        rows = alert_rows(world)
        for members in world["truth"].values():
            alerts = [rows[a] for a in members]
            instances = {a["labels"] for a in alerts if a["source"] == "alertmanager"}
            seen_instances += len(instances) >= 2 and all("instance=" in i for i in instances)
            seen_sources += len({a["source"] for a in alerts}) >= 2
    assert seen_instances >= 5 and seen_sources >= 20


def test_unmapped_criticals_are_customer_facing_criticals_no_touchpoint_claims(worlds):
    found = 0
    for world in worlds.values():
        touchpoints = yaml.safe_load(world["journey_map"].read_text())["touchpoints"]
        rows, truth = alert_rows(world), {a for members in world["truth"].values() for a in members}
        for members in world["unmapped_criticals"].values():
            found += 1
            assert members and not set(members) & truth
            for alert in (rows[a] for a in members):
                assert alert["severity"] == "critical" and not claimed(alert["service"], touchpoints)
                assert any(helper in alert["service"] for helper in UNMAPPED), alert["service"]
    assert found >= 5


def hourly(world: dict, stage: str, segment: str | None) -> pd.DataFrame:
    m = world["frame"]
    m = m[(m["stage"] == stage) & ((m["segment"] == segment) if segment else True)]
    if "time_to_value_s" in m:
        m = m.assign(ttv_x=m["time_to_value_s"] * m["completed"])
    return m.groupby("ts").sum(numeric_only=True)


def test_real_incidents_move_their_stage_metrics(worlds):
    """Honest ground truth: in the hours an incident covers, its stage's (or segment's) conversion is below
    the same hours of the other days, and time to value, where measured, above it."""
    checked = ttv_checked = 0
    for world in worlds.values():
        for inc in world["incident_details"]:
            h = hourly(world, inc["stage"], inc["segment"])
            inside = (h.index + pd.Timedelta(hours=1) > pd.Timestamp(inc["start"])) & (h.index < pd.Timestamp(inc["end"]))
            rate = (h["completed"] / h["entered"].clip(lower=1)).groupby(h.index.hour).median()
            expected = (h.index[inside].hour.map(rate) * h["entered"][inside]).sum()
            assert h["completed"][inside].sum() < 0.97 * expected, (inc, world["traits"])
            checked += 1
            if "ttv_x" in h and h["ttv_x"].sum() > 0 and world["traits"]["ttv_effect"] >= 2 and world["traits"][
                    "ttv_cv"] < 0.2:
                ttv = h["ttv_x"] / h["completed"].clip(lower=1)
                usual = ttv.groupby(h.index.hour).median()
                assert ttv[inside].mean() > h.index[inside].hour.map(usual).to_numpy().mean(), inc
                ttv_checked += 1
    assert checked >= 100 and ttv_checked >= 3


def test_noise_moves_no_metric(worlds):
    """Alerts outside the truth sit in ordinary hours: their stage's conversion is at its usual level."""
    gaps = []
    for world in list(worlds.values())[:8]:
        touchpoints = yaml.safe_load(world["journey_map"].read_text())["touchpoints"]
        truth = {a for members in world["truth"].values() for a in members}
        alerts = alert_rows(world).values()
        for stage in world["stages"]:
            h = hourly(world, stage, None)
            if h.empty:
                continue
            rate = h["completed"] / h["entered"].clip(lower=1)
            usual = rate.groupby(h.index.hour).transform("median")
            for alert in alerts:
                hour = pd.Timestamp(alert["fired_at"]).floor("h")
                if (alert["alert_id"] not in truth and claimed(alert["service"], [
                        t for t in touchpoints if t["stage"] == stage]) and hour in h.index
                        and h.loc[hour, "entered"] >= 30):
                    gaps.append(rate[hour] / usual[hour] - 1)
    assert len(gaps) > 200 and abs(sum(gaps) / len(gaps)) < 0.03


@pytest.fixture(scope="module", params=HELD_OUT_SEEDS)
def ranked_world(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"world{request.param}")
    world = build(request.param, folder / "files")
    ws = folder / "ws"
    for kind, key in (("journey-map", "journey_map"), ("alerts", "alerts"), ("metrics", "metrics"),
                      ("incidents", "incidents")):
        ingest_file(ws, kind, world[key])
    return world["truth"], ranked_alerts(ws, include_suppressed=False, signals=True)


def test_real_incidents_lead_the_queue_of_a_world_never_tuned_on(ranked_world):
    """Counted as bench/bench_worlds.py counts (issue 14): entries collapsed by incident_key, the queue lane's
    alert groups, an incident once however many entries hit it; the bar is no world under 0.7."""
    truth, queue = ranked_world
    ranked = worlds_bench.entries(queue)
    shown = queue.head(20)[["service", "name", "stage", "score", "harm", "incident_key"]]
    assert worlds_bench.precision_at_10(ranked, truth) >= 0.7, shown
    assert worlds_bench.recall_at_20(ranked, truth) >= (len(truth) - 1) / len(truth), shown
