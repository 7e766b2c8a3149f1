"""The receiver in process: a commit process that dies is replaced and the segment committed, and a second
receiver on the same workspace is refused."""

import json
from pathlib import Path

import pytest
from journeylens.notebooks.live.preflight import HOOKS, check_hook, parse_json_body
from journeylens.notebooks.live.receiver import Receiver, ReceiverBusy

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "prometheus" / "webhook_zulip_firing.json"


def accept(receiver: Receiver, body: bytes):
    records = parse_json_body(body, lines=False)
    layout = check_hook(HOOKS["alertmanager"], records)
    digest = receiver.digest("alertmanager", body)
    future, duplicate = receiver.accept("alertmanager", "alerts", layout, records, digest)
    future.result(timeout=30)
    return digest, duplicate


def test_a_commit_process_that_died_is_replaced_and_nothing_is_lost(tmp_path):
    receiver = Receiver(tmp_path / "ws", batch_seconds=3600)  # commits only when asked here
    try:
        with pytest.raises(ReceiverBusy):
            Receiver(tmp_path / "ws")
        first = FIXTURE.read_bytes()
        digest, _ = accept(receiver, first)
        receiver.committer.process.kill()  # as the OOM killer would
        receiver.committer.process.wait(10)
        waiting = receiver.wait_for_commit(digest)
        receiver.commit_now()
        assert waiting.result(timeout=60)["status"] == "stored"
        assert receiver.committer.alive()
        second = json.loads(first)
        second["alerts"][0]["fingerprint"] = "another"
        digest, _ = accept(receiver, json.dumps(second).encode())
        waiting = receiver.wait_for_commit(digest)
        receiver.commit_now()
        assert waiting.result(timeout=60)["status"] == "stored"
        assert receiver.state["uploads"] == 2
    finally:
        receiver.close()
    assert not receiver.committer.alive()
    assert sorted(p.name for p in (tmp_path / "ws" / "live" / "wal").iterdir()) == []
