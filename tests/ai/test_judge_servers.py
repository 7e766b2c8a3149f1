"""The judge against bad servers (issue 11 §4, and §9's dry run without a key). Every way a server can
fail ends in a finished run that counts its failures; a failure is never a verdict and the next run makes
the call again; consecutive failures stop a run early; timeouts are configurable. The real openai client
over real HTTP against tests/fake_openai.py; small timeouts keep the tests fast."""

import asyncio
import gc
import json
import logging
import re
import time

import pytest
from fake_openai import HANG, RESET, FakeOpenAI, Raw, completion, refused_url, truncated
from journeylens.notebooks.ai.judge_cache import load_cache
from journeylens.notebooks.ai.judge_runner import judge_settings
from journeylens.notebooks.ai.judge_workspace import judge_plan, judge_workspace
from journeylens.notebooks.workspace.snapshot import connect
from test_judge import KEY, write_ai_workspace

MODEL = "judge-model"


@pytest.fixture
def ws(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    return write_ai_workspace(tmp_path)


@pytest.fixture
def no_stray_task_errors(caplog):
    """Fails the test if asyncio reports a task whose exception nobody retrieved."""
    caplog.set_level(logging.ERROR, logger="asyncio")
    yield
    gc.collect()
    assert "never retrieved" not in caplog.text, caplog.text


def good(body):
    """A verdict with the first label of the rubric the request asks about."""
    label = body["messages"][0]["content"].split("Allowed labels: ")[1].split(" ")[0]
    return 200, completion(json.dumps({"explanation": "fine", "label": label})), {}


def about(body, k):
    return f"question {k}<" in body["messages"][1]["content"]


def scores(workspace):
    con = connect(workspace)
    try:
        return con.execute("select count(*) from eval_scores where source = 'llm'").fetchone()[0]
    finally:
        con.close()


def limits(base_url, **kw):
    """Settings with failure limits, as keys (what run_calls reads), so the test ends fast on any code."""
    return {**judge_settings(MODEL, base_url), "max_consecutive_failures": 50, **kw}


BAD_ANSWERS = {
    "HTML page with HTTP 200": lambda: (200, Raw("<html><body>Service Unavailable</body></html>"), {}),
    "text that is not JSON, labelled JSON": lambda: (200, Raw("upstream error", "application/json"), {}),
    "JSON of another shape": lambda: (200, {"status": "ok"}, {}),
    "no choices": lambda: (200, {"choices": []}, {}),
    "a choice without a message": lambda: (200, {"choices": [{"index": 0, "message": None}]}, {}),
    "body cut short": truncated,
    "connection reset": lambda: RESET,
    "HTML error page, HTTP 502": lambda: (502, Raw("<html>502 Bad Gateway</html>"), {}),
    "HTTP 500": lambda: (500, {"error": {"message": "boom"}}, {}),
    "HTTP 429 with Retry-After": lambda: (429, {"error": {"message": "slow down"}}, {"Retry-After": "0"}),
    "HTTP 401": lambda: (401, {"error": {"message": "Incorrect API key provided: sk-te****6789"}}, {}),
}


@pytest.mark.parametrize("bad", BAD_ANSWERS, ids=list(BAD_ANSWERS))
def test_a_bad_answer_fails_its_calls_and_the_run_keeps_the_others(ws, bad, no_stray_task_errors):
    def behaviour(body, n):
        return BAD_ANSWERS[bad]() if about(body, 1) else good(body)

    with FakeOpenAI(behaviour) as server:
        result = judge_workspace(ws, limits(server.base_url, max_attempts=2), limit=3, concurrency=3,
                                 base_delay=0.01)
    # i0, i5, i1 with three rubrics each: i1's three calls failed, the six others are verdicts
    counts = {k: result[k] for k in ("judged", "failed", "unparsed", "not_run", "stopped")}
    assert counts == {"judged": 6, "failed": 3, "unparsed": 0, "not_run": 0, "stopped": None}
    assert result["stored"] == 6 and scores(ws) == 6
    assert "gave up after" in result["last_error"] and "sk-te" not in result["last_error"]
    assert set(load_cache(ws)) == {f"i{k}|{rubric}|{MODEL}" for k in (0, 5)
                                   for rubric in ("task_completion-v1", "relevance-v1", "safety-v1")}


def test_failed_calls_are_not_cached_and_the_next_run_retries_them(ws, no_stray_task_errors):
    with refused_url() as url:
        first = judge_workspace(ws, limits(url, max_attempts=2), limit=2, base_delay=0.01)
    assert (first["judged"], first["failed"], first["stored"]) == (0, 6, 0)
    assert "connection failed" in first["last_error"]
    assert load_cache(ws) == {}
    plan = judge_plan(ws, MODEL, limit=2)
    assert (plan["estimate"]["calls"], plan["cached"], plan["retrying"]) == (6, 0, 6)  # not "all cached"
    with FakeOpenAI(lambda body, n: good(body)) as server:
        second = judge_workspace(ws, limits(server.base_url), limit=2)
    assert (second["judged"], second["failed"], second["stored"], len(server.requests)) == (6, 0, 6, 6)
    assert judge_plan(ws, MODEL, limit=2)["estimate"]["calls"] == 0


def test_error_records_of_older_caches_are_failures_and_a_cut_last_line_is_skipped(ws):
    cache = ws / "judge" / "verdicts.jsonl"
    cache.parent.mkdir()
    old = {"key": f"i0|task_completion-v1|{MODEL}", "interaction_id": "i0", "name": "task_completion",
           "rubric_version": "task_completion-v1", "model": MODEL, "label": "unknown", "value": None,
           "explanation": "", "parsed": False, "method": "error", "error": "gave up after 5 attempts: HTTP 503"}
    cache.write_text(json.dumps(old) + "\n" + '{"key": "i5|task_completion-v1|judge-mo')  # killed mid-line
    plan = judge_plan(ws, MODEL, limit=2)
    assert (plan["estimate"]["calls"], plan["retrying"]) == (6, 1)
    with FakeOpenAI(lambda body, n: good(body)) as server:
        result = judge_workspace(ws, limits(server.base_url), limit=2)
    assert result["judged"] == 6 and len(load_cache(ws)) == 6  # the first new record did not join the cut line


def test_consecutive_failures_stop_the_run_early(ws, no_stray_task_errors):
    with FakeOpenAI(lambda body, n: (503, {"error": {"message": "down"}}, {})) as server:
        settings = judge_settings(MODEL, server.base_url, timeout=5, max_attempts=1, max_consecutive_failures=3)
        result = judge_workspace(ws, settings, concurrency=2, base_delay=0.01)
    assert result["stopped"] == "stopped early after 3 consecutive failures: gave up after 1 attempt: HTTP 503"
    assert result["judged"] == 0 and result["failed"] >= 3 and result["failed"] + result["not_run"] == 18
    assert len(server.requests) <= 4  # 3 failures, at most one more already in flight
    assert judge_plan(ws, MODEL)["estimate"]["calls"] == 18


def test_a_success_resets_the_count_of_consecutive_failures(ws):
    def behaviour(body, n):
        return (503, {"error": {"message": "down"}}, {}) if n % 2 else good(body)

    with FakeOpenAI(behaviour) as server:
        settings = judge_settings(MODEL, server.base_url, timeout=5, max_attempts=1, max_consecutive_failures=2)
        result = judge_workspace(ws, settings, limit=2, concurrency=1, base_delay=0.01)
    assert (result["stopped"], result["judged"], result["failed"], result["not_run"]) == (None, 3, 3, 0)


def test_a_server_that_never_answers_costs_the_timeout_not_minutes(ws, no_stray_task_errors):
    started = time.monotonic()
    with FakeOpenAI(lambda body, n: HANG) as server:
        settings = judge_settings(MODEL, server.base_url, timeout=0.3, max_attempts=2, max_consecutive_failures=3)
        result = judge_workspace(ws, settings, limit=1, concurrency=3, base_delay=0.01)
    assert result["stopped"] == ("stopped early after 3 consecutive failures: gave up after 2 attempts: "
                                 "timed out after 0.3 s")
    assert len(server.requests) == 6 and time.monotonic() - started < 20  # 2 x 0.3 s per call, not 5 x 60 s


def test_the_early_stop_cancels_calls_in_flight_cleanly(ws, no_stray_task_errors):
    def behaviour(body, n):
        return HANG if about(body, 0) else (500, {"error": {"message": "boom"}}, {})

    started = time.monotonic()
    with FakeOpenAI(behaviour) as server:
        settings = judge_settings(MODEL, server.base_url, timeout=30, max_attempts=1, max_consecutive_failures=2)
        result = judge_workspace(ws, settings, limit=2, concurrency=4, base_delay=0.01)
    # i0's hanging calls were cancelled at the stop, not waited for (30 s), and are not recorded
    assert result["stopped"].startswith("stopped early after 2 consecutive failures")
    assert time.monotonic() - started < 20 and result["failed"] + result["not_run"] == 6
    assert all(not key.startswith("i0|") for key in load_cache(ws))
    lines = (ws / "judge" / "verdicts.jsonl").read_text().splitlines()
    assert len(lines) == result["failed"] and not any('"i0"' in line for line in lines)
    assert judge_plan(ws, MODEL, limit=2)["estimate"]["calls"] == 6


@pytest.mark.parametrize("options", [{"timeout": 0}, {"max_attempts": 0}, {"max_consecutive_failures": -1},
                                     {"timeout": "soon"}])
def test_limits_out_of_range_are_refused(options, monkeypatch):
    from journeylens.notebooks.ai.judge_runner import JudgeError

    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with pytest.raises(JudgeError, match=next(iter(options))):
        judge_settings(MODEL, **options)


def test_cli_prints_the_counts_and_exits_3_when_calls_failed(ws, capsys):
    from journeylens.app.cli import main

    def behaviour(body, n):
        return (500, {"error": {"message": "boom"}}, {}) if about(body, 1) else good(body)

    with FakeOpenAI(behaviour) as server:
        code = main(["judge", "--workspace", str(ws), "--model", MODEL, "--base-url", server.base_url,
                     "--limit", "3", "--timeout", "5", "--max-attempts", "1"])
    out = capsys.readouterr()
    assert code == 3
    assert "judged 6, failed 3, unparsed 0, not run 0; stored 6 new llm scores" in out.out
    assert "3 calls failed (last: gave up after 1 attempt: HTTP 500)" in out.err and "Traceback" not in out.err


def test_cli_says_why_it_stopped_early(ws, capsys):
    from journeylens.app.cli import main

    with refused_url() as url:
        code = main(["judge", "--workspace", str(ws), "--model", MODEL, "--base-url", url,
                     "--max-consecutive-failures", "2", "--max-attempts", "1", "--timeout", "2"])
    out = capsys.readouterr()
    assert code == 3
    assert re.search(r"judged 0, failed [2-4], unparsed 0, not run 1[4-6]; stored 0", out.out), out.out
    assert "stopped early after 2 consecutive failures: gave up after 1 attempt: connection failed" in out.err
    assert "never retrieved" not in out.err and "Traceback" not in out.err


@pytest.mark.parametrize("option", ["--timeout=0", "--max-attempts=0", "--max-consecutive-failures=x"])
def test_cli_refuses_limits_out_of_range(ws, option, capsys):
    from journeylens.app.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["judge", "--workspace", str(ws), option])
    assert exit_.value.code == 2 and option.split("=")[0] in capsys.readouterr().err


def test_cli_dry_run_needs_no_key(ws, monkeypatch, capsys):
    from journeylens.app.cli import main

    monkeypatch.delenv("OPENAI_API_KEY")
    assert main(["judge", "--workspace", str(ws), "--model", MODEL, "--limit", "2", "--dry-run"]) == 0
    assert "6 calls to make" in capsys.readouterr().err
    assert main(["judge", "--workspace", str(ws), "--model", MODEL, "--limit", "2"]) == 2  # a real run does
    assert "OPENAI_API_KEY" in capsys.readouterr().err


def test_judge_one_never_raises_on_a_body_that_is_not_a_completion():
    """The unit under the run: one call, one failure record (status failed), no exception."""
    import openai
    from journeylens.notebooks.ai.judge_runner import judge_one

    with FakeOpenAI(lambda body, n: (200, Raw("<html>maintenance</html>"), {})) as server:
        async def go():
            client = openai.AsyncOpenAI(api_key=KEY, base_url=server.base_url, max_retries=0)
            try:
                return await judge_one(client, MODEL, "task_completion", {"interaction_id": "x", "prompt": "p"}, {},
                                       base_delay=0.01)
            finally:
                await client.close()

        record = asyncio.run(go())
    assert (record["status"], record["parsed"], record["value"]) == ("failed", False, None)
    assert record["error"].endswith("not a chat completion (an HTML page or text)")
