"""Running the judge.

Any OpenAI-compatible server (`base_url`), any model, bounded concurrency. A server that refuses
`json_schema` output is asked for `json_object`, then plain text, once per run. Each attempt is cut
after `timeout` s (30); timeouts, lost connections, 408/409/429/5xx and bodies that are not a chat
completion are tried again up to `max_attempts` (3) with backoff (Retry-After wins; waits ≤ 30 s),
so one call takes at most attempts × timeout + (attempts − 1) × 30 s. A call still without an
answer is a **failure**, never a verdict, and the next run makes it again; after
`max_consecutive_failures` (5) in a row the run stops early and cancels the calls in flight. Records
go to `<workspace>/judge/verdicts.jsonl` as they arrive (a half-written last line is skipped), so
a re-run costs nothing and a cut-off run resumes; older `error` records count as failures.
"""

import asyncio
import json
import os
import random

import openai
from journeylens.notebooks.ai.judge import judge_messages, parse_verdict, verdict_schema
from journeylens.notebooks.ai.judge_cache import call_record, failed_record, is_failure, open_cache

DEFAULT_MODEL = "gpt-4o-mini"
LADDER = ("json_schema", "json_object", "text")  # structured output first; plain text last
RETRY_STATUS = {408, 409, 429}  # and every 5xx
# How long one call may take, at most: MAX_ATTEMPTS x TIMEOUT + (MAX_ATTEMPTS - 1) x MAX_DELAY
# (150 s with these defaults; a server that never answers costs 3 x 30 s plus about 2 s of backoff).
DEFAULT_TIMEOUT = 30.0  # seconds per attempt, the whole request: connect, send, wait and read
DEFAULT_MAX_ATTEMPTS = 3
MAX_DELAY = 30.0  # the longest wait between two attempts (backoff, or a server's Retry-After)
DEFAULT_MAX_CONSECUTIVE_FAILURES = 5  # this many failed calls in a row stop the run (circuit breaker)


class JudgeError(Exception):
    """A judge run that cannot start (no key, bad settings): the message says what to do."""


def judge_model(model: str | None = None) -> str:
    """The model: the argument, else JOURNEYLENS_JUDGE_MODEL, else the default (no key needed)."""
    return model or os.environ.get("JOURNEYLENS_JUDGE_MODEL") or DEFAULT_MODEL


def judge_settings(model: str | None = None, base_url: str | None = None, api_key: str | None = None,
                   timeout: float = DEFAULT_TIMEOUT, max_attempts: int = DEFAULT_MAX_ATTEMPTS,
                   max_consecutive_failures: int = DEFAULT_MAX_CONSECUTIVE_FAILURES) -> dict:
    """Model, base_url, key and the failure limits. The key comes from the argument (the app passes
    Streamlit secrets) or OPENAI_API_KEY; it is used for the client only, never stored, logged or printed."""
    key = api_key or os.environ.get("OPENAI_API_KEY")
    if not key:
        raise JudgeError("no API key: set OPENAI_API_KEY (or the app's secrets), or run the offline evaluator")
    limits = {"timeout": timeout, "max_attempts": max_attempts, "max_consecutive_failures": max_consecutive_failures}
    for option, value in limits.items():
        if not isinstance(value, int | float) or isinstance(value, bool) or not value > 0:
            raise JudgeError(f"{option} must be a number above 0, not {value!r}")
    return {"model": judge_model(model), "base_url": base_url or os.environ.get("OPENAI_BASE_URL") or None,
            "api_key": key, "timeout": float(timeout), "max_attempts": int(max_attempts),
            "max_consecutive_failures": int(max_consecutive_failures)}


def response_format(mode: str, name: str):
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "verdict", "strict": True, "schema": verdict_schema(name)}}
    return {"type": "json_object"} if mode == "json_object" else openai.NOT_GIVEN


def retry_delay(err, attempt: int, base_delay: float) -> float:
    """Exponential backoff with jitter; a server's Retry-After (seconds) wins; both capped at MAX_DELAY."""
    response = getattr(err, "response", None)
    header = response.headers.get("retry-after") if response is not None else None
    try:
        return min(max(float(header), 0.0), MAX_DELAY)
    except (TypeError, ValueError):
        return min(base_delay * (2 ** attempt) * (0.5 + random.random()), MAX_DELAY)


def failure_reason(err, timeout: float) -> tuple:
    """(what went wrong, whether another attempt may help) for an attempt that raised `err`. Server
    messages are left out: they can echo a (masked) key."""
    if isinstance(err, TimeoutError | openai.APITimeoutError):
        return f"timed out after {timeout:g} s", True
    if isinstance(err, openai.APIConnectionError):
        cause = err.__cause__
        detail = (str(cause) or type(cause).__name__)[:120] if cause else "no answer"
        return f"connection failed ({detail})", True
    if isinstance(err, openai.APIStatusError):
        return f"HTTP {err.status_code}", err.status_code in RETRY_STATUS or err.status_code >= 500
    if isinstance(err, openai.APIResponseValidationError | ValueError):  # a body that is not a completion
        return f"not a chat completion ({str(err)[:120] or type(err).__name__})", True
    return f"{type(err).__name__}: {str(err)[:120]}", True


def reply_content(reply) -> tuple:
    """(content, finish_reason, usage) of a chat completion. ValueError when the body is not one: an HTML
    page or other text (the client returns it as a str), JSON of another shape, no choices, no message."""
    choices = None if isinstance(reply, str | bytes) else getattr(reply, "choices", None)
    if not isinstance(choices, list) or not choices:
        raise ValueError("an HTML page or text" if isinstance(reply, str | bytes) else "no choices")
    message = getattr(choices[0], "message", None)
    content = getattr(message, "content", None)
    if message is None or not isinstance(content, str | None):
        raise ValueError("no message text")
    return content, getattr(choices[0], "finish_reason", None), getattr(reply, "usage", None)


async def judge_one(client, model: str, name: str, interaction: dict, state: dict,
                    max_attempts: int = DEFAULT_MAX_ATTEMPTS, base_delay: float = 0.5,
                    timeout: float = DEFAULT_TIMEOUT) -> dict:
    """One call: a verdict (status 'verdict', read from the server's answer; parsed False means no score)
    or a failure (status 'failed', no verdict). Walks the ladder json_schema -> json_object -> plain text
    when the server refuses a response format (the step down is shared by the whole run, in `state`).
    Each attempt is cut after `timeout` seconds; timeouts, lost connections, 408/409/429/5xx and bodies
    that are not a chat completion are tried again, up to `max_attempts`, with backoff. Never raises
    (except when cancelled)."""
    record, attempts, error = call_record(interaction["interaction_id"], name, model), 0, None
    while attempts < max_attempts:
        mode = state.setdefault("mode", LADDER[0])
        attempts += 1
        try:
            async with asyncio.timeout(timeout):
                reply = await client.chat.completions.create(
                    model=model, messages=judge_messages(name, interaction), temperature=0, max_tokens=400,
                    response_format=response_format(mode, name))
            content, finish_reason, usage = reply_content(reply)
        except (openai.BadRequestError, openai.UnprocessableEntityError) as err:
            if mode != LADDER[-1]:
                state["mode"] = LADDER[LADDER.index(mode) + 1]  # the server rejects this format: step down
                attempts -= 1
                continue
            error = f"refused: HTTP {err.status_code}"
            break
        except Exception as err:  # every other way an attempt fails is a failure, never a verdict
            error, again = failure_reason(err, timeout)
            if not again or attempts >= max_attempts:
                break
            await asyncio.sleep(retry_delay(err, attempts - 1, base_delay))
            continue
        verdict = parse_verdict(name, content)
        if finish_reason == "length" and (not verdict["parsed"] or verdict["method"] == "text"):
            # cut off: a last line may be half a label ('partial' of 'partially_relevant')
            verdict = {**verdict, "label": "unknown", "value": None, "parsed": False, "method": "truncated"}
        return {**record, **verdict, "status": "verdict", "mode": mode, "finish_reason": finish_reason,
                "attempts": attempts, "input_tokens": getattr(usage, "prompt_tokens", None),
                "output_tokens": getattr(usage, "completion_tokens", None), "error": None}
    tries = f"{attempts} attempt" + "s" * (attempts != 1)
    return failed_record(record, f"gave up after {tries}: {error}", attempts, state.get("mode"))


def tally(records: list, total: int, stopped: str | None = None) -> dict:
    """Counts of a run: judged (a parsed verdict), unparsed (an answer with no accepted label), failed (no
    answer) and not_run (not started or cancelled when the run stopped early); they add up to total."""
    failed = sum(map(is_failure, records))
    unparsed = sum(not r["parsed"] and not is_failure(r) for r in records)
    return {"records": records, "judged": len(records) - failed - unparsed, "unparsed": unparsed, "failed": failed,
            "not_run": total - len(records), "stopped": stopped,
            "last_error": next((r["error"] for r in reversed(records) if is_failure(r)), None)}


async def run_calls(settings: dict, calls: list, workspace, concurrency: int = 4, progress=None,
                    base_delay: float = 0.5, halt=None, started=None) -> dict:
    """Runs the calls with at most `concurrency` in flight and returns their tally. Each record (verdict
    or failure) is appended to the workspace's cache as soon as it arrives, so a run cut off resumes
    where it stopped. After `max_consecutive_failures` failed calls in a row no call is started, the calls
    in flight are cancelled (not recorded: the next run makes them) and `stopped` says why. Once `halt` (a
    threading.Event) is set no call is started and the run ends when those in flight do; `started(call)`
    is told of each call before it starts (the follow worker's budget counts them)."""
    if not calls:
        return tally([], 0)
    timeout = settings.get("timeout", DEFAULT_TIMEOUT)
    attempts = settings.get("max_attempts", DEFAULT_MAX_ATTEMPTS)
    limit = settings.get("max_consecutive_failures", DEFAULT_MAX_CONSECUTIVE_FAILURES)
    client = openai.AsyncOpenAI(api_key=settings["api_key"], base_url=settings["base_url"], max_retries=0,
                                timeout=timeout)
    state, records, streak, stopped, running, queue = {}, [], 0, None, {}, iter(calls)
    try:
        with open_cache(workspace) as handle:
            while True:
                while stopped is None and len(running) < max(1, int(concurrency)):
                    call = None if halt is not None and halt.is_set() else next(queue, None)
                    if call is None:
                        break
                    if started:
                        started(call)
                    task = asyncio.ensure_future(judge_one(client, settings["model"], call[1], call[0], state,
                                                           attempts, base_delay, timeout))
                    running[task] = call
                if not running:
                    break
                finished, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in finished:
                    row, name = running.pop(task)
                    try:
                        record = task.result()
                    except Exception as err:  # judge_one never raises; if it ever does, it is one failure
                        record = failed_record(call_record(row["interaction_id"], name, settings["model"]),
                                               f"{type(err).__name__}: {str(err)[:120]}")
                    handle.write(json.dumps(record) + "\n")
                    handle.flush()
                    records.append(record)
                    streak = streak + 1 if is_failure(record) else 0
                    if streak >= limit and stopped is None:
                        stopped = f"stopped early after {streak} consecutive failures: {record['error']}"
                    if progress:
                        progress(len(records), len(calls))
                if stopped is not None:
                    await cancel(running)
    finally:
        await cancel(running)
        await client.close()
    return tally(records, len(calls), stopped)


async def cancel(running: dict) -> None:
    """Cancels the tasks and waits until they are done, so none is left to report an exception later."""
    for task in running:
        task.cancel()
    await asyncio.gather(*running, return_exceptions=True)
    running.clear()
