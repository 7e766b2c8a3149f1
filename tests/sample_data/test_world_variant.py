"""Seeded variant worlds (sample_data/world_variant.py) and the ranking's bar on them (issue 3 §7).

The defaults were chosen on seeds 1-16; the seeds here are outside that range, so this is a check on
worlds the defaults were not tuned to, not a replay of the tuning."""

import pytest
import yaml
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.queue.ranking import ranked_alerts
from journeylens.sample_data.world_variant import build

HELD_OUT_SEEDS = (101, 202, 303)


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
    assert 4 <= len(world["truth"]) <= 6
    assert all(members and set(members) <= ids for members in world["truth"].values())


@pytest.fixture(scope="module", params=HELD_OUT_SEEDS)
def ranked_world(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"world{request.param}")
    world = build(request.param, folder / "files")
    ws = folder / "ws"
    for kind, key in (("journey-map", "journey_map"), ("alerts", "alerts"), ("metrics", "metrics"),
                      ("incidents", "incidents")):
        ingest_file(ws, kind, world[key])
    return world["truth"], ranked_alerts(ws, include_suppressed=False)


def test_real_incidents_lead_the_queue_of_a_world_never_tuned_on(ranked_world):
    truth, queue = ranked_world
    incident_of = {alert: incident for incident, alerts in truth.items() for alert in alerts}
    related = [next((incident_of[a] for a in ids.split(";") if a in incident_of), None) for ids in queue["alert_ids"]]
    top10 = related[:10]
    assert sum(x is not None for x in top10) / 10 >= 0.8, queue.head(10)[["service", "name", "stage", "score"]]
    missing = set(truth) - set(related[:20])
    assert len(missing) <= 1, (missing, queue.head(20)[["service", "name", "stage", "score", "harm"]])
