"""notebooks/queue/kept_queue.py: a stored workspace's queue read from the ranking kept for its snapshot. It
answers as a full ranking does (every row, every column), under the asked profile's weights, threshold and
rules; a snapshot or grouping without a kept ranking is ranked in full once and kept for the next reader,
which the app's open ranking shares; the command line's `rank` writes the same bytes either way."""

import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.queue.kept_queue import kept_ranked_queue, stored_ranked_frame
from journeylens.notebooks.queue.profiles import save_profile
from journeylens.notebooks.queue.queue_view import ranked_frame
from journeylens.notebooks.queue.rank_ahead import rank_ahead
from journeylens.notebooks.queue.ranking import ranked_alerts
from test_live_queue import profile_with
from test_rank_ahead import FIXTURES, JOURNEYLENS, page_ranking
from test_rank_ahead import ws as ws  # noqa: F401 (the fixture: a copy of the sample, the ranking store on)
from test_ranking_store import saved_files


def full_ranking(ws, monkeypatch, profile_name=None, **asked) -> pd.DataFrame:
    """What ranking every alert again gives, the store off."""
    monkeypatch.setenv("JOURNEYLENS_RANKING_STORE", "off")
    try:
        return ranked_alerts(ws, profile_name, signals=True, **asked)
    finally:
        monkeypatch.setenv("JOURNEYLENS_RANKING_STORE", "on")


def test_a_snapshot_ranked_ahead_is_read_from_its_kept_ranking_and_answers_as_a_full_ranking(ws, monkeypatch):
    rank_ahead(ws)
    kept = saved_files(ws)
    for asked in ({}, {"top": 10}, {"include_suppressed": False}):
        frame, how = kept_ranked_queue(ws, **asked)
        assert how == "saved", asked
        pd.testing.assert_frame_equal(frame, full_ranking(ws, monkeypatch, **asked))
    assert saved_files(ws) == kept, "reading a kept ranking writes none"
    assert frame["alert_ids"].str.len().gt(0).any(), "the alert ids come from the held alert moments"


@pytest.mark.parametrize("changes", [
    {"w_severity": 0.9, "w_exposure": 0.05},  # weights
    {"threshold": 40.0, "corroboration": 0.5},  # threshold and corroboration
    {"suppress": [{"stage": "checkout", "reason": "maintenance"}]},  # a rule: the groups are routed again
], ids=["weights", "threshold", "suppression"])
def test_a_profile_that_changes_no_grouping_re_ranks_the_kept_ranking(ws, monkeypatch, changes):
    rank_ahead(ws)
    save_profile(ws, "tuned", profile_with(**changes), author="test", comment="tuned")
    frame, how = kept_ranked_queue(ws, "tuned")
    assert how == "saved"
    fresh = full_ranking(ws, monkeypatch, "tuned")
    pd.testing.assert_frame_equal(frame, fresh)
    untuned = full_ranking(ws, monkeypatch)
    assert not frame[["group_id", "score", "suppressed"]].equals(untuned[["group_id", "score", "suppressed"]]), \
        "the profile changed the queue: a test of re-ranking, not of reading the saved order back"


def test_a_new_snapshot_or_grouping_ranks_in_full_once_and_is_kept_for_the_app_too(ws, monkeypatch):
    frame, how = kept_ranked_queue(ws)
    assert how == "full" and len(saved_files(ws)) == 1
    pd.testing.assert_frame_equal(frame, full_ranking(ws, monkeypatch))
    live, path = page_ranking(ws)  # the app's Ranked page on a new server reads what the command line kept
    live.close()
    assert path == "saved"
    save_profile(ws, "regrouped", profile_with(group_gap_minutes=20), author="test", comment="grouping")
    assert kept_ranked_queue(ws, "regrouped")[1] == "full"
    assert kept_ranked_queue(ws, "regrouped")[1] == "saved"
    ingest_file(ws, "changes", FIXTURES / "changes.csv")
    frame, how = kept_ranked_queue(ws)
    assert how == "full", "a new upload is a new snapshot"
    pd.testing.assert_frame_equal(frame, full_ranking(ws, monkeypatch))


def test_only_a_stored_workspace_s_reader_keeps_its_ranking(ws):
    ranked_frame(ws)  # as an audit ranks its throw-away workspace
    assert not saved_files(ws)
    pd.testing.assert_frame_equal(stored_ranked_frame(ws), ranked_frame(ws))
    assert len(saved_files(ws)) == 1


def test_an_unknown_profile_is_refused_before_anything_is_ranked(ws):
    with pytest.raises(KeyError):
        kept_ranked_queue(ws, "never-saved")
    assert not saved_files(ws)


def rank_command(ws, out: Path, store: str) -> str:
    env = {**os.environ, "JOURNEYLENS_RANKING_STORE": store}
    done = subprocess.run([JOURNEYLENS, "rank", "--workspace", ws, "--out", out], capture_output=True, text=True,
                          timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_the_command_line_reads_what_ingest_kept_and_writes_the_same_bytes(ws, tmp_path):
    stored = subprocess.run([JOURNEYLENS, "ingest", "changes", FIXTURES / "changes.csv", "--workspace", ws],
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "JOURNEYLENS_RANKING_STORE": "on"})
    assert stored.returncode == 0, stored.stderr
    kept = saved_files(ws)
    assert len(kept) == 1, "ingest ranked the new snapshot ahead"
    said = rank_command(ws, tmp_path / "kept.csv", "on")
    rank_command(ws, tmp_path / "full.csv", "off")
    assert (tmp_path / "kept.csv").read_bytes() == (tmp_path / "full.csv").read_bytes()
    assert saved_files(ws) == kept and "Traceback" not in said
