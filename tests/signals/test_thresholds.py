"""notebooks/signals/thresholds.py: the causal, seasonal, volume-aware detector and its episodes."""

import math

import numpy as np
import pandas as pd
import pytest
from journeylens.notebooks.signals.detector_parts import trailing_record
from journeylens.notebooks.signals.thresholds import (
    DETECTOR,
    detect,
    detect_rate,
    detector_params,
    episodes,
    wilson_interval,
)


def daily_series(n=3000, seed=0, noise=1.0):
    rng = np.random.default_rng(seed)
    stamps = pd.date_range("2024-01-01", periods=n, freq="5min")
    values = 100 + 20 * np.sin(np.arange(n) * 2 * math.pi / 288) + rng.normal(0, noise, n)
    return stamps, values


def test_a_spike_alerts_once_at_onset_and_recovers():
    stamps, values = daily_series()
    values[2000:2006] += 60  # a six-row incident
    result = detect(stamps, values)
    assert list(np.flatnonzero(result["alert"])) == [2000]
    assert result["anomaly_score"][2000] >= 0.5 and (result["anomaly_score"].drop(index=2000) < 0.5).all()
    assert result["in_episode"][2000:2006].all()
    recovered = np.flatnonzero(result["recovered"])
    assert len(recovered) == 1 and 2006 <= recovered[0] <= 2006 + DETECTOR["recover_rows"] + 1


def test_row_t_uses_rows_up_to_t_only():
    stamps, values = daily_series(seed=3)
    values[1800] -= 50
    full = detect(stamps, values)
    for cut in (900, 1801, 2500):
        head = detect(stamps[:cut], values[:cut])
        pd.testing.assert_frame_equal(head, full.iloc[:cut], check_exact=False, rtol=1e-9)


def test_no_alert_before_the_minimum_history():
    stamps, values = daily_series(n=400)
    values[50] += 500
    assert not detect(stamps, values)["alert"][: DETECTOR["min_samples"]].any()


def test_the_seasonal_baseline_catches_a_normal_value_at_the_wrong_time():
    # from day 8, a flat stretch at the daily mean: every value is ordinary, the shape is not
    stamps, values = daily_series(n=288 * 10, noise=0.5)
    start = 288 * 8 + 60
    values[start:start + 100] = 100.0
    result = detect(stamps, values)
    alerts = np.flatnonzero(result["alert"])
    assert any(start <= a < start + 100 for a in alerts)
    assert not any(288 * 2 <= a < start for a in alerts)  # a week of ordinary days: quiet


def test_direction_down_ignores_rises():
    stamps, values = daily_series(seed=5)
    values[2000] += 80
    values[2500] -= 80
    down = detect(stamps, values, {"direction": "down"})
    assert list(np.flatnonzero(down["alert"])) == [2500]
    assert 2000 in np.flatnonzero(detect(stamps, values)["alert"])


def test_rates_are_volume_aware():
    rng = np.random.default_rng(1)
    n = 1500
    stamps = pd.date_range("2024-01-01", periods=n, freq="h")

    def run(trials):
        completed = rng.binomial(trials, 0.30, n).astype(float)
        completed[1200:1203] = np.round(trials * 0.18)  # conversion falls from 30% to 18%
        return detect_rate(stamps, completed, np.full(n, trials, dtype=float), {"direction": "down"}, min_trials=30)

    thick, thin = run(20_000), run(40)
    assert thick["alert"][1200:1203].any()  # 12 points on 20,000 sessions: certain
    assert not thin["alert"].any()  # the same fall on 40 sessions is within the noise
    assert (thick["lower"] <= thick["rate"]).all() and (thick["rate"] <= thick["upper"]).all()
    below_guard = detect_rate(stamps, np.zeros(n), np.full(n, 10.0), min_trials=30)
    assert not below_guard["alert"].any()  # thin traffic never pages


def test_wilson_interval_known_values():
    lower, upper = wilson_interval([0, 50, 0], [10, 100, 0])
    assert lower[0] == 0.0 and upper[0] == pytest.approx(0.2775, abs=1e-4)
    assert (lower[1], upper[1]) == pytest.approx((0.4038, 0.5962), abs=1e-4)
    assert (lower[2], upper[2]) == (0.0, 1.0)


def test_a_worse_deviation_alerts_again_inside_the_refractory_period():
    z = np.zeros(600)
    z[300], z[320], z[340] = 6.0, 5.0, 9.0
    alerts = np.flatnonzero(episodes(z)["alert"])
    assert list(alerts) == [300, 340]  # 320 is weaker than the alert 20 rows before; 340 is worse


def test_a_deviation_growing_row_by_row_alerts_once():
    z = np.zeros(600)
    z[300:306] = [5.0, 6.0, 7.0, 8.0, 9.0, 10.0]  # one problem getting worse: each row a new record
    assert list(np.flatnonzero(episodes(z)["alert"])) == [300]
    assert list(np.flatnonzero(episodes(z, {"min_gap_rows": 0})["alert"])) == [300, 301, 302, 303, 304, 305]


def test_the_first_rows_set_no_record_while_they_last_and_count_at_a_discount_after():
    # a deviation early on (its spread rested on little history) sets no record during the warm-up...
    warm, weight = DETECTOR["record_warmup_rows"], DETECTOR["record_warmup_weight"]
    assert 150 < 300 < warm < 700 and 0.0 < weight < 1.0
    z = np.zeros(1000)
    z[150], z[300] = 30.0, 6.0
    assert list(np.flatnonzero(episodes(z)["alert"])) == [150, 300]
    assert list(np.flatnonzero(episodes(z, {"record_warmup_rows": 0})["alert"])) == [150]
    # ...and after it counts at its discounted size: a later deviation must beat weight x the early one
    z = np.zeros(1000)
    z[150], z[700] = 10.0, 6.0  # 6 beats half of 10, not 10
    assert list(np.flatnonzero(episodes(z)["alert"])) == [150, 700]
    assert list(np.flatnonzero(episodes(z, {"record_warmup_weight": 1.0})["alert"])) == [150]
    z[150] = 30.0  # a huge early spike still says the series is spiky: 6 is not new for it
    assert list(np.flatnonzero(episodes(z)["alert"])) == [150]
    assert list(np.flatnonzero(episodes(z, {"record_warmup_weight": 0.0})["alert"])) == [150, 700]


def test_trailing_record_is_causal_and_weighs_the_warm_up():
    rng = np.random.default_rng(4)
    values = rng.normal(0, 1, 900)
    full = trailing_record(values, 200, 100, 0.5)
    for cut in (50, 101, 450):  # appending rows never changes an earlier record
        np.testing.assert_allclose(trailing_record(values[:cut], 200, 100, 0.5), full[:cut])
    assert (full[:100] == 0.0).all()  # no record while the warm-up lasts
    assert full[150] == pytest.approx(max(0.5 * np.abs(values[:100]).max(), np.abs(values[100:150]).max()))
    assert full[500] == pytest.approx(np.abs(values[300:500]).max())  # the warm-up has left the window


def test_unknown_settings_are_refused():
    with pytest.raises(ValueError, match="z_minimum"):
        detector_params({"z_minimum": 3})
