"""Prometheus Alertmanager, from real samples (tests/fixtures/prometheus/PROVENANCE.md): webhook payloads
(version 4) are notices, folded into alerts across uploads; the API v2 alert list (and amtool -o json)
holds firing alerts whose endsAt is a timeout; a payload that left alerts out says so."""

import json
from datetime import datetime
from pathlib import Path

import pytest
from journeylens.notebooks.ingest.layouts import open_source
from journeylens.notebooks.ingest.native import json_layout_for
from journeylens.notebooks.ingest.native.prometheus import truncation_warnings
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.workspace.contract import IngestError
from journeylens.notebooks.workspace.snapshot import new_connection, remove_upload
from stored_rows import records, rows

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "prometheus"
FIRST = "a1bc48475b20e73d@2020-02-06T00:17:58.432911368Z"  # the zulip samples' first alert


query = rows


def alert(workspace, alert_id: str) -> dict:
    found = records(workspace, "select * from alerts where alert_id = ?", [alert_id])
    assert len(found) == 1, found
    return found[0]


def test_webhook_alerts_are_notices_with_the_payload_kept_in_extra(tmp_path):
    result = ingest_file(tmp_path, "alerts", SAMPLES / "webhook_zulip_firing.json")
    assert (result["layout"], result["rows"]) == ("alertmanager_webhook", 2)
    got = alert(tmp_path, FIRST)
    assert (got["status"], got["fired_at"], got["resolved_at"]) == ("firing", datetime(2020, 2, 6, 0, 17, 58, 432911),
                                                                     None)
    # no service, job or instance label: the host label names it
    assert (got["service"], got["name"], got["severity"], got["source"], got["fingerprint"]) == (
        "andromeda", "High CPU Temperature", "critical", "alertmanager", "a1bc48475b20e73d")
    assert got["message"] == "High CPU core temperature"
    extra = json.loads(got["extra"])
    assert (extra["receiver"], extra["groupKey"], extra["externalURL"], extra["groupStatus"]) == (
        "ops-zulip", "{}/{}:{}", "http://ops1:9093", "firing")
    assert extra["commonLabels"] == {"alertname": "High CPU Temperature", "severity": "critical"}
    assert extra["commonAnnotations"] == {"summary": "High CPU core temperature"}
    assert extra["annotations"]["description"] == "CPU core temperature is 34.75C"
    assert extra["generatorURL"].startswith("http://cobalt:9090/graph?g0.expr=avg+by%28host%29")
    assert extra["endsAt"] == "0001-01-01T00:00:00Z" and extra["truncatedAlerts"] is None


def test_a_resolve_without_an_end_time_takes_the_upload_time(tmp_path):
    # endsAt 0001-01-01T00:00:00Z is Go's zero time: never a resolution time
    ingest_file(tmp_path, "alerts", SAMPLES / "webhook_zulip_resolved.json")
    got = alert(tmp_path, FIRST)
    assert (got["status"], got["resolved_from"]) == ("resolved", "upload_time")
    uploaded = query(tmp_path, "select event_at from alert_notices")[0][0]
    assert uploaded == datetime(2020, 2, 6, 0, 17, 58, 432911)  # the notice's own time is its start
    assert got["resolved_at"] > datetime(2026, 1, 1)


def test_firing_then_resolved_in_a_later_upload_is_one_resolved_alert_until_that_upload_is_removed(tmp_path):
    ingest_file(tmp_path, "alerts", SAMPLES / "webhook_zulip_firing.json")
    second = ingest_file(tmp_path, "alerts", SAMPLES / "webhook_zulip_resolved.json")
    assert second["status"] == "stored" and second["rows"] == 1
    assert query(tmp_path, "select count(*) from alerts")[0][0] == 2
    got = alert(tmp_path, FIRST)
    assert (got["status"], got["notices"], got["resolved_from"]) == ("resolved", 2, "upload_time")
    assert got["fired_at"] == datetime(2020, 2, 6, 0, 17, 58, 432911)
    remove_upload(tmp_path, second["upload_id"])
    got = alert(tmp_path, FIRST)
    assert (got["status"], got["resolved_at"], got["notices"]) == ("firing", None, 1)


def test_renotifications_and_the_resolve_in_one_file_fold_into_one_alert(tmp_path):
    payloads = [json.loads((SAMPLES / "webhook_zulip_firing.json").read_text()) for _ in range(2)]
    resolved = json.loads((SAMPLES / "webhook_zulip_resolved.json").read_text())
    resolved["alerts"][0]["endsAt"] = "2020-02-06T01:02:03Z"  # a resolve as Alertmanager sends it today
    path = tmp_path / "day.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in [*payloads, resolved]))
    assert ingest_file(tmp_path / "ws", "alerts", path)["rows"] == 5
    got = alert(tmp_path / "ws", FIRST)
    assert (got["status"], got["resolved_at"], got["resolved_from"], got["notices"]) == (
        "resolved", datetime(2020, 2, 6, 1, 2, 3), "resolved_at", 3)


TRUNCATED = ("123 alerts left out by Alertmanager (1 payload with truncatedAlerts > 0): they are not in this file; "
             "raise max_alerts of its webhook_config or export the alerts another way to have them.")


@pytest.mark.parametrize("name, expected", [("webhook_chopsticks_truncated.json", [TRUNCATED]),
                                            ("webhook_zulip_firing.json", [])])
def test_truncation_warnings(name, expected):
    with new_connection() as con:
        assert open_source(con, "alerts", SAMPLES / name, name, "json")["layout"] == "alertmanager_webhook"
        assert truncation_warnings(con) == expected


def test_a_truncated_payload_keeps_the_count(tmp_path):
    # its one alert is a resolve with a zero startsAt (no fired time): stored, waiting for its firing notice
    result = ingest_file(tmp_path, "alerts", SAMPLES / "webhook_chopsticks_truncated.json")
    assert result["rows"] == 1 and "1 notice (a resolve or acknowledgement) waits" in result["message"]
    (status, fired, resolved, extra), = query(tmp_path, "select status, fired_at, resolved_at, extra from alert_notices")
    assert (status, fired, resolved) == ("resolved", None, datetime(2022, 4, 21, 2, 22, 1, 56032))
    assert json.loads(extra)["truncatedAlerts"] == 123
    assert query(tmp_path, "select count(*) from alerts")[0][0] == 0


API_SAMPLES = {
    "api_v2_alerts_aws_amp_docs.json": (1, "375eab7b59892505@2021-10-21T22:02:31.501Z", "test-alert", "unknown",
                                        datetime(2021, 10, 21, 22, 2, 31, 501000), "active"),
    "api_v2_alerts_aws_o11y_recipe.json": (1, "114212a24ca97549@2021-09-16T13:20:35.966Z", "metric:alerting_rule",
                                           "unknown", datetime(2021, 9, 16, 18, 44, 35, 984000), "active"),
    "api_v2_alerts_karma_0.27.0.json": (12, "54c2f185e49cfccb@2024-02-29T09:39:52.576Z", "HTTP_Probe_Failed",
                                        "node_exporter", datetime(2024, 2, 29, 9, 40, 32, 627000), "suppressed"),
}


@pytest.mark.parametrize("name", sorted(API_SAMPLES))
def test_api_v2_alert_lists_are_firing_notices_whose_end_is_a_timeout(tmp_path, name):
    count, alert_id, alert_name, service, updated, state = API_SAMPLES[name]
    result = ingest_file(tmp_path, "alerts", SAMPLES / name)
    assert (result["layout"], result["rows"]) == ("alertmanager_api_alerts", count)
    assert query(tmp_path, "select count(*) filter (where status = 'firing' and resolved_at is null) "
                           "from alerts")[0][0] == count
    got = alert(tmp_path, alert_id)
    assert (got["name"], got["service"], got["source"], got["severity"]) == (alert_name, service, "alertmanager",
                                                                             "medium")
    assert got["fingerprint"] == alert_id.split("@")[0]
    event_at = query(tmp_path, f"select event_at from alert_notices where alert_key = '{alert_id}'")[0][0]
    assert event_at == updated
    extra = json.loads(got["extra"])
    assert extra["status"]["state"] == state and "endsAt" in extra and "receivers" in extra
    assert "labels" not in extra and "updatedAt" not in extra


def test_api_v2_silenced_alerts_keep_their_silences(tmp_path):
    ingest_file(tmp_path, "alerts", SAMPLES / "api_v2_alerts_karma_0.27.0.json")
    extra = json.loads(alert(tmp_path, "cc58f2ac8260fb97@2024-02-29T09:39:52.576Z")["extra"])
    assert extra["status"] == {"inhibitedBy": [], "silencedBy": ["401175c4-98b7-4b48-8e4c-5591f45b146b",
                                                                 "7d3da915-920f-4e42-b6ba-78f0136c7122"],
                               "state": "suppressed"}
    assert extra["receivers"] == [{"name": "by-cluster-service"}, {"name": "by-name"}]


@pytest.mark.parametrize("name, layout", [
    ("webhook_zulip_firing.json", "alertmanager_webhook"), ("webhook_zulip_resolved.json", "alertmanager_webhook"),
    ("webhook_chopsticks_truncated.json", "alertmanager_webhook"),
    ("api_v2_alerts_karma_0.27.0.json", "alertmanager_api_alerts"),
])
def test_detection(name, layout):
    first = json.loads((SAMPLES / name).read_text())
    assert json_layout_for(first[0] if isinstance(first, list) else first).name == layout


def broken(tmp_path, name: str, change) -> Path:
    document = json.loads((SAMPLES / name).read_text())
    change(document)
    path = tmp_path / f"broken-{name}"
    path.write_text(json.dumps(document, indent=1))
    return path


def test_a_webhook_alert_whose_start_is_no_time_is_refused_by_row_and_column(tmp_path):
    path = broken(tmp_path, "webhook_zulip_firing.json", lambda d: d["alerts"][1].update(startsAt="yesterday"))
    with pytest.raises(IngestError) as refused:
        ingest_file(tmp_path / "ws", "alerts", path)
    assert (refused.value.file, refused.value.row, refused.value.column) == (path.name, 1, "fired_at")


def test_webhook_labels_of_the_wrong_json_type_are_refused(tmp_path):
    path = broken(tmp_path, "webhook_zulip_firing.json", lambda d: d["alerts"][0].update(labels="host=andromeda"))
    with pytest.raises(IngestError) as refused:
        ingest_file(tmp_path / "ws", "alerts", path)
    assert refused.value.file == path.name and "JSON object" in str(refused.value)
    assert not (tmp_path / "ws" / "uploads").exists() or not any((tmp_path / "ws" / "uploads").iterdir())


def test_an_api_alert_with_a_start_that_is_no_time_is_refused_by_row_and_column(tmp_path):
    path = broken(tmp_path, "api_v2_alerts_karma_0.27.0.json", lambda d: d[3].update(startsAt="yesterday"))
    with pytest.raises(IngestError) as refused:
        ingest_file(tmp_path / "ws", "alerts", path)
    assert (refused.value.file, refused.value.row, refused.value.column) == (path.name, 4, "fired_at")
    assert "'yesterday'" in str(refused.value)


def test_a_listed_alert_and_its_webhook_resolve_fold_into_one(tmp_path):
    # the API list says the alert fires (endsAt a timeout); a later webhook resolves it: one alert, resolved
    listed = json.loads((SAMPLES / "api_v2_alerts_karma_0.27.0.json").read_text())[0]
    webhook = json.loads((SAMPLES / "webhook_zulip_resolved.json").read_text())
    webhook["alerts"][0].update({key: listed[key] for key in ("labels", "annotations", "startsAt", "fingerprint")},
                                endsAt="2024-02-29T10:02:00Z")
    path = tmp_path / "resolve.json"
    path.write_text(json.dumps(webhook))
    ingest_file(tmp_path / "ws", "alerts", SAMPLES / "api_v2_alerts_karma_0.27.0.json")
    ingest_file(tmp_path / "ws", "alerts", path)
    got = alert(tmp_path / "ws", "aae7a1432b5d2f1b@2024-02-29T09:39:52.576Z")
    assert (got["status"], got["resolved_at"], got["notices"]) == ("resolved", datetime(2024, 2, 29, 10, 2), 2)
    assert query(tmp_path / "ws", "select count(*) from alerts")[0][0] == 12


def test_ingest_warns_when_alertmanager_left_alerts_out(tmp_path):
    result = ingest_file(tmp_path / "ws", "alerts", SAMPLES / "webhook_chopsticks_truncated.json")
    assert len(result["warnings"]) == 1 and "123 alerts left out by Alertmanager" in result["warnings"][0]
    assert "Warning: 123 alerts left out" in result["message"]
    clean = ingest_file(tmp_path / "ws2", "alerts", SAMPLES / "webhook_zulip_firing.json")
    assert clean["warnings"] == [] and "Warning" not in clean["message"]
