"""The counting of bench/bench_worlds.py on hand-made queue frames: distinct problems, lanes, kinds, the
severity baseline and the summary a world range gets."""

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

# bench/ is a folder of scripts run as `python -m bench.…` from the repository root, not part of the package
_spec = importlib.util.spec_from_file_location(
    "bench_worlds", Path(__file__).resolve().parents[2] / "bench" / "bench_worlds.py")
bw = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bw)

TRUTH = {"INC-1": ["a1", "a2", "a3"], "INC-2": ["b1"], "INC-3": ["c1", "c2"]}


def frame(rows, **columns):
    base = pd.DataFrame(rows, columns=["rank", "group_id", "alert_ids"])
    return base.assign(**columns)


def test_seed_ranges():
    assert bw.seed_range("1-4") == [1, 2, 3, 4]
    assert bw.seed_range("3,5,9-10") == [3, 5, 9, 10]


def test_two_rows_of_one_outage_count_once_and_a_world_allows_min_10_incidents():
    queue = frame([(1, "g1", "a1"), (2, "g2", "a2;a3"), (3, "g3", "x1"), (4, "g4", "c2")])
    ranked = bw.entries(queue)
    assert len(ranked) == 4
    assert bw.hits(ranked, TRUTH, 10) == {"INC-1", "INC-3"}
    assert bw.precision_at_10(ranked, TRUTH) == pytest.approx(2 / 3)
    assert bw.recall_at_20(ranked, TRUTH) == pytest.approx(2 / 3)
    assert bw.hits(ranked, TRUTH, 1) == {"INC-1"}


def test_entries_collapse_by_incident_key_in_rank_order_and_keep_the_queue_lane_alert_groups_only():
    queue = frame([(4, "g4", "b1"), (1, "g1", "a1"), (2, "g2", "a2"), (3, "g3", "z9"), (5, "g5", "c1")],
                  incident_key=["g4", "g1", "g1", "g3", "g5"],
                  lane=["queue", "queue", "queue", "needs_mapping", "queue"],
                  kind=["alert_group", "alert_group", "alert_group", "alert_group", "journey_signal"])
    assert bw.entries(queue) == [{"a1", "a2"}, {"b1"}]


def test_an_unmapped_critical_is_visible_only_unsuppressed_and_in_the_needs_mapping_lane():
    unmapped = {"U-1": ["u1", "u2"], "U-2": ["v1"], "U-3": ["w1"]}
    queue = frame([(1, "g1", "u2"), (2, "g2", "v1"), (3, "g3", "w1")], suppressed=[False, False, True],
                  lane=["needs_mapping", "queue", "needs_mapping"])
    assert bw.unmapped_visible(queue, unmapped) == {"U-1": True, "U-2": False, "U-3": False}
    # without lanes (before the lead's interface), any unsuppressed row counts
    assert bw.unmapped_visible(queue.drop(columns="lane"), unmapped) == {"U-1": True, "U-2": True, "U-3": False}


def test_the_baseline_orders_by_severity_then_the_earliest_each_group_apart():
    groups = frame([(1, "g1", "x1"), (2, "g2", "a1"), (3, "g3", "b1"), (4, "g4", "a2")],
                   severity_component=[0.4, 1.0, 1.0, 1.0],
                   first_fired_at=pd.to_datetime(["2026-01-01", "2026-01-03", "2026-01-02", "2026-01-03"]))
    assert bw.severity_order(groups) == [{"b1"}, {"a1"}, {"a2"}, {"x1"}]


def test_summary_counts_worlds_under_the_bars_and_incidents_in_the_top_20():
    worlds = [{"precision_at_10": p, "in_top_20": found, "incidents": 5, "unmapped": {"U-1": seen}}
              for p, found, seen in ((1.0, 5, True), (0.75, 4, False), (0.6, 3, True), (0.9, 5, True))]
    s = bw.summary(worlds)
    assert s["mean_precision_at_10"] == pytest.approx(0.812, abs=1e-3)
    assert (s["worlds_under_0.7"], s["worlds_under_0.8"]) == (1, 2)
    assert (s["incidents_in_top_20"], s["incidents"], s["unmapped_visible"]) == (17, 20, 3)
    assert s["worst_decile_precision_at_10"] < 0.75


def test_perfect_correlation_drops_entries_whose_incidents_were_already_hit_and_keeps_noise():
    ranked = [{"a1"}, {"x1"}, {"a2"}, {"a3", "b1"}, {"b1"}, {"y1"}]
    assert bw.truth_collapsed(ranked, TRUTH) == [{"a1"}, {"x1"}, {"a3", "b1"}, {"y1"}]
