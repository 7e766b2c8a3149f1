"""`journeylens serve`: real payloads of each format in, stored as an upload of the same file would store
them; bad bodies refused naming the field; the safety defaults (token, size, rate); health probes."""

import base64
import gzip
import json
import subprocess
import sys
import time

import pytest
from journeylens.notebooks.ingest.upload import ingest_file
from serve_process import ENV, FIXTURES, Serve, fixture_bytes, free_port, records

# Columns that say which upload or receipt a row came from: the only ones a live upload may differ in.
PROVENANCE = {"upload_id", "receipt", "notice_id"}
FORMATS = [
    ("/hooks/alertmanager", "prometheus/webhook_zulip_firing.json", "alerts"),
    ("/hooks/alertmanager", "prometheus/webhook_zulip_resolved.json", "alerts"),
    ("/hooks/grafana", "grafana/webhook_grafana_docs.json", "alerts"),
    ("/hooks/grafana", "grafana/webhook_zulip_resolved_v9.json", "alerts"),
    ("/hooks/pagerduty", "pagerduty/zulip_triggered_v3.json", "alerts"),
    ("/hooks/pagerduty", "pagerduty/docs_webhook_v3_priority_updated.json", "alerts"),
    ("/hooks/datadog", "datadog/webhook_fluffy_triggered.json", "alerts"),
    ("/hooks/datadog", "datadog/webhook_default_relay.json", "alerts"),
    ("/v1/traces", "otel/openllmetry_openai_langwatch.json", "ai"),
    ("/v1/traces", "otel/spring_ai_langwatch.json", "ai"),
]
TABLE = {"alerts": "alert_notices", "ai": "ai_interactions"}


def stored(workspace, kind: str) -> list:
    """The stored rows without their provenance, sorted. A resolve that carries no time takes its upload's
    (resolved_from = upload_time), which differs between any two uploads: that time is left out too."""
    rows = records(workspace, f"select * from {TABLE[kind]}")
    for row in rows:
        if row.get("resolved_from") == "upload_time":
            row["resolved_at"] = row["event_at"] = "the upload's time"
    return sorted(json.dumps({k: v for k, v in row.items() if k not in PROVENANCE}, default=str, sort_keys=True)
                  for row in rows)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Every fixture posted once to one receiver (waiting for its commit), and the same files ingested."""
    root = tmp_path_factory.mktemp("serve")
    serve = Serve(root / "live", "--batch-seconds", "0.5")
    answers = []
    try:
        for path, fixture, _ in FORMATS:
            answers.append(serve.post(path + "?wait=commit", fixture_bytes(fixture)))
    finally:
        log = serve.stop()
    filed = root / "filed"
    for _, fixture, kind in FORMATS:
        ingest_file(filed, kind, FIXTURES / fixture)
    return root / "live", filed, answers, log


def test_each_format_is_stored_as_its_file_upload_would_be(served):
    live, filed, answers, log = served
    for (path, fixture, _), (status, body, _) in zip(FORMATS, answers, strict=True):
        assert status == 200, (path, fixture, body)
        assert body["stored"] == "upload" and body["status"] == "stored", (fixture, body)
    for kind in ("alerts", "ai"):
        assert stored(live, kind) == stored(filed, kind) != []
    assert "Traceback" not in log


def test_a_retried_body_adds_nothing(tmp_path):
    serve = Serve(tmp_path / "ws", "--batch-seconds", "0.5")
    body = fixture_bytes("prometheus/webhook_zulip_firing.json")
    try:
        first = serve.post("/hooks/alertmanager?wait=commit", body)
        again = [serve.post("/hooks/alertmanager", body) for _ in range(3)]
        committed_again = serve.post("/hooks/alertmanager?wait=commit", body)
    finally:
        serve.stop()
    assert first[0] == 200 and first[1]["duplicate"] is False
    assert all(status == 200 and answer["duplicate"] for status, answer, _ in again)
    assert committed_again[1]["status"] == "duplicate"
    assert len(records(tmp_path / "ws", "select * from uploads")) == 1
    assert len(records(tmp_path / "ws", "select * from alert_notices")) == 2


@pytest.mark.parametrize("path, body, field, status", [
    ("/hooks/alertmanager", {"version": "4", "receiver": "r", "alerts": [{"labels": {}, "startsAt": "yesterday"}]},
     "alerts[0].startsAt", 400),
    ("/hooks/alertmanager", {"version": "4", "receiver": "r", "alerts": [{"startsAt": "2026-01-01T00:00:00Z"}]},
     "alerts[0].labels", 400),
    ("/hooks/alertmanager", {"title": "not alertmanager", "event_type": "x", "date": 1}, None, 422),
    ("/hooks/pagerduty", {"event": {"event_type": "incident.triggered", "data": {}}}, "event.occurred_at", 400),
    ("/ingest/alerts", [{"fired_at": "2026-01-01T00:00:00Z", "service": "api", "name": "x"}],
     "[0].severity", 422),
    ("/ingest/metrics", [{"ts": "soon", "stage": "checkout"}], "[0].ts", 400),
])
def test_a_bad_body_is_refused_naming_its_field_and_nothing_is_stored(tmp_path, path, body, field, status):
    serve = Serve(tmp_path / "ws", "--batch-seconds", "0.3")
    try:
        answer = serve.post(path, body)
        ready = serve.get("/readyz")
    finally:
        serve.stop()
    assert answer[0] == status, answer
    assert answer[1]["field"] == field and answer[1]["expected"] and answer[1]["found"]
    assert ready[1]["events"] == 0
    assert records(tmp_path / "ws", "select * from uploads") == []
    assert not list((tmp_path / "ws" / "live" / "wal").glob("*.jsonl")) or all(
        p.stat().st_size == 0 for p in (tmp_path / "ws" / "live" / "wal").glob("*.jsonl"))


def test_not_json_and_unknown_paths_are_refused(tmp_path):
    serve = Serve(tmp_path / "ws")
    try:
        garbage = serve.post("/hooks/alertmanager", b"\xff\xfenot json")
        broken = serve.post("/hooks/alertmanager", b'{"alerts": [')
        unknown_hook = serve.post("/hooks/nagios", b"{}")
        unknown_kind = serve.post("/ingest/..%2F..%2Fetc", b"{}")
        wrong_type = serve.post("/v1/traces", b"{}", content_type="text/plain")
    finally:
        log = serve.stop()
    assert garbage[0] == 400 and "UTF-8" in garbage[1]["error"]
    assert broken[0] == 400 and "JSON" in broken[1]["expected"]
    assert unknown_hook[0] == 404 and unknown_kind[0] == 404
    assert wrong_type[0] == 415
    assert "Traceback" not in log


def test_a_body_the_full_conversion_refuses_is_kept_and_audited(tmp_path):
    """Its time has the right form (the preflight passes) but is no date: the commit refuses it, stores the
    good body of the same batch, and keeps the bad one in live/refused with an audit entry."""
    good = json.loads(fixture_bytes("prometheus/webhook_zulip_firing.json"))
    bad = json.loads(json.dumps(good))
    bad["alerts"][0]["startsAt"] = "2026-13-45T99:99:99Z"
    serve = Serve(tmp_path / "ws", "--batch-seconds", "3")
    try:
        assert serve.post("/hooks/alertmanager", bad)[0] == 200  # acknowledged: it is in the log
        kept = serve.post("/hooks/alertmanager?wait=commit", bad)
        stored_answer = serve.post("/hooks/alertmanager?wait=commit", good)
    finally:
        serve.stop()
    assert kept[0] == 422 and "fired_at" in kept[1]["error"] and kept[1]["kept"] == "live/refused"
    assert stored_answer[0] == 200 and stored_answer[1]["status"] == "stored"
    refused = list((tmp_path / "ws" / "live" / "refused").glob("*.jsonl"))
    assert len(refused) == 1 and "2026-13-45" in refused[0].read_text()
    trail = [json.loads(line) for line in (tmp_path / "ws" / "audit.jsonl").read_text().splitlines()]
    assert [e["action"] for e in trail].count("live.refused") == 1


def test_otlp_protobuf_is_stored_as_the_same_spans_in_json(tmp_path):
    from google.protobuf.json_format import ParseDict
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    # spring_ai's capture spells its ids in hex, as OTLP JSON asks (others captured base64 from protobuf)
    document = json.loads(fixture_bytes("otel/spring_ai_langwatch.json"))
    as_proto = json.loads(json.dumps(document))
    for resource in as_proto["resourceSpans"]:
        for scope in resource["scopeSpans"]:
            for span in scope["spans"]:
                for name in ("traceId", "spanId", "parentSpanId"):
                    if span.get(name):  # protobuf's JSON mapping spells bytes in base64, OTLP JSON in hex
                        span[name] = base64.b64encode(bytes.fromhex(span[name])).decode()
    message = ParseDict(as_proto, ExportTraceServiceRequest(), ignore_unknown_fields=True)
    serve = Serve(tmp_path / "proto", "--batch-seconds", "0.3")
    try:
        answer = serve.post("/v1/traces?wait=commit", message.SerializeToString(), "application/x-protobuf")
    finally:
        serve.stop()
    assert answer[0] == 200 and answer[2]["content-type"] == "application/x-protobuf"
    ingest_file(tmp_path / "json", "ai", FIXTURES / "otel/spring_ai_langwatch.json")
    assert stored(tmp_path / "proto", "ai") == stored(tmp_path / "json", "ai") != []


def test_safety_defaults(tmp_path):
    """A token when one is set, a body size limit (gzip included) and a request rate per client."""
    token = {"JOURNEYLENS_SERVE_TOKEN": "s3cret-token"}
    serve = Serve(tmp_path / "ws", "--max-body-mb", "1", "--rate", "5", env=token)
    body = fixture_bytes("prometheus/webhook_zulip_firing.json")
    auth = {"Authorization": "Bearer s3cret-token"}
    try:
        anonymous = serve.post("/hooks/alertmanager", body)
        wrong = serve.post("/hooks/alertmanager", body, headers={"Authorization": "Bearer nope"})
        zipped = serve.post("/hooks/alertmanager", gzip.compress(body), headers={**auth, "Content-Encoding": "gzip"})
        large = declared_only(serve, 2 * 1024 * 1024, auth)
        bomb = serve.post("/hooks/alertmanager", gzip.compress(b" " * (8 * 1024 * 1024)),
                          headers={**auth, "Content-Encoding": "gzip"})
        burst = [serve.post("/hooks/alertmanager", body, headers=auth) for _ in range(20)]
        health = serve.get("/healthz")
    finally:
        log = serve.stop()
    assert anonymous[0] == 401 and wrong[0] == 401 and anonymous[2]["www-authenticate"] == "Bearer"
    assert zipped[0] == 200
    assert large[0] == 413 and bomb[0] == 413
    limited = [answer for answer in burst if answer[0] == 503]  # a hook's senders retry 5xx only
    assert limited and int(limited[0][2]["retry-after"]) >= 1 and burst[0][0] != 429
    assert health[0] == 200
    assert "s3cret-token" not in log


def declared_only(serve, size: int, headers: dict) -> tuple:
    """Sends only the headers of a body of `size` bytes: a receiver must refuse it before reading it."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", serve.port, timeout=30)
    connection.putrequest("POST", "/hooks/alertmanager")
    for name, value in {**headers, "Content-Type": "application/json", "Content-Length": str(size)}.items():
        connection.putheader(name, value)
    connection.endheaders()
    answer = connection.getresponse()
    status, body = answer.status, json.loads(answer.read())
    connection.close()
    return status, body, {}


def test_a_public_address_without_a_token_is_refused(tmp_path):
    env = {k: v for k, v in ENV.items() if k != "JOURNEYLENS_SERVE_TOKEN"}
    result = subprocess.run([sys.executable, "-m", "journeylens.app.cli", "serve", "--workspace", str(tmp_path / "ws"),
                             "--address", "0.0.0.0"], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 2 and "JOURNEYLENS_SERVE_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def test_one_receiver_per_workspace(tmp_path):
    first = Serve(tmp_path / "ws")
    try:
        second = subprocess.run([sys.executable, "-m", "journeylens.app.cli", "serve", "--workspace",
                                 str(tmp_path / "ws"), "--port", str(free_port())],
                                capture_output=True, text=True, timeout=60, env=ENV)
    finally:
        first.stop()
    assert second.returncode == 2 and "another journeylens serve" in second.stderr


def test_an_event_that_holds_no_rows_is_received_and_not_refused(tmp_path):
    """A PagerDuty subscription may also send service.updated: no alert notice, and never a 4xx (PagerDuty
    disables a subscription that keeps getting them). It is acknowledged and stores nothing."""
    event = json.loads(fixture_bytes("pagerduty/zulip_triggered_v3.json"))
    event["event"]["event_type"] = "service.updated"
    event["event"]["data"] = {"id": "PSERVICE", "type": "service", "summary": "checkout-api"}
    serve = Serve(tmp_path / "ws", "--batch-seconds", "0.3")
    try:
        answer = serve.post("/hooks/pagerduty?wait=commit", event)
    finally:
        serve.stop()
    assert answer[0] == 200 and answer[1]["status"] == "no rows", answer
    assert not (tmp_path / "ws" / "live" / "refused").exists()
    assert records(tmp_path / "ws", "select * from uploads") == []


def test_a_long_running_receiver_compacts_its_small_uploads(tmp_path):
    """25 bodies committed one by one make 25 small uploads; the receiver compacts them into one (compact.py's
    COMPACT_AT is 20) with the same rows, and the trail verifies."""
    good = json.loads(fixture_bytes("prometheus/webhook_zulip_firing.json"))
    serve = Serve(tmp_path / "ws", "--batch-seconds", "0.2", "--compact-seconds", "1")
    try:
        for number in range(25):
            body = json.loads(json.dumps(good))
            for alert in body["alerts"]:
                alert["fingerprint"] = f"{alert['fingerprint']}-{number}"
            assert serve.post("/hooks/alertmanager?wait=commit", body)[1]["status"] == "stored"
        deadline = time.monotonic() + 60
        while "compacted" not in serve.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        log = serve.stop()
    uploads = records(tmp_path / "ws", "select * from uploads")
    assert "compacted 2" in log and len(uploads) < 25, log
    assert records(tmp_path / "ws", "select count(*) as n from alert_notices")[0]["n"] == 50
    verified = subprocess.run([sys.executable, "-m", "journeylens.app.cli", "trail", "verify", "--workspace",
                               str(tmp_path / "ws")], capture_output=True, text=True, env=ENV, timeout=120)
    assert verified.returncode == 0, verified.stdout + verified.stderr
