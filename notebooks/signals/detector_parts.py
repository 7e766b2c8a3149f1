"""Small pieces of the thresholds detector (notebooks/signals/thresholds.py) with no analyst view of their own."""

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
