"""The detector's memo (notebooks/signals/deviation_memo.py): the same series under the same settings is
worked out once; any change in the rows or the settings is a new answer; memory stays bounded."""

import threading

import numpy as np
import pandas as pd
import pytest
from journeylens.notebooks.signals import deviation_memo
from journeylens.notebooks.signals.deviation_memo import forget_all, memo_stats, remembered, series_digest
from journeylens.notebooks.signals.journey_signals import journey_deviations
from journeylens.notebooks.workspace.snapshot import connect


@pytest.fixture(autouse=True)
def empty_memo():
    forget_all()
    yield
    forget_all()


def series(n: int = 48, shift: float = 0.0) -> pd.DataFrame:
    ts = pd.date_range("2026-01-01", periods=n, freq="h")
    return pd.DataFrame({"ts": ts, "stage": "checkout", "segment": "all", "entered": 100.0,
                         "completed": np.linspace(50, 60, n) + shift})


def test_the_digest_follows_content_not_row_order():
    rows = series()
    assert series_digest(rows) == series_digest(rows.sample(frac=1, random_state=3))
    changed = rows.copy()
    changed.loc[5, "completed"] += 1
    assert series_digest(changed) != series_digest(rows)
    assert series_digest(rows.assign(segment="enterprise")) != series_digest(rows)


def test_the_digest_ignores_the_last_bits_a_parallel_sum_moves():
    rows = series()
    summed_otherwise = rows.assign(completed=rows["completed"] * (1 + 2e-16))  # another thread order's sum
    assert not summed_otherwise["completed"].equals(rows["completed"])
    assert series_digest(summed_otherwise) == series_digest(rows)
    assert series_digest(rows.assign(completed=rows["completed"] + 1e-6)) != series_digest(rows)


def test_same_rows_and_settings_are_computed_once_and_any_change_computes_again():
    calls = []

    def compute(tag):
        calls.append(tag)
        return pd.DataFrame({"tag": [tag]})

    first = remembered(series(), "conversion", {"z_min": 3}, (30,), lambda: compute("a"))
    again = remembered(series(), "conversion", {"z_min": 3}, (30,), lambda: compute("b"))
    assert again is first and calls == ["a"]
    remembered(series(), "conversion", {"z_min": 4}, (30,), lambda: compute("c"))
    remembered(series(shift=1), "conversion", {"z_min": 3}, (30,), lambda: compute("d"))
    remembered(series(), "satisfaction", {"z_min": 3}, (30,), lambda: compute("e"))
    remembered(series(), "conversion", {"z_min": 3}, (10,), lambda: compute("f"))
    assert calls == ["a", "c", "d", "e", "f"]
    assert memo_stats()["hits"] == 1 and memo_stats()["misses"] == 5


def test_memory_is_bounded_least_recently_used_first_out(monkeypatch):
    big = pd.DataFrame({"x": np.zeros(1000)})
    size = int(big.memory_usage(index=True, deep=True).sum())
    monkeypatch.setattr(deviation_memo, "MOST_BYTES", size * 2)
    for shift in range(4):
        remembered(series(shift=shift), "conversion", {}, (), lambda: big.copy())
    stats = memo_stats()
    assert stats["entries"] == 2 and stats["bytes"] <= size * 2
    calls = []
    remembered(series(shift=0), "conversion", {}, (), lambda: calls.append(1) or big.copy())
    assert calls == [1], "the oldest answer was let go"


def test_journey_deviations_are_equal_from_the_memo_and_one_override_recomputes_one_series(sample_dir, monkeypatch):
    # the memo is the process's: count what this thread works out, not what an app test's background
    # work (a retro base, a ranking opened ahead) may still be computing beside it
    from journeylens.notebooks.signals import journey_signals

    me, computed = threading.get_ident(), []
    real = journey_signals.remembered

    def counted(rows, metric, settings, extra, compute):
        return real(rows, metric, settings, extra,
                    lambda: (computed.append(metric) if threading.get_ident() == me else None, compute())[1])

    monkeypatch.setattr(journey_signals, "remembered", counted)
    # and nothing this thread remembered is let go for room while it runs: another test's background work
    # filling the memo would make it work series out again
    monkeypatch.setattr(deviation_memo, "MOST_BYTES", 1 << 40)
    con = connect(sample_dir)
    try:
        first = journey_deviations(con)
        series_count = len(computed)
        assert series_count > 1, "the sample's series were worked out"
        second = journey_deviations(con)
        assert len(computed) == series_count, "the same series again: all from the memo"
        pd.testing.assert_frame_equal(first, second)
        key = "checkout/all/conversion"
        third = journey_deviations(con, overrides={key: {"z_min": 5.5}})
        assert computed[series_count:] == ["conversion"], "one override: one series worked out again"
        forget_all()
        pd.testing.assert_frame_equal(third, journey_deviations(con, overrides={key: {"z_min": 5.5}}))
    finally:
        con.close()
