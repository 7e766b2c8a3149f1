"""The judge's cache: every call's record, verdict or failure, in `<workspace>/judge/verdicts.jsonl`.

One JSON object a line, appended as each call ends, keyed by interaction, rubric version and model, so a
re-run costs nothing and a cut-off run resumes where it stopped. A failure is never a verdict: the next
run makes the call again. A line that is not a whole record (a run killed while writing) is skipped.
"""

import json
import os
from pathlib import Path

from journeylens.notebooks.ai.judge import RUBRICS
from journeylens.notebooks.workspace.paths import inside_workspace


def cache_file(workspace) -> Path:
    """<workspace>/judge/verdicts.jsonl, refused (IngestError) when it resolves outside the workspace (a
    symlinked judge folder): the cache is written to on every run."""
    path = Path(workspace) / "judge" / "verdicts.jsonl"
    inside_workspace(workspace, path)
    return path


def cache_key(interaction_id: str, name: str, model: str) -> str:
    """A verdict is reused for the same interaction, rubric version and model."""
    return f"{interaction_id}|{RUBRICS[name]['version']}|{model}"


def call_record(interaction_id: str, name: str, model: str) -> dict:
    """What every cache record of one call starts with."""
    return {"key": cache_key(interaction_id, name, model), "interaction_id": interaction_id, "name": name,
            "rubric_version": RUBRICS[name]["version"], "model": model}


def is_failure(record: dict) -> bool:
    """A call that got no verdict: status 'failed', or method 'error' (records from before failures had a
    status). A failure is never a verdict: the next run calls again."""
    return record.get("status") == "failed" or record.get("method") == "error"


def read_cache(workspace) -> tuple:
    """({cache_key: verdict}, {cache_key: last failure}) from the workspace's cache. A line that is not a
    whole record (a run killed while writing) is skipped; a key with a verdict has no failure."""
    verdicts, failures = {}, {}
    path = cache_file(workspace)
    lines = path.read_bytes().decode("utf-8", errors="replace").splitlines() if path.exists() else []
    for line in lines:
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and isinstance(record.get("key"), str):
            (failures if is_failure(record) else verdicts)[record["key"]] = record
    return verdicts, {key: record for key, record in failures.items() if key not in verdicts}


def load_cache(workspace) -> dict:
    """{cache_key: verdict record} of every verdict stored so far; failed calls are not in it."""
    return read_cache(workspace)[0]


def failed_record(record: dict, error: str, attempts: int = 0, mode: str | None = None) -> dict:
    """A call that got no verdict, as stored in the cache (method 'error' as in older caches)."""
    return {**record, "label": "unknown", "value": None, "explanation": "", "parsed": False, "method": "error",
            "status": "failed", "mode": mode, "finish_reason": None, "attempts": attempts, "input_tokens": None,
            "output_tokens": None, "error": error}


def open_cache(workspace):
    """The cache opened for appending. A last line cut by a killed run is ended first, so that the next
    record starts on a line of its own (the cut line is then skipped on reading)."""
    path = cache_file(workspace)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab+") as raw:  # appends go to the end whatever was read
        if raw.seek(0, os.SEEK_END):
            raw.seek(-1, os.SEEK_END)
            if raw.read(1) != b"\n":
                raw.write(b"\n")
    return open(path, "a", encoding="utf-8")
