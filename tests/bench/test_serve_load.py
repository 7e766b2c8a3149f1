"""bench_serve's bodies are what the receiver takes: unique Alertmanager webhooks and OTLP protobuf GenAI spans
that pass its checks, so the benchmark measures storing them, not refusing them."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # bench/ is a folder of scripts at the root
from journeylens.notebooks.live.otlp import protobuf_request  # noqa: E402
from journeylens.notebooks.live.preflight import HOOKS, TRACES, check_hook, parse_json_body  # noqa: E402

from bench.serve_load import alertmanager_bodies, otlp_bodies, summary  # noqa: E402


def test_the_alertmanager_bodies_pass_the_receivers_checks_and_are_unique():
    bodies = alertmanager_bodies(5, 3)
    assert len(set(bodies)) == 5
    for body in bodies:
        records = parse_json_body(body, lines=False)
        assert check_hook(HOOKS["alertmanager"], records) == "alertmanager_webhook"
        assert len(records[0]["alerts"]) == 3


def test_the_otlp_bodies_decode_to_genai_spans_with_hex_ids():
    bodies = otlp_bodies(2, 4)
    decoded = [protobuf_request(body) for body in bodies]
    assert all(check_hook(TRACES, [d]) == "otel_otlp_json" for d in decoded)
    spans = [s for d in decoded for s in d["resourceSpans"][0]["scopeSpans"][0]["spans"]]
    assert len({s["spanId"] for s in spans}) == 8 and all(len(s["traceId"]) == 32 for s in spans)


def test_the_summary_takes_its_percentiles_from_the_latencies():
    result = summary([i / 1000 for i in range(1, 101)], ok=100, errors=0, seconds=1.0)
    assert result["p50"] == 0.051 and result["p99"] == 0.1 and result["max"] == 0.1
