"""notebooks/signals/threshold_review.py: static against dynamic over history, and calibration suggestions."""

import numpy as np
import pandas as pd
from journeylens.notebooks.signals.threshold_review import (
    calibration_suggestions,
    static_onsets,
    static_vs_dynamic,
)
from journeylens.notebooks.signals.thresholds import episodes

TS = pd.date_range("2026-03-01", periods=600, freq="h")


def deviations(z: np.ndarray, value: np.ndarray) -> pd.DataFrame:
    found = episodes(z, {"direction": "down"})
    return pd.DataFrame({"ts": TS, "stage": "checkout", "segment": "all", "metric": "conversion", "value": value,
                         "z": z, "alert": found["alert"], "in_episode": found["in_episode"]})


def incidents(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["incident_id", "stage", "opened_at", "resolved_at", "outcome"])


def world():
    rng = np.random.default_rng(2)
    value = 0.5 + rng.normal(0, 0.03, len(TS))
    z = (value - 0.5) / 0.03
    for at, depth in ((200, -5.0), (330, -5.5), (450, -12.0)):  # two blips, then a real outage
        z[at], value[at] = depth, 0.5 + depth * 0.03
    real = ("INC-1", "checkout", TS[450], TS[452], "actioned")
    noise = ("INC-2", "checkout", TS[200], TS[201], "noise")
    return deviations(z, value), incidents(real, noise)


def test_static_rule_fires_at_each_crossing():
    threshold, onsets = static_onsets([10, 10, 7, 7, 10, 7, 10], "down", margin=0.2)
    assert threshold == 8.0 and list(np.flatnonzero(onsets)) == [2, 5]


def test_static_against_dynamic_counts_alerts_and_caught_incidents():
    found, inc = world()
    row = static_vs_dynamic(found, inc, margin=0.1).iloc[0]
    assert row["dynamic_alerts"] == 3 and row["dynamic_caught_ids"] == "INC-1" and row["incidents"] == 1
    assert row["static_alerts"] >= row["dynamic_alerts"] and row["static_caught_ids"] == "INC-1"


def test_calibration_tightens_while_keeping_the_incident_that_mattered():
    found, inc = world()
    suggestion = calibration_suggestions(found, inc).iloc[0]
    assert suggestion["action"] == "tighten" and suggestion["z_min_suggested"] >= 6
    assert (suggestion["alerts_now"], suggestion["alerts_suggested"]) == (3, 1)
    assert suggestion["incidents_caught_suggested"] == suggestion["incidents_caught_now"] == 1
    assert (suggestion["noise_alerts_now"], suggestion["noise_alerts_suggested"]) == (1, 0)
    assert "3 alerts over the history caught 1 of 1 incident that mattered" in suggestion["evidence"]


def test_calibration_loosens_when_the_incident_was_missed():
    found, _ = world()
    quiet = incidents(("INC-9", "checkout", TS[330], TS[331], "escalated"))  # the z -5.5 dip mattered
    suggestion = calibration_suggestions(found, quiet, params={"z_min": 6.0}).iloc[0]
    assert suggestion["action"] == "loosen" and suggestion["z_min_suggested"] <= 5.5
    assert suggestion["incidents_caught_suggested"] == 1 > suggestion["incidents_caught_now"]
