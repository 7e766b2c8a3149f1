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
from journeylens.notebooks.queue.groups import details_sql, hold_alert_moments
from journeylens.notebooks.queue.live_drill import DrillReads
from journeylens.notebooks.queue.live_tables import (
    MOST_LISTED,
    entry_rows_sql,
    first_members,
    listed_rows,
    rows_sql,
)
from journeylens.notebooks.queue.queue_view import counts_of, entries_sql, with_entry_types
from journeylens.notebooks.queue.ranking import rank_alerts, rerank, route_groups
from journeylens.notebooks.queue.ranking_store import (
    hold_saved_tables,
    load_ranking,
    ranking_key,
    save_ranking,
)
from journeylens.notebooks.queue.scoring import DEFAULT_PROFILE, resolve_profile, score_groups
from journeylens.notebooks.workspace.snapshot import close_snapshot, connect, limit_memory, sql_text

# ...and, on the first page after a full ranking, of the first entries too: one read of the held alerts
# serves the pages a slider's next orders show; later pages read their own groups' only
LEARN_AHEAD = 1000
HOLD_MEMORY_LIMIT = "1GB"  # DuckDB's cap between rankings (JOURNEYLENS_MEMORY_LIMIT wins, as for ranking)
# Settings a ranking reads while grouping alerts and linking changes: a change ranks in full.
GROUPING_SETTINGS = ("group_gap_minutes", "flap_window_minutes", "flap_min_cycles", "change_lookback_minutes")
# Settings read only after the components: a change re-scores and re-routes (the fast path).
RERANK_SETTINGS = ("weights", "corroboration", "harm_exponent", "threshold", "threshold_spares_harm", "suppress")
# The rest: read while scoring the groups (windows, harm, exposure, defaults).
SCORING_SETTINGS = tuple(k for k in DEFAULT_PROFILE if k not in GROUPING_SETTINGS + RERANK_SETTINGS)
# What a kept ranking (ranking_store.py) depends on of the profile: a re-rank applies the rest.
KEPT_SETTINGS = GROUPING_SETTINGS + SCORING_SETTINGS


def settings_key(p: dict, keys: tuple) -> str:
    return json.dumps({k: p[k] for k in keys}, sort_keys=True, default=str)


def kept_key(con, workspace, p: dict, signals: bool) -> str:
    """ranking_store's key of a full ranking of `con` (a snapshot of `workspace`) under the resolved profile `p`:
    where the app's open ranking saves it and where every reader of the snapshot (kept_queue.py) looks."""
    return ranking_key(con, workspace, settings_key(p, KEPT_SETTINGS), signals)


class LiveQueue(DrillReads):
    """The ranked queue of one workspace snapshot, re-ranked in place as the profile changes.

    `key` is the caller's name for what was opened (the Ranked page uses the workspace and its upload
    ids: a new upload opens a new LiveQueue). `signals` also queues journey signals and AI drops.
    `store`: keep each full ranking on disk and open a saved one instead of ranking again (ranking_store.py;
    the app's, unless JOURNEYLENS_RANKING_STORE=off), the first update then answers "saved"."""

    def __init__(self, workspace, signals: bool = True, key=None, store: bool = False):
        self.workspace, self.signals, self.key, self.store = Path(workspace), signals, key, store
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
        self._updates = 0  # how many updates changed the tables: the pages read since the last one are kept
        self._pages: dict = {}
        self.saving: threading.Thread | None = None  # the save of the last full ranking (store=True)
        self._key: str | None = None  # ranking_store's key of the last full ranking (store=True)

    def update(self, profile: dict | None = None, playbooks: list | None = None) -> str:
        """Ranks under `profile` (resolved here, once) and `playbooks`, the shortest way; returns the path."""
        p = resolve_profile(profile)
        wanted = (settings_key(p, tuple(DEFAULT_PROFILE)), json.dumps(playbooks or [], sort_keys=True, default=str))
        with self.lock:
            before = self.profile
            if wanted == self._ranked_for:
                path = "unchanged"
            elif before is None or settings_key(p, GROUPING_SETTINGS) != settings_key(before, GROUPING_SETTINGS):
                path = self._rank_in_full(p, playbooks)
            elif settings_key(p, SCORING_SETTINGS) != settings_key(before, SCORING_SETTINGS):
                hold_saved_tables(self.con)
                score_groups(self.con, p, deviations_ready=True, route=False)  # the full ranking left the deviations
                route_groups(self.con, p, playbooks)
                path = "score"
            else:
                rerank(self.con, p, playbooks)
                path = "rerank"
            if path == "full":  # new groups: what was worked out for the old ones no longer holds
                self.con.execute("create or replace temp table known_details (group_id varchar, instances varchar, "
                                 "flap_count bigint)")
                # held, narrow: a page of groups not shown yet reads their rows, not every alert folded again
                hold_alert_moments(self.con)
            if path in ("full", "saved"):
                self._learned_ahead = False
                # the ranking ran under its own cap; what it leaves is held under a smaller one (the rest
                # spills to spill_dir): at a million alerts, 1.6 GB resident becomes about 0.7 GB
                limit_memory(self.con, HOLD_MEMORY_LIMIT)
            if path != "unchanged":
                self.profile, self._ranked_for = p, wanted
                self._updates += 1
                self._collapse(path)
            if path == "full" and self.store:
                self._save_later(p, self._key)
            self.last_path = path
        return path

    def _save_later(self, p: dict, key: str) -> None:
        """Saves the full ranking just made (ranking_store.py) under `key` once the caller lets the queue go:
        writing it takes seconds at a million alerts, and the page that asked for it should not wait for them."""
        settings = settings_key(p, KEPT_SETTINGS)

        def save() -> None:
            with self.lock:  # after the page's reads: a slider moved meanwhile waits for the save
                if not self.closed and settings_key(self.profile, KEPT_SETTINGS) == settings:
                    save_ranking(self.con, self.workspace, key, self.profile)

        self.saving = threading.Thread(target=save, name="journeylens-save-ranking", daemon=True)
        self.saving.start()

    def _rank_in_full(self, p: dict, playbooks: list | None) -> str:
        """A full ranking, or the one saved for this snapshot and these settings (ranking_store.py) re-ranked
        under `p` and `playbooks` on the fast path: "full" or "saved"."""
        # the key of this snapshot and settings: looked up here, and the full ranking is saved under it
        self._key = kept_key(self.con, self.workspace, p, self.signals) if self.store else None
        saved = load_ranking(self.con, self.workspace, self._key) if self.store and self.profile is None else None
        if saved is None:
            hold_saved_tables(self.con)  # a grouping change after an opened ranking: its tables are replaced
            rank_alerts(self.con, p, playbooks, signals=self.signals)
            self.full_rankings += 1
            return "full"
        rerank(self.con, p, playbooks)
        return "saved"

    def _collapse(self, path: str) -> None:
        """After a ranking, kept on the connection so that the page counts the queue and reads one page of
        it without moving the whole queue (half a million rows at a million alerts) to pandas: what no
        re-rank moves (sql/queue/24, 26), worked out after a full ranking or re-scoring only, and the
        order of the rows and entries (25, 27), narrow, after every update. The views live_rows (the
        ranked rows as queue_select gives them, without the alert details), queue_rows and entry_rows
        (what queue_view.counts_of counts) read them."""
        if path == "saved":  # the facts were saved with the ranking; only the order follows the profile
            path = "rerank"
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

    @property
    def store_key(self) -> str | None:
        """ranking_store's key of the last full or saved ranking (store=True): where it is, or will be, saved."""
        return self._key

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
        with self.lock:
            asked = (self._updates, offset, limit, include_suppressed, entry_id)
            if asked in self._pages:  # a rerun with nothing changed (another widget, a click) reads no table
                return self._pages[asked].copy()
            page = self._page(offset, limit, include_suppressed, entry_id)
            self._pages = {key: value for key, value in list(self._pages.items())[-63:] if key[0] == self._updates}
            self._pages[asked] = page
            return page.copy()

    def _page(self, offset: int, limit: int, include_suppressed: bool, entry_id: str | None) -> pd.DataFrame:
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
                self._learn_details(first_members(f"select entry_id from page_entries{ahead}"))
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
        ctes, _ = details_sql(unknown, held=True)
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

    def close(self) -> None:
        """Closes the snapshot, once whoever holds the queue is done with it."""
        with self.lock:
            self.closed = True
            close_snapshot(self.con)
            shutil.rmtree(self.spill_dir, ignore_errors=True)
