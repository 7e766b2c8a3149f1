"""Langfuse exports load with no mapping: trace downloads, API pages and trace/observation records as AI
interactions (sql/ingest/12_langfuse_traces.sql), score exports as evaluation scores
(sql/ingest/13_langfuse_scores.sql). Real samples from tests/fixtures/langfuse/ (PROVENANCE.md), checked
row by row; the other shapes and the broken variants are written here from those samples."""

import json
from datetime import datetime
from pathlib import Path

import pytest
from journeylens.notebooks.ai.outcomes import workspace_ai_metrics
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.workspace.contract import IngestError
from stored_rows import rows

LANGFUSE = Path(__file__).resolve().parents[1] / "fixtures" / "langfuse"
AI = ("interaction_id, ts, feature, user_id, model_version, latency_ms, input_tokens, output_tokens, cost_usd, "
      "prompt, output, accepted, edited, fallback, feedback, extra")


query = rows


def interactions(workspace):
    rows = query(workspace, f"select {AI} from ai_interactions order by interaction_id")
    for row in rows:
        assert row[11:15] == (None, None, None, None)  # no user signal in a trace: unknown, not false
    return [(*row[:11], json.loads(row[-1])) for row in rows]


def download(name):
    return json.loads((LANGFUSE / f"trace_download_{name}.json").read_text())


AUTOGEN = ("1b72c51fabed12ae7df83bfd4a09f545", datetime(2025, 6, 6, 11, 31, 33, 965000), "autogen-chat-trace",
           "user_123", "gpt-4o", 645.0, 41, 3, 2.5e-05, "Say 'Hello World!'", "Hello World!")


def test_trace_download_is_one_interaction_with_its_generation(tmp_path):
    result = ingest_file(tmp_path, "ai", LANGFUSE / "trace_download_autogen-2025-06-06.json")
    assert (result["layout"], result["rows"]) == ("langfuse_traces", 1)
    ((*row, extra),) = interactions(tmp_path)
    assert tuple(row) == AUTOGEN
    assert [o["type"] for o in extra["observations"]] == ["SPAN", "GENERATION"]
    assert (extra["models"], extra["generations"]) == (["gpt-4o"], 1)
    assert extra["trace"]["sessionId"] == "session_abc" and extra["trace"]["tags"] == ["autogen", "dev"]
    assert "input" not in extra["trace"] and extra["record"] == {}


def test_generations_add_up_per_trace(tmp_path):
    ingest_file(tmp_path, "ai", LANGFUSE / "trace_download_google-adk-2025-08-28.json")
    ((*row, extra),) = interactions(tmp_path)
    # two gemini generations: 28 + 39 input, 3 + 6 output tokens, 4e-06 + 6.3e-06 USD
    assert tuple(row[:9]) == ("b82a0bdc1994fc5d1c8576ca032543f7", datetime(2025, 8, 28, 7, 32, 30, 303000),
                              "invocation [hello_app]", "demo-user", "gemini-2.0-flash", 1848.0, 67, 9,
                              pytest.approx(1.03e-05))
    assert row[9].startswith('{"user_id":"demo-user"') and '"Hello Langfuse 👋!\\n"' in row[10]
    assert extra["generations"] == 2 and len(extra["observations"]) == 5
    assert len(extra["trace"]["scores"]) == 2  # the trace's own scores stay with it


@pytest.mark.parametrize(("name", "expected"), [
    ("llamaindex-2025-06-05", ("12ea412956f99347b0503c1144acd0ec", datetime(2025, 6, 5, 15, 45, 52, 971000),
                               "llama-index-trace", "user_123", "gpt-4o", 2779.0, 13, 81, 0.000842499999,
                               "What is Langfuse?")),
    ("openai-assistants-2024-05-29", ("b3b7b128-5664-4f42-9fab-31999da9e2f1", datetime(2024, 5, 29, 13, 46, 10, 728000),
                                      "run_math_tutor", None, "gpt-4", 9236.0, 49, 40, 0.00387,
                                      '{"args":["I need to solve the equation `3x + 11 = 14`. Can you help me?"],'
                                      '"kwargs":{}}')),
])
def test_more_trace_downloads(tmp_path, name, expected):
    ingest_file(tmp_path, "ai", LANGFUSE / f"trace_download_{name}.json")
    ((*row, _),) = interactions(tmp_path)
    assert tuple(row[:10]) == expected


def write_lines(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_trace_and_observation_records_in_one_file_equal_the_download(tmp_path):
    doc = download("autogen-2025-06-06")
    path = write_lines(tmp_path / "mixed.jsonl", [doc["trace"], *doc["observations"]])
    assert ingest_file(tmp_path / "ws", "ai", path)["layout"] == "langfuse_traces"
    ((*row, extra),) = interactions(tmp_path / "ws")
    assert tuple(row) == AUTOGEN and extra["generations"] == 1


def test_observations_alone_make_their_trace(tmp_path):
    """No trace record: ts is the earliest start, feature the earliest observation's name, latency the
    observations' span, prompt and output the generations'."""
    observations = download("autogen-2025-06-06")["observations"]
    path = write_lines(tmp_path / "observations.jsonl", observations[::-1])
    ingest_file(tmp_path / "ws", "ai", path)
    ((*row, extra),) = interactions(tmp_path / "ws")
    assert tuple(row[:9]) == ("1b72c51fabed12ae7df83bfd4a09f545", datetime(2025, 6, 6, 11, 31, 33, 965000),
                              "autogen-chat-trace", None, "gpt-4o", 645.0, 41, 3, 2.5e-05)
    generation = observations[1]
    assert row[9] == generation["input"] and row[9].startswith("system: You are a helpful AI assistant.")
    assert row[10] == generation["output"]
    assert extra["trace"] == {} and [o["type"] for o in extra["observations"]] == ["SPAN", "GENERATION"]


def test_observation_batch_export_names_its_trace(tmp_path):
    """Langfuse's batch export of observations adds traceName and userId to each: they name the trace."""
    observations = [{**o, "traceName": "support-bot", "userId": "u9"}
                    for o in download("autogen-2025-06-06")["observations"]]
    ingest_file(tmp_path / "ws", "ai", write_lines(tmp_path / "observations.jsonl", observations))
    ((*row, _),) = interactions(tmp_path / "ws")
    assert row[:4] == ["1b72c51fabed12ae7df83bfd4a09f545", datetime(2025, 6, 6, 11, 31, 33, 965000), "support-bot",
                       "u9"]


def test_api_page_of_traces_uses_total_cost_and_latency(tmp_path):
    trace = {**download("llamaindex-2025-06-05")["trace"], "totalCost": 0.5, "latency": 1.25,
             "observations": ["3344aabdd4e66110"], "htmlPath": "/project/p/traces/x"}
    path = tmp_path / "traces.json"
    path.write_text(json.dumps({"data": [trace], "meta": {"page": 1, "limit": 50, "totalItems": 1}}))
    ingest_file(tmp_path / "ws", "ai", path)
    ((*row, extra),) = interactions(tmp_path / "ws")
    assert row[:9] == ["12ea412956f99347b0503c1144acd0ec", datetime(2025, 6, 5, 15, 45, 52, 971000),
                       "llama-index-trace", "user_123", None, 1250.0, None, None, 0.5]
    assert extra["record"] == {"meta": {"page": 1, "limit": 50, "totalItems": 1}}
    assert extra["trace"]["observations"] == ["3344aabdd4e66110"] and extra["generations"] == 0


def langfuse_csv(path, records):
    """A CSV as Langfuse's batch export writes it: the first record's keys as the header, strings as they
    are, everything else JSON-encoded (transformStreamToCsv + stringifyForCsv)."""
    import csv

    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(list(records[0]))
        writer.writerows([["" if r.get(k) is None else r[k] if isinstance(r[k], str)
                           else json.dumps(r[k], separators=(",", ":")) for k in records[0]] for r in records])
    return path


def test_batch_export_csvs_of_traces_observations_and_scores(tmp_path):
    doc = download("autogen-2025-06-06")
    trace = {**doc["trace"], "id": "0123456789"}  # an id of digits stays text
    result = ingest_file(tmp_path / "t", "ai", langfuse_csv(tmp_path / "traces.csv", [trace]))
    assert result["layout"] == "langfuse_traces_csv"
    ((*row, extra),) = interactions(tmp_path / "t")
    assert tuple(row) == ("0123456789", *AUTOGEN[1:4], None, 645.0, None, None, None, *AUTOGEN[9:])
    assert extra["trace"]["tags"] == ["autogen", "dev"] and extra["trace"]["bookmarked"] == "false"

    result = ingest_file(tmp_path / "o", "ai", langfuse_csv(tmp_path / "observations.csv", doc["observations"]))
    assert result["layout"] == "langfuse_observations_csv"
    ((*row, _),) = interactions(tmp_path / "o")
    assert tuple(row[:9]) == ("1b72c51fabed12ae7df83bfd4a09f545", *AUTOGEN[1:3], None, "gpt-4o", 645.0, 41, 3,
                              2.5e-05)

    score_list = json.loads((LANGFUSE / "scores_beeai-2025-08-01.json").read_text())
    result = ingest_file(tmp_path / "s", "scores", langfuse_csv(tmp_path / "scores.csv", score_list))
    assert result["layout"] == "langfuse_scores_csv"
    assert [r[:5] for r in scores(tmp_path / "s")] == [(*k, None, "llm") for k in SCORE_FILES[
        "scores_beeai-2025-08-01.json"]]


def test_traces_have_no_user_signal_in_the_metrics(tmp_path):
    for name in ("autogen-2025-06-06", "llamaindex-2025-06-05"):
        ingest_file(tmp_path, "ai", LANGFUSE / f"trace_download_{name}.json")
    overall = workspace_ai_metrics(tmp_path).set_index(["feature", "segment"]).loc[("all", "all")]
    assert (overall["interactions"], overall["with_user_signal"]) == (2, 0)
    assert overall[["acceptance_rate", "task_completion_rate", "cost_per_success"]].isna().all()
    assert overall["cost_usd"] == pytest.approx(2.5e-05 + 0.000842499999)


SCORE_FILES = {
    "scores_beeai-2025-08-01.json": [("096fc09a30ab90d2431778f9ee2b3936", "hallucination", 0.2),
                                     ("096fc09a30ab90d2431778f9ee2b3936", "toxicity", 0.0)],
    "scores_langgraph-2025-08-22.json": [("e1fde3efec57ce8a69bafd3fb928a7eb", "hallucination", 0.1),
                                         ("e1fde3efec57ce8a69bafd3fb928a7eb", "toxicity", 0.0)],
    "scores_microsoft-agent-2025-10-14.json": [("e3a407423619277a2dcef3c13dc89982", "hallucination", 1.0),
                                               ("e3a407423619277a2dcef3c13dc89982", "toxicity", 0.0)],
}


def scores(workspace):
    rows = query(workspace, "select interaction_id, name, value, label, source, explanation, extra from eval_scores "
                            "order by interaction_id, name")
    return [(*row[:6], json.loads(row[6])) for row in rows]


@pytest.mark.parametrize("name", sorted(SCORE_FILES))
def test_eval_score_exports(tmp_path, name):
    result = ingest_file(tmp_path, "scores", LANGFUSE / name)
    assert (result["layout"], result["rows"]) == ("langfuse_scores", 2)
    got = scores(tmp_path)
    assert [r[:5] for r in got] == [(*key, None, "llm") for key in SCORE_FILES[name]]
    originals = {s["name"]: s for s in json.loads((LANGFUSE / name).read_text())}
    for row in got:
        assert row[5] == originals[row[1]]["comment"]
        assert row[6] == {"score": originals[row[1]], "record": None}


def test_score_types_and_sources(tmp_path):
    """API -> llm, ANNOTATION -> human; BOOLEAN -> 1/0; CATEGORICAL -> label; NUMERIC outside 0-1 -> label."""
    base = json.loads((LANGFUSE / "scores_beeai-2025-08-01.json").read_text())[0]
    variants = [
        {"name": "helpful", "dataType": "BOOLEAN", "value": 1, "stringValue": "True", "source": "ANNOTATION"},
        {"name": "on_topic", "dataType": "BOOLEAN", "value": 0, "stringValue": "False", "source": "API"},
        {"name": "correctness", "dataType": "CATEGORICAL", "value": 0, "stringValue": "partially correct",
         "source": "ANNOTATION"},
        {"name": "stars", "dataType": "NUMERIC", "value": 4, "stringValue": None, "source": "API"},
        {"name": "task_completion", "dataType": "NUMERIC", "value": 0.75, "stringValue": None, "source": "EVAL"},
    ]
    path = tmp_path / "scores.json"
    path.write_text(json.dumps({"data": [{**base, **v} for v in variants], "meta": {"page": 1}}))
    ingest_file(tmp_path / "ws", "scores", path)
    got = {r[1]: r[2:5] for r in scores(tmp_path / "ws")}
    assert got == {"helpful": (1.0, "True", "human"), "on_topic": (0.0, "False", "llm"),
                   "correctness": (None, "partially correct", "human"), "stars": (None, "4", "llm"),
                   "task_completion": (0.75, None, "llm")}


def edited(tmp_path, records, name="broken.jsonl"):
    return write_lines(tmp_path / name, records)


@pytest.mark.parametrize(("kind", "make", "row", "column", "found"), [
    ("ai", lambda: [{**download("autogen-2025-06-06")["trace"], "timestamp": "soon"}], 1, "ts", "soon"),
    ("ai", lambda: [download("autogen-2025-06-06")["trace"],
                    {**download("autogen-2025-06-06")["observations"][1], "usageDetails": {"input": "many"}}],
     1, "input_tokens", "many"),
    ("ai", lambda: [{**download("autogen-2025-06-06")["trace"], "latency": -2}], 1, "latency_ms", "-2000"),
    ("scores", lambda: [json.loads((LANGFUSE / "scores_beeai-2025-08-01.json").read_text())[0],
                        {**json.loads((LANGFUSE / "scores_beeai-2025-08-01.json").read_text())[1], "value": "high"}],
     2, "value", "high"),
    ("scores", lambda: [{**json.loads((LANGFUSE / "scores_beeai-2025-08-01.json").read_text())[0],
                         "source": "MANUAL"}], 1, "source", "manual"),
    ("scores", lambda: [{**json.loads((LANGFUSE / "scores_beeai-2025-08-01.json").read_text())[0],
                         "traceId": None, "sessionId": "demo-session"}], 1, "interaction_id", "an empty cell"),
])
def test_broken_exports_are_refused_with_row_and_column(tmp_path, kind, make, row, column, found):
    path = edited(tmp_path, make())
    with pytest.raises(IngestError) as refusal:
        ingest_file(tmp_path / "ws", kind, path)
    error = refusal.value
    assert (error.file, error.row, error.column) == (path.name, row, column)
    assert found in str(error).lower()
    assert not (tmp_path / "ws").exists() or not query(tmp_path / "ws", "select * from ai_interactions")


def test_a_trace_download_offered_as_scores_is_refused_naming_the_kind(tmp_path):
    with pytest.raises(IngestError) as refusal:
        ingest_file(tmp_path, "scores", LANGFUSE / "trace_download_autogen-2025-06-06.json")
    assert "langfuse_traces" in str(refusal.value) and "ingest it as ai" in str(refusal.value)
