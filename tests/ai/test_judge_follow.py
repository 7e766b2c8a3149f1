"""notebooks/ai/judge_follow.py and `journeylens judge --follow` (issue 17 §2): the worker judges interactions
as they are ingested, resumes after a stop or a kill without asking twice, keeps its hourly budget and
outlives a server outage. The real openai client over real HTTP against tests/ai/fake_openai.py, a real
workspace, small poll intervals and windows so the suite stays fast."""

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from fake_openai import HANG, RESET, FakeOpenAI, completion
from journeylens.notebooks.ai.judge_cache import load_cache
from journeylens.notebooks.ai.judge_follow import HOUR, HourlyBudget, follow_workspace
from journeylens.notebooks.ai.judge_runner import JudgeError, judge_settings, run_calls
from journeylens.notebooks.ai.judge_workspace import judge_plan
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.workspace.snapshot import connect
from test_judge import KEY, write_ai_workspace

MODEL = "judge-model"
RUBRICS = ("task_completion", "relevance", "safety")
JOURNEYLENS = Path(sys.executable).with_name("journeylens")


@pytest.fixture
def ws(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    return write_ai_workspace(tmp_path)  # i0..i5: 18 calls


def good(body, n=None):
    """A verdict with the first label of the rubric the request asks about (a score of 1)."""
    label = body["messages"][0]["content"].split("Allowed labels: ")[1].split(" ")[0]
    return 200, completion(json.dumps({"explanation": "fine", "label": label})), {}


def asked(server) -> list:
    """(interaction, rubric) of every request the server got."""
    out = []
    for body in server.requests:
        system, user = body["messages"][0]["content"], body["messages"][1]["content"]
        rubric = system.split("Rubric ")[1].split("-v1")[0]
        out.append((user.split("<prompt>question ")[1].split("<")[0], rubric))
    return out


def add_interactions(tmp_path, ws, ks, hour="11"):
    path = tmp_path / f"ai-{ks[0]}.csv"
    path.write_text("interaction_id,ts,feature,accepted,prompt,output,segment\n"
                    + "".join(f"i{k},2026-01-02T{hour}:00:00Z,search,true,question {k},answer {k},free\n" for k in ks))
    assert ingest_file(ws, "ai", path)["status"] == "stored"


def stored(ws) -> Counter:
    """{(interaction, rubric): how many llm scores} in the workspace."""
    con = connect(ws)
    try:
        rows = con.execute("select interaction_id, name from eval_scores where source = 'llm'").fetchall()
    finally:
        con.close()
    return Counter((i.removeprefix("i"), name) for i, name in rows)


def wait_until(check, seconds=20.0):
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def every(ks) -> set:
    return {(str(k), rubric) for k in ks for rubric in RUBRICS}


WORKERS = []  # the test's workers, stopped after it whatever happened


@pytest.fixture(autouse=True)
def stop_workers():
    yield
    while WORKERS:
        WORKERS.pop().stop.set()


class Worker:
    """follow_workspace in a thread, with a stop event and its events kept."""

    def __init__(self, ws, settings, **options):
        self.stop, self.events, self.result, self.error = threading.Event(), [], None, None
        WORKERS.append(self)
        options = {"poll": 0.05, "base_delay": 0.01, **options}

        def run():
            try:
                self.result = follow_workspace(ws, settings, stop=self.stop, progress=self.events.append, **options)
            except BaseException as err:  # noqa: BLE001 (reported by the test)
                self.error = err
        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def end(self, seconds=10.0):
        self.stop.set()
        self.thread.join(seconds)
        assert not self.thread.is_alive() and self.error is None, self.error
        return self.result


def test_follow_judges_interactions_as_they_arrive(ws, tmp_path):
    with FakeOpenAI(good) as server:
        settings = judge_settings(MODEL, server.base_url)
        worker = Worker(ws, settings)
        wait_until(lambda: set(stored(ws)) == every(range(6)))
        with pytest.raises(JudgeError, match="another `judge --follow`"):
            follow_workspace(ws, settings, max_rounds=1)  # one worker per workspace
        idle_rounds = sum(e["event"] == "round" for e in worker.events)
        time.sleep(0.5)  # ten idle polls: the worker's own score uploads do not make a round
        assert sum(e["event"] == "round" for e in worker.events) == idle_rounds
        add_interactions(tmp_path, ws, [6, 7])  # no other command: the running worker sees it
        wait_until(lambda: set(stored(ws)) == every(range(8)))
        result = worker.end()
    assert result["ended"] == "stopped" and result["judged"] == 24 and result["stored"] == 24
    assert sorted(asked(server)) == sorted(every(range(8))) and max(stored(ws).values()) == 1
    assert not [e for e in worker.events if e["event"] in ("error", "backoff")]


def test_a_restarted_worker_asks_only_for_what_it_lacks(ws, tmp_path):
    with FakeOpenAI(good) as server:
        settings = judge_settings(MODEL, server.base_url)
        worker = Worker(ws, settings)
        wait_until(lambda: set(stored(ws)) == every(range(6)))
        worker.end()
        add_interactions(tmp_path, ws, [6, 7])  # while no worker runs
        # a worker killed between judging and storing: i6's verdicts in the cache, not yet scores
        plan = judge_plan(ws, MODEL)
        asyncio.run(run_calls(settings, [c for c in plan["calls"] if c[0]["interaction_id"] == "i6"], ws))
        assert len(server.requests) == 21 and set(stored(ws)) == every(range(6))
        worker = Worker(ws, settings)
        wait_until(lambda: set(stored(ws)) == every(range(8)))
        result = worker.end()
    assert result["called"] == 3 and result["stored"] == 6  # i7 asked; i6 stored from the cache
    assert sorted(asked(server)) == sorted(every(range(8)))  # nobody asked twice
    assert max(stored(ws).values()) == 1


def test_the_hourly_budget_holds_and_the_rest_waits(ws):
    arrivals = []

    def behaviour(body, n):
        arrivals.append(time.monotonic())
        return good(body)

    window, budget = 1.0, 5
    with FakeOpenAI(behaviour) as server:
        started = time.monotonic()
        worker = Worker(ws, judge_settings(MODEL, server.base_url), budget_calls=budget, window=window,
                        until_idle=True)
        worker.thread.join(30)
        result = worker.end()
    assert result["ended"] == "idle" and result["judged"] == 18 and set(stored(ws)) == every(range(6))
    def closest(times):  # the shortest time in which budget + 1 calls came
        times = sorted(times)
        return min(later - first for first, later in zip(times[:-budget], times[budget:], strict=True))

    # the worker started no budget + 1 calls in any window; the server got none (less the loopback's latency)
    ledger = [json.loads(line)["at"] for line in (ws / "judge" / "budget.jsonl").read_text().splitlines()]
    assert len(ledger) == 18 and closest(ledger) >= window and closest(arrivals) > window / 2
    assert time.monotonic() - started > 3 * window and len(arrivals) == 18  # the rest waited, never dropped
    waits = [e for e in worker.events if e["event"] == "budget"]
    assert waits and waits[0]["waiting"] == 13 and waits[0]["budget"]["usd"] is None
    # the spending outlives the worker: a restart within the hour knows 18 calls were made
    assert HourlyBudget(ws, 20, window=HOUR).left()["calls"] == 2


def test_a_usd_budget_takes_calls_by_their_estimate(ws):
    calls = judge_plan(ws, MODEL)["calls"]
    budget = HourlyBudget(ws, usd=1.0)
    cost = budget.cost(calls[0])
    budget.usd = cost * 2.5
    assert len(budget.fitting(calls)) == 2
    budget.charge(calls[0])
    assert len(budget.fitting(calls)) == 1 and budget.left()["usd"] == pytest.approx(cost * 1.5)
    alone = HourlyBudget(ws.parent / "other", usd=cost / 10)  # a call above the whole budget: alone, in an empty hour
    assert len(alone.fitting(calls)) == 1
    alone.charge(calls[0])
    assert alone.fitting(calls) == [] and 3599 < alone.free_in() <= HOUR


def test_an_outage_is_survived_with_a_bounded_backoff(ws):
    down_for = 20  # requests: at most 4 a round (3 failures in a row stop it, 1 more in flight), so 5+ rounds

    def behaviour(body, n):
        if n <= down_for:  # a server going down: errors and connections reset
            return (503, {"error": {"message": "down"}}, {}) if n % 2 else RESET
        return good(body)

    with FakeOpenAI(behaviour) as server:
        settings = judge_settings(MODEL, server.base_url, max_attempts=1, max_consecutive_failures=3)
        worker = Worker(ws, settings, concurrency=2, max_backoff=0.2, until_idle=True)
        worker.thread.join(30)
        result = worker.end()
    assert result["ended"] == "idle" and set(stored(ws)) == every(range(6)) and max(stored(ws).values()) == 1
    backoffs = [e for e in worker.events if e["event"] == "backoff"]
    waits = [e["retry_in"] for e in backoffs]
    assert len(waits) >= 5 and waits[:3] == [0.05, 0.1, 0.2] and max(waits) == 0.2, waits  # doubled, bounded
    assert result["failed"] >= 10 and {e["last_error"].split(": ")[-1].split(" ")[0] for e in backoffs} <= {
        "HTTP", "connection"}
    assert Counter(asked(server)[down_for:]) == Counter(every(range(6)))  # after the outage: each asked once


def test_a_stop_lets_calls_in_flight_end_then_starts_none(ws):
    def slow(body, n):
        time.sleep(0.4)
        return good(body)

    with FakeOpenAI(slow) as server:
        worker = Worker(ws, judge_settings(MODEL, server.base_url), concurrency=2)
        wait_until(lambda: len(server.requests) >= 2)
        result = worker.end()
        time.sleep(0.5)
    assert len(server.requests) == 2 and result["judged"] == 2  # both in flight ended; no call started after
    assert sum(stored(ws).values()) == 2 and len(load_cache(ws)) == 2  # and they were stored before returning


def test_a_stop_abandons_calls_that_hang_and_records_nothing_for_them(ws):
    with FakeOpenAI(lambda body, n: HANG) as server:
        worker = Worker(ws, judge_settings(MODEL, server.base_url), concurrency=3, grace=0.2)
        wait_until(lambda: len(server.requests) >= 3)
        started = time.monotonic()
        worker.end()
        assert time.monotonic() - started < 3
    cache = ws / "judge" / "verdicts.jsonl"
    assert not stored(ws) and (not cache.exists() or cache.read_text() == "")  # not even a failure recorded


@contextlib.contextmanager
def follow_command(ws, url, *more):
    """`journeylens judge --follow` in a process of its own, killed on the way out if a test left it running."""
    env = {**os.environ, "OPENAI_API_KEY": KEY, "JOURNEYLENS_RANKING_STORE": "off"}
    process = subprocess.Popen([str(JOURNEYLENS), "judge", "--follow", "--poll", "0.1", "--workspace", str(ws),
                                "--model", MODEL, "--base-url", url, "--concurrency", "2", *more],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)


def test_the_command_follows_survives_a_kill_and_stops_on_sigterm(ws, tmp_path):
    def slow(body, n):
        time.sleep(0.15)
        return good(body)

    cache = ws / "judge" / "verdicts.jsonl"
    with FakeOpenAI(slow) as server:
        with follow_command(ws, server.base_url) as killed:
            wait_until(lambda: cache.exists() and len(cache.read_text().splitlines()) >= 4, 60)
            killed.kill()  # SIGKILL mid-round: calls in flight, verdicts not stored yet
            killed.communicate(timeout=10)
        asked_before = len(server.requests)
        with follow_command(ws, server.base_url, "--budget-per-hour", "100") as follower:
            wait_until(lambda: set(stored(ws)) == every(range(6)), 60)  # a process starting: slow on a busy machine
            add_interactions(tmp_path, ws, [6])
            wait_until(lambda: set(stored(ws)) == every(range(7)), 60)
            follower.send_signal(signal.SIGTERM)
            out, err = follower.communicate(timeout=15)
    assert follower.returncode == 0, err
    assert max(stored(ws).values()) == 1 and set(stored(ws)) == every(range(7))
    repeated = sum(n - 1 for n in Counter(asked(server)).values())
    assert repeated <= 2 and asked_before >= 4  # at most the two calls in flight at the kill were asked again
    assert "judge --follow: judged" in err and "budget left this hour: " in err and "stopped after" in out
    assert KEY not in out + err


@pytest.mark.parametrize("argv, message", [
    (["--poll", "1"], "--poll goes with --follow"),
    (["--budget-per-hour", "5"], "--budget-per-hour goes with --follow"),
    (["--follow", "--limit", "2"], "not with --limit"),
    (["--follow", "--offline"], "not with --offline"),
])
def test_the_command_refuses_follow_options_out_of_place(ws, argv, message, capsys):
    from journeylens.app.cli import main

    assert main(["judge", "--workspace", str(ws), *argv]) == 2
    assert message in capsys.readouterr().err


def test_follow_refuses_a_folder_that_is_no_workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with pytest.raises(JudgeError, match="no workspace"):
        follow_workspace(tmp_path / "typo", judge_settings(MODEL, "http://127.0.0.1:9/v1"), max_rounds=1)
    assert not (tmp_path / "typo").exists()
