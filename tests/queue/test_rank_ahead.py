"""notebooks/queue/rank_ahead.py and the command line's use of it: a snapshot stored from the command line
is ranked and kept, so the Ranked page's first open ranking reads it (path "saved", no full ranking) and
answers as a full ranking does; nothing is ranked with the store off, with --no-rank-ahead, or twice; a
failure after the acknowledgement changes nothing stored and prints no traceback."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from journeylens.app import cli
from journeylens.notebooks.ingest.playbook_file import load_playbooks
from journeylens.notebooks.queue.live_queue import LiveQueue
from journeylens.notebooks.queue.profiles import load_profile, save_profile
from journeylens.notebooks.queue.rank_ahead import rank_ahead
from journeylens.notebooks.workspace.snapshot import list_uploads
from test_live_queue import profile_with
from test_ranking_store import same_answers, saved_files

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
JOURNEYLENS = str(Path(sys.executable).parent / "journeylens")


@pytest.fixture
def ws(sample_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("JOURNEYLENS_RANKING_STORE", "on")  # the suite turns it off (conftest.py)
    copy_ = tmp_path / "ws"
    shutil.copytree(sample_dir, copy_)
    return copy_


def page_ranking(ws) -> tuple[LiveQueue, str]:
    """What the Ranked page opens first: the active profile and playbooks, the store on."""
    live = LiveQueue(ws, signals=True, store=True)
    return live, live.update(load_profile(ws)["profile"], load_playbooks(ws))


def test_the_page_opens_what_was_ranked_ahead_and_it_answers_as_a_full_ranking(ws):
    steps = []
    saved = rank_ahead(ws, lambda fraction, text: steps.append((fraction, text)))
    assert saved is not None and saved_files(ws) == [saved]
    assert steps[0][0] == 0.0 and steps[-1][0] == 1.0 and "ranked in" in steps[-1][1]
    live, path = page_ranking(ws)
    fresh = LiveQueue(ws, signals=True)  # no store: ranks in full
    try:
        assert (path, live.full_rankings) == ("saved", 0)
        assert fresh.update(load_profile(ws)["profile"], load_playbooks(ws)) == "full"
        same_answers(live, fresh)
    finally:
        live.close()
        fresh.close()
    again = []
    assert rank_ahead(ws, lambda fraction, text: again.append(text)) == saved
    assert "already kept" in again[-1] and saved_files(ws) == [saved]


def test_it_ranks_under_the_active_profile(ws):
    save_profile(ws, "default", profile_with(w_severity=0.9, group_gap_minutes=45), author="test", comment="tuned")
    rank_ahead(ws)
    live, path = page_ranking(ws)
    live.close()
    assert path == "saved", "the page's first ranking, under the saved profile, was the one ranked ahead"


def test_nothing_is_ranked_with_the_store_off_or_without_uploads(ws, tmp_path, monkeypatch):
    assert rank_ahead(tmp_path / "no workspace") is None
    monkeypatch.setenv("JOURNEYLENS_RANKING_STORE", "off")
    assert rank_ahead(ws) is None and not saved_files(ws)


def run(*args):
    env = {**os.environ, "JOURNEYLENS_RANKING_STORE": "on"}
    return subprocess.run([JOURNEYLENS, *map(str, args)], capture_output=True, text=True, timeout=300, env=env)


def test_ingest_and_remove_rank_the_new_snapshot_unless_asked_not_to(ws):
    stored = run("ingest", "changes", FIXTURES / "changes.csv", "--workspace", ws)
    assert stored.returncode == 0, stored.stderr
    assert "ranking ahead" in stored.stderr and len(saved_files(ws)) == 1
    live, path = page_ranking(ws)
    live.close()
    assert path == "saved"
    upload = list_uploads(ws).query("file_name == 'changes.csv'")["upload_id"].iloc[0]
    quiet = run("remove", upload, "--workspace", ws, "--no-rank-ahead")
    assert quiet.returncode == 0 and "ranking ahead" not in quiet.stderr and len(saved_files(ws)) == 1
    again = run("ingest", "changes", FIXTURES / "pagerduty_change_events.jsonl", "--workspace", ws,
                "--no-rank-ahead")
    assert again.returncode == 0 and len(saved_files(ws)) == 1


def test_a_failure_after_the_acknowledgement_keeps_what_was_stored(ws, monkeypatch, capsys):
    def broken(workspace, report=None):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("journeylens.notebooks.queue.rank_ahead.rank_ahead", broken)
    before = len(list_uploads(ws))
    status = cli.main(["ingest", "changes", str(FIXTURES / "changes.csv"), "--workspace", str(ws)])
    out = capsys.readouterr()
    assert status == 0 and "stored" in out.out
    assert "not ranked ahead (RuntimeError: disk on fire)" in out.err and "Traceback" not in out.err
    assert len(list_uploads(ws)) == before + 1
