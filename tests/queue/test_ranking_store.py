"""notebooks/queue/ranking_store.py through LiveQueue(store=True): a second open ranking of the same snapshot and
settings reads the saved one instead of ranking in full, and answers as a full ranking does (also after weight,
scoring and grouping changes); a new upload, a new configuration version or other grouping settings miss; a
damaged file is a miss that is removed; only KEEP rankings stay."""

import os
import shutil

import pandas as pd
import pytest
from journeylens.notebooks.ingest.playbook_file import load_playbooks
from journeylens.notebooks.queue.live_queue import LiveQueue
from journeylens.notebooks.queue.ranking_store import KEEP, forget_old_rankings, ranking_file
from journeylens.notebooks.queue.scoring import DEFAULT_PROFILE
from journeylens.notebooks.workspace.versions import save_version
from test_live_queue import profile_with


@pytest.fixture
def ws(sample_dir, tmp_path):
    copy_ = tmp_path / "ws"
    shutil.copytree(sample_dir, copy_)
    return copy_


def opened(ws, profile=None) -> tuple[LiveQueue, str]:
    """A new open ranking of `ws` under `profile`, its first update's path, its save finished."""
    live = LiveQueue(ws, store=True)
    path = live.update(profile or DEFAULT_PROFILE, load_playbooks(ws))
    if live.saving is not None:
        live.saving.join(timeout=300)
    return live, path


def same_answers(a: LiveQueue, b: LiveQueue) -> None:
    assert a.counts() == b.counts()
    pd.testing.assert_frame_equal(a.entries(0, 40), b.entries(0, 40))
    pd.testing.assert_frame_equal(a.queue(), b.queue())
    first = a.entries(0, 1)["entry_id"].iloc[0]
    pd.testing.assert_frame_equal(a.member_rows(first), b.member_rows(first))
    assert a.entry_alert_ids(first) == b.entry_alert_ids(first)


def saved_files(ws) -> list:
    return sorted((ws / ".cache" / "rankings").glob("*.duckdb"))


def test_a_second_open_ranking_reads_the_saved_one_and_answers_alike(ws):
    first, path = opened(ws)
    assert path == "full" and len(saved_files(ws)) == 1
    second, path = opened(ws)
    try:
        assert (path, second.full_rankings) == ("saved", 0)
        same_answers(second, first)
        # the fast path, a re-scoring and a new grouping after opening a saved ranking answer as ranking anew
        for changes, expected in (({"w_severity": 0.2, "threshold": 45.0}, "rerank"),
                                  ({"harm_exponent": 2.0, "default_harm": 0.3}, "score"),
                                  ({"group_gap_minutes": 180}, "full")):
            p = profile_with(**changes)
            assert second.update(p, load_playbooks(ws)) == expected
            assert first.update(p, load_playbooks(ws)) in ("rerank", "score", "full")
            same_answers(second, first)
    finally:
        first.close()
        second.close()


def test_another_snapshot_or_grouping_misses(ws):
    live, _ = opened(ws)
    live.close()
    live, path = opened(ws, profile_with(group_gap_minutes=30))
    live.close()
    assert path == "full", "other grouping settings are another ranking"
    save_version(ws, "owners", "default", {"owners": {}}, author="test")
    live, path = opened(ws)
    live.close()
    assert path == "full", "a new configuration version is another snapshot"
    live, path = opened(ws)
    live.close()
    assert path == "saved"


def test_a_damaged_file_is_a_miss_and_is_removed(ws):
    live, _ = opened(ws)
    live.close()
    [saved] = saved_files(ws)
    saved.write_bytes(b"not a database")
    live, path = opened(ws)
    try:
        assert path == "full" and live.counts()["entries"] > 0
    finally:
        live.close()
    assert len(saved_files(ws)) == 1 and saved_files(ws)[0].read_bytes()[:4] != b"not "


def test_only_the_most_recently_used_rankings_stay(tmp_path):
    folder = tmp_path / "rankings"
    folder.mkdir()
    for i in range(KEEP + 2):
        (folder / f"{i}.duckdb").write_bytes(b"x")
        (folder / f"{i}.duckdb").touch()
    for i in range(KEEP + 2):
        os.utime(folder / f"{i}.duckdb", (1000 + i, 1000 + i))
    for dead in (".old-1-2.partial", ".old-1-2.partial.wal"):  # a save killed midway, and its log
        (folder / dead).write_bytes(b"x")
        os.utime(folder / dead, (0, 0))
    (folder / ".now-1-3.partial").write_bytes(b"x")  # a save under way
    forget_old_rankings(folder)
    assert (folder / ".now-1-3.partial").exists()
    (folder / ".now-1-3.partial").unlink()
    assert sorted(p.name for p in folder.iterdir()) == [f"{i}.duckdb" for i in range(2, KEEP + 2)]


def test_the_file_of_a_key_stays_inside_the_workspace(ws):
    assert ranking_file(ws, "0" * 32).resolve().is_relative_to(ws.resolve())


def test_a_workspace_that_cannot_take_the_ranking_still_ranks(ws):
    (ws / ".cache").mkdir(exist_ok=True)  # a ranking may have kept alert pieces there already
    (ws / ".cache" / "rankings").write_text("a file where the folder would be")
    live, path = opened(ws)  # its save fails in the background (logged), never in the page
    try:
        assert path == "full" and live.counts()["entries"] > 0
        assert live.update(profile_with(w_severity=0.7), load_playbooks(ws)) == "rerank"
    finally:
        live.close()
    assert (ws / ".cache" / "rankings").is_file() and not list((ws / ".cache").glob(".*.partial"))
