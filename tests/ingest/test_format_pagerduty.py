"""PagerDuty's formats load with no mapping, from real samples (tests/fixtures/pagerduty/PROVENANCE.md):
Events API v2 and v1, V3 webhooks, REST incidents (JSON, and dumped to CSV), the basic report CSV. Every
event is a notice; the view `alerts` folds them across uploads."""

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.workspace.contract import IngestError
from stored_rows import rows

PD = Path(__file__).resolve().parents[1] / "fixtures" / "pagerduty"


ALERT = "select alert_id, status, fired_at, resolved_at, resolved_from, service, name, severity, fingerprint from alerts"


def test_events_v2_trigger_from_the_docs(tmp_path):
    result = ingest_file(tmp_path, "alerts", PD / "docs_events_v2_trigger.json")
    assert (result["layout"], result["rows"]) == ("pagerduty_events_v2", 1)
    assert rows(tmp_path, ALERT) == [(
        "samplekeyhere@2015-07-17T08:42:58.315+0000", "firing", datetime(2015, 7, 17, 8, 42, 58, 315000), None, None,
        "postgres", "Example alert on host1.example.com", "info", "samplekeyhere")]
    extra = json.loads(rows(tmp_path, "select extra from alerts")[0][0])
    # what no column holds stays: links, images, client, routing_key, custom_details, class/group/source
    assert extra["client_url"] == "https://monitoring.example.com"
    assert extra["links"] == [{"href": "https://example.com/", "text": "Link text"}]
    assert extra["images"][0]["alt"] == "Example text"
    assert extra["payload"] == {"source": "monitoringtool:cloudvendor:central-region-dc-01:852559987:cluster/api-stats-prod-003",
                                "component": "postgres", "group": "prod-datapipe", "class": "deploy",
                                "custom_details": {"ping time": "1500ms", "load avg": 0.75}}


def test_events_v2_resolve_in_a_later_upload_closes_the_alert(tmp_path):
    ingest_file(tmp_path, "alerts", PD / "openapi_events_v2_enqueue.json")
    resolve = tmp_path / "resolve.json"
    resolve.write_text(json.dumps({"routing_key": "e93facc04764012d7bfb002500d5d1a6", "dedup_key": "srv01/mysql",
                                   "event_action": "resolve"}))
    result = ingest_file(tmp_path / "ws", "alerts", PD / "openapi_events_v2_enqueue.json")
    assert result["status"] == "stored"
    result = ingest_file(tmp_path / "ws", "alerts", resolve)
    assert result["status"] == "stored" and result["rows"] == 1
    got = rows(tmp_path / "ws", ALERT)
    assert len(got) == 1
    alert = got[0]
    assert alert[:3] == ("srv01/mysql@2015-07-17T08:42:58.315+0000", "resolved", datetime(2015, 7, 17, 8, 42, 58, 315000))
    assert alert[4] == "upload_time" and alert[3] is not None  # a resolve without a time: the upload's
    assert alert[5:] == ("mysql", "DISK at 99% on machine prod-datapipe03.example.com", "critical", "srv01/mysql")


def test_events_v2_resolve_only_upload_loads_and_waits_for_its_trigger(tmp_path):
    result = ingest_file(tmp_path, "alerts", PD / "docs_events_v2_resolve.json")
    assert (result["status"], result["rows"]) == ("stored", 1)
    assert rows(tmp_path, "select alert_key, status, service, name, severity from alert_notices") == [
        ("dedupkeyhere", "resolved", None, None, None)]
    assert rows(tmp_path, "select count(*) from alerts") == [(0,)]
    ack = ingest_file(tmp_path, "alerts", PD / "docs_events_v2_acknowledge.json")
    assert ack["rows"] == 1
    assert rows(tmp_path, "select count(*) from alerts") == [(0,)]


def test_events_v2_retrigger_after_resolve_is_a_second_alert(tmp_path):
    trigger = json.loads((PD / "openapi_events_v2_enqueue.json").read_text())
    again = json.loads(json.dumps(trigger))
    again["payload"]["timestamp"] = "2015-07-18T09:00:00Z"
    resolve = {"routing_key": trigger["routing_key"], "dedup_key": "srv01/mysql", "event_action": "resolve",
               "payload": {"summary": "ok", "source": "x", "severity": "info", "timestamp": "2015-07-17T10:00:00Z"}}
    for n, events in enumerate(([trigger], [resolve], [again])):
        path = tmp_path / f"u{n}.json"
        path.write_text(json.dumps(events))
        ingest_file(tmp_path / "ws", "alerts", path)
    got = rows(tmp_path / "ws", "select status, fired_at, resolved_at, resolved_from from alerts order by fired_at")
    assert got == [("resolved", datetime(2015, 7, 17, 8, 42, 58, 315000), datetime(2015, 7, 17, 10), "resolved_at"),
                   ("firing", datetime(2015, 7, 18, 9), None, None)]


def test_events_v1_acknowledge_and_resolve_from_the_docs(tmp_path):
    for name in ("docs_events_v1_acknowledge.json", "docs_events_v1_resolve.json"):
        assert ingest_file(tmp_path, "alerts", PD / name)["layout"] == "pagerduty_events_v1"
    assert rows(tmp_path, "select alert_key, status, fingerprint from alert_notices order by status") == [
        ("srv01/HTTP", "acknowledged", "srv01/HTTP"), ("srv01/HTTP", "resolved", "srv01/HTTP")]


@pytest.mark.parametrize("name", ["docs_events_v1_trigger.json", "openapi_events_v1_create_event.json"])
def test_events_v1_trigger_without_a_time_takes_the_upload_time_and_says_so(tmp_path, name):
    # v1 events carry no timestamp: the trigger's fired time is the upload's, and fired_from says so
    before = datetime.now(UTC).replace(tzinfo=None)
    ingest_file(tmp_path, "alerts", PD / name)
    after = datetime.now(UTC).replace(tzinfo=None)
    [(status, fired_at, fired_from, source)] = rows(tmp_path, "select status, fired_at, fired_from, source from alerts")
    assert (status, fired_from, source) == ("firing", "upload_time", "pagerduty")
    assert before <= fired_at <= after


def test_events_without_times_are_ordered_where_the_file_puts_them(tmp_path):
    # trigger (timed), acknowledge (no time), re-trigger later: the acknowledgement belongs between them
    events = [
        {"event_action": "trigger", "dedup_key": "k", "payload": {"summary": "Disk full", "source": "db1",
                                                                  "severity": "error", "timestamp": "2026-11-01T10:00:00Z"}},
        {"event_action": "acknowledge", "dedup_key": "k"},
        {"event_action": "trigger", "dedup_key": "k", "payload": {"summary": "Disk full", "source": "db1",
                                                                  "severity": "critical", "timestamp": "2026-11-01T11:00:00Z"}},
    ]
    path = tmp_path / "events.json"
    path.write_text(json.dumps(events))
    ingest_file(tmp_path / "ws", "alerts", path)
    assert rows(tmp_path / "ws", "select status, event_at from alert_notices order by receipt") == [
        ("firing", datetime(2026, 11, 1, 10)), ("acknowledged", datetime(2026, 11, 1, 10)),
        ("firing", datetime(2026, 11, 1, 11))]
    # the re-trigger after the acknowledgement is the latest state: firing, with the latest severity
    assert rows(tmp_path / "ws", "select status, severity, notices from alerts") == [("firing", "critical", 3)]


def test_webhook_v3_triggered_acknowledged_resolved(tmp_path):
    for name in ("zulip_triggered_v3.json", "zulip_acknowledged_v3.json", "zulip_resolved_v3.json"):
        assert ingest_file(tmp_path, "alerts", PD / name)["layout"] == "pagerduty_webhook_v3"
    assert rows(tmp_path, "select alert_key, status, event_at, service, name, severity from alert_notices order by event_at") == [
        ("PCPZE64", "resolved", datetime(2021, 6, 4, 13, 16, 53, 816000), "pig208", "Test Incident", "high"),
        ("PFQZPSY", "firing", datetime(2021, 6, 4, 13, 35, 29, 781000), "pig208", "Test Incident 3", "high"),
        ("PQ1K5C8", "acknowledged", datetime(2021, 6, 4, 13, 55, 30, 394000), "pig208", "Test Incident", "high")]
    # only the trigger has its firing notice: the others wait for theirs
    assert rows(tmp_path, ALERT) == [("PFQZPSY", "firing", datetime(2021, 6, 4, 13, 35, 29, 781000), None, None,
                                      "pig208", "Test Incident 3", "high", "PFQZPSY")]
    extra = json.loads(rows(tmp_path, "select extra from alerts")[0][0])
    assert extra["event"]["agent"]["summary"] == "PIG 208" and extra["event"]["data"]["number"] == 9


def test_webhook_v3_priority_names_the_severity(tmp_path):
    ingest_file(tmp_path, "alerts", PD / "docs_webhook_v3_priority_updated.json")
    assert rows(tmp_path, ALERT) == [("PGR0VU2", "firing", datetime(2020, 4, 9, 15, 16, 27), None, None, "API Service",
                                      "A little bump in the road", "critical", "d3640fbd41094207a1c11e58e46b1662")]
    assert rows(tmp_path, "select severity_raw from alerts") == [("P1",)]


@pytest.mark.parametrize("name, status, resolved", [
    ("openapi_rest_list_incidents.json", "resolved", datetime(2015, 10, 6, 21, 38, 23)),
    ("openapi_rest_update_incidents.json", "resolved", datetime(2015, 10, 6, 21, 38, 23)),
    ("openapi_rest_get_incident.json", "acknowledged", None),
    ("pdcli_incidents_array.json", "firing", None),
    ("openapi_rest_list_incidents_pandas.csv", "resolved", datetime(2015, 10, 6, 21, 38, 23)),
    ("openapi_rest_update_incidents_json_cells.csv", "resolved", datetime(2015, 10, 6, 21, 38, 23)),
    ("pdcli_incidents_pandas.csv", "firing", None),
])
def test_rest_incidents_json_and_dumped_to_csv(tmp_path, name, status, resolved):
    result = ingest_file(tmp_path, "alerts", PD / name)
    assert result["layout"] == "pagerduty_rest_incidents" + ("_csv" if name.endswith(".csv") else "")
    got = rows(tmp_path, "select alert_id, status, fired_at, resolved_at, service, name, severity from alerts")
    assert got == [("PT4KHLK", status, datetime(2015, 10, 6, 21, 30, 42), resolved, "My Mail Service",
                    "The server is on fire.", "high")]


def test_rest_incidents_csv_as_incidents(tmp_path):
    ingest_file(tmp_path, "incidents", PD / "openapi_rest_list_incidents_pandas.csv")
    assert rows(tmp_path, "select incident_id, opened_at, resolved_at, service, title, severity, fingerprints "
                          "from incidents") == [
        ("PT4KHLK", datetime(2015, 10, 6, 21, 30, 42), datetime(2015, 10, 6, 21, 38, 23), "My Mail Service",
         "The server is on fire.", "P2", "baf7cf21b1da41b4b0221008339ff357")]


def test_basic_report_csv(tmp_path):
    result = ingest_file(tmp_path, "alerts", PD / "basic_report_constructed.csv")
    assert result["layout"] == "pagerduty_incidents_csv"
    assert rows(tmp_path, "select alert_id, status, fired_at, resolved_at, service, severity from alerts order by 1") == [
        ("1042", "resolved", datetime(2026, 11, 9, 14, 6, 10), datetime(2026, 11, 9, 15, 22), "payments-api", "high"),
        ("1043", "firing", datetime(2026, 11, 10, 3, 0, 30), None, "ci-runner", "low")]
    ingest_file(tmp_path, "incidents", PD / "basic_report_constructed.csv")
    assert rows(tmp_path, "select incident_id, opened_at from incidents order by 1")[0] == (
        "1042", datetime(2026, 11, 9, 14, 6, 10))


@pytest.mark.parametrize("text, row, column", [
    ('[{"event_action": "explode", "dedup_key": "k", "payload": {"summary": "s", "source": "h", "severity": '
     '"critical", "timestamp": "2026-01-01T00:00:00Z"}}]', 1, "status"),
    ('[{"event_action": "trigger", "dedup_key": "k", "payload": {"summary": "s", "source": "h", "severity": '
     '"critical", "timestamp": "yesterday"}}]', 1, "fired_at"),
    ('{"event": {"event_type": "incident.triggered", "occurred_at": "2026-01-01T00:00:00Z", '
     '"data": {"id": "P1", "type": "incident", "title": "t", "service": "not an object", "urgency": "high"}}}', 1, "service"),
    ('{"incidents": [{"id": "P1", "type": "incident", "status": "triggered", "title": "t", "created_at": 5, '
     '"service": {"summary": "s"}, "urgency": "urgent"}]}', 1, "fired_at"),
])
def test_broken_payloads_are_refused_by_row_and_column(tmp_path, text, row, column):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(IngestError) as err:
        ingest_file(tmp_path / "ws", "alerts", path)
    assert (err.value.row, err.value.column) == (row, column)


def test_rest_incidents_json_as_incidents(tmp_path):
    ingest_file(tmp_path, "incidents", PD / "openapi_rest_update_incidents.json")
    assert rows(tmp_path, "select incident_id, opened_at, acknowledged_at, resolved_at, service, title, severity "
                          "from incidents") == [
        ("PT4KHLK", datetime(2015, 10, 6, 21, 30, 42), datetime(2015, 11, 10, 0, 32, 52),
         datetime(2015, 10, 6, 21, 38, 23), "My Mail Service", "The server is on fire.", "high")]


def test_rest_dump_reads_repr_and_json_objects_in_cells(tmp_path):
    # Python's repr quotes a text holding a single quote with double quotes; JSON cells load too
    path = tmp_path / "dump.csv"
    with path.open("w", newline="") as out:
        csv.writer(out).writerows([
            ["id", "type", "status", "urgency", "title", "created_at", "service", "priority"],
            ["P1", "incident", "triggered", "low", "a", "2026-01-01T00:00:00Z",
             repr({"id": "S1", "summary": "Bob's shop"}), repr({"summary": "P1"})],
            ["P2", "incident", "acknowledged", "high", "b", "2026-01-01T00:00:00Z", json.dumps({"summary": "Cart"}), ""],
        ])
    ingest_file(tmp_path / "ws", "alerts", path)
    assert rows(tmp_path / "ws", "select alert_id, status, service, severity, severity_raw from alerts order by 1") == [
        ("P1", "firing", "Bob's shop", "critical", "P1"), ("P2", "acknowledged", "Cart", "high", "high")]


def test_rest_incident_extra_keeps_what_no_column_holds(tmp_path):
    ingest_file(tmp_path, "alerts", PD / "openapi_rest_update_incidents.json")
    extra = json.loads(rows(tmp_path, "select extra from alerts")[0][0])
    assert extra["incident_number"] == 1234 and extra["alert_counts"] == {"all": 2, "triggered": 0, "resolved": 2}
    assert extra["acknowledgements"][0]["acknowledger"]["summary"] == "Earline Greenholt"
    assert extra["pending_actions"] == [{"type": "unacknowledge", "at": "2015-11-10T01:02:52Z"},
                                        {"type": "resolve", "at": "2015-11-10T04:31:52Z"}]
    assert not {"id", "title", "status", "created_at"} & set(extra)


@pytest.mark.parametrize("name, column", [("basic_report_constructed.csv", "Opened On"),
                                          ("pdcli_incidents_pandas.csv", "created_at")])
def test_broken_csv_is_refused_by_row_and_column(tmp_path, name, column):
    lines = (PD / name).read_text().splitlines()
    header = next(csv.reader([lines[0]]))
    row = next(csv.reader([lines[1]]))
    row[header.index(column)] = "soon"
    path = tmp_path / name
    with path.open("w", newline="") as out:
        csv.writer(out).writerows([header, row])
    with pytest.raises(IngestError) as err:
        ingest_file(tmp_path / "ws", "alerts", path)
    assert (err.value.row, err.value.column) == (1, "fired_at")
