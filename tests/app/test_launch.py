"""The app's launcher (app/launch.py): the pages' modules imported before the server answers, the
workspace's ranking opened in the background, and the first Ranked page reading that same ranking."""

import logging

from journeylens.app import launch
from journeylens.app.shared_queue import LIVE, open_queues
from test_app_ranked import PAGE


def test_the_first_ranked_page_reads_the_ranking_opened_ahead(sample_dir, monkeypatch, clear_streamlit_caches,
                                                              open_page):
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(sample_dir))
    monkeypatch.delenv("JOURNEYLENS_OPEN_AHEAD", raising=False)
    thread = launch.open_ahead(sample_dir)
    thread.join(timeout=300)
    live = open_queues().of(sample_dir)
    assert (live.full_rankings, live._pages != {}) == (1, True), "ranked once, its first page read"
    at = open_page(PAGE, timeout=120)
    assert not at.exception and not at.error
    assert at.session_state[LIVE] is live, "the page took the queue opened ahead"
    assert (live.full_rankings, live.last_path) == (1, "unchanged"), "and ranked nothing again"


def test_a_ranking_that_cannot_open_ahead_is_one_line_in_the_log(sample_dir, monkeypatch, caplog,
                                                                 clear_streamlit_caches):
    def broken(*_args, **_kwargs):
        raise ValueError("profile unreadable")

    monkeypatch.setattr("journeylens.notebooks.queue.profiles.load_profile", broken)
    monkeypatch.delenv("JOURNEYLENS_OPEN_AHEAD", raising=False)
    with caplog.at_level(logging.WARNING, logger="journeylens.app.launch"):
        launch.open_ahead(sample_dir).join(timeout=60)  # another thread: this one can take the lock after
    assert [r.getMessage() for r in caplog.records] == [
        "journeylens: the ranking was not opened ahead of the first page (ValueError: profile unreadable)"]
    lock = open_queues().of(sample_dir).lock
    assert lock.acquire(blocking=False), "the queue is free for the page"
    lock.release()


def test_nothing_opens_ahead_when_switched_off_or_without_a_workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("JOURNEYLENS_OPEN_AHEAD", "off")
    assert launch.open_ahead(tmp_path) is None
    monkeypatch.delenv("JOURNEYLENS_OPEN_AHEAD")
    launch.open_ranking(tmp_path / "missing")  # no workspace yet (the app creates it): nothing to open
    assert not (tmp_path / "missing").exists()


def test_preload_imports_what_the_pages_import():
    import sys

    launch.preload()
    assert all(name in sys.modules for name in launch.PRELOADED)
