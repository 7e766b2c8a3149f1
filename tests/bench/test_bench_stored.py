"""The stored-workspace benchmark's core (bench/bench_stored.py) on a small world: the world's files ingest into
a workspace, the big upload is pieced, and the kept pieces rank the same as every alert pieced afresh (the
benchmark stops when they do not). Not its timings: those are the benchmark's to report."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def test_the_stored_benchmark_ranks_kept_pieces_like_every_alert_afresh(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))  # bench/ is a folder of scripts run from the repository root
    monkeypatch.setenv("JOURNEYLENS_PIECE_STORE", "on")  # the run turns it off for its last ranking: restored after
    from bench.bench_stored import stored_run

    result = stored_run(20_000)  # built in one child process, ranked in another
    assert result["alerts"] == 20_000 and result["kept_uploads"] == 2  # last week's upload and the new export
    assert {"ingest_s", "bare_s", "stored_s", "afresh_s", "max_rss_mb"} <= set(result)
    assert all(result[k] > 0 for k in ("ingest_s", "bare_s", "stored_s", "afresh_s"))
