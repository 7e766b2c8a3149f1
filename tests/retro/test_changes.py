"""notebooks/retro/changes.py, notebooks/retro/change_shifts.py and sql/retro/02-03: a change flags its stage
only when a measurable shift in alerting or conversion followed it, and says which."""

import random
import re

import numpy as np
import pandas as pd
import pytest
from change_world import alert_rows, deploy, metric_rows, world, write_csv
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.queue.mapping import create_mapped_alerts
from journeylens.notebooks.queue.profile_defaults import DEFAULT_PROFILE
from journeylens.notebooks.retro.change_shifts import KNOBS, holm
from journeylens.notebooks.retro.changes import change_tests, mark_reviewed, recalibration_status
from journeylens.notebooks.retro.governance import verify_audit
from journeylens.notebooks.workspace.snapshot import close_snapshot, connect
from journeylens.sample_data.world_variant import build


def status_of(ws, stage="checkout"):
    return recalibration_status(ws).set_index("stage").loc[stage]


def test_a_routine_deploy_with_no_shift_is_not_flagged(tmp_path):
    # conversion wanders +-20 points hour to hour on 1,000 entries an hour, and the day after happens to
    # average 4 points higher: a plain binomial test calls that a shift (z ~ 9); read against how much
    # the hours swing (over-dispersion) it is noise
    ws = world(tmp_path, alert_rows("cart-service", 1.0, 1.0),
               metric_rows("checkout", 1000, 0.6, 0.6, seed=2, swing=0.2), [deploy()])
    row = status_of(ws)
    assert row["status"] == "changed, no shift" and row["changes_since_review"] == 1
    assert "no measurable shift in alert rate, conversion" in row["why"]
    tests = change_tests(ws).set_index("metric")
    assert tests.loc["alert rate", "judged"] and tests.loc["conversion", "judged"]


def test_a_deploy_followed_by_an_alert_surge_is_flagged_and_says_alert_rate(tmp_path):
    ws = world(tmp_path, alert_rows("cart-service", 0.5, 3.0),
               metric_rows("checkout", 1000, 0.6, 0.6, seed=3), [deploy(description="v2 rollout")])
    row = status_of(ws)
    assert row["status"] == "to recalibrate"
    assert row["why"].startswith("alert rate 0.50/h -> 3.00/h after deploy of cart-service \"v2 rollout\" at "
                                 "2026-11-03 12:00 UTC")
    assert status_of(ws, "browse")["status"] == "ok" and status_of(ws, "browse")["why"] == "no change recorded"


def test_a_deploy_followed_by_a_conversion_drop_is_flagged_and_says_conversion(tmp_path):
    ws = world(tmp_path, alert_rows("cart-service", 1.0, 1.0),
               metric_rows("checkout", 500, 0.62, 0.51, seed=5, swing=0.03), [deploy()])
    row = status_of(ws)
    assert row["status"] == "to recalibrate"
    assert re.match(r"conversion 6[123]% -> 5[012]% after deploy of cart-service", row["why"]), row["why"]


def test_a_small_significant_wobble_on_a_huge_feed_is_not_a_shift(tmp_path):
    # 200,000 entries an hour: 60.0% -> 59.5% is significant, but half a point is under the minimum shift
    ws = world(tmp_path, alert_rows("cart-service", 1.0, 1.0),
               metric_rows("checkout", 200_000, 0.600, 0.595, seed=11), [deploy()])
    tests = change_tests(ws).set_index("metric")
    assert tests.loc["conversion", "p"] < 1e-6 and not tests.loc["conversion", "large"]
    assert status_of(ws)["status"] == "changed, no shift"


def test_thin_data_is_not_flagged_and_says_not_enough_data(tmp_path):
    ws = world(tmp_path, alert_rows("cart-service", 0.05, 0.1),
               metric_rows("checkout", 2, 0.6, 0.1, seed=1), [deploy()])
    row = status_of(ws)
    assert row["status"] == "unknown" and row["why"].startswith("not enough data to judge 1 change")
    assert "entered on the thinner side" in row["why"] and "alerts around it" in row["why"]


def test_a_change_at_the_edge_of_the_data_scales_its_windows_down_or_cannot_be_judged(tmp_path):
    ws = world(tmp_path, alert_rows("cart-service", 0.5, 3.0), metric_rows("checkout", 1000, 0.6, 0.6, seed=2),
               [deploy(hours=71.5, description="late")])
    row = status_of(ws)
    assert row["status"] == "unknown" and "h needed" in row["why"]


def test_a_review_clears_the_stage_until_the_next_change(tmp_path):
    ws = world(tmp_path, alert_rows("cart-service", 0.5, 3.0), metric_rows("checkout", 1000, 0.6, 0.6, seed=3),
               [deploy()])
    assert status_of(ws)["status"] == "to recalibrate"
    mark_reviewed(ws, "checkout", "alert thresholds raised for the new client")
    row = status_of(ws)
    assert row["status"] == "ok" and row["why"] == "no change since the last review" and row["reviewed_by"]
    # a change after the review (reviews are stamped with the clock, so a change from the future)
    later = {"ts": "2099-01-05T10:00:00Z", "service": "cart-service", "kind": "config", "description": "pool 8 -> 24"}
    ingest_file(ws, "changes", write_csv(tmp_path / "later.csv", [later]))
    row = status_of(ws)
    assert row["status"] == "unknown" and row["changes_since_review"] == 1 and "not enough data" in row["why"]
    assert verify_audit(ws)["ok"]
    with pytest.raises(ValueError, match="which stage"):
        mark_reviewed(ws, "")


def test_many_changes_are_held_to_a_family_wise_alpha():
    tests = pd.DataFrame({"stage": ["a"] * 4 + ["b"], "judged": [True, True, True, False, True],
                          "p": [0.01, 0.04, 0.03, 0.001, 0.04]})
    adjusted = holm(tests)
    assert adjusted.tolist()[:3] == pytest.approx([0.03, 0.06, 0.06]) and np.isnan(adjusted[3])
    assert adjusted[4] == pytest.approx(0.04)


def test_every_knob_is_in_the_profile():
    assert set(KNOBS) <= set(DEFAULT_PROFILE)


def variant_with_deploys(seed: int, folder, regress: float = 1.0) -> tuple:
    """A seeded variant world (sample_data/world_variant.py, not the sample) with three routine deploys at
    random times on every mapped service; `regress` < 1 also scales one stage's completions down from its
    first deploy on, a lasting regression."""
    world_files = build(seed, folder / "files")
    ws = folder / "ws"
    for kind, key in (("journey-map", "journey_map"), ("alerts", "alerts")):
        ingest_file(ws, kind, world_files[key])
    metrics = pd.read_csv(world_files["metrics"])
    stamps = pd.to_datetime(metrics["ts"], utc=True)
    con = connect(ws)
    try:
        create_mapped_alerts(con)
        services = con.execute("select distinct stage, service from mapped_alerts where stage is not null "
                               "order by stage, service").fetchall()
    finally:
        close_snapshot(con)
    r = random.Random(seed)
    start, end = stamps.min(), stamps.max()
    changes = [{"ts": (start + (end - start) * r.uniform(0.1, 0.9)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "service": service, "kind": "deploy", "description": f"{service} routine release r{k}"}
               for _, service in services for k in range(3)]
    stage, service = services[0]
    first = min(pd.Timestamp(c["ts"]) for c in changes if c["service"] == service)
    hit = (metrics["stage"] == stage) & (stamps >= first)
    metrics.loc[hit, "completed"] = (metrics.loc[hit, "completed"] * regress).round().astype(int)
    metrics.to_csv(folder / "metrics.csv", index=False)
    ingest_file(ws, "metrics", folder / "metrics.csv")
    ingest_file(ws, "changes", write_csv(folder / "changes.csv", changes))
    return recalibration_status(ws).set_index("stage"), stage, world_files["incident_details"]


def unexplained_flags(status: pd.DataFrame, incidents: list, skip: str = "") -> list:
    """Flagged stages whose named change was not followed within a day by one of the world's incidents on
    that stage (an incident right after a routine deploy is a real shift after it: flagging it is right)."""
    wrong = []
    for stage, why in status.loc[status["status"] == "to recalibrate", "why"].items():
        at = pd.Timestamp(re.search(r" at (\d{4}-\d\d-\d\d \d\d:\d\d) UTC", why).group(1), tz="UTC")
        starts = [pd.Timestamp(i["start"]) for i in incidents if i["stage"] == stage]
        if stage != skip and not any(at <= start < at + pd.Timedelta(hours=24) for start in starts):
            wrong.append((stage, why))
    return wrong


@pytest.mark.parametrize("seed", [101, 202])
def test_on_variant_worlds_routine_deploys_flag_only_where_an_incident_followed(seed, tmp_path):
    status, _, incidents = variant_with_deploys(seed, tmp_path / "routine")
    assert (status["changes_since_review"] > 0).all()
    assert (status["status"] != "to recalibrate").sum() >= len(status) - 1
    assert unexplained_flags(status, incidents) == []
    status, stage, incidents = variant_with_deploys(seed, tmp_path / "regressed", regress=0.8)
    assert status.loc[stage, "status"] == "to recalibrate" and "conversion" in status.loc[stage, "why"]
    assert unexplained_flags(status, incidents, skip=stage) == []
