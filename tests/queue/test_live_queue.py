"""notebooks/queue/live_queue.py: the pages a LiveQueue reads after weight and grouping changes list the
same members, instances and flapping as the whole queue collapsed afresh (queue_view.entries_with_routing),
although it works out alert details once per grouping (known_details)."""

import copy
from pathlib import Path

import pandas as pd
import pytest
from journeylens.notebooks.ingest.playbook_file import load_playbooks
from journeylens.notebooks.queue.live_queue import LiveQueue
from journeylens.notebooks.queue.queue_view import entries_with_routing
from journeylens.notebooks.queue.scoring import DEFAULT_PROFILE

COMPARED = ["entry_id", "rank", "members", "member_group_ids", "sources", "services", "instances", "flapping"]


@pytest.fixture(scope="module")
def live(sample_dir):
    queue = LiveQueue(sample_dir)
    yield queue
    queue.close()


def profile_with(**changes) -> dict:
    p = copy.deepcopy(DEFAULT_PROFILE)
    for key, value in changes.items():
        if key.startswith("w_"):
            p["weights"][key[2:]] = value
        else:
            p[key] = value
    return p


def same_page(live: LiveQueue, size: int = 20) -> None:
    whole = entries_with_routing(live.queue())
    expected = whole[~whole["suppressed"]].head(size)[COMPARED].reset_index(drop=True)
    page = live.entries(0, size)[COMPARED].reset_index(drop=True)
    pd.testing.assert_frame_equal(page, expected, check_dtype=False)


def test_pages_after_weight_changes_list_what_a_fresh_collapse_lists(live, sample_dir):
    playbooks = load_playbooks(sample_dir)
    live.update(DEFAULT_PROFILE, playbooks)
    same_page(live)
    known = live.con.execute("select count(*) from known_details").fetchone()[0]
    assert known > 0
    for weight in (0.2, 3.0):
        assert live.update(profile_with(w_severity=weight), playbooks) == "rerank"
        same_page(live)
    assert live.con.execute("select count(*) from known_details").fetchone()[0] == known, \
        "a weight change reads no alert details the first page did not already read"


def test_a_grouping_change_works_the_details_out_again(live, sample_dir):
    playbooks = load_playbooks(sample_dir)
    live.update(DEFAULT_PROFILE, playbooks)
    before = live.entries(0, 50)
    assert before["flapping"].any(), "the sample has flapping groups"
    assert live.update(profile_with(flap_min_cycles=99), playbooks) == "full"
    same_page(live, 50)
    assert not live.entries(0, 50)["flapping"].any()
    assert live.update(profile_with(group_gap_minutes=600), playbooks) == "full"
    same_page(live, 50)


def test_between_rankings_the_tables_are_held_under_a_smaller_cap_and_spill_to_a_private_folder(sample_dir):
    queue = LiveQueue(sample_dir)
    try:
        setting = "select current_setting('memory_limit'), current_setting('temp_directory')"
        queue.update(DEFAULT_PROFILE, load_playbooks(sample_dir))
        limit, folder = queue.con.execute(setting).fetchone()
        assert limit in ("953.6 MiB", "1000.0 MB") and folder == queue.spill_dir
        assert queue.update(profile_with(group_gap_minutes=120), load_playbooks(sample_dir)) == "full"
        assert queue.con.execute(setting).fetchone()[0] == limit, "a full ranking runs under its own cap, then back"
    finally:
        queue.close()
    assert not Path(queue.spill_dir).exists()



def test_a_page_lists_an_entrys_first_members_and_every_service_and_source(live, sample_dir, monkeypatch):
    """An outage can have tens of thousands of groups: a page lists its first MOST_LISTED members (lead
    first) and their instances, and its services and sources in full, in the order a full collapse gives."""
    import journeylens.notebooks.queue.live_queue as live_queue
    import journeylens.notebooks.queue.live_tables as live_tables
    monkeypatch.setattr(live_queue, "MOST_LISTED", 2)
    monkeypatch.setattr(live_tables, "MOST_LISTED", 2)
    playbooks = load_playbooks(sample_dir)
    live.update(profile_with(w_exposure=0.4), playbooks)
    whole = entries_with_routing(live.queue())
    expected = whole[~whole["suppressed"]].head(30).reset_index(drop=True)
    page = live.entries(0, 30).reset_index(drop=True)
    assert (page["members"] > 2).any(), "the sample has entries of more than two groups"
    pd.testing.assert_series_equal(page["services"], expected["services"])
    pd.testing.assert_series_equal(page["sources"], expected["sources"])
    firsts = expected["member_group_ids"].map(lambda ids: ";".join(ids.split(";")[:2]))
    pd.testing.assert_series_equal(page["member_group_ids"], firsts)
