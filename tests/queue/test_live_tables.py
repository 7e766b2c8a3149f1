"""notebooks/queue/live_tables.py and sql/queue/24-28: the tables an open ranking keeps give, after any re-rank,
every entry in every column as 22_queue_entries.sql gives it over the whole queue afresh, and the rows as
ranking.queue_select ranks them; the counts and the summary read them as the whole queue counts it."""

import pandas as pd
import pytest
from journeylens.notebooks.ingest.playbook_file import load_playbooks
from journeylens.notebooks.queue.live_queue import LiveQueue
from journeylens.notebooks.queue.live_tables import entry_rows_sql
from journeylens.notebooks.queue.queue_view import entries_sql, entries_with_routing, queue_counts
from journeylens.notebooks.queue.scoring import DEFAULT_PROFILE
from test_live_queue import profile_with


@pytest.fixture(scope="module")
def live(sample_dir):
    queue = LiveQueue(sample_dir)
    yield queue
    queue.close()


def every_entry_as_a_fresh_collapse_gives_it(live: LiveQueue) -> pd.DataFrame:
    """22_queue_entries.sql over the open ranking's rows, every entry, no member lists: what the live
    tables (sql/queue/24-28) must equal however many re-ranks led to them."""
    return live.con.execute(entries_sql("live_rows"), {"listed": False}).df()


def every_entry_as_the_live_tables_give_it(live: LiveQueue) -> pd.DataFrame:
    return live.con.execute(entry_rows_sql("select entry_id from live_entry_order")).df()


@pytest.mark.parametrize("changes", [
    {"w_severity": 0.1}, {"w_exposure": 5.0, "corroboration": 0.0}, {"threshold": 60.0},
    {"suppress": [{"stage": "checkout", "reason": "maintenance"}]}, {"harm_exponent": 3.0, "w_duration": 0.0},
])
def test_every_entry_after_a_rerank_equals_a_fresh_collapse_in_every_column(live, sample_dir, changes):
    playbooks = load_playbooks(sample_dir)
    live.update(DEFAULT_PROFILE, playbooks)
    assert live.update(profile_with(**changes), playbooks) == "rerank"
    fresh, kept = every_entry_as_a_fresh_collapse_gives_it(live), every_entry_as_the_live_tables_give_it(live)
    assert len(kept) == len(fresh) > 100
    assert kept["suppressed"].any() and not kept["suppressed"].all()
    pd.testing.assert_frame_equal(kept, fresh, check_dtype=False)
    # the rows the views give are the whole queue's, in its order (the alert details aside)
    whole = live.queue()
    rows = live.con.execute("select * from live_rows order by position").df()
    assert rows["group_id"].tolist() == whole["group_id"].tolist()
    for column in ("score", "suppressed", "suppressed_reason", "playbook", "incident_key", "stage", "harm"):
        pd.testing.assert_series_equal(rows[column], whole[column], check_dtype=False, check_names=False)


def test_the_counts_and_summary_read_the_live_tables_as_the_whole_queue_counts_them(live, sample_dir):
    playbooks = load_playbooks(sample_dir)
    live.update(profile_with(threshold=40.0), playbooks)
    whole = live.queue()
    assert live.counts() == queue_counts(whole)
    summary = live.entry_summary()
    fresh = entries_with_routing(whole)
    assert summary["entry_id"].tolist() == fresh["entry_id"].tolist()
    assert summary["service"].tolist() == fresh["service"].tolist()
