"""Alerts are an event stream: every notice is stored, and an alert is the fold of its notices across
uploads, ordered by event time (receipt order breaks ties). Removing an upload re-folds."""

from datetime import UTC, datetime

import pytest
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.workspace.contract import IngestError
from journeylens.notebooks.workspace.snapshot import list_uploads, remove_upload
from stored_rows import rows, write_csv

HEADER = ["alert_id", "alert_key", "status", "event_at", "fired_at", "resolved_at", "service", "name", "severity"]


def write(path, *rows):
    return write_csv(path, HEADER, rows)


def alerts(workspace, where="true"):
    return rows(workspace, f"select alert_id, status, fired_at, resolved_at, resolved_from, notices, service, name, "
                           f"severity from alerts where {where} order by fired_at, alert_id")


def notices(workspace):
    return rows(workspace, "select count(*) from alert_notices")[0][0]


FIRING = {"alert_id": "A1", "fired_at": "2026-11-01T10:00:00Z", "service": "checkout", "name": "Errors",
          "severity": "critical"}
T10, T1030 = datetime(2026, 11, 1, 10, 0), datetime(2026, 11, 1, 10, 30)


def test_a_resolve_in_a_later_upload_closes_the_alert_and_removing_it_reopens(tmp_path):
    ws = tmp_path / "ws"
    first = ingest_file(ws, "alerts", write(tmp_path / "a.csv", FIRING))
    assert alerts(ws) == [("A1", "firing", T10, None, None, 1, "checkout", "Errors", "critical")]
    second = ingest_file(ws, "alerts", write(tmp_path / "b.csv", FIRING, {**FIRING, "resolved_at": "2026-11-01T10:30:00Z"}))
    # the firing notice is already stored; the resolved one is new: something was added
    assert second["status"] == "stored" and second["rows"] == 1 and second["skipped"] == 1
    assert alerts(ws) == [("A1", "resolved", T10, T1030, "resolved_at", 2, "checkout", "Errors", "critical")]
    remove_upload(ws, second["upload_id"])
    assert alerts(ws) == [("A1", "firing", T10, None, None, 1, "checkout", "Errors", "critical")]
    remove_upload(ws, first["upload_id"])
    assert alerts(ws) == []


def test_nothing_added_only_when_no_notice_is_new(tmp_path):
    ws = tmp_path / "ws"
    ingest_file(ws, "alerts", write(tmp_path / "a.csv", FIRING, {**FIRING, "resolved_at": "2026-11-01T10:30:00Z"}))
    again = ingest_file(ws, "alerts", write(tmp_path / "b.csv", {**FIRING, "resolved_at": "2026-11-01T10:30:00Z"},
                                            FIRING, FIRING))
    assert again["status"] == "duplicate" and again["rows"] == 0 and "nothing added" in again["message"]
    assert notices(ws) == 2 and len(list_uploads(ws)) == 1


def test_a_resolve_only_upload_is_stored_and_waits_for_its_trigger(tmp_path):
    ws = tmp_path / "ws"
    resolve = {"alert_key": "pd-42", "status": "resolve", "event_at": "2026-11-01T10:30:00Z"}
    stored = ingest_file(ws, "alerts", write(tmp_path / "resolve.csv", resolve))
    assert stored["status"] == "stored" and stored["rows"] == 1
    assert "1 notice (a resolve or acknowledgement) waits for the firing notice of its alert" in stored["message"]
    assert alerts(ws) == []  # no firing notice yet: no alert
    trigger = {"alert_key": "pd-42", "status": "trigger", "fired_at": "2026-11-01T10:00:00Z", "service": "checkout",
               "name": "Errors", "severity": "high"}
    ingest_file(ws, "alerts", write(tmp_path / "trigger.csv", trigger))
    # ordered by event time, not receipt: the trigger (10:00) came before the resolve (10:30)
    assert alerts(ws) == [("pd-42@2026-11-01T10:00:00Z", "resolved", T10, T1030, "notice_time", 2, "checkout",
                           "Errors", "high")]


def test_a_resolve_without_a_time_takes_the_upload_time_and_says_so(tmp_path):
    ws = tmp_path / "ws"
    ingest_file(ws, "alerts", write(tmp_path / "a.csv", FIRING))
    before = datetime.now(UTC).replace(tzinfo=None)
    ingest_file(ws, "alerts", write(tmp_path / "b.csv", {"alert_id": "A1", "status": "resolved"}))
    after = datetime.now(UTC).replace(tzinfo=None)
    [(alert_id, status, fired, resolved, resolved_from, count, *_)] = alerts(ws)
    assert (alert_id, status, fired, resolved_from, count) == ("A1", "resolved", T10, "upload_time", 2)
    assert before <= resolved <= after


def test_a_retrigger_after_a_resolve_is_a_new_alert_and_an_ack_never_reopens(tmp_path):
    ws = tmp_path / "ws"
    key = {"alert_key": "k", "service": "search", "name": "Slow", "severity": "warning"}
    ingest_file(ws, "alerts", write(
        tmp_path / "a.csv",
        {**key, "status": "firing", "fired_at": "2026-11-01T10:00:00Z"},
        {**key, "status": "resolved", "event_at": "2026-11-01T10:30:00Z"},
        {**key, "status": "acknowledged", "event_at": "2026-11-01T10:40:00Z"},
    ))
    ingest_file(ws, "alerts", write(tmp_path / "b.csv", {**key, "status": "firing", "fired_at": "2026-11-01T11:00:00Z"}))
    got = alerts(ws)
    assert [(a[0], a[1], a[2], a[3], a[5]) for a in got] == [
        ("k@2026-11-01T10:00:00Z", "resolved", T10, T1030, 3),
        ("k@2026-11-01T11:00:00Z", "firing", datetime(2026, 11, 1, 11), None, 1),
    ]


def test_a_resolve_notice_keeps_the_firing_notices_name_and_severity(tmp_path):
    ws = tmp_path / "ws"
    ingest_file(ws, "alerts", write(
        tmp_path / "a.csv",
        {**FIRING, "alert_key": "k", "alert_id": "", "status": "firing"},
        {"alert_key": "k", "status": "resolved", "event_at": "2026-11-01T10:30:00Z", "name": "RESOLVED: Errors",
         "severity": "info", "service": "checkout"},
    ))
    assert alerts(ws) == [("k@2026-11-01T10:00:00Z", "resolved", T10, T1030, "notice_time", 2, "checkout", "Errors",
                           "critical")]


def test_a_resolve_that_names_no_alert_is_refused_and_nothing_is_stored(tmp_path):
    ws = tmp_path / "ws"
    bad = write(tmp_path / "bad.csv", FIRING, {"status": "resolved", "event_at": "2026-11-01T10:30:00Z"})
    with pytest.raises(IngestError) as err:
        ingest_file(ws, "alerts", bad)
    assert (err.value.row, err.value.column) == (2, "fired_at")
    assert notices(ws) == 0


def test_an_unknown_status_is_refused_with_its_row_and_value(tmp_path):
    ws = tmp_path / "ws"
    with pytest.raises(IngestError) as err:
        ingest_file(ws, "alerts", write(tmp_path / "bad.csv", FIRING, {**FIRING, "status": "maybe"}))
    assert (err.value.row, err.value.column, err.value.found) == (2, "status", "'maybe'")
    assert "resolved" in err.value.expected


def test_uploads_stored_before_notices_were_modelled_still_fold(tmp_path):
    """An alerts upload written by an earlier journeylens has none of the notice columns: each row reads as
    one whole alert, and a later upload's resolve of the same alert id folds with it."""
    import duckdb

    ws = tmp_path / "ws"
    first = ingest_file(ws, "alerts", write(tmp_path / "a.csv", FIRING))
    stored = ws / "uploads" / first["upload_id"] / "alerts.parquet"
    old_shape = duckdb.sql("select * exclude (status, event_at, alert_key, notice_id, resolved_from, receipt) "
                           "from read_parquet($p)", params={"p": str(stored)}).df()
    old_shape.to_parquet(stored, index=False)
    assert alerts(ws) == [("A1", "firing", T10, None, None, 1, "checkout", "Errors", "critical")]
    again = ingest_file(ws, "alerts", write(tmp_path / "b.csv", FIRING))
    assert again["status"] == "duplicate"  # the old row is recognised as the same notice
    ingest_file(ws, "alerts", write(tmp_path / "c.csv", {**FIRING, "resolved_at": "2026-11-01T10:30:00Z"}))
    assert alerts(ws) == [("A1", "resolved", T10, T1030, "resolved_at", 2, "checkout", "Errors", "critical")]


def test_a_firing_notice_without_a_name_is_refused(tmp_path):
    """Only a follow-up notice may leave out what its firing notice carries."""
    ws = tmp_path / "ws"
    with pytest.raises(IngestError) as err:
        ingest_file(ws, "alerts", write(tmp_path / "bad.csv", FIRING, {**FIRING, "alert_id": "A2", "name": ""}))
    assert (err.value.row, err.value.column) == (2, "name")
    assert notices(ws) == 0
