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
its own connection. The lock is re-entrant: a reader that must see one profile's queue across several
reads (the Ranked page, whose sessions share one LiveQueue and rank it under their own sliders) holds it
around `update` and its reads, so that no other thread re-ranks in between; `closed` tells it, once it
holds the lock, whether the queue was closed (replaced) while it waited. It also answers the drill-down
("why this group?") from the same tables and the same profile: the stage's hours around the group's
window, its segments, and the changes before it."""

import json
import shutil
import tempfile
import threading
import weakref
from pathlib import Path

import pandas as pd
from journeylens.notebooks.queue.groups import details_sql
from journeylens.notebooks.queue.live_tables import MOST_LISTED, entry_rows_sql, listed_rows, rows_sql
from journeylens.notebooks.queue.queue_view import counts_of, entries_sql, with_entry_types
from journeylens.notebooks.queue.ranking import (
    queue_select,
    rank_alerts,
    rerank,
    route_groups,
)
from journeylens.notebooks.queue.rule_suggestions import lane_suggestions
from journeylens.notebooks.queue.scoring import DEFAULT_PROFILE, resolve_profile, score_groups
from journeylens.notebooks.workspace.snapshot import connect, limit_memory, sql_text

# ...and, on the first page after a full ranking, of the first entries too: one read of the held alerts
# serves the pages a slider's next orders show; later pages read their own groups' only
LEARN_AHEAD = 1000
MOST_MEMBERS = 500  # an entry's drill-down lists its first member groups: an outage can have thousands
HOLD_MEMORY_LIMIT = "1GB"  # DuckDB's cap between rankings (JOURNEYLENS_MEMORY_LIMIT wins, as for ranking)
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
        self.lock = threading.RLock()  # re-entrant: held around a session's reads, each of which takes it
        self.closed = False
        self.con = connect(workspace)
        # what the tables hold beyond HOLD_MEMORY_LIMIT spills here, a private folder removed on close (an
        # in-memory DuckDB would use ./.tmp, wherever the app was started)
        self.spill_dir = tempfile.mkdtemp(prefix="journeylens-live-")
        self.con.execute("set temp_directory = '{}'".format(self.spill_dir.replace("'", "''")))  # SET takes no parameter
        weakref.finalize(self, shutil.rmtree, self.spill_dir, True)  # also when never closed, at exit at the latest
        self.profile = None  # the resolved profile the tables hold
        self.last_path = None  # "full", "score", "rerank" or "unchanged": what the last update did
        self.full_rankings = 0
        self._ranked_for = None  # (profile, playbooks) of the tables
        self._learned_ahead = False  # whether the details of the first LEARN_AHEAD entries were worked out

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
            if path == "full":  # new groups: what was worked out for the old ones no longer holds
                self.con.execute("create or replace temp table known_details (group_id varchar, instances varchar, "
                                 "flap_count bigint)")
                # held, narrow: a page of groups not shown yet reads these rows, not every alert folded again
                self.con.execute("create or replace temp table held_alert_moments as select * from alert_moments")
                self.con.execute("create or replace temp view alert_moments as select * from held_alert_moments")
                self._learned_ahead = False
                # the ranking ran under its own cap; what it leaves is held under a smaller one (the rest
                # spills to spill_dir): at a million alerts, 1.6 GB resident becomes about 0.7 GB
                limit_memory(self.con, HOLD_MEMORY_LIMIT)
            if path != "unchanged":
                self.profile, self._ranked_for = p, wanted
                self._collapse(path)
            self.last_path = path
        return path

    def _collapse(self, path: str) -> None:
        """After a ranking, kept on the connection so that the page counts the queue and reads one page of
        it without moving the whole queue (half a million rows at a million alerts) to pandas: what no
        re-rank moves (sql/queue/24, 26), worked out after a full ranking or re-scoring only, and the
        order of the rows and entries (25, 27), narrow, after every update. The views live_rows (the
        ranked rows as queue_select gives them, without the alert details), queue_rows and entry_rows
        (what queue_view.counts_of counts) read them."""
        if path in ("full", "score"):
            self.con.execute(sql_text("live_group_facts"))
            self.con.execute(sql_text("live_entry_facts"))
        self.con.execute(sql_text("live_group_order"))
        self.con.execute(sql_text("live_entry_order"))
        if path in ("full", "score"):
            self.con.execute(f"create or replace temp view live_rows as {rows_sql('true')}")
            # the counts read what no re-rank moves (kinds, lanes, severities, alerts) and the entries' states
            self.con.execute("create or replace temp view queue_rows as select * from live_group_facts")
            self.con.execute("create or replace temp view entry_rows as select * from live_entry_order")

    def grouping_key(self) -> str:
        """The grouping settings of the tables: an entry's alerts change with them, nothing else."""
        return settings_key(self.profile, GROUPING_SETTINGS)

    def counts(self) -> dict:
        """queue_view.queue_counts of the queue, counted where it is kept."""
        with self.lock:
            return counts_of(self.con)

    def entries(self, offset: int = 0, limit: int = 50, include_suppressed: bool = False,
                entry_id: str | None = None) -> pd.DataFrame:
        """`limit` entries from `offset` (queue_view.entries_with_routing's columns), best first, or the one
        `entry_id`; their members, sources, services and instances listed for these entries only. alert_ids
        is left empty (an outage can hold thousands): entry_alert_ids gives one entry's."""
        where = "where true" if include_suppressed else "where not suppressed"
        if entry_id is not None:
            where = "where entry_id = $entry"
        with self.lock:
            chosen = f"select entry_id from live_entry_order {where} order by rank limit $limit offset $offset"
            page = self.con.execute(entry_rows_sql(chosen),
                                    {"limit": int(limit), "offset": int(offset),
                                     **({"entry": str(entry_id)} if entry_id is not None else {})}).df()
            if page.empty:
                return with_entry_types(page)
            self.con.register("page_entries", page[["entry_id"]])
            try:
                # instances need every alert: read for each entry's first members only (an outage can have
                # thousands of groups, and the page must not read every alert of the workspace)
                ahead = "" if self._learned_ahead else \
                    f" union all (select entry_id from live_entry_order order by rank limit {LEARN_AHEAD})"
                self._learn_details(
                    "select f.group_id from live_group_facts as f join live_group_order as o using (group_id) "
                    f"where f.entry_key in (select entry_id from page_entries{ahead}) qualify row_number() over "
                    f"(partition by f.entry_key order by f.is_signal, o.position) <= {MOST_LISTED}")
                self._learned_ahead = True
                listed = self.con.execute(
                    f"select entry_id, member_group_ids, sources, services, instances, flapping "
                    f"from ({entries_sql(listed_rows())})", {"listed": True}).df().set_index("entry_id")
            finally:
                self.con.unregister("page_entries")
        listed["member_group_ids"] = listed["member_group_ids"].map(lambda ids: ";".join(ids.split(";")[:MOST_LISTED]))
        for column in listed:
            page[column] = page["entry_id"].map(listed[column])
        return with_entry_types(page)

    def _learn_details(self, chosen: str) -> None:
        """Works out the instances and flap cycles (groups.details_sql) of the groups `chosen` selects that
        are not known yet, and keeps them (known_details) until the groups change: they depend on the
        grouping, never on the weights, so a slider's next page reads no alert."""
        unknown = f"select group_id from ({chosen}) where group_id not in (select group_id from known_details)"
        if not self.con.execute(f"select count(*) from ({unknown})").fetchone()[0]:
            return
        ctes, _ = details_sql(unknown)
        self.con.execute(f"insert into known_details select * from (with {ctes} select c.group_id, d.instances, "
                         "d.flap_count from chosen_groups as c left join d using (group_id))")

    def span(self) -> pd.DataFrame:
        """One row: when the first row of the queue fired and the last one ended (retro/scope.data_span)."""
        with self.lock:
            return self.con.execute("select min(first_fired_at) as first_fired_at, max(last_fired_at) as "
                                    "last_fired_at from live_group_facts").df()

    def entry_summary(self) -> pd.DataFrame:
        """Every entry's id, rank, score, state and names (what profile_compare.compare_queues reads)."""
        with self.lock:
            return self.con.execute("select o.entry_id, o.rank, o.score, o.suppressed, o.kind, o.lane, o.stage, "
                                    "f.service, f.name from live_entry_order as o join live_group_facts as f "
                                    "on f.group_id = o.lead_group_id order by o.rank").df()

    def entry_alert_ids(self, entry_id: str) -> str:
        """The ';'-separated ids of every alert of one entry's groups, in firing order within each group."""
        with self.lock:
            ctes, detail = details_sql("select group_id from live_group_facts where entry_key = $entry")
            found = self.con.execute(
                f"with {ctes} select string_agg({detail['alert_ids']}, ';' order by o.position) "
                f"from live_group_order as o join d using (group_id)", {"entry": str(entry_id)}).fetchone()[0]
        return found or ""

    def member_rows(self, entry_id: str, most: int = MOST_MEMBERS) -> pd.DataFrame:
        """The ranked rows (ranking.RANKED_COLUMNS) of an entry's first `most` member groups, best first,
        with their alert details: what its drill-down shows."""
        members = ("select f.group_id from live_group_facts as f join live_group_order as o using (group_id) "
                   "where f.entry_key = $entry order by o.position limit $most")
        with self.lock:
            frame = self.con.execute(queue_select(only=members), {"entry": str(entry_id), "most": int(most)}).df()
            return lane_suggestions(self.con, frame)

    def lane(self, limit: int = 500) -> tuple[pd.DataFrame, int]:
        """(the needs-mapping lane's first `limit` groups, critical/high first, ranked among the alert
        groups as ranked_alerts.csv ranks them; how many it holds)."""
        with self.lock:
            frame = self.con.execute(
                "select * exclude (position, group_rank) replace (group_rank as rank) from ("
                "select *, row_number() over (order by position) as group_rank from live_rows "
                "where kind = 'alert_group') where lane = 'needs_mapping' "
                "order by lower(coalesce(severity, '')) not in ('critical', 'high'), group_rank limit $limit",
                {"limit": int(limit)}).df()
            total = self.con.execute("select count(*) from live_group_facts where kind = 'alert_group' "
                                     "and lane = 'needs_mapping'").fetchone()[0]
            return lane_suggestions(self.con, frame), int(total)

    def queue(self) -> pd.DataFrame:
        """The whole queue (ranking.RANKED_COLUMNS), best first, as the last update ranked it."""
        with self.lock:  # not kept: at a million alerts it is hundreds of MB, read for a download only
            return lane_suggestions(self.con, self.con.execute(queue_select()).df())

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
        """Closes the snapshot, once whoever holds the queue is done with it."""
        with self.lock:
            self.closed = True
            self.con.close()
            shutil.rmtree(self.spill_dir, ignore_errors=True)
