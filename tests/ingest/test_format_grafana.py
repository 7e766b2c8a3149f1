"""Grafana Alerting's webhook contact point, from real samples (tests/fixtures/grafana/PROVENANCE.md): told
apart from Alertmanager's webhook, source grafana, values kept, and a service from the fallback chain
when the rule names none."""

import json
from datetime import datetime
from pathlib import Path

import pytest
from journeylens.notebooks.ingest.layouts import open_source
from journeylens.notebooks.ingest.native import json_layout_for
from journeylens.notebooks.ingest.native.grafana import truncation_warnings
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.workspace.contract import IngestError
from journeylens.notebooks.workspace.snapshot import new_connection, remove_upload
from stored_rows import records

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "grafana"
MEMORY = "e6349a25f5ef0e9e@2024-03-01T02:09:00Z"  # the zulip v11 samples' alert


def stored(workspace, table: str = "alerts") -> list[dict]:
    return records(workspace, f"select * from {table} order by fired_at")


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.json")))
def test_every_sample_is_a_grafana_webhook(name):
    assert json_layout_for(json.loads((SAMPLES / name).read_text())).name == "grafana_webhook"


def test_alertmanager_webhooks_stay_alertmanager():
    first = json.loads((SAMPLES.parent / "prometheus" / "webhook_zulip_firing.json").read_text())
    assert json_layout_for(first).name == "alertmanager_webhook"


def test_the_documented_payload(tmp_path):
    result = ingest_file(tmp_path, "alerts", SAMPLES / "webhook_grafana_docs.json")
    assert (result["layout"], result["rows"]) == ("grafana_webhook", 2)
    memory, cpu = stored(tmp_path)
    assert (memory["alert_id"], memory["status"], memory["fired_at"], memory["resolved_at"]) == (
        "c6eadffa33fcdf37@2021-10-12T09:51:03.157076+02:00", "firing", datetime(2021, 10, 12, 7, 51, 3, 157076), None)
    # no service, job or instance label: the team label names it
    assert (memory["service"], memory["name"], memory["source"], memory["severity"], memory["severity_raw"]) == (
        "blue", "High memory usage", "grafana", "medium", None)
    assert (memory["region"], memory["fingerprint"], memory["message"]) == (
        "us-1", "c6eadffa33fcdf37", "This alert was triggered for zone us-1")
    assert (cpu["name"], cpu["region"]) == ("High CPU usage", "eu-1")
    extra = json.loads(memory["extra"])
    assert extra["values"] == {"B": 44.23943737541908, "C": 1}
    assert (extra["orgId"], extra["receiver"], extra["groupKey"], extra["version"], extra["truncatedAlerts"]) == (
        1, "My Super Webhook", "{}:{}", "1", 0)
    assert (extra["title"], extra["state"], extra["groupStatus"]) == ("[FIRING:2]  (blue)", "alerting", "firing")
    assert extra["silenceURL"].startswith("https://play.grafana.org/alerting/silence/new?alertmanager=grafana")
    assert (extra["dashboardURL"], extra["panelURL"], extra["endsAt"]) == ("", "", "0001-01-01T00:00:00Z")
    assert extra["annotations"]["runbook_url"] == "https://myrunbook.com/runbook/1234"
    assert extra["message"].startswith("**Firing**") and extra["commonLabels"] == {"team": "blue"}
    assert not {"alerts", "labels", "startsAt", "fingerprint", "status"} & extra.keys()


def test_values_value_string_and_the_rule_folder_as_service(tmp_path):
    ingest_file(tmp_path, "alerts", SAMPLES / "webhook_zulip_values_v11.json")
    (got,) = stored(tmp_path)
    assert (got["alert_id"], got["service"], got["name"], got["message"]) == (
        MEMORY, "device", "Memory (copy)", "High memory usage")
    extra = json.loads(got["extra"])
    assert extra["values"] == {"A": 2473545728, "B": 0, "C": 1, "minute": 9}
    assert extra["valueString"].startswith("[ var='A' labels={instance=node_exporter:9100, job=node}")
    assert extra["imageURL"] == "https://grafana.com/assets/img/blog/mixed_styles.png"
    assert extra["panelURL"] == "https://play.grafana.org/d/ece9fb32-7f71-4be9-bd94-2f23608ae5b9?orgId=1&viewPanel=2"


def test_an_alert_without_alertname_takes_the_groups(tmp_path):
    ingest_file(tmp_path, "alerts", SAMPLES / "webhook_zulip_no_alertname_v11.json")
    (got,) = stored(tmp_path)
    assert (got["name"], got["service"]) == ("Memory (copy)", "device")
    assert json.loads(got["labels"]) == {"debug": "true", "grafana_folder": "device"}


def test_a_resolved_alert_with_no_service_label_gets_the_placeholder(tmp_path):
    ingest_file(tmp_path, "alerts", SAMPLES / "webhook_zulip_resolved_v9.json")
    (got,) = stored(tmp_path)
    # labels alertname and test only: no service, job, instance, host, app, team, namespace or folder
    assert (got["service"], got["status"], got["resolved_from"]) == ("unknown", "resolved", "resolved_at")
    assert (got["fired_at"], got["resolved_at"]) == (datetime(2022, 6, 17, 0, 41, 0, 782137),
                                                     datetime(2022, 6, 17, 0, 51, 24, 67337))
    assert got["message"] == "This is a summary field, failure on <no value>"
    (notice,) = stored(tmp_path, "alert_notices")
    assert notice["event_at"] == datetime(2022, 6, 17, 0, 51, 24, 67337)


def test_value_string_is_the_message_when_no_annotation_says_more(tmp_path):
    document = json.loads((SAMPLES / "webhook_zulip_values_v11.json").read_text())
    document["alerts"][0]["annotations"] = {}
    path = tmp_path / "quiet.json"
    path.write_text(json.dumps(document))
    ingest_file(tmp_path / "ws", "alerts", path)
    assert stored(tmp_path / "ws")[0]["message"].startswith("[ var='A' labels={instance=node_exporter:9100")


def test_the_same_alert_firing_then_resolved_across_uploads(tmp_path):
    firing = json.loads((SAMPLES / "webhook_zulip_values_v11.json").read_text())
    resolved = json.loads(json.dumps(firing))
    resolved["status"] = resolved["alerts"][0]["status"] = "resolved"
    resolved["alerts"][0]["endsAt"] = "2024-03-01T02:24:00Z"
    paths = [tmp_path / "firing.json", tmp_path / "resolved.json"]
    for path, document in zip(paths, (firing, resolved), strict=True):
        path.write_text(json.dumps(document))
    ingest_file(tmp_path / "ws", "alerts", paths[0])
    second = ingest_file(tmp_path / "ws", "alerts", paths[1])
    (got,) = stored(tmp_path / "ws")
    assert (got["alert_id"], got["status"], got["resolved_at"], got["notices"]) == (
        MEMORY, "resolved", datetime(2024, 3, 1, 2, 24), 2)
    remove_upload(tmp_path / "ws", second["upload_id"])
    (got,) = stored(tmp_path / "ws")
    assert (got["status"], got["resolved_at"], got["notices"]) == ("firing", None, 1)


TRUNCATED = ("123 alerts left out by Grafana (1 payload with truncatedAlerts > 0): they are not in this file; raise "
             "the webhook contact point's max alerts or export the alerts another way to have them.")


@pytest.mark.parametrize("name, expected", [("webhook_chopsticks_truncated.json", [TRUNCATED]),
                                            ("webhook_grafana_docs.json", [])])
def test_truncation_warnings(name, expected):
    with new_connection() as con:
        assert open_source(con, "alerts", SAMPLES / name, name, "json")["layout"] == "grafana_webhook"
        assert truncation_warnings(con) == expected


def test_a_truncated_payload_keeps_the_count(tmp_path):
    result = ingest_file(tmp_path, "alerts", SAMPLES / "webhook_chopsticks_truncated.json")
    assert result["rows"] == 1 and "waits for the firing notice" in result["message"]
    (notice,) = stored(tmp_path, "alert_notices")
    assert (notice["status"], notice["fired_at"], notice["source"]) == ("resolved", None, "grafana")
    extra = json.loads(notice["extra"])
    assert (extra["orgId"], extra["truncatedAlerts"]) == (7637437834, 123)


def test_an_alert_whose_start_is_no_time_is_refused_by_row_and_column(tmp_path):
    document = json.loads((SAMPLES / "webhook_grafana_docs.json").read_text())
    document["alerts"][1]["startsAt"] = "2021-13-45T99:00:00Z"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document, indent=1))
    with pytest.raises(IngestError) as refused:
        ingest_file(tmp_path / "ws", "alerts", path)
    assert (refused.value.file, refused.value.row, refused.value.column) == ("broken.json", 1, "fired_at")


def test_alerts_that_are_not_a_list_are_refused(tmp_path):
    payloads = [json.loads((SAMPLES / "webhook_grafana_docs.json").read_text()) for _ in range(2)]
    payloads[1]["alerts"] = {"status": "firing"}
    path = tmp_path / "broken.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in payloads))
    with pytest.raises(IngestError) as refused:
        ingest_file(tmp_path / "ws", "alerts", path)
    assert (refused.value.file, refused.value.row, refused.value.column) == ("broken.jsonl", 2, "fired_at")
    assert refused.value.found == repr('{"status":"firing"}')
