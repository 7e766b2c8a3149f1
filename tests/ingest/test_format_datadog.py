"""Datadog as it is exported and sent: webhooks (default and richer templates), the Events API v1, EventBridge
envelopes, the event CSV and the monitor alert-history CSV, from real samples (tests/fixtures/datadog/,
PROVENANCE.md there). Every notice is stored; a monitor's transitions fold into one alert per occurrence."""

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from journeylens.notebooks.ingest.native import datadog
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.workspace.contract import IngestError
from stored_rows import rows

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DD = FIXTURES / "datadog"
NOTICE = ("alert_id", "alert_key", "status", "fired_at", "resolved_at", "event_at", "service", "name", "severity",
          "severity_raw", "source", "fingerprint", "labels")


def stored(workspace, view="alert_notices", columns=NOTICE, order="receipt, event_at"):
    return rows(workspace, f"select {', '.join(columns)} from {view} order by {order}")


def extras(workspace):
    return [json.loads(e) for (e,) in stored(workspace, columns=("extra",), order="event_at, receipt")]


def test_webhook_default_template_is_a_triggered_notice_keyed_on_the_monitor_of_its_body(tmp_path):
    result = ingest_file(tmp_path, "alerts", DD / "webhook_default_relay.json")
    assert result["layout"] == "datadog_webhook" and result["rows"] == 1
    # no severity in the default template: Datadog types a Triggered notification `error` (high); the monitor
    # id is only in the body's links; no host and no group: the service is the visible placeholder
    assert stored(tmp_path) == [(
        "18692904|@1591216985000", "18692904|", "firing", datetime(2020, 6, 3, 20, 43, 5), None,
        datetime(2020, 6, 3, 20, 43, 5), "unknown", "[TEST] Host Cluster Alert", "high", "triggered", "datadog",
        "18692904", None)]
    extra = extras(tmp_path)[0]
    assert extra["id"] == "5485379890863845239" and extra["org"] == {"id": "415600", "name": "Puppet"}
    assert extra["title"] == "[Triggered] [TEST] Host Cluster Alert" and extra["event_type"] == "service_check"
    assert "body" not in extra  # stored as the message
    assert stored(tmp_path, columns=("message",))[0][0].startswith("%%%\n@webhook-relay-test\n")


def test_webhook_recovery_before_its_trigger_waits_and_the_retrigger_is_an_alert(tmp_path):
    # CodeNow/fluffy's pair: the recovery (07:11:17) of an earlier trigger, then a new trigger (07:12:10)
    first = ingest_file(tmp_path, "alerts", DD / "webhook_fluffy_recovered.json")
    second = ingest_file(tmp_path, "alerts", DD / "webhook_fluffy_triggered.json")
    assert first["rows"] == second["rows"] == 1
    key = "309811|host:i-3b93aafb"
    labels = json.dumps({"availability-zone": "us-west-1a", "host": "i-3b93aafb", "image": "ami-9f305fff",
                         "instance-type": "c3.large", "kernel": "none", "monitor": "", "org": "6585",
                         "region": "us-west-1", "role": "dock", "security-group": "sg-59a3503c"},
                        separators=(",", ":"))
    assert stored(tmp_path) == [
        # a resolve notice: no fired time and no severity (it must not become the alert's)
        (None, key, "resolved", None, datetime(2015, 11, 25, 7, 11, 17), datetime(2015, 11, 25, 7, 11, 17),
         "i-3b93aafb", "Dock is almost out of memory...", None, None, "datadog", "309811", labels),
        (f"{key}@1448435530000", key, "firing", datetime(2015, 11, 25, 7, 12, 10), None,
         datetime(2015, 11, 25, 7, 12, 10), "i-3b93aafb", "Dock is almost out of memory...", "high", "triggered",
         "datadog", "309811", labels),
    ]
    assert stored(tmp_path, "alerts", ("alert_id", "status", "fired_at", "resolved_at", "notices"), "fired_at") == [
        (f"{key}@1448435530000", "firing", datetime(2015, 11, 25, 7, 12, 10), None, 1)]
    # every tag stays in extra (labels keep a repeated key's first value)
    assert "security-group:sg-cb8e7dae" in extras(tmp_path)[0]["event_tags"]


def test_richer_template_keys_on_alert_id_and_alert_scope(tmp_path):
    # the fluffy pair with the variables of richer templates added ($ALERT_ID, $ALERT_SCOPE, $ALERT_PRIORITY,
    # $HOSTNAME), the recovery moved after the trigger: one alert, resolved, with the trigger's priority
    fields = {"alert_id": "309811", "alert_scope": "region:us-west-1,role:dock", "hostname": "i-3b93aafb"}
    triggered = {**json.loads((DD / "webhook_fluffy_triggered.json").read_text()), **fields, "alert_priority": "P2"}
    recovered = {**json.loads((DD / "webhook_fluffy_recovered.json").read_text()), **fields, "alert_priority": "P5",
                 "date": "1448435977000"}
    (tmp_path / "pair.json").write_text(json.dumps([triggered, recovered]))
    assert ingest_file(tmp_path / "ws", "alerts", tmp_path / "pair.json")["rows"] == 2
    key = "309811|region:us-west-1,role:dock"
    assert stored(tmp_path / "ws", columns=("alert_key", "status", "severity", "severity_raw", "service")) == [
        (key, "firing", "high", "P2", "i-3b93aafb"), (key, "resolved", None, None, "i-3b93aafb")]
    assert stored(tmp_path / "ws", "alerts", ("alert_id", "status", "fired_at", "resolved_at", "severity"), "fired_at") == [
        (f"{key}@1448435530000", "resolved", datetime(2015, 11, 25, 7, 12, 10), datetime(2015, 11, 25, 7, 19, 37),
         "high")]


def split_event_csv(tmp_path):
    """The event CSV fixture's [Triggered] and [Recovered] rows as two uploads, and a re-trigger as a third."""
    header, triggered, recovered, _ = (FIXTURES / "datadog_events.csv").read_text().splitlines()
    retriggered = triggered.replace("7001,1794232800", "7009,1794243600")
    files = []
    for name, row in (("up1.csv", triggered), ("up2.csv", recovered), ("up3.csv", retriggered)):
        (tmp_path / name).write_text(f"{header}\n{row}\n")
        files.append(tmp_path / name)
    return files


def test_triggered_then_recovered_in_a_later_upload_is_one_resolved_alert_and_a_retrigger_a_new_one(tmp_path):
    ws = tmp_path / "ws"
    up1, up2, up3 = split_event_csv(tmp_path)
    folded = ("alert_id", "status", "fired_at", "resolved_at", "severity", "notices")
    ingest_file(ws, "alerts", up1)
    assert stored(ws, "alerts", folded, "fired_at") == [
        ("5501|web-01@1794232800", "firing", datetime(2026, 11, 9, 14), None, "critical", 1)]
    ingest_file(ws, "alerts", up2)
    # the recovery says info/P5: the alert keeps its P1 (critical)
    assert stored(ws, "alerts", folded, "fired_at") == [
        ("5501|web-01@1794232800", "resolved", datetime(2026, 11, 9, 14), datetime(2026, 11, 9, 15), "critical", 2)]
    ingest_file(ws, "alerts", up3)
    assert stored(ws, "alerts", folded, "fired_at") == [
        ("5501|web-01@1794232800", "resolved", datetime(2026, 11, 9, 14), datetime(2026, 11, 9, 15), "critical", 2),
        ("5501|web-01@1794243600", "firing", datetime(2026, 11, 9, 17), None, "critical", 1)]


def test_event_csv_rows_keep_their_columns_in_extra(tmp_path):
    result = ingest_file(tmp_path, "alerts", FIXTURES / "datadog_events.csv")
    assert result["layout"] == "datadog_events" and result["rows"] == 3
    assert extras(tmp_path)[1] == {
        "id": "7002", "date_happened": "1794236400", "title": "[Recovered] Checkout error rate", "alert_type": "info",
        "priority": "P5", "host": "web-01", "service": "checkout-web", "tags": "env:prod,team:storefront",
        "monitor_id": "5501", "source_type_name": "Monitor Alert"}


@pytest.mark.parametrize("name, expected", [
    # a list (GET /api/v1/events) from datadogpy's cassettes: priority low is no severity, alert_type info is
    ("events_api_list_vsphere.json", ("5309722856448002944", "firing", datetime(2020, 2, 3, 16, 23, 30), None,
                                      "test.host", "test source", "info", "info", None, "{}")),
    ("events_api_list_dogshell.json", ("5309722366481886321", "firing", datetime(2020, 2, 3, 16, 23, 1), None,
                                       "test.host", "Testing events from dogshell", "info", "info", None,
                                       '{"tag":"a"}')),
    # a single event (GET /api/v1/events/{id}); success closes a plain event at once
    ("events_api_get_success.json", ("5309722505343306076", "resolved", datetime(2020, 2, 3, 16, 23, 9),
                                     datetime(2020, 2, 3, 16, 23, 9), "unknown", "test no hostname", "info", "success",
                                     None, "{}")),
    ("events_api_get_host.json", ("5309722144615820235", "firing", datetime(2020, 2, 3, 16, 22, 48), None,
                                  "test.host.integration", "test host", "info", "info", None, '{"test_tag":"3"}')),
    # the POST reply of datadog-api-client-python: `id` lost its last digits as a JSON number, `id_str` did not;
    # no alert_type: the Events API's default, info
    ("events_api_post_reply.json", ("6327818702635911562", "firing", datetime(2022, 1, 6, 0, 50, 51), None,
                                    "unknown", "Test-Post_an_event_returns_OK_response-1641430251", "info", None, None,
                                    '{"test":"TestPostaneventreturnsOKresponse1641430251"}')),
])
def test_events_api_events_are_alerts_of_their_own(tmp_path, name, expected):
    result = ingest_file(tmp_path, "alerts", DD / name)
    assert result["layout"] == "datadog_events_api" and result["rows"] == 1
    columns = ("alert_id", "status", "fired_at", "resolved_at", "service", "name", "severity", "severity_raw",
               "fingerprint", "labels")
    assert stored(tmp_path, "alerts", columns, "fired_at") == [expected]


def test_a_bare_event_object_loads_like_its_reply(tmp_path):
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(json.loads((DD / "events_api_get_host.json").read_text())["event"]))
    assert ingest_file(tmp_path / "ws", "alerts", bare)["layout"] == "datadog_events_api"
    assert stored(tmp_path / "ws", "alerts", ("alert_id", "service", "name"), "fired_at") == [
        ("5309722144615820235", "test.host.integration", "test host")]


def test_an_events_list_with_an_item_that_is_no_object_is_refused(tmp_path):
    hostile = tmp_path / "hostile.json"
    events = json.loads((DD / "events_api_list_vsphere.json").read_text())["events"]
    hostile.write_text(json.dumps({"events": [*events, 5]}))
    with pytest.raises(IngestError) as refused:
        ingest_file(tmp_path / "ws", "alerts", hostile)
    # the number has no title: a firing notice without a name is refused
    assert (refused.value.file, refused.value.row, refused.value.column) == ("hostile.json", 1, "name")


def test_an_event_without_a_date_takes_the_uploads_time_and_says_so(tmp_path):
    timeless = tmp_path / "timeless.json"
    timeless.write_text((DD / "events_api_list_vsphere.json").read_text().replace('"date_happened":1580747010,', ""))
    assert ingest_file(tmp_path / "ws", "alerts", timeless)["rows"] == 1
    assert stored(tmp_path / "ws", columns=("alert_id", "fired_from", "fired_at = event_at")) == [
        ("5309722856448002944", "upload_time", True)]


def test_events_api_keeps_what_wrapped_the_event(tmp_path):
    ingest_file(tmp_path, "alerts", DD / "events_api_post_reply.json")
    extra = extras(tmp_path)[0]
    assert extra["envelope"] == {"status": "ok"} and extra["id"] == 6327818702635911000
    assert extra["url"] == "https://app.datadoghq.com/event/event?id=6327818702635911562" and "text" not in extra


def test_events_api_v2_pages_are_one_alert_per_event(tmp_path):
    # datadog-api-client-python's recorded pages of GET /api/v2/events: `status` is the event's alert type
    first = ingest_file(tmp_path, "alerts", DD / "events_api_v2_page1.json")
    second = ingest_file(tmp_path, "alerts", DD / "events_api_v2_page2.json")
    assert first["layout"] == second["layout"] == "datadog_events_api"
    assert (first["rows"], second["rows"]) == (2, 1)
    columns = ("left(alert_id, 24)", "status", "fired_at", "service", "name", "severity", "fingerprint", "labels")
    same = ("undefined", "[Synthetics] EVMGT pipeline test", "info", "adip", '{"environment":"staging","source":"my_apps"}')
    assert stored(tmp_path, "alerts", columns, "fired_at") == [
        ("AgAAAYGCFTWI2hRvPgAAAAAA", "firing", datetime(2022, 6, 20, 17, 7, 17), *same),
        ("AgAAAYGCFWhQ_AdvPgAAAAAA", "firing", datetime(2022, 6, 20, 17, 7, 30), *same),
        ("AgAAAYGCFXAgIVFvPgAAAAAA", "firing", datetime(2022, 6, 20, 17, 7, 32), *same),
    ]
    extra = extras(tmp_path)[0]
    assert extra["evt"] == {"source_id": 100, "type": "api", "id": "6567977596797486753"}
    assert extra["hostname"] == "do ani" and extra["envelope"]["meta"]["page"]["after"].startswith("eyJhZnRlciI6")


@pytest.mark.parametrize("name", ["eventbridge_idr_before.json", "eventbridge_idr_after.json"])
def test_eventbridge_envelope_reads_its_detail(tmp_path, name):
    result = ingest_file(tmp_path, "alerts", DD / name)
    assert result["layout"] == "datadog_eventbridge" and result["rows"] == 1
    assert stored(tmp_path) == [(
        "222222|@1698244878", "222222|", "firing", datetime(2023, 10, 25, 14, 41, 18), None,
        datetime(2023, 10, 25, 14, 41, 18), "unknown", "UnHealthyHostCount", "high", "error", "datadog", "222222",
        '{"aws_account":"123456789012","monitor":""}')]
    extra = extras(tmp_path)[0]
    assert extra["meta"]["transition"] == {"trans_name": "Triggered", "trans_type": "alert"}
    assert extra["envelope"]["detail-type"] in ("Datadog Alert Notification", "ams.monitoring/generic-apm")
    assert extra["envelope"]["region"] == "us-east-1" and "detail" not in extra["envelope"]


@pytest.mark.parametrize("name, host, severity, raw, extra", [
    ("monitor_history_us.csv", "test.example.com", "critical", "1", {
        "org_id": "<org_id_integer>", "hour": " 2018-06-07 17", "source_type_name": "monitor alert",
        "alert_type": "error", "priority": "1", "event_object": "<event_object_string>", "host_name": "test.example.com",
        "device_name": None, "alert_name": "Host name: {{host.name}} Name name: {{name.name}}", "user": "<user_email>",
        "cnt": "1"}),
    ("monitor_history_eu.csv", "test.example.eu", "critical", "1", None),
    # the newer report has no severity: a monitor alert (Datadog types it error)
    ("monitor_history_2022.csv", "example_host_name", "high", None, {
        "hour": "2022-10-23 20", "host_name": "example_host_name",
        "alert_name": "Host name: {{host.name}} Name name: {{name.name}}", "user": "<user_email>", "cnt": "67"}),
])
def test_monitor_history_hour_buckets_are_alerts(tmp_path, name, host, severity, raw, extra):
    result = ingest_file(tmp_path, "alerts", DD / name)
    assert result["layout"] == "datadog_monitor_history" and result["rows"] == 1
    hour = datetime(2022, 10, 23, 20) if "2022" in name else datetime(2018, 6, 7, 17)
    columns = ("status", "fired_at", "resolved_at", "service", "name", "severity", "severity_raw", "source")
    assert stored(tmp_path, "alerts", columns, "fired_at") == [
        ("firing", hour, None, host, "Host name: {{host.name}} Name name: {{name.name}}", severity, raw, "datadog")]
    if extra:
        assert extras(tmp_path) == [extra]


def test_sample_world_events_stay_one_alert_each_with_their_event_ids(tmp_path):
    # the sample world's events carry no transition prefix: each is an occurrence of its own
    world = Path(datadog.__file__).resolve().parents[3] / "sample_data" / "world" / "datadog_events.csv"
    result = ingest_file(tmp_path, "alerts", world)
    ids = [line.split(",")[0] for line in world.read_text().splitlines()[1:]]
    assert result["rows"] == len(ids) == 61
    assert sorted(i for (i,) in stored(tmp_path, "alerts", ("alert_id",), "alert_id")) == sorted(ids)


@pytest.mark.parametrize("name, text, row, column, found", [
    ("webhook_fluffy_triggered.json", ('"date": "1448435530000"', '"date": {"ms": 1448435530000}'), 1, "fired_at",
     '{"ms":1448435530000}'),
    ("webhook_default_relay.json", ('"date": "1591216985000"', '"date": "yesterday"'), 1, "fired_at", "yesterday"),
    ("events_api_list_vsphere.json", ('"date_happened":1580747010', '"date_happened":"soon"'), 1, "fired_at", "soon"),
    ("eventbridge_idr_before.json", ('"result_ts": 1698244878', '"result_ts": "later"'), 1, "fired_at", "later"),
    ("monitor_history_2022.csv", ("2022-10-23 20", "2022-13-45 99"), 1, "fired_at", "2022-13-45 99"),
])
def test_broken_samples_are_refused_naming_row_and_column(tmp_path, name, text, row, column, found):
    broken = tmp_path / name
    broken.write_text((DD / name).read_text().replace(*text))
    assert broken.read_text() != (DD / name).read_text()
    with pytest.raises(IngestError) as refused:
        ingest_file(tmp_path / "ws", "alerts", broken)
    assert (refused.value.file, refused.value.row, refused.value.column) == (name, row, column)
    assert found in refused.value.found
    assert not (tmp_path / "ws" / "uploads").exists() or not any((tmp_path / "ws" / "uploads").iterdir())


def test_a_bad_date_in_the_event_csv_names_the_files_column(tmp_path):
    header, *rows = (FIXTURES / "datadog_events.csv").read_text().splitlines()
    rows[1] = rows[1].replace("1794236400", "yesterday")
    (tmp_path / "bad.csv").write_text("\n".join([header, *rows]) + "\n")
    with pytest.raises(IngestError) as refused:
        ingest_file(tmp_path / "ws", "alerts", tmp_path / "bad.csv")
    # row 2 is a [Recovered] event: its date is its resolved time
    assert (refused.value.row, refused.value.column, refused.value.found) == (2, "resolved_at", "'yesterday'")
    rows[1] = (FIXTURES / "datadog_events.csv").read_text().splitlines()[2]
    rows[0] = rows[0].replace("1794232800", "yesterday")
    (tmp_path / "bad.csv").write_text("\n".join([header, *rows]) + "\n")
    with pytest.raises(IngestError) as refused:
        ingest_file(tmp_path / "ws", "alerts", tmp_path / "bad.csv")
    assert (refused.value.row, refused.value.column, refused.value.found) == (1, "date_happened (fired_at)", "'yesterday'")


@pytest.mark.parametrize("first", [
    {"detail": "text", "detail-type": 1}, {"detail": {}, "detail-type": "x", "source": None},
    {"events": "none"}, {"events": [1, 2]}, {"events": []}, {"event": [], "title": 1},
    {"title": None, "event_type": None}, {"alert_transition": "Triggered"},
])
def test_detectors_answer_no_to_what_is_no_datadog_record(first):
    assert not any(layout.detect(first) for layout in datadog.LAYOUTS if layout.kind == "alerts"
                   and not isinstance(layout, datadog.TabularLayout))


def test_a_copy_of_a_sample_with_another_name_is_the_same_notice(tmp_path):
    ingest_file(tmp_path / "ws", "alerts", DD / "webhook_fluffy_triggered.json")
    shutil.copy(DD / "webhook_fluffy_triggered.json", tmp_path / "again.json")
    again = ingest_file(tmp_path / "ws", "alerts", tmp_path / "again.json")
    assert again["rows"] == 0 and again["skipped"] == 1
