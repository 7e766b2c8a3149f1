"""The Ranked page's ranking, shared by every browser session of the server (app/shared_queue.py): a new
session reads the ranking already open, a new upload replaces it (the old one closed), and each session
sees the queue under its own sliders however the sessions take turns."""

import threading

import pandas as pd
import pytest
from journeylens.app.queue_tables import PAGE_SIZE, entries_of
from journeylens.app.shared_queue import LIVE, SessionRanking, held_queue, open_queues
from journeylens.notebooks.ingest.playbook_file import load_playbooks
from journeylens.notebooks.queue.profiles import load_profile
from test_app_ranked import PAGE, full_ranking, ranked_table, texts

SHOWN = ["rank", "service", "name", "score"]


@pytest.fixture
def start(sample_dir, monkeypatch, clear_streamlit_caches, open_page):
    """Opens the Ranked page in a new session (a new browser tab) on the shared sample."""
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(sample_dir))
    return lambda: open_page(PAGE, timeout=120)


def test_a_second_session_reads_the_ranking_the_first_opened(start):
    first = start()
    live = first.session_state[LIVE]
    assert (live.full_rankings, live.last_path) == (1, "full")
    second = start()
    assert second.session_state[LIVE] is live, "one ranking for both sessions"
    assert (live.full_rankings, live.last_path) == (1, "unchanged"), "the same sliders rank nothing"
    assert ranked_table(second).equals(ranked_table(first))


def test_each_session_sees_the_queue_under_its_own_sliders(start, sample_dir):
    mine, other = start(), start()
    mine.slider(key="knob-corroboration").set_value(0.0)  # the evidence off: harmless loud alerts rise
    mine.slider(key="knob-weights.severity").set_value(1.0)
    mine.run()
    other.run()  # the saved profile: it re-ranks the shared queue under its own sliders
    mine.run()  # no slider moved here: the page ranks the queue under this session's sliders again
    live = mine.session_state[LIVE]
    assert other.session_state[LIVE] is live and live.full_rankings == 1, "re-ranked in place, never in full"
    profile = load_profile(sample_dir)["profile"]
    expected_other = full_ranking(sample_dir, profile).head(PAGE_SIZE)
    profile["corroboration"], profile["weights"]["severity"] = 0.0, 1.0
    expected_mine = full_ranking(sample_dir, profile).head(PAGE_SIZE)
    assert not expected_mine[SHOWN].equals(expected_other[SHOWN]), "the two profiles rank differently"
    for at, expected in ((mine, expected_mine), (other, expected_other)):
        assert not at.exception and not at.error, texts(at.error)
        pd.testing.assert_frame_equal(ranked_table(at)[SHOWN].reset_index(drop=True), expected[SHOWN])


def test_a_session_holding_the_queue_keeps_its_ranking_until_it_is_done(sample_dir, clear_streamlit_caches):
    playbooks = load_playbooks(sample_dir)
    saved = load_profile(sample_dir)["profile"]
    severe = {**saved, "corroboration": 0.0, "weights": {**saved["weights"], "severity": 1.0}}
    live = held_queue(sample_dir)  # a page run: the queue held from its update to its last read
    try:
        live.update(saved, playbooks)
        mine = live.entries(0, PAGE_SIZE)
        made = []
        download = threading.Thread(target=lambda: made.append(SessionRanking(sample_dir, severe, playbooks).queue()))
        download.start()  # another session's download, under other sliders
        download.join(timeout=2)
        assert download.is_alive(), "it waits for the page run that holds the queue"
        pd.testing.assert_frame_equal(live.entries(0, PAGE_SIZE), mine)
    finally:
        live.lock.release()
    download.join(timeout=120)
    assert made and live.full_rankings == 1 and live.last_path == "rerank"
    expected = full_ranking(sample_dir, severe)
    got = entries_of(made[0])
    got = got[~got["suppressed"]].reset_index(drop=True)
    assert got["entry_id"].tolist() == expected["entry_id"].tolist(), "the download is ranked under its own sliders"


def test_a_new_upload_opens_a_new_ranking_and_closes_the_old_one(app_sample_copy, open_page, tmp_path):
    from journeylens.notebooks.ingest.upload import ingest_file
    from journeylens.notebooks.queue.queue_view import queue_counts, ranked_frame

    at = open_page(PAGE)
    old = at.session_state[LIVE]
    before = number_of_entries(at)
    (tmp_path / "more.csv").write_text("fired_at,service,name,severity\n"
                                       "2026-01-06T10:00:00Z,ledger-export,ExportStuck,warning\n")
    ingest_file(app_sample_copy, "alerts", tmp_path / "more.csv")
    other = open_page(PAGE)  # another session sees the upload first
    new = other.session_state[LIVE]
    assert new is not old and old.closed and not new.closed, "the old ranking is closed, not kept beside the new"
    after = queue_counts(ranked_frame(app_sample_copy))["entries"]
    assert new.full_rankings == 1 and number_of_entries(other) == after == before + 1
    at.run()
    assert at.session_state[LIVE] is new and new.full_rankings == 1, "the first session moves to the new ranking"
    assert number_of_entries(at) == after
    assert list(open_queues().queues) == [str(app_sample_copy)], "one open ranking per workspace"


def number_of_entries(at) -> int:
    assert not at.exception and not at.error, texts(at.error)
    return int(next(m.value for m in at.metric if m.label == "Entries").replace(",", ""))
