"""Opsgenie / Jira Service Management alerts load with no mapping, from real samples
(tests/fixtures/opsgenie/PROVENANCE.md): Alert API alerts and webhooks, as notices keyed by alias."""

import json
from datetime import datetime
from pathlib import Path

import pytest
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.workspace.contract import IngestError
from stored_rows import rows

OG = Path(__file__).resolve().parents[1] / "fixtures" / "opsgenie"
ALERT = "select alert_id, alert_key, status, fired_at, resolved_at, service, name, severity, source, labels from alerts"


def test_alert_api_alert(tmp_path):
    result = ingest_file(tmp_path, "alerts", OG / "port_docs_alert_api.json")
    assert (result["layout"], result["rows"]) == ("opsgenie_alerts", 1)
    key = "355f1681-f6e3-4355-a927-897cd8edaf8f_886b285b-b35e-487b-afe6-3d5001370363-1724857097467"
    assert rows(tmp_path, ALERT) == [(
        "886b285b-b35e-487b-afe6-3d5001370363-1724857097467", key, "firing",
        datetime(2024, 8, 28, 14, 58, 17, 467000), None, "dev@domain.com", "Test scaling alerts", "medium",
        "opsgenie", "{}")]
    assert rows(tmp_path, "select event_at, severity_raw from alert_notices") == [
        (datetime(2024, 8, 28, 14, 58, 59, 285000), "P3")]
    extra = json.loads(rows(tmp_path, "select extra from alerts")[0][0])
    assert extra["tinyId"] == "13" and extra["integration"]["name"] == "Default API" and extra["count"] == 1


def test_alert_api_alert_with_tags(tmp_path):
    ingest_file(tmp_path, "alerts", OG / "port_docs_alert_api_older.json")
    assert rows(tmp_path, ALERT) == [(
        "580e9625-ecc7-42b0-8836-3d3637438bc4-169486700232",
        "355f1681-f6e3-4355-a927-897cd8edaf8f_4d37bc8a-030b-4e8f-a230-aa429947253c", "firing",
        datetime(2023, 4, 21, 8, 36, 18, 460000), None, "testuser@gmail.com", "Login Auth not working", "medium",
        "opsgenie", '{"auth":"true","login":"true"}')]
    extra = json.loads(rows(tmp_path, "select extra from alerts")[0][0])
    assert extra["report"] == {"ackTime": 4852912663} and extra["owner"] == "testuser@gmail.com"
    assert extra["tags"] == ["auth", "login"] and extra["__relatedIncident"]["tinyId"] == "2"


def test_alert_api_list_wrapped_in_data(tmp_path):
    alert = json.loads((OG / "port_docs_alert_api.json").read_text())
    closed = {**alert, "id": "b2", "alias": "b2-alias", "status": "closed", "tags": ["env:prod", "vip", "env:dev"],
              "priority": "P1", "report": {"closeTime": 60000}}
    path = tmp_path / "list.json"
    path.write_text(json.dumps({"data": [alert, closed], "took": 0.1, "requestId": "r"}))
    ingest_file(tmp_path / "ws", "alerts", path)
    got = rows(tmp_path / "ws", "select status, resolved_at, severity, labels from alerts where alert_id = 'b2'")
    # tags: k:v pairs and plain tags as "true"; the first of a repeated key wins
    assert got == [("resolved", datetime(2024, 8, 28, 14, 59, 17, 467000), "critical",
                    '{"env":"prod","vip":"true"}')]


def test_webhooks_create_acknowledge_close_fold_into_one_alert(tmp_path):
    # zulip's acknowledge and close are of one alert (alias aliastest); Port's create is another capture of it
    for name in ("port_docs_webhook_create.json", "zulip_webhook_acknowledge.json", "zulip_webhook_close.json"):
        assert ingest_file(tmp_path, "alerts", OG / name)["layout"] == "opsgenie_alerts"
    assert rows(tmp_path, "select status, event_at from alert_notices order by event_at") == [
        ("acknowledged", datetime(2015, 1, 5, 10, 3, 44, 764000)), ("resolved", datetime(2015, 1, 5, 10, 6, 14, 669000)),
        ("firing", datetime(2023, 6, 16, 11, 51, 6, 116000))]
    got = rows(tmp_path, ALERT)
    assert got == [("052652ac-5d1c-464a-812a-7dd18bbfba8c", "aliastest", "firing", datetime(2023, 6, 16, 11, 51, 5, 415000),
                    None, "An example entity", "test alert", "critical", "opsgenie", '{"tag1":"true","tag2":"true"}')]


def test_webhook_create_then_close_in_a_later_upload(tmp_path):
    ingest_file(tmp_path, "alerts", OG / "zulip_webhook_create.json")
    assert rows(tmp_path, "select status, service, severity, labels from alerts") == [
        ("firing", "Server", "medium", '{"vip":"true"}')]
    # zulip's close, made the close of zulip's create: same alias and id, an hour after it
    close = json.loads((OG / "zulip_webhook_close.json").read_text())
    close["alert"].update(alias="alert-alias", alertId="ec03dad6-62c8-4c94-b38b-d88f398e900f",
                          updatedAt=1502713556288000000)
    path = tmp_path / "close.json"
    path.write_text(json.dumps(close))
    ingest_file(tmp_path, "alerts", path)
    assert rows(tmp_path, "select status, resolved_at, resolved_from, service, severity from alerts") == [
        ("resolved", datetime(2017, 8, 14, 12, 25, 56, 288000), "resolved_at", "Server", "medium")]


def test_a_close_alone_waits_for_its_create(tmp_path):
    assert ingest_file(tmp_path, "alerts", OG / "zulip_webhook_close.json")["status"] == "stored"
    assert rows(tmp_path, "select count(*) from alerts") == [(0,)]


@pytest.mark.parametrize("alert, column", [
    ({"tinyId": "1", "message": "m", "alias": "a", "status": "open", "createdAt": "not a time", "source": "h",
      "priority": "P1"},
     "fired_at"),
    ({"tinyId": "1", "message": "m", "alias": "a", "status": "open", "createdAt": "2024-01-01T00:00:00Z",
      "source": "h", "priority": "P9"}, "severity"),
    ({"tinyId": "1", "message": "m", "alias": "a", "status": "snoozing", "createdAt": "2024-01-01T00:00:00Z",
      "source": "h"},
     "status"),
])
def test_broken_alerts_are_refused_by_row_and_column(tmp_path, alert, column):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"data": [alert]}))
    with pytest.raises(IngestError) as err:
        ingest_file(tmp_path / "ws", "alerts", path)
    assert (err.value.row, err.value.column) == (1, column)


def test_a_csv_of_alerts_with_the_api_fields_loads_in_any_case_convention(tmp_path):
    # no public copy of Opsgenie's CSV export was found: the header carries the Alert API's fields
    (tmp_path / "alerts.csv").write_text(
        "TinyId,Alias,Message,Status,Acknowledged,CreatedAt,UpdatedAt,Priority,Tags,Source,Entity,Runbook\n"
        "1791,checkout-5xx,Checkout 5xx above 2%,closed,true,2026-11-09T14:07:00Z,2026-11-09T15:01:00Z,P1,"
        "\"env:prod,team:pay\",Datadog,checkout-web,http://wiki/5xx\n"
        "1792,disk-ci,Disk almost full,open,false,2026-11-10T03:00:00Z,2026-11-10T03:00:00Z,P3,,Prometheus,ci-runner,\n")
    result = ingest_file(tmp_path / "ws", "alerts", tmp_path / "alerts.csv")
    assert result["layout"] == "opsgenie_alerts_csv"
    got = rows(tmp_path / "ws", "select alert_id, status, fired_at, resolved_at, service, name, severity, labels "
                                "from alerts order by fired_at")
    assert got == [
        ("checkout-5xx@2026-11-09T14:07:00Z", "resolved", datetime(2026, 11, 9, 14, 7), datetime(2026, 11, 9, 15, 1),
         "checkout-web", "Checkout 5xx above 2%", "critical", '{"env":"prod","team":"pay"}'),
        ("disk-ci@2026-11-10T03:00:00Z", "firing", datetime(2026, 11, 10, 3), None, "ci-runner", "Disk almost full",
         "medium", None),
    ]
    extra = rows(tmp_path / "ws", "select extra from alerts where name like 'Checkout%'")[0][0]
    assert "http://wiki/5xx" in extra
