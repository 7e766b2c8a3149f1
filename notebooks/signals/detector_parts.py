"""Small pieces of the thresholds detector (notebooks/signals/thresholds.py) with no analyst view of their own."""

import numpy as np
import pandas as pd


def rows_per_period(timestamps: pd.Series, period: str) -> int:
    """How many rows one seasonal period spans at the series' typical spacing (0 when unknown)."""
    steps = pd.to_datetime(pd.Series(timestamps)).diff().dropna()
    step = steps.median() if len(steps) else pd.NaT
    if pd.isna(step) or step <= pd.Timedelta(0):
        return 0
    return int(round(pd.Timedelta(period) / step))


def trailing_spread(series: pd.Series, rows: int, min_rows: int) -> pd.Series:
    """Robust standard deviation of the rows before each row: interquartile range / 1.349."""
    past = series.shift(1).rolling(rows, min_periods=min_rows)
    return (past.quantile(0.75) - past.quantile(0.25)) / 1.349


def trailing_record(values, rows: int, warmup_rows: int, warmup_weight: float) -> np.ndarray:
    """The largest |value| of the `rows` rows before each row. The first warmup_rows rows rest on little
    history (a spread from few rows inflates their z): they set no record while the warm-up lasts, and
    count at warmup_weight of their size after it (an early spike still says the series is spiky)."""
    values = np.abs(np.asarray(values, dtype=float))
    warm = min(int(warmup_rows), len(values))
    values[:warm] *= warmup_weight
    record = pd.Series(values).shift(1).rolling(int(rows), min_periods=1).max().fillna(0.0).to_numpy()
    # a row inside the warm-up has only warm-up rows before it: no record yet
    return np.where(np.arange(len(values)) < warm, 0.0, record)
