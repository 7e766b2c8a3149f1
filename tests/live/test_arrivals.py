"""When data last arrived, and whether a live receiver feeds the workspace (notebooks/live/arrivals.py)."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.live.arrivals import ago, last_arrival, receiver_status, write_status

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "prometheus" / "webhook_zulip_firing.json"


def test_the_newest_upload_and_whether_the_receiver_made_it(tmp_path):
    ws = tmp_path / "ws"
    assert last_arrival(ws)["stored_at"] is None and last_arrival(ws)["ago_text"] == "never"
    ingest_file(ws, "alerts", FIXTURE)
    first = last_arrival(ws)
    assert first["kind"] == "alerts" and not first["live"] and first["uploads"] == 1
    ingest_file(ws, "alerts", FIXTURE.with_name("webhook_zulip_resolved.json"),
                file_name="live-alertmanager-alertmanager_webhook-wal-0000000001.jsonl")
    later = last_arrival(ws, now=datetime.now(UTC) + timedelta(minutes=3))
    assert later["live"] and later["uploads"] == 2 and later["ago_text"] == "3 minutes ago"


def test_a_receiver_is_live_only_while_its_process_runs_and_writes(tmp_path):
    ws = tmp_path / "ws"
    (ws / "live").mkdir(parents=True)
    assert receiver_status(ws) is None
    write_status(ws, {"events": 12})
    assert receiver_status(ws)["events"] == 12
    status = json.loads((ws / "live" / "status.json").read_text())
    (ws / "live" / "status.json").write_text(json.dumps(status | {"pid": 2 ** 22 + 7}))  # no such process
    assert receiver_status(ws) is None
    old = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    (ws / "live" / "status.json").write_text(json.dumps(status | {"written_at": old}))  # it stopped writing
    assert receiver_status(ws) is None
    (ws / "live" / "status.json").write_text("{not json")
    assert receiver_status(ws) is None


def test_ago_reads_like_a_person_says_it():
    assert [ago(timedelta(seconds=s)) for s in (5, 60, 7_200, 86_400 * 3)] == [
        "5 s ago", "1 minute ago", "2 hours ago", "3 days ago"]
