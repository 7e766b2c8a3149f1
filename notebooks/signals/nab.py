r"""The NAB scorer, re-implemented from its published rules.

The Numenta Anomaly Benchmark (Lavin & Ahmad 2015; Ahmad et al. 2017) scores a detector per file:

- every labelled anomaly **window** is either found (reward) or missed (cost $w_{fn}$);
- the reward of a window is its **earliest** detection, through a scaled sigmoid of the position
  $p = -(\text{right} - i + 1)/\text{width}$: $\sigma(p) = 2/(1+e^{5p}) - 1$, divided by
  $\sigma(-1) \approx 0.987$ so that the window's first row earns the full $w_{tp}$ and its end 0;
- a detection outside every window costs $w_{fp}\,\sigma(d)$ with $d$ the distance past the
  previous window in window lengths (the full $w_{fp}$ with no earlier window);
- the first 15% of each file (at most 750 rows) is probationary and never scored (nor is a
  window that lies wholly inside it);
- scores are summed over files and normalised: the null detector 0, the perfect detector 100.

| profile | $w_{tp}$ | $w_{fp}$ | $w_{fn}$ |
|---|---|---|---|
| standard | 1.0 | 0.11 | 1.0 |
| reward_low_FP_rate | 1.0 | 0.22 | 1.0 |
| reward_low_FN_rate | 1.0 | 0.11 | 2.0 |
"""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
from journeylens.notebooks.signals.thresholds import detect
from journeylens.notebooks.workspace.contract import IngestError
from journeylens.notebooks.workspace.safe_output import check_output_folder, write_csv

# NAB's three application profiles: the weight of a true positive, a false positive, a missed window.
PROFILES = {
    "standard": {"tp": 1.0, "fp": 0.11, "fn": 1.0},
    "reward_low_FP_rate": {"tp": 1.0, "fp": 0.22, "fn": 1.0},
    "reward_low_FN_rate": {"tp": 1.0, "fp": 0.11, "fn": 2.0},
}
PROBATION_SHARE = 0.15  # the unscored start of every file...
PROBATION_MAX_ROWS = 750  # ...at most 15% of 5,000 rows
THRESHOLD = 0.5  # anomaly_score >= 0.5 is an alert


def scaled_sigmoid(position: float) -> float:
    """NAB's reward for a detection at `position`: relative to the window's end, in window lengths.
    -1 (the window's first row) earns ~0.987; the end earns ~0; beyond the end it turns into a penalty
    that approaches -1 (and is exactly -1 more than three window lengths later)."""
    if position > 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * position)) - 1.0


def probation_rows(n_rows: int) -> int:
    """Rows at the start of a file that are never scored: 15% of the file, at most 750."""
    return int(min(math.floor(PROBATION_SHARE * n_rows), PROBATION_SHARE * 5000))


def window_rows(timestamps: pd.Series, windows: list) -> list:
    """[(first row, last row)] of each labelled window [start, end] (inclusive timestamps). Rows are
    taken as they come: a file whose clock steps back (NAB has one) still finds its windows."""
    stamps = pd.to_datetime(pd.Series(timestamps), format="mixed").to_numpy()
    rows = []
    for start, end in windows:
        inside = np.flatnonzero((stamps >= np.datetime64(pd.Timestamp(start))) & (stamps <= np.datetime64(pd.Timestamp(end))))
        if len(inside):
            rows.append((int(inside[0]), int(inside[-1])))
    return rows


def score_file(alerts, windows: list, profile: str = "standard") -> dict:
    """The raw NAB score of one file. `alerts` = booleans per row (the detector's anomaly_score >=
    THRESHOLD); `windows` = window_rows(). Rules (Lavin & Ahmad 2015; NAB v1.1 sweeper):
    - rows in the probationary period are ignored, and so is a window that lies wholly inside it;
    - in a window, only the best (earliest) detection counts: tp weight x scaled_sigmoid(-(right - i
      + 1) / width) / scaled_sigmoid(-1), so a detection on the window's first row earns the full tp
      weight; a window with no detection costs the fn weight;
    - a detection outside every window costs fp weight x scaled_sigmoid((i - right of the previous
      window) / (its width - 1)): a detection soon after a window is penalised less; with no earlier
      window, the full fp weight."""
    weights = PROFILES[profile]
    alerts = np.asarray(alerts, dtype=bool)
    probation = probation_rows(len(alerts))
    windows = sorted((left, right) for left, right in windows if right >= probation)
    max_tp = scaled_sigmoid(-1.0)
    best = {}
    score, false_positives = 0.0, 0
    for i in np.flatnonzero(alerts):
        if i < probation:
            continue
        inside = next((w for w, (left, right) in enumerate(windows) if left <= i <= right), None)
        if inside is not None:
            left, right = windows[inside]
            reward = weights["tp"] * scaled_sigmoid(-(right - i + 1) / (right - left + 1)) / max_tp
            best[inside] = max(best.get(inside, -math.inf), reward)
            continue
        before = [(left, right) for left, right in windows if right < i]
        if before:
            left, right = before[-1]
            penalty = scaled_sigmoid(abs(right - i) / max(right - left, 1))
        else:
            penalty = -1.0
        score += weights["fp"] * penalty
        false_positives += 1
    # a window's score is its best detection, but never below the cost of missing it
    found = {w: max(value, -weights["fn"]) for w, value in best.items()}
    missed = len(windows) - len(found)
    score += sum(found.values()) - weights["fn"] * missed
    return {"raw": score, "tp": len(found), "fp": false_positives, "fn": missed, "windows": len(windows)}


def normalised_scores(files: list) -> dict:
    """{profile: 0-100 score} over many files. `files` = [(alerts, windows)]. Normalisation: the null
    detector (never alerts) scores 0, a perfect one (one alert on each window's first row) 100."""
    out = {}
    for profile, weights in PROFILES.items():
        scored = [score_file(alerts, windows, profile) for alerts, windows in files]
        raw, count = sum(f["raw"] for f in scored), sum(f["windows"] for f in scored)
        null, perfect = -weights["fn"] * count, weights["tp"] * count
        out[profile] = 100.0 * (raw - null) / (perfect - null) if count else 0.0
    return out


def nab_files(data_dir) -> list:
    """The NAB-layout CSV files under data_dir as relative names 'corpus/file.csv', sorted."""
    root = Path(data_dir)
    return sorted(p.relative_to(root).as_posix() for p in root.glob("*/*.csv"))


def load_windows(labels_json) -> dict:
    """{'corpus/file.csv': [[start, end], ...]} from NAB's combined_windows.json."""
    with open(labels_json) as handle:
        labels = json.load(handle)
    if not isinstance(labels, dict):
        raise ValueError(f"{labels_json}: expected a JSON object of file name -> windows")
    return labels


def read_nab_csv(path) -> pd.DataFrame:
    """A NAB-layout file (timestamp,value), checked: a refusal names the file, row (1-based, header
    excluded) and column, as ingest does (SPEC §3)."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as err:
        raise IngestError(path, None, None, "a CSV file with columns timestamp,value", str(err)) from None
    for column in ("timestamp", "value"):
        if column not in frame.columns:
            raise IngestError(path, "header", column, "columns timestamp,value", ",".join(frame.columns) or "nothing")
    stamps = pd.to_datetime(frame["timestamp"], errors="coerce", format="mixed")
    values = pd.to_numeric(frame["value"], errors="coerce")
    for column, parsed, expected in (("timestamp", stamps, "a timestamp"), ("value", values, "a number")):
        bad = parsed.isna().to_numpy()
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise IngestError(path, row + 1, column, expected, repr(frame[column].iloc[row]))
    return pd.DataFrame({"timestamp": frame["timestamp"], "value": values, "parsed": stamps})


def score_directory(data_dir, out_dir, progress=None) -> list:
    """Runs the detector (thresholds.detect, the frozen operating point) causally on every NAB file
    under data_dir; writes out_dir/<corpus>/<file>.csv with timestamp,value,anomaly_score. Returns the
    relative names written. `progress(done, total, name)` is called after each file."""
    names = nab_files(data_dir)
    if not names:
        raise ValueError(f"{data_dir}: no NAB files (expected <corpus>/<file>.csv)")
    # every target and every file is checked before anything is written: a refusal leaves no half output,
    # and no output lands on the data being scored or on a workspace's stored state (safe_output)
    inputs = [Path(data_dir) / name for name in names]
    targets = dict(zip(names, check_output_folder(out_dir, names, inputs=inputs), strict=True))
    frames = {name: read_nab_csv(Path(data_dir) / name) for name in names}
    for done, (name, frame) in enumerate(frames.items(), start=1):
        scores = detect(frame["parsed"], frame["value"].to_numpy())["anomaly_score"].to_numpy()
        targets[name].parent.mkdir(parents=True, exist_ok=True)
        write_csv(frame[["timestamp", "value"]].assign(anomaly_score=np.round(scores, 6)), targets[name])
        if progress:
            progress(done, len(names), name)
    return names


def evaluate_directory(data_dir, labels_json, scores_dir=None, progress=None) -> dict:
    """NAB scores of a detector over the files of data_dir that labels_json knows: {profile: score,
    "files": n, "windows": n, per-profile counts}. scores_dir = earlier `nab score` output; without
    it the detector runs now."""
    labels = load_windows(labels_json)
    names = [n for n in nab_files(data_dir) if n in labels]
    if not names:
        raise ValueError(f"{labels_json}: names none of the files under {data_dir}")
    files = []
    for done, name in enumerate(names, start=1):
        frame = read_nab_csv(Path(data_dir) / name)
        if scores_dir is None:
            scores = detect(frame["parsed"], frame["value"].to_numpy())["anomaly_score"].to_numpy()
        else:
            scored = pd.read_csv(Path(scores_dir) / name)
            if "anomaly_score" not in scored or len(scored) != len(frame):
                raise ValueError(f"{Path(scores_dir) / name}: expected anomaly_score for each of {len(frame)} rows")
            scores = scored["anomaly_score"].to_numpy(dtype=float)
        files.append((scores >= THRESHOLD, window_rows(frame["parsed"], labels[name])))
        if progress:
            progress(done, len(names), name)
    result = normalised_scores(files)
    counts = [score_file(alerts, windows) for alerts, windows in files]
    result.update({"files": len(files), "windows": sum(c["windows"] for c in counts),
                   "detected": sum(c["tp"] for c in counts), "false_positives": sum(c["fp"] for c in counts)})
    return result
