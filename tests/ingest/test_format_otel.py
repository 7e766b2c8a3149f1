"""OpenTelemetry GenAI spans load as AI interactions with no mapping (sql/ingest/11_otel_genai_spans.sql):
OTLP/JSON export requests and Python ConsoleSpanExporter spans, from the real samples of
tests/fixtures/otel/ (PROVENANCE.md), checked row by row; broken variants are clear refusals."""

import json
from datetime import datetime
from pathlib import Path

import pytest
from journeylens.notebooks.ai.outcomes import workspace_ai_metrics
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.workspace.contract import IngestError
from stored_rows import rows

OTEL = Path(__file__).resolve().parents[1] / "fixtures" / "otel"
COLUMNS = ("interaction_id, ts, feature, model_version, latency_ms, input_tokens, output_tokens, prompt, output, "
           "accepted, edited, fallback, feedback, extra")


def stored(workspace):
    found = rows(workspace, f"select {COLUMNS} from ai_interactions order by interaction_id")
    return [(*row[:-1], json.loads(row[-1])) for row in found]


def only_row(tmp_path, name, layout):
    result = ingest_file(tmp_path, "ai", OTEL / name)
    assert (result["status"], result["layout"], result["rows"]) == ("stored", layout, 1)
    (row,) = stored(tmp_path)
    assert row[9:13] == (None, None, None, None)  # spans carry no user signal: unknown, not false
    return row[:9], row[-1]


def test_openllmetry_otlp_with_base64_ids_and_indexed_messages(tmp_path):
    row, extra = only_row(tmp_path, "openllmetry_openai_langwatch.json", "otel_otlp_json")
    assert row == (
        "8615098c2c72e72330e800ef3ab1d8b8:0f69feaecfced498", datetime(2024, 8, 5, 14, 3, 22, 559872),
        "openai.chat", "gpt-5", 1985.151, None, None,
        "You are a helpful assistant that only reply in short tweet-like responses, using lots of emojis.\nyous",
        "Hey there! 😊 What's on your mind? 💬✨")
    # the ids LangWatch's own test expects for this request, decoded from base64
    assert (extra["trace_id"], extra["span_id"], extra["parent_span_id"]) == (
        "8615098c2c72e72330e800ef3ab1d8b8", "0f69feaecfced498", None)
    assert (extra["span_kind"], extra["status"], extra["gen_ai.system"]) == ("SPAN_KIND_CLIENT",
                                                                            {"code": "STATUS_CODE_OK"}, "OpenAI")
    assert extra["attributes"]["llm.is_streaming"] is True
    assert extra["attributes"]["gen_ai.prompt.0.role"] == "system"
    assert extra["resource_attributes"]["telemetry.sdk.version"] == "1.26.0"
    assert extra["scope"] == {"scope": {"name": "opentelemetry.instrumentation.openai.v1", "version": "0.26.4"}}
    assert len(extra["events"]) == 14 and extra["events"][0] == {
        "name": "llm.content.completion.chunk", "time": "2024-08-05T14:03:24.464076Z", "attributes": {}}


def test_spring_ai_otlp_with_hex_ids_and_string_encoded_usage(tmp_path):
    row, extra = only_row(tmp_path, "spring_ai_langwatch.json", "otel_otlp_json")
    assert row == ("chatcmpl-BbomNo3DGToKpx88WKctb1VdKxJso", datetime(2025, 5, 27, 13, 37, 10, 869334),
                   "chat gpt-5", "gpt-5", 2527.967417, 11, 13, None, None)
    assert extra["parent_span_id"] == "8127960fb3f7c04d" and extra["gen_ai.system"] == "openai"
    assert extra["gen_ai.response.finish_reasons"] == '["STOP"]'
    assert extra["resource_attributes"]["service.name"] == "spring-ai-sample-service"
    assert extra["payload"]["span"]["endTimeUnixNano"] == "1748353033397302125"


def test_strands_otlp_with_int_values_and_older_token_names(tmp_path):
    row, extra = only_row(tmp_path, "strands_agents_langwatch.json", "otel_otlp_json")
    assert row == ("e1c989b84fa7c02edc9b12005fce37d3:4b6bf754c099094a", datetime(2024, 8, 7, 4, 54, 32, 661658),
                   "Model invoke", "openai/gpt-4.1-nano", 1284.384, 24, 10, "yo",
                   "Hello! What would you like to look at or explore today?")
    assert extra["attributes"]["gen_ai.usage.total_tokens"] == 34 and extra["attributes"]["gen_ai.agent.name"] == \
        "Strands Agent"


def test_collector_style_otlp_with_string_int_values(tmp_path):
    row, extra = only_row(tmp_path, "claude_code_dogfood_langwatch.json", "otel_otlp_json")
    assert row == ("00000000000000000000000000000000:0000000000000000", datetime(2024, 5, 8, 13, 40),
                   "chat claude-sonnet-4.6", "claude-sonnet-4.6", 1250.0, 187, 53, None, None)
    assert extra["gen_ai.system"] == "anthropic" and extra["span_kind"] == "1" and extra["status"] == {"code": 1}
    assert extra["attributes"]["claude.code.tool.name"] == "Bash"
    assert extra["attributes"]["gen_ai.request.max_tokens"] == 1024
    assert extra["resource_attributes"]["claude.code.session_id"] == "ses_dogfood_claude_code_0001"


def test_semantic_kernel_console_span_with_message_events(tmp_path):
    row, extra = only_row(tmp_path, "console_semantic_kernel_docs.json", "otel_console_span")
    assert row == (
        "chatcmpl-A74oD7WGDjawnZ44SJZrj9fKrEv1B", datetime(2024, 9, 13, 17, 55, 45, 515198),
        "chat.completions gpt-4o", "gpt-4o", 954.273, 16, 29,
        '[{"role": "user", "content": "Why is the sky blue in one sentence?"}]',
        '[{"role": "assistant", "content": "The sky appears blue because shorter blue wavelengths of sunlight are '
        'scattered in all directions by the molecules and particles in the atmosphere more effectively than other '
        'colors."}]')
    assert (extra["trace_id"], extra["span_id"], extra["parent_span_id"]) == (
        "e23e2c10785ea61ffc9f28be19482a80", "8b20e9655610c3c9", "686bd592e27661d7")
    assert extra["span_kind"] == "SpanKind.INTERNAL" and extra["status"] == {"status_code": "UNSET"}
    assert extra["gen_ai.response.finish_reasons"] == "FinishReason.STOP"
    assert extra["resource_attributes"]["service.name"] == "telemetry-console-quickstart"
    assert [e["name"] for e in extra["events"]] == ["gen_ai.content.prompt", "gen_ai.content.completion"]
    assert extra["payload"]["context"]["trace_state"] == "[]"


def test_agent_framework_console_span_feature_is_the_operation(tmp_path):
    row, extra = only_row(tmp_path, "console_agent_framework_docs.json", "otel_console_span")
    assert row == ("chatcmpl-CH6fgKwMRGDtGNO3H88gA3AG2o7c5", datetime(2025, 9, 25, 11, 0, 48, 663688),
                   "invoke_agent", None, 8607.701, 26, 29, None, None)
    assert extra["attributes"]["gen_ai.agent.name"] == "Joker" and extra["span_name"] == "invoke_agent Joker"


def test_spans_without_user_signals_give_empty_rates(tmp_path):
    for name in ("spring_ai_langwatch.json", "console_semantic_kernel_docs.json"):
        ingest_file(tmp_path, "ai", OTEL / name)
    overall = workspace_ai_metrics(tmp_path).set_index(["feature", "segment"]).loc[("all", "all")]
    assert (overall["interactions"], overall["with_user_signal"]) == (2, 0)
    assert overall[["acceptance_rate", "task_completion_rate", "edit_rate", "fallback_rate"]].isna().all()
    assert overall["p95_latency_ms"] == pytest.approx(954.273 + 0.95 * (2527.967417 - 954.273))


def test_feature_chain_and_only_genai_spans(tmp_path):
    """feature: `feature`, then `app.feature`, then operation + model, then the span name; a span with no
    gen_ai.* attribute is not an interaction."""
    def span(span_id, name, attributes):
        return {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": span_id, "name": name,
                "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000000250000000",
                "attributes": [{"key": k, "value": v} for k, v in attributes.items()]}
    doc = {"resourceSpans": [{"scopeSpans": [{"spans": [
        span("00000000000000a1", "s1", {"feature": {"stringValue": "checkout_helper"},
                                        "gen_ai.operation.name": {"stringValue": "chat"}}),
        span("00000000000000a2", "s2", {"app.feature": {"stringValue": "search"},
                                        "gen_ai.request.model": {"stringValue": "m"}}),
        span("00000000000000a3", "s3", {"gen_ai.operation.name": {"stringValue": "embeddings"},
                                        "gen_ai.request.model": {"stringValue": "e5"}}),
        span("00000000000000a4", "s4", {"gen_ai.usage.input_tokens": {"intValue": 7}}),
        span("00000000000000a5", "GET /health", {"http.method": {"stringValue": "GET"}}),
        span("00000000000000a6", "", {"gen_ai.system": {"stringValue": "openai"},
                                      "gen_ai.response.finish_reasons": {"arrayValue": {"values": [
                                          {"stringValue": "stop"}]}},
                                      "gen_ai.input.messages": {"kvlistValue": {"values": [
                                          {"key": "role", "value": {"stringValue": "user"}}]}}}),
    ]}]}]}
    path = tmp_path / "spans.jsonl"
    path.write_text(json.dumps(doc) + "\n")
    ingest_file(tmp_path / "ws", "ai", path)
    got = {r[0].split(":")[1]: (r[2], r[-1]) for r in stored(tmp_path / "ws")}
    assert {k: v[0] for k, v in got.items()} == {
        "00000000000000a1": "checkout_helper", "00000000000000a2": "search", "00000000000000a3": "embeddings e5",
        "00000000000000a4": "s4", "00000000000000a6": "unnamed span"}
    extra = got["00000000000000a6"][1]
    assert extra["gen_ai.response.finish_reasons"] == ["stop"]
    assert extra["attributes"]["gen_ai.input.messages"] == {"role": "user"}


def test_message_events_give_prompt_and_output(tmp_path):
    """Azure AI Inference records messages as span events (gen_ai.user.message, gen_ai.choice) whose
    gen_ai.event.content holds the message; an OTLP event's attributes are AnyValue lists."""
    doc = json.loads((OTEL / "console_semantic_kernel_docs.json").read_text())
    doc["events"] = [
        {"name": "gen_ai.user.message", "timestamp": "2024-09-13T17:55:45.515198Z",
         "attributes": {"gen_ai.system": "az.ai.inference", "gen_ai.event.content": '{"content": "hi"}'}},
        {"name": "gen_ai.choice", "timestamp": "2024-09-13T17:55:46.469471Z",
         "attributes": {"gen_ai.event.content": '{"message": {"content": "hello"}, "finish_reason": "stop"}'}}]
    path = tmp_path / "azure.json"
    path.write_text(json.dumps(doc))
    ingest_file(tmp_path / "ws", "ai", path)
    ((*row, extra),) = stored(tmp_path / "ws")
    assert row[7:9] == ['{"content": "hi"}', '{"message": {"content": "hello"}, "finish_reason": "stop"}']
    assert extra["events"][0]["attributes"]["gen_ai.system"] == "az.ai.inference"


def test_a_file_without_genai_spans_is_refused(tmp_path):
    with pytest.raises(IngestError) as refusal:
        ingest_file(tmp_path, "ai", OTEL / "no_genai_raw_otlp_langwatch.json")
    assert "no_genai_raw_otlp_langwatch.json" in str(refusal.value) and "at least one data row" in str(refusal.value)


def broken(tmp_path, name, edit) -> Path:
    doc = json.loads((OTEL / name).read_text())
    edit(doc)
    path = tmp_path / f"broken-{name}"
    path.write_text(json.dumps(doc))
    return path


def first_span(doc):
    return doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]


@pytest.mark.parametrize(("name", "edit", "column", "found"), [
    ("spring_ai_langwatch.json", lambda d: first_span(d).update(startTimeUnixNano="yesterday"), "ts", "yesterday"),
    ("spring_ai_langwatch.json", lambda d: first_span(d).pop("startTimeUnixNano"), "ts", "an empty cell"),
    ("spring_ai_langwatch.json", lambda d: first_span(d).update(endTimeUnixNano="1748353000000000000"),
     "latency_ms", "-30869.334708"),
    ("claude_code_dogfood_langwatch.json",
     lambda d: first_span(d)["attributes"][5].update(value={"intValue": "lots"}), "input_tokens", "lots"),
    ("console_semantic_kernel_docs.json", lambda d: d.pop("start_time"), "ts", "an empty cell"),
    ("console_semantic_kernel_docs.json", lambda d: d.update(end_time="2024-09-13T17:55:40Z"), "latency_ms", "-5515"),
])
def test_broken_spans_are_refused_with_row_and_column(tmp_path, name, edit, column, found):
    path = broken(tmp_path, name, edit)
    with pytest.raises(IngestError) as refusal:
        ingest_file(tmp_path / "ws", "ai", path)
    error = refusal.value
    assert (error.file, error.row, error.column) == (path.name, 1, column)
    assert found in str(error)
    assert not (tmp_path / "ws" / "ai_interactions").exists()


def test_resource_spans_of_the_wrong_json_type_are_refused(tmp_path):
    path = broken(tmp_path, "spring_ai_langwatch.json", lambda d: d.update(resourceSpans="none"))
    with pytest.raises(IngestError) as refusal:
        ingest_file(tmp_path / "ws", "ai", path)
    assert refusal.value.file == path.name and refusal.value.column == "interaction_id"


def test_spans_offered_as_alerts_are_refused_naming_the_kind(tmp_path):
    with pytest.raises(IngestError) as refusal:
        ingest_file(tmp_path, "alerts", OTEL / "spring_ai_langwatch.json")
    assert "otel_otlp_json" in str(refusal.value) and "ingest it as ai" in str(refusal.value)
