"""Column names match their canonical names whatever the case convention of the tool that wrote them."""

import json
from datetime import datetime

import pytest
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.workspace.contract import normalise_name
from stored_rows import rows


@pytest.mark.parametrize("name, expected", [
    ("createdAt", "created_at"), ("CreatedAt", "created_at"), ("traceId", "trace_id"), ("startTime", "start_time"),
    ("HTTPStatus", "http_status"), ("Created On", "created_on"), ("gen_ai.request.model", "gen_ai_request_model"),
    ("service_name", "service_name"), ("alertname", "alertname"),
])
def test_normalise_name(name, expected):
    assert normalise_name(name) == expected


def test_camel_and_pascal_case_records_load_with_no_mapping(tmp_path):
    records = [
        {"createdAt": "2026-11-01T10:00:00Z", "ServiceName": "checkout", "AlertName": "Errors", "Severity": "P2",
         "resolvedAt": "2026-11-01T10:20:00Z", "dedupKey": "k-1", "tags": ["env:prod", "team:pay"], "runbookUrl": "x"},
    ]
    path = tmp_path / "alerts.json"
    path.write_text(json.dumps(records))
    ingest_file(tmp_path / "ws", "alerts", path)
    got = rows(tmp_path / "ws", "select fired_at, resolved_at, service, name, severity, fingerprint, labels, extra, "
                                "status from alerts")
    assert got == [(datetime(2026, 11, 1, 10), datetime(2026, 11, 1, 10, 20), "checkout", "Errors", "high", "k-1",
                    '{"env":"prod","team":"pay"}', '{"runbookUrl":"x"}', "resolved")]
