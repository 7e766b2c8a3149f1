"""Every native layout and canonical format loads with no mapping, into the canonical tables."""

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from journeylens.notebooks.ingest.upload import ingest_file, preview_file
from stored_rows import rows

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_alertmanager_renotifications_and_resolve_make_one_alert(tmp_path):
    result = ingest_file(tmp_path, "alerts", FIXTURES / "alertmanager_payloads.jsonl")
    assert result["layout"] == "alertmanager_webhook" and result["format"] == "jsonl"
    # 6 alert entries in 4 payloads, each stored as a notice; fingerprint 0001 fired at 14:05, re-notified
    # and resolved, and again at a new startsAt: Alertmanager counts one alert per fingerprint and
    # startsAt -> 4 alerts once folded.
    assert result["rows"] == 6
    assert rows(tmp_path, "select count(*) from alerts")[0][0] == 4
    assert rows(tmp_path, "select notices, status from alerts where alert_id = 'a1b2c3d4e5f60001@2026-11-09T14:05:00Z'") \
        == [(3, "resolved")]
    got = rows(tmp_path, "select fired_at, resolved_at, service, name, severity, source, region "
                         "from alerts where fingerprint = 'a1b2c3d4e5f60001' order by fired_at")
    assert got == [
        (datetime(2026, 11, 9, 14, 5), datetime(2026, 11, 9, 15, 20), "payments-api", "PaymentErrors", "critical",
         "alertmanager", "eu-west-1"),
        (datetime(2026, 11, 10, 2, 0), None, "payments-api", "PaymentErrors", "critical", "alertmanager", "eu-west-1"),
    ]


def test_alertmanager_service_falls_back_to_job_then_instance(tmp_path):
    ingest_file(tmp_path, "alerts", FIXTURES / "alertmanager_payloads.jsonl")
    got = dict(rows(tmp_path, "select name, service from alerts where name in ('PaymentLatency', 'Watchdog')"))
    assert got == {"PaymentLatency": "payments-worker", "Watchdog": "prometheus-0"}
    labels = rows(tmp_path, "select labels from alerts where name = 'PaymentErrors' limit 1")[0][0]
    assert json.loads(labels)["endpoint"] == "/api/pay"


@pytest.mark.parametrize("name, fmt", [("alertmanager_single.json", "json"), ("alertmanager_array.json", "json")])
def test_alertmanager_single_payload_and_array(tmp_path, name, fmt):
    result = ingest_file(tmp_path, "alerts", FIXTURES / name)
    assert (result["layout"], result["format"]) == ("alertmanager_webhook", fmt)
    assert rows(tmp_path, "select count(*) from alerts")[0][0] == 2
    resolved = rows(tmp_path, "select resolved_at from alerts where fingerprint = 'a1b2c3d4e5f60001'")[0][0]
    assert resolved == (datetime(2026, 11, 9, 15, 20) if name.endswith("array.json") else None)


def test_pagerduty_events_are_notices_folded_into_alerts(tmp_path):
    result = ingest_file(tmp_path, "alerts", FIXTURES / "pagerduty_events.json")
    # every event is stored (3 triggers of checkout-5xx, its acknowledge and resolve, disk-ci's trigger)
    assert (result["layout"], result["rows"]) == ("pagerduty_events_v2", 6)
    got = rows(tmp_path, "select alert_id, fingerprint, fired_at, resolved_at, service, severity, notices from alerts "
                         "order by fingerprint, fired_at")
    assert got == [
        # two triggers, an acknowledge and a resolve -> one alert; the trigger after the resolve -> a new one.
        # The acknowledge has no time of its own: it is ordered where the file puts it, after the triggers.
        ("checkout-5xx@2026-11-09T14:07:00+00:00", "checkout-5xx", datetime(2026, 11, 9, 14, 7),
         datetime(2026, 11, 9, 15, 1), "checkout-web", "critical", 4),
        ("checkout-5xx@2026-11-11T09:30:00+00:00", "checkout-5xx", datetime(2026, 11, 11, 9, 30), None,
         "checkout-web", "high", 1),
        ("disk-ci@2026-11-10T03:00:00Z", "disk-ci", datetime(2026, 11, 10, 3, 0), None, "ci-runner", "medium", 1),
    ]
    assert rows(tmp_path, "select status from alerts where fingerprint = 'checkout-5xx' order by fired_at")[0] == (
        "resolved",)


def test_pagerduty_incident_csv_as_alerts_and_as_incidents(tmp_path):
    result = ingest_file(tmp_path, "alerts", FIXTURES / "pagerduty_incidents.csv")
    assert result["layout"] == "pagerduty_incidents_csv"
    got = rows(tmp_path, "select alert_id, name, service, severity, source from alerts order by alert_id")
    # severity: priority_name when set (P1, P3), else urgency (low)
    assert got == [
        ("Q1ABCDEF", "[FIRING:1] PaymentErrors payments-api", "payments-api", "critical", "pagerduty"),
        ("Q1ABCDEG", "Disk 95% on ci-runner-3", "ci-runner", "low", "pagerduty"),
        ("Q1ABCDEH", "Signup emails delayed", "email-sender", "medium", "pagerduty"),
    ]
    ingest_file(tmp_path, "incidents", FIXTURES / "pagerduty_incidents.csv")
    got = rows(tmp_path, "select incident_id, opened_at, acknowledged_at, resolved_at from incidents "
                         "where incident_id = 'Q1ABCDEF'")
    assert got == [("Q1ABCDEF", datetime(2026, 11, 9, 14, 6, 10), datetime(2026, 11, 9, 14, 10, 10),
                    datetime(2026, 11, 9, 15, 22))]


def test_pagerduty_legacy_headers(tmp_path):
    ingest_file(tmp_path, "incidents", FIXTURES / "pagerduty_incidents_legacy.csv")
    got = rows(tmp_path, "select incident_id, title, service, opened_at, resolved_at from incidents order by 1")
    assert got[0] == ("PX100", "Checkout latency", "checkout-web", datetime(2026, 11, 9, 14, 10),
                      datetime(2026, 11, 9, 15, 0))
    assert got[1][4] is None


def test_datadog_events_csv(tmp_path):
    result = ingest_file(tmp_path, "alerts", FIXTURES / "datadog_events.csv")
    assert result["layout"] == "datadog_events" and result["rows"] == 3
    # [Triggered] and [Recovered] of monitor 5501 on web-01 are one alert; the event ids are per notice (extra)
    got = rows(tmp_path, "select alert_id, status, fired_at, resolved_at, severity, fingerprint, labels, source "
                         "from alerts order by fired_at")
    assert [g[:7] for g in got] == [
        ("5501|web-01@1794232800", "resolved", datetime(2026, 11, 9, 14, 0), datetime(2026, 11, 9, 15, 0), "critical",
         "5501", '{"env":"prod","team":"storefront","endpoint":"/checkout"}'),
        # priority "normal" is no severity, so alert_type (warning) is used
        ("5502|search-02@1794240000", "firing", datetime(2026, 11, 9, 16, 0), None, "medium", "5502", '{"env":"prod"}'),
    ]
    assert {g[7] for g in got} == {"datadog"}


def test_otel_genai_attribute_names(tmp_path):
    result = ingest_file(tmp_path, "ai", FIXTURES / "ai_otel.jsonl")
    assert result["layout"] == "otel_genai"
    got = rows(tmp_path, "select interaction_id, ts, accepted, model_version, input_tokens, output_tokens, "
                         "fallback, intent_mismatch, shadow from ai_interactions order by interaction_id")
    assert got == [
        ("chatcmpl-001", datetime(2026, 11, 1, 10), True, "gpt-small-2026-09", 420, 96, None, None, False),
        ("chatcmpl-002", datetime(2026, 11, 1, 10), False, "gpt-small-2026-09", 380, 120, True, True, False),
        ("chatcmpl-003", datetime(2026, 11, 1, 10), True, "gpt-small-2026-10", 10, 5, None, None, True),
    ]


def test_journey_map_yaml(tmp_path):
    result = ingest_file(tmp_path, "journey-map", FIXTURES / "journey_map.yaml")
    assert result["rows"] == 6
    assert rows(tmp_path, "select stage, position, impact, sensitivity from stages order by position") == [
        ("discovery", 1, 4.0, 0.4), ("checkout", 2, 9.0, 1.0)]
    match = json.loads(rows(tmp_path, "select match from touchpoints where position = 1")[0][0])
    assert match == {"service": "payments-*", "labels.endpoint": "re:^/api/pay"}
    assert rows(tmp_path, "select segment, weight from segments order by 1") == [("enterprise", 1.5), ("free", 1.0)]


def test_newer_journey_map_replaces_the_active_one_and_keeps_history(tmp_path):
    ingest_file(tmp_path, "journey-map", FIXTURES / "journey_map.yaml")
    changed = tmp_path / "map_v2.yaml"
    changed.write_text((FIXTURES / "journey_map.yaml").read_text().replace("impact: 9", "impact: 8"))
    ingest_file(tmp_path, "journey-map", changed)
    assert rows(tmp_path, "select impact from stages where stage = 'checkout'") == [(8.0,)]
    assert rows(tmp_path, "select count(*) from stages_history where stage = 'checkout'") == [(2,)]


@pytest.mark.parametrize("kind, name, table, expected", [
    ("metrics", "metrics.csv", "journey_metrics", 3),
    ("scores", "scores.csv", "eval_scores", 3),
    ("incidents", "incidents.csv", "incidents", 2),
    ("changes", "changes.csv", "changes", 2),
    ("changes", "pagerduty_change_events.jsonl", "changes", 2),
])
def test_other_kinds_load(tmp_path, kind, name, table, expected):
    ingest_file(tmp_path, kind, FIXTURES / name)
    assert rows(tmp_path, f"select count(*) from {table}")[0][0] == expected


def test_pagerduty_change_events_kind_defaults_to_deploy(tmp_path):
    ingest_file(tmp_path, "changes", FIXTURES / "pagerduty_change_events.jsonl")
    assert rows(tmp_path, "select kind, service from changes order by ts") == [
        ("deploy", "checkout-web"), ("feature_flag", "checkout-web")]


def test_metrics_without_segment_get_all(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("ts,stage,entered,completed\n2026-11-01T00:00:00Z,checkout,10,5\n")
    ingest_file(tmp_path / "ws", "metrics", path)
    assert rows(tmp_path / "ws", "select segment from journey_metrics") == [("all",)]


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json", "jsonl"])
def test_canonical_alerts_in_every_format(tmp_path, fmt):
    con = duckdb.connect()
    source = tmp_path / f"alerts.{fmt}"
    query = ("select 'a' || i as alert_id, '2026-11-0' || (i + 1) || 'T10:00:00+02:00' as fired_at, "
             "'svc' as service, 'Name' as name, 'P' || (i + 1) as severity from range(3) t(i)")
    options = {"csv": "(header)", "parquet": "(format parquet)", "json": "(format json, array true)",
               "jsonl": "(format json)"}[fmt]
    con.execute(f"copy ({query}) to '{source}' {options}")
    result = ingest_file(tmp_path / "ws", "alerts", source)
    assert result["format"] == fmt and result["rows"] == 3
    got = rows(tmp_path / "ws", "select alert_id, fired_at, severity from alerts order by alert_id")
    assert got == [("a0", datetime(2026, 11, 1, 8), "critical"), ("a1", datetime(2026, 11, 2, 8), "high"),
                   ("a2", datetime(2026, 11, 3, 8), "medium")]


@pytest.mark.parametrize("text, expected", [
    ("2026-11-01T10:00:00Z", datetime(2026, 11, 1, 10)),
    ("2026-11-01T10:00:00+01:00", datetime(2026, 11, 1, 9)),
    ("2026-11-01 10:00:00", datetime(2026, 11, 1, 10)),  # no offset = UTC
    ("1793527200", datetime(2026, 11, 1, 10)),  # epoch seconds
    ("1793527200000", datetime(2026, 11, 1, 10)),  # epoch milliseconds
    ("1793527200.5", datetime(2026, 11, 1, 10, 0, 0, 500000)),
])
def test_timestamp_forms(tmp_path, text, expected):
    path = tmp_path / "a.csv"
    path.write_text(f"fired_at,service,name,severity\n{text},svc,n,info\n")
    ingest_file(tmp_path / "ws", "alerts", path)
    assert rows(tmp_path / "ws", "select fired_at from alerts") == [(expected,)]


def test_severity_scale_is_ordered_and_documented(tmp_path):
    values = ["critical", "P1", "1", "high", "error", "P2", "warning", "medium", "P3", "low", "P4", "info", "P5", "5"]
    path = tmp_path / "a.csv"
    path.write_text("alert_id,fired_at,service,name,severity\n" + "".join(
        f"{i},2026-11-01T00:00:00Z,s,n,{v}\n" for i, v in enumerate(values)))
    ingest_file(tmp_path / "ws", "alerts", path)
    got = [r[0] for r in rows(tmp_path / "ws", "select severity_rank from alerts order by alert_id::int")]
    assert got == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 5, 5, 5]


def test_explicit_mapping(tmp_path):
    path = tmp_path / "weird.csv"
    path.write_text("When It Fired,Thing,Alert,Level\n2026-11-01T00:00:00Z,svc,n,high\n")
    preview = preview_file("alerts", path)
    assert preview["missing_required"] == ["fired_at", "service", "name"]
    mapping = {"fired_at": "when it fired", "service": "Thing", "name": "Alert"}
    preview = preview_file("alerts", path, mapping=mapping)
    assert preview["missing_required"] == [] and preview["frame"]["severity"].tolist() == ["high"]
    ingest_file(tmp_path / "ws", "alerts", path, mapping=mapping)
    assert rows(tmp_path / "ws", "select service, name, severity from alerts") == [("svc", "n", "high")]


def test_unmodelled_columns_are_kept_in_extra(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("fired_at,service,name,severity,runbook,Team Name\n2026-11-01T00:00:00Z,s,n,info,http://rb,pay\n")
    ingest_file(tmp_path / "ws", "alerts", path)
    extra = json.loads(rows(tmp_path / "ws", "select extra from alerts")[0][0])
    assert extra == {"runbook": "http://rb", "Team Name": "pay"}


def test_pagerduty_ui_export_headers(tmp_path):
    result = ingest_file(tmp_path, "incidents", FIXTURES / "pagerduty_incidents_ui.csv")
    assert result["layout"] == "pagerduty_incidents_csv"
    got = rows(tmp_path, "select incident_id, opened_at, resolved_at, service, title, severity from incidents "
                         "order by incident_id")
    assert got == [
        ("PABC123", datetime(2026, 11, 9, 14, 7), datetime(2026, 11, 9, 15, 1), "checkout-web", "Checkout 5xx", "P2"),
        ("PABC124", datetime(2026, 11, 10, 3, 0), None, "ci-runner", "Disk 90%", "low"),
    ]
