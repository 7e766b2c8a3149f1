"""Remembered detector runs: one journey series under one set of detector settings is worked out once per
process.

Why: the journey signals are read by every page and command that ranks (the queue's observed harm, the
signals in the queue, the retro, the calibration review), and the detector runs series by series in
pandas: seconds even on the sample, although a stored upload never changes. The key is the series'
content (a digest of its rows), not a snapshot id, so a new upload that leaves a series unchanged still
hits, and an accepted threshold for one series recomputes that series alone. The memory held is bounded
by MOST_BYTES, the least recently used first out. Results are shared: callers must not change them
(journey_deviations only concatenates them).
"""

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np
import pandas as pd

MOST_BYTES = 256 * 1024 * 1024  # a year of hourly buckets for hundreds of series fits, a runaway does not

_lock = threading.Lock()  # Streamlit runs each session in its own thread
_remembered: OrderedDict = OrderedDict()  # key -> (frame or None, bytes)
_held = {"bytes": 0, "hits": 0, "misses": 0}


def series_digest(rows: pd.DataFrame) -> str:
    """A digest of a series' rows, whatever their order: every column of every row, floats to 1e-9. DuckDB's
    parallel sums and means differ in their last bits from run to run (the order they add in follows the
    threads), and rows of one time come in any order: a digest of the exact values in that order missed the
    memo for a series that had not changed. So the rows' own hashes are sorted, of the values rounded."""
    floats = rows.select_dtypes("floating").columns
    steady = rows.assign(**{c: rows[c].round(9) for c in floats}) if len(floats) else rows
    hashed = np.sort(pd.util.hash_pandas_object(steady, index=False).to_numpy())
    names = ",".join(f"{c}:{t}" for c, t in rows.dtypes.astype(str).items())
    return hashlib.blake2b(hashed.tobytes() + names.encode(), digest_size=20).hexdigest()


def remembered(rows: pd.DataFrame, metric: str, settings: dict, extra: tuple,
               compute: Callable[[], pd.DataFrame | None]) -> pd.DataFrame | None:
    """compute()'s answer for this series, metric and settings: from memory when the same rows were worked
    out under the same settings before in this process."""
    key = (series_digest(rows), metric, json.dumps(settings, sort_keys=True, default=str), extra)
    with _lock:
        if key in _remembered:
            _remembered.move_to_end(key)
            _held["hits"] += 1
            return _remembered[key][0]
        _held["misses"] += 1
    found = compute()
    size = 0 if found is None else int(found.memory_usage(index=True, deep=True).sum())
    with _lock:
        if key not in _remembered and size <= MOST_BYTES:
            _remembered[key] = (found, size)
            _held["bytes"] += size
            while _held["bytes"] > MOST_BYTES:
                _, (_, dropped) = _remembered.popitem(last=False)
                _held["bytes"] -= dropped
    return found


def memo_stats() -> dict:
    """{entries, bytes, hits, misses}: what the memo holds and how often it answered."""
    with _lock:
        return {"entries": len(_remembered), **_held}


def forget_all() -> None:
    """Empty the memo (tests; a process that wants its memory back)."""
    with _lock:
        _remembered.clear()
        _held.update(bytes=0, hits=0, misses=0)
