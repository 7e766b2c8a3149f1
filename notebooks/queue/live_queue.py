"""A ranked queue kept open, so that a slider re-ranks it at once: the Ranked page and the scoring notebook.

A full ranking (ranking.rank_alerts) maps, groups and scores every alert. Most settings need less:

- weights, corroboration, harm exponent, threshold, suppression rules, playbooks (RERANK_SETTINGS):
  re-score the narrow components and re-route (ranking.rerank), the fast path;
- how harm, exposure, windows and defaults are read: score again over the same groups
  (scoring.score_groups), without the pass over the alerts;
- how alerts group and link to changes (GROUPING_SETTINGS), or new data: rank in full.

A LiveQueue holds one DuckDB snapshot of a workspace with the ranking's tables and takes the shortest
path that gives the same queue as a full ranking. DuckDB temp tables belong to their connection (a cursor
does not see them), so a LiveQueue is used by one thread at a time, under its lock; everything else opens
its own connection. It also answers the drill-down ("why this group?") from the same tables and the same
profile: the stage's hours around the group's window, its segments, and the changes before it."""

import json
import threading
from pathlib import Path

import pandas as pd
from journeylens.notebooks.queue.ranking import queue_select, rank_alerts, rerank, route_groups
from journeylens.notebooks.queue.rule_suggestions import lane_suggestions
from journeylens.notebooks.queue.scoring import DEFAULT_PROFILE, resolve_profile, score_groups
from journeylens.notebooks.workspace.snapshot import connect, sql_text

# Settings a ranking reads while grouping alerts and linking changes: a change ranks in full.
GROUPING_SETTINGS = ("group_gap_minutes", "flap_window_minutes", "flap_min_cycles", "change_lookback_minutes")
# Settings read only after the components: a change re-scores and re-routes (the fast path).
RERANK_SETTINGS = ("weights", "corroboration", "harm_exponent", "threshold", "threshold_spares_harm", "suppress")
# The rest: read while scoring the groups (windows, harm, exposure, defaults).
SCORING_SETTINGS = tuple(k for k in DEFAULT_PROFILE if k not in GROUPING_SETTINGS + RERANK_SETTINGS)


def settings_key(p: dict, keys: tuple) -> str:
    return json.dumps({k: p[k] for k in keys}, sort_keys=True, default=str)


class LiveQueue:
    """The ranked queue of one workspace snapshot, re-ranked in place as the profile changes.

    `key` is the caller's name for what was opened (the Ranked page uses the workspace and its upload
    ids: a new upload opens a new LiveQueue). `signals` also queues journey signals and AI drops."""

    def __init__(self, workspace, signals: bool = True, key=None):
        self.workspace, self.signals, self.key = Path(workspace), signals, key
        self.lock = threading.Lock()
        self.con = connect(workspace)
        self.profile = None  # the resolved profile the tables hold
        self.last_path = None  # "full", "score", "rerank" or "unchanged": what the last update did
        self.full_rankings = 0
        self._ranked_for = None  # (profile, playbooks) of the tables
        self._queue = None

    def update(self, profile: dict | None = None, playbooks: list | None = None) -> str:
        """Ranks under `profile` (resolved here, once) and `playbooks`, the shortest way; returns the path."""
        p = resolve_profile(profile)
        wanted = (settings_key(p, tuple(DEFAULT_PROFILE)), json.dumps(playbooks or [], sort_keys=True, default=str))
        with self.lock:
            before = self.profile
            if wanted == self._ranked_for:
                path = "unchanged"
            elif before is None or settings_key(p, GROUPING_SETTINGS) != settings_key(before, GROUPING_SETTINGS):
                rank_alerts(self.con, p, playbooks, signals=self.signals)
                self.full_rankings += 1
                path = "full"
            elif settings_key(p, SCORING_SETTINGS) != settings_key(before, SCORING_SETTINGS):
                score_groups(self.con, p, deviations_ready=True)  # the full ranking left journey_deviations
                route_groups(self.con, p, playbooks)
                path = "score"
            else:
                rerank(self.con, p, playbooks)
                path = "rerank"
            if path != "unchanged":
                self.profile, self._ranked_for, self._queue = p, wanted, None
            self.last_path = path
        return path

    def queue(self) -> pd.DataFrame:
        """The whole queue (ranking.RANKED_COLUMNS), best first, as the last update ranked it."""
        with self.lock:
            if self._queue is None:
                self._queue = lane_suggestions(self.con, self.con.execute(queue_select()).df())
            return self._queue

    def stage_hours(self, stage: str, start, end, margin_hours: float = 24) -> pd.DataFrame:
        """The stage's hourly traffic, entries, completions, conversion and its baseline (stage_hourly, as the
        score read them) from `margin_hours` before `start` to as long after `end`."""
        margin = pd.Timedelta(hours=margin_hours)
        with self.lock:
            return self.con.execute(
                "select hour, traffic, entered, completed, conversion, conversion_baseline from stage_hourly "
                "where stage = $stage and hour >= $since and hour <= $until order by hour",
                {"stage": stage, "since": pd.Timestamp(start) - margin, "until": pd.Timestamp(end) + margin}).df()

    def segments(self, stage: str, start, end) -> pd.DataFrame:
        """Per segment of a stage over [start, end): entries, conversion, the hour-of-day baseline
        (sql/queue/21_segment_conversion.sql) and below_baseline = conversion < baseline."""
        with self.lock:
            frame = self.con.execute(sql_text("segment_conversion"),
                                     {"stage": stage, "start": pd.Timestamp(start), "end": pd.Timestamp(end)}).df()
        frame["below_baseline"] = frame["conversion"] < frame["conversion_baseline"]
        return frame

    def changes_before(self, group_id: str) -> pd.DataFrame:
        """Every change within the profile's change_lookback_minutes before the group started, on its service
        or another service of its stage, best first: the first is the one the queue links
        (sql/queue/07_group_changes.sql, the query that linked it)."""
        with self.lock:
            return self.con.execute(sql_text("group_changes"), {
                "lookback_minutes": int(self.profile["change_lookback_minutes"]), "group_id": group_id,
                "per_group": None}).df().drop(columns=["group_id"])

    def close(self) -> None:
        with self.lock:
            self.con.close()
