"""What the drill-down ("why this entry?") and the downloads read of an open ranking (live_queue.LiveQueue):
one entry's alert ids and member rows, the needs-mapping lane, the whole queue, and the stage's hours,
segments and changes around a group's window, from the same tables and under the same profile as the
page's order. A mixin: LiveQueue gives it `con`, `lock` and `profile`."""

import pandas as pd
from journeylens.notebooks.queue.groups import details_sql
from journeylens.notebooks.queue.live_tables import ROW_ORDER
from journeylens.notebooks.queue.ranking import queue_select
from journeylens.notebooks.queue.rule_suggestions import lane_suggestions
from journeylens.notebooks.workspace.snapshot import sql_text

MOST_MEMBERS = 500  # an entry's drill-down lists its first member groups: an outage can have thousands


class DrillReads:
    """Reads for one entry or for downloads, over a LiveQueue's tables (under its lock)."""

    def entry_alert_ids(self, entry_id: str) -> str:
        """The ';'-separated ids of every alert of one entry's groups, in firing order within each group."""
        with self.lock:
            ctes, detail = details_sql("select group_id from live_group_order where entry_key = $entry", held=True)
            found = self.con.execute(
                f"with {ctes} select string_agg({detail['alert_ids']}, ';' order by {ROW_ORDER}) "
                f"from live_group_order as r join d using (group_id)", {"entry": str(entry_id)}).fetchone()[0]
        return found or ""

    def member_rows(self, entry_id: str, most: int = MOST_MEMBERS) -> pd.DataFrame:
        """The ranked rows (ranking.RANKED_COLUMNS) of an entry's first `most` member groups, best first,
        with their alert details: what its drill-down shows."""
        members = f"select group_id from live_group_order as r where entry_key = $entry order by {ROW_ORDER} limit $most"
        with self.lock:
            frame = self.con.execute(queue_select(only=members, held=True),
                                     {"entry": str(entry_id), "most": int(most)}).df()
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
            return lane_suggestions(self.con, self.con.execute(queue_select(held=True)).df())

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

