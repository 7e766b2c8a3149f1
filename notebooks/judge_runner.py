import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import asyncio
    import json
    import os
    import random
    from pathlib import Path

    import openai

    from notebooks.judge import RUBRICS, judge_messages, parse_verdict, verdict_schema

    DEFAULT_MODEL = "gpt-4o-mini"
    # USD per million tokens, for the estimate shown before a run (override with --price-in / --price-out)
    DEFAULT_PRICES = {"input": 0.15, "output": 0.60}
    EXPECTED_OUTPUT_TOKENS = 80  # a verdict: one or two sentences and a label
    LADDER = ("json_schema", "json_object", "text")  # structured output first; plain text last
    RETRY_STATUS = {408, 409, 429}  # and every 5xx


@app.class_definition
class JudgeError(Exception):
    """A judge run that cannot start (no key, bad settings): the message says what to do."""


@app.function
def judge_settings(model: str | None = None, base_url: str | None = None, api_key: str | None = None) -> dict:
    """Model, base_url and key. The key comes from the argument (the app passes Streamlit secrets) or
    OPENAI_API_KEY; it is used for the client only, never stored, logged or printed."""
    key = api_key or os.environ.get("OPENAI_API_KEY")
    if not key:
        raise JudgeError("no API key: set OPENAI_API_KEY (or the app's secrets), or run the offline evaluator")
    return {"model": model or os.environ.get("JOURNEYLENS_JUDGE_MODEL") or DEFAULT_MODEL,
            "base_url": base_url or os.environ.get("OPENAI_BASE_URL") or None, "api_key": key}


@app.function
def cache_file(workspace) -> Path:
    return Path(workspace) / "judge" / "verdicts.jsonl"


@app.function
def cache_key(interaction_id: str, name: str, model: str) -> str:
    """A verdict is reused for the same interaction, rubric version and model."""
    return f"{interaction_id}|{RUBRICS[name]['version']}|{model}"


@app.function
def load_cache(workspace) -> dict:
    """{cache_key: verdict record} of every verdict stored so far (a cut line from a killed run is skipped)."""
    cached = {}
    path = cache_file(workspace)
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            cached[record["key"]] = record
    return cached


@app.function
def pending_calls(interactions: list, model: str, cached: dict, rubrics=None) -> list:
    """[(interaction, rubric name)] not in the cache yet."""
    return [(row, name) for row in interactions for name in (rubrics or RUBRICS)
            if cache_key(row["interaction_id"], name, model) not in cached]


@app.function
def estimate_cost(calls: list, prices: dict | None = None) -> dict:
    """Tokens (about 4 characters each) and USD of the calls, before running them."""
    prices = {**DEFAULT_PRICES, **(prices or {})}
    tokens_in = sum(len(json.dumps(judge_messages(name, row))) // 4 + 1 for row, name in calls)
    tokens_out = EXPECTED_OUTPUT_TOKENS * len(calls)
    usd = (tokens_in * prices["input"] + tokens_out * prices["output"]) / 1e6
    return {"calls": len(calls), "input_tokens": tokens_in, "output_tokens": tokens_out, "usd": usd}


@app.function
def response_format(mode: str, name: str):
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "verdict", "strict": True, "schema": verdict_schema(name)}}
    return {"type": "json_object"} if mode == "json_object" else openai.NOT_GIVEN


@app.function
def retry_delay(err, attempt: int, base_delay: float) -> float:
    """Exponential backoff with jitter; a server's Retry-After (seconds) wins, capped at 30 s."""
    response = getattr(err, "response", None)
    header = response.headers.get("retry-after") if response is not None else None
    try:
        return min(float(header), 30.0)
    except (TypeError, ValueError):
        return base_delay * (2 ** attempt) * (0.5 + random.random())


@app.function
async def judge_one(client, model: str, name: str, interaction: dict, state: dict, max_attempts: int = 5,
                    base_delay: float = 0.5) -> dict:
    """One verdict. Walks the ladder json_schema -> json_object -> plain text when the server refuses a
    response format (the step down is shared by the whole run, in `state`); retries 408/409/429/5xx
    and lost connections with backoff. Always returns a record; parsed False means: no score."""
    record = {"key": cache_key(interaction["interaction_id"], name, model), "interaction_id":
              interaction["interaction_id"], "name": name, "rubric_version": RUBRICS[name]["version"], "model": model}
    attempts, error = 0, None
    while attempts < max_attempts:
        mode = state.setdefault("mode", LADDER[0])
        attempts += 1
        try:
            reply = await client.chat.completions.create(
                model=model, messages=judge_messages(name, interaction), temperature=0, max_tokens=400,
                response_format=response_format(mode, name))
        except (openai.BadRequestError, openai.UnprocessableEntityError) as err:
            if mode != LADDER[-1]:
                state["mode"] = LADDER[LADDER.index(mode) + 1]  # the server rejects this format: step down
                attempts -= 1
                continue
            error = f"refused: HTTP {err.status_code}"
            break
        except (openai.APIConnectionError, openai.APIStatusError) as err:
            status = getattr(err, "status_code", None)
            if status is not None and status not in RETRY_STATUS and status < 500:
                error = f"HTTP {status}"
                break
            error = f"HTTP {status}" if status else "connection failed"
            await asyncio.sleep(retry_delay(err, attempts - 1, base_delay))
            continue
        choice = reply.choices[0]
        verdict = parse_verdict(name, choice.message.content)
        if choice.finish_reason == "length" and not verdict["parsed"]:
            verdict["method"] = "truncated"
        usage = getattr(reply, "usage", None)
        return {**record, **verdict, "mode": mode, "finish_reason": choice.finish_reason, "attempts": attempts,
                "input_tokens": getattr(usage, "prompt_tokens", None),
                "output_tokens": getattr(usage, "completion_tokens", None), "error": None}
    return {**record, "label": "unknown", "value": None, "explanation": "", "parsed": False, "method": "error",
            "mode": state.get("mode"), "finish_reason": None, "attempts": attempts, "input_tokens": None,
            "output_tokens": None, "error": f"gave up after {attempts} attempts: {error}"}


@app.function
async def run_calls(settings: dict, calls: list, workspace, concurrency: int = 4, progress=None,
                    max_attempts: int = 5, base_delay: float = 0.5) -> list:
    """Runs the calls with at most `concurrency` in flight; each verdict is appended to the workspace's
    cache as soon as it arrives, so a run cut off resumes where it stopped."""
    path = cache_file(workspace)
    path.parent.mkdir(parents=True, exist_ok=True)
    client = openai.AsyncOpenAI(api_key=settings["api_key"], base_url=settings["base_url"], max_retries=0,
                                timeout=60.0)
    gate, state, done, results = asyncio.Semaphore(max(1, int(concurrency))), {}, 0, []

    async def one(row, name):
        async with gate:
            return await judge_one(client, settings["model"], name, row, state, max_attempts, base_delay)

    try:
        with open(path, "a", encoding="utf-8") as handle:
            for finished in asyncio.as_completed([one(row, name) for row, name in calls]):
                record = await finished
                handle.write(json.dumps(record) + "\n")
                handle.flush()
                results.append(record)
                done += 1
                if progress:
                    progress(done, len(calls))
    finally:
        await client.close()
    return results


@app.cell(hide_code=True)
def _():
    import marimo as mo

    mo.md(
        """
        # Running the judge

        Any OpenAI-compatible server (`base_url`), any model. Calls run asynchronously with bounded
        concurrency; 408, 409, 429 and 5xx answers are retried with exponential backoff (a Retry-After
        header wins). A server that refuses `json_schema` output is asked for `json_object`, then for plain
        text, once per run. Every verdict is cached in `<workspace>/judge/verdicts.jsonl`, keyed by
        interaction, rubric version and model, so a re-run costs nothing and a cut-off run resumes.
        """
    )
    return


if __name__ == "__main__":
    app.run()
