"""notebooks/signals/slo.py: journey SLO burn rates with the multiwindow, multi-burn-rate table."""

import numpy as np
import pandas as pd
import pytest
from journeylens.notebooks.signals.slo import burn_alerts, burn_status, check_burn_windows, stage_burn_rates

OUTAGE = pd.Timestamp("2026-03-11 14:00")


def conversion_rows(trials=1000, outage_value=0.25, hours=24 * 14):
    ts = pd.date_range("2026-03-01", periods=hours, freq="h")
    value = np.full(hours, 0.5)
    value[(ts >= OUTAGE) & (ts < OUTAGE + pd.Timedelta("2h"))] = outage_value
    return pd.DataFrame({"ts": ts, "stage": "checkout", "segment": "all", "metric": "conversion",
                         "value": value, "trials": float(trials)})


def test_an_outage_pages_at_once_and_nothing_before():
    rates = stage_burn_rates(conversion_rows())
    at_onset = rates[rates["ts"] == OUTAGE].iloc[0]
    assert at_onset["burn_1h"] == pytest.approx(0.5 / 0.02)  # half the expected completions lost, 2% budget
    assert at_onset["action"] == "page"
    alerts = burn_alerts(rates)
    assert alerts.iloc[0]["started_at"] == OUTAGE and alerts.iloc[0]["action"] == "page"
    assert (pd.to_datetime(alerts["started_at"]) >= OUTAGE).all()
    assert rates.loc[rates["ts"] < OUTAGE, "action"].isna().all()


def test_a_looser_objective_does_not_page_for_the_same_outage():
    rates = stage_burn_rates(conversion_rows(outage_value=0.4), objective=0.9)  # 20% lost, 10% budget
    assert rates["action"].ne("page").all()


def test_thin_traffic_is_not_judged():
    rates = stage_burn_rates(conversion_rows(trials=5))
    assert rates.empty or rates["action"].isna().all()


def test_status_is_the_latest_bucket_per_stage():
    status = burn_status(stage_burn_rates(conversion_rows()))
    assert list(status["stage"]) == ["checkout"] and status["status"].iloc[0] == "ok"


def test_the_table_is_configurable_and_checked():
    custom = [{"long": "2h", "short": "1h", "burn_rate": 5, "action": "ticket"}]
    rates = stage_burn_rates(conversion_rows(), windows=custom)
    assert {"burn_2h", "burn_1h"} <= set(rates.columns) and set(rates["action"].dropna()) == {"ticket"}
    with pytest.raises(ValueError, match="row 1"):
        check_burn_windows([{"long": "1h", "short": "5min", "burn_rate": 2, "action": "email"}])
    with pytest.raises(ValueError, match="objective"):
        stage_burn_rates(conversion_rows(), objective=1.5)
