"""The write-ahead log: group-committed lines, a torn last line skipped, digests remembered across commits."""

import json

from journeylens.notebooks.live.wal import WriteAheadLog, read_segment


def entry(digest: str, records: int = 1) -> dict:
    return {"d": digest, "route": "alertmanager", "kind": "alerts", "layout": "alertmanager_webhook",
            "at": "2026-12-03T00:00:00Z", "records": [{"n": i} for i in range(records)]}


def test_an_appended_line_is_on_disk_when_its_future_resolves(tmp_path):
    wal = WriteAheadLog(tmp_path)
    futures = [wal.append(entry(f"d{i}", 2))[0] for i in range(50)]
    assert [f.result(timeout=10) for f in futures] == [2] * 50
    events, closed = wal.rotate()
    assert events == 100 and len(closed) == 1
    assert [e["d"] for e in read_segment(closed[0])] == [f"d{i}" for i in range(50)]
    wal.close()


def test_a_retry_is_not_written_twice_before_or_after_its_commit(tmp_path):
    wal = WriteAheadLog(tmp_path)
    first, duplicate = wal.append(entry("same"))
    assert not duplicate and first.result(timeout=10) == 1
    again, duplicate = wal.append(entry("same"))
    assert duplicate and again is first
    _, closed = wal.rotate()
    wal.committed(closed[0], ["same"])
    wal.close()
    reopened = WriteAheadLog(tmp_path)  # after a restart, seen.log remembers it
    _, duplicate = reopened.append(entry("same"))
    assert duplicate and not closed[0].exists()
    reopened.close()


def test_a_line_cut_short_by_a_crash_is_skipped(tmp_path):
    segment = tmp_path / "wal-0000000001.jsonl"
    segment.write_bytes(json.dumps(entry("whole")).encode() + b"\n" + json.dumps(entry("torn")).encode()[:30])
    assert [e["d"] for e in read_segment(segment)] == ["whole"]


def test_segments_left_by_a_killed_receiver_wait_for_their_commit(tmp_path):
    wal = WriteAheadLog(tmp_path)
    wal.append(entry("left"))[0].result(timeout=10)
    wal.close()  # as a kill would: the segment is not rotated nor committed
    reopened = WriteAheadLog(tmp_path)
    _, duplicate = reopened.append(entry("left"))  # a retry of it while it waits adds nothing
    _, closed = reopened.rotate()
    assert duplicate and [e["d"] for s in closed for e in read_segment(s)] == ["left"]
    reopened.close()
