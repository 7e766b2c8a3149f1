"""Fuzzing the readers of every kind and format (issue 11): generated garbage, good files with hostile
values, cut or spliced bytes. The only acceptable outcomes are a stored upload (or a duplicate) and an
IngestError naming the file: never another exception, never a hang. A bad file must not take much longer
than a good file of its size, and memory stays bounded (measured in a subprocess, ru_maxrss).

Budget: about a minute in all on 2 shared cores (`settings` below); every example has a deadline and a
hard time limit."""

import csv
import io
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.workspace.contract import IngestError

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_SECONDS = 30  # a hard limit per example: a hang fails the test instead of stalling the suite
FUZZ = settings(max_examples=40, deadline=timedelta(seconds=20), derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# A good row per kind: what each fuzzed file starts from.
GOOD = {
    "alerts": {"fired_at": "2026-03-01T10:00:00Z", "service": "payments-api", "name": "HighLatency",
               "severity": "critical", "resolved_at": "2026-03-01T10:20:00Z", "confidence": "0.8",
               "labels": "team=pay;env=prod", "message": "p99 over 2s", "alert_id": "a1"},
    "metrics": {"ts": "2026-03-01T10:00:00Z", "stage": "checkout", "segment": "pro", "entered": "120",
                "completed": "90", "time_to_value_s": "35.5", "satisfaction": "0.9"},
    "ai": {"interaction_id": "i1", "ts": "2026-03-01T10:00:00Z", "feature": "summarise", "accepted": "true",
           "latency_ms": "640", "input_tokens": "220", "output_tokens": "50", "cost_usd": "0.0001",
           "feedback": "up", "shadow": "false"},
    "scores": {"interaction_id": "i1", "name": "task_completion", "value": "0.75", "source": "llm",
               "explanation": "done"},
    "incidents": {"incident_id": "inc-1", "opened_at": "2026-03-01T10:00:00Z",
                  "resolved_at": "2026-03-01T11:00:00Z", "stage": "checkout", "outcome": "actioned"},
    "changes": {"ts": "2026-03-01T09:55:00Z", "service": "payments-api", "kind": "deploy",
                "description": "v1.2.3"},
}
ALERTMANAGER = {"version": "4", "receiver": "r", "groupKey": "g", "status": "firing", "alerts": [
    {"status": "firing", "labels": {"alertname": "Down", "service": "checkout", "severity": "critical"},
     "annotations": {"summary": "down"}, "startsAt": "2026-03-01T10:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
     "fingerprint": "f1"}]}
PAGERDUTY = {"routing_key": "k", "event_action": "trigger", "dedup_key": "d1",
             "payload": {"summary": "Down", "source": "checkout", "severity": "critical",
                         "timestamp": "2026-03-01T10:00:00Z"}}
JOURNEY_MAP = {"journey": "shop", "stages": [{"id": "checkout", "name": "Checkout", "impact": 9, "sensitivity": 1.0},
                                             {"id": "search", "impact": 4, "sensitivity": 0.3}],
               "touchpoints": [{"stage": "checkout", "touchpoint": "pay", "match": {"service": "payments-*"}}],
               "segments": [{"id": "enterprise", "weight": 1.5, "description": "big"}]}

NASTY = ["", " ", "nan", "NaN", "inf", "-inf", "infinity", "-Infinity", "1e20", "-1e15", "1e309", "-1", "0", "1.5",
         "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1970-01-01", "2026-02-30", "null", "true", "P9", "\x00",
         "é", "\U0001f600", '"', "'", ",", ";", "\n", "\r\n", "\\", "{", "}", "[" * 100 + "]" * 100,
         '{"a":' * 80 + "1" + "}" * 80, "x" * 70_000, "=cmd|' /C calc'!A0", "\ufeff", "\u202e"]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=12)
CELL = st.one_of(st.sampled_from(NASTY), st.text(max_size=12), st.integers().map(str), st.floats().map(repr))


@contextmanager
def time_limit(seconds: float):
    """Fails the example (TimeoutError in the main thread) when it runs longer than `seconds`."""
    def expire(signum, frame):
        raise TimeoutError(f"an ingest ran longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def serialise(rows: list, fmt: str) -> bytes:
    """Rows (dicts) as a file of the format; CSV and Parquet cells are text."""
    if fmt == "json":
        return json.dumps(rows, allow_nan=True).encode("utf-8", "surrogatepass")
    if fmt == "jsonl":
        return "".join(json.dumps(r, allow_nan=True) + "\n" for r in rows).encode("utf-8", "surrogatepass")
    columns = list(dict.fromkeys(k for r in rows for k in r))
    texts = [{k: v if isinstance(v, str) or v is None else json.dumps(v) for k, v in r.items()} for r in rows]
    if fmt == "parquet":
        table = pa.table({c: pa.array([t.get(c) for t in texts], pa.string()) for c in columns})
        sink = io.BytesIO()
        pq.write_table(table, sink)
        return sink.getvalue()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(texts)
    return out.getvalue().encode("utf-8", "surrogatepass")


@st.composite
def tabular_files(draw, kind: str):
    """(file name, bytes): a good file of the kind, then hostile cells, dropped or renamed columns, native
    layouts, and byte-level damage (cut, spliced, flipped), or plain garbage."""
    fmt = draw(st.sampled_from(["csv", "json", "jsonl", "parquet"]))
    if draw(st.integers(0, 9)) == 0:
        return f"garbage.{fmt}", draw(st.binary(max_size=2_000))
    base = {"alerts": [ALERTMANAGER, PAGERDUTY, GOOD["alerts"]]}.get(kind, [GOOD[kind]])
    template = draw(st.sampled_from(base)) if fmt in ("json", "jsonl") else GOOD[kind]
    rows = [json.loads(json.dumps(template)) for _ in range(draw(st.integers(1, 4)))]
    for _ in range(draw(st.integers(0, 4))):
        row = draw(st.sampled_from(rows))
        target = row["alerts"][0] if "alerts" in row else row.get("payload", row)
        key = draw(st.sampled_from(sorted(target)))
        choice = draw(st.integers(0, 5))
        if choice == 0:
            target.pop(key)
        elif choice == 1:
            target[draw(st.text(min_size=1, max_size=6))] = target.pop(key)
        elif choice == 2 and fmt in ("json", "jsonl"):
            target[key] = draw(JSON_VALUES)
        else:
            target[key] = draw(CELL)
    content = serialise(rows, fmt)
    damage = draw(st.integers(0, 5))
    if damage == 1 and content:
        content = content[:draw(st.integers(0, len(content) - 1))]
    elif damage == 2:
        at = draw(st.integers(0, len(content)))
        content = content[:at] + draw(st.binary(min_size=1, max_size=40)) + content[at:]
    elif damage == 3 and content:
        at = draw(st.integers(0, len(content) - 1))
        content = content[:at] + bytes([content[at] ^ draw(st.integers(1, 255))]) + content[at + 1:]
    return f"fuzz.{fmt}", content


@st.composite
def journey_map_files(draw):
    """(file name, bytes): a good journey map with hostile values, YAML bombs, deep nesting, or damage."""
    import yaml

    document = json.loads(json.dumps(JOURNEY_MAP))
    for _ in range(draw(st.integers(0, 3))):
        section = draw(st.sampled_from(["stages", "touchpoints", "segments", "journey"]))
        if section == "journey" or draw(st.booleans()):
            document[section] = draw(JSON_VALUES | st.sampled_from(NASTY))
        elif isinstance(document[section], list) and document[section]:
            item = draw(st.sampled_from(document[section]))
            if not isinstance(item, dict):
                continue
            key = draw(st.sampled_from(sorted(item) + ["id", "weight", "impact"]))
            item[key] = draw(JSON_VALUES | st.sampled_from([float("inf"), float("nan"), -1, 0, 1e9, *NASTY]))
    text = yaml.safe_dump(document, allow_unicode=True)
    kind = draw(st.integers(0, 6))
    if kind == 1:
        depth = draw(st.integers(20, 5_000))
        text += "extra: " + "[" * depth + "]" * depth + "\n"
    elif kind == 2:
        width = draw(st.integers(2, 9))
        lines = ["a0: &a0 [" + ", ".join(["x"] * width) + "]"]
        lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, draw(st.integers(2, 12)))]
        text = "\n".join(lines) + "\n" + text
    elif kind == 3:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.text(max_size=30)) + text[at:]
    elif kind == 4:
        return "garbage.yaml", draw(st.binary(max_size=1_000))
    return "map.yaml", text.encode("utf-8", "surrogatepass")


# A refusal says what it found in a user's words (SPEC §3), never the engine's error text.
ENGINE_TEXT = re.compile(r"\b(Conversion|Invalid Input|Binder|Parser|IO|Catalog|Internal|Out of Memory) Error\b"
                         r"|Exception:|nanobind")


def outcome(workspace: Path, kind: str, name: str, content: bytes) -> str:
    """Ingests one fuzzed file; only a stored upload or an IngestError naming the file (in words, not
    engine text) may come out."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        with time_limit(EXAMPLE_SECONDS):
            try:
                result = ingest_file(workspace, kind, path)
            except IngestError as err:
                assert err.file == name and str(err).startswith(name), str(err)
                assert not ENGINE_TEXT.search(str(err)), str(err)
                return "refused"
        assert result["status"] in ("stored", "duplicate"), result
        return result["status"]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz") / "ws"


@pytest.mark.parametrize("kind", ["alerts", "metrics", "ai", "scores", "incidents", "changes"])
def test_tabular_kinds_store_or_refuse(workspace, kind):
    @FUZZ
    @given(tabular_files(kind))
    def check(file):
        outcome(workspace, kind, *file)

    check()


def test_journey_maps_store_or_refuse(workspace):
    @settings(FUZZ, max_examples=100)
    @given(journey_map_files())
    def check(file):
        outcome(workspace, "journey-map", *file)

    check()


def test_damaged_parquet_stores_or_refuses(workspace):
    """Parquet damaged byte by byte: footers, Thrift metadata, pages, column names that are not UTF-8."""
    good = serialise([GOOD["alerts"]] * 5, "parquet")

    @settings(FUZZ, max_examples=40)
    @given(st.lists(st.tuples(st.integers(0, len(good) - 1), st.integers(1, 255)), min_size=1, max_size=3))
    def check(flips):
        content = bytearray(good)
        for at, mask in flips:
            content[at] ^= mask
        outcome(workspace, "alerts", "damaged.parquet", bytes(content))

    check()


@settings(FUZZ, max_examples=300)
@given(st.binary(max_size=3_000) | st.text(max_size=1_000).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_readers_refuse_garbage_in_their_own_words(content):
    """The Python readers on their own (no DuckDB): JSON records and bounded YAML."""
    from journeylens.notebooks.ingest.json_records import python_json_records
    from journeylens.notebooks.ingest.yaml_input import load_yaml

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "garbage.jsonl"
        path.write_bytes(content)
        with time_limit(EXAMPLE_SECONDS):
            for read in (lambda: python_json_records(path, "garbage.jsonl"),
                         lambda: load_yaml(content.decode("utf-8", "replace"), "garbage.jsonl")):
                try:
                    read()
                except IngestError as err:
                    assert err.file == "garbage.jsonl", str(err)


# --- a bad file takes no longer than a good file of its size ------------------------------------------

def sized(unit: str, size: int, head: str = "", tail: str = "") -> str:
    return head + unit * max(1, (size - len(head) - len(tail)) // len(unit)) + tail


def timed(workspace: Path, kind: str, path: Path) -> float:
    started = time.perf_counter()
    try:
        ingest_file(workspace, kind, path)
    except IngestError:
        pass
    return time.perf_counter() - started


SIZE = 2_000_000  # bytes: large enough that the work, not the fixed cost, is measured


def bad_and_good_files(folder: Path) -> list:
    """[(label, kind, good path, bad path)], each pair of the same size (within a few percent)."""
    alert = "2026-03-01T10:00:00Z,payments-api,HighLatency,critical,p99 over 2s\n"
    header = "fired_at,service,name,severity,message\n"
    ai = '{"interaction_id": "i%d", "ts": "2026-03-01T10:00:00Z", "feature": "f", "accepted": true}\n'
    ai_lines = "".join(ai % i for i in range(SIZE // len(ai % 10_000)))
    deep = '{"interaction_id": "x", "v": ' + "[" * 60_000 + "]" * 60_000 + "}\n"
    stage = "  - {id: s%d, impact: 3, sensitivity: 0.5}\n"
    map_good = "journey: j\nstages:\n" + "".join(stage % i for i in range(4_000))
    deep_name = "  - {id: z, name: " + "[" * 20_000 + "]" * 20_000 + "}\n"
    map_bad = map_good[:map_good.rindex("\n", 0, len(map_good) - len(deep_name)) + 1] + deep_name
    pairs = {
        "csv, implausible timestamp in the last row": ("alerts", sized(alert, SIZE, header),
                                                        sized(alert, SIZE, header, "infinity,a,b,info,x\n")),
        "csv, NaN count in the last row": ("metrics", sized("2026-03-01T10:00:00Z,checkout,100,80\n", SIZE,
                                                            "ts,stage,entered,completed\n"),
                                           sized("2026-03-01T10:00:00Z,checkout,100,80\n", SIZE,
                                                 "ts,stage,entered,completed\n", "2026-03-01T11:00:00Z,c,nan,1\n")),
        "jsonl, 60,000-deep last line": ("ai", ai_lines, ai_lines[:len(ai_lines) - len(deep)] + deep),
        "yaml, deep stage name": ("journey-map", map_good, map_bad),
    }
    files = []
    for index, (label, (kind, good, bad)) in enumerate(pairs.items()):
        suffix = {"ai": "jsonl", "journey-map": "yaml"}.get(kind, "csv")
        good_path, bad_path = folder / f"good{index}.{suffix}", folder / f"bad{index}.{suffix}"
        good_path.write_text(good)
        bad_path.write_text(bad)
        files.append((label, kind, good_path, bad_path))
    return files


def test_a_bad_file_takes_no_longer_than_a_good_file_of_its_size(tmp_path):
    """Measured in the same test, so a loaded machine slows both: a refused file pays for one more pass
    (the diagnosis), so it may take up to four times a good one, plus a second."""
    for label, kind, good, bad in bad_and_good_files(tmp_path):
        assert abs(good.stat().st_size - bad.stat().st_size) < 0.05 * good.stat().st_size, label
        good_s = min(timed(tmp_path / f"ws-{n}", kind, good) for n in range(2))  # the first warms up
        bad_s = timed(tmp_path / "ws-bad", kind, bad)
        assert bad_s <= 4 * good_s + 1.0, f"{label}: bad {bad_s:.2f} s, good {good_s:.2f} s"
        with pytest.raises(IngestError):
            ingest_file(tmp_path / "ws-check", kind, bad)


# --- memory stays bounded (ru_maxrss of a subprocess) ---------------------------------------------------

MEASURE = """
import resource, sys
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.workspace.contract import IngestError
try:
    ingest_file(sys.argv[1], sys.argv[2], sys.argv[3])
    outcome = "stored"
except IngestError as err:
    outcome = "refused"
print(outcome, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def limit_memory():
    """A cap on the child's address space (4 GiB; DuckDB reserves some per thread), so a version that
    expands a bomb fails with MemoryError instead of taking the shared machine down."""
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


def peak_mb(workspace: Path, kind: str, path: Path) -> tuple:
    env = {**os.environ, "PYTHONPATH": str(REPO), "MALLOC_ARENA_MAX": "2"}
    run = subprocess.run([sys.executable, "-c", MEASURE, str(workspace), kind, str(path)], capture_output=True,
                         text=True, timeout=120, cwd=REPO, env=env, preexec_fn=limit_memory)
    assert run.returncode == 0, run.stderr[-2000:]
    outcome, megabytes = run.stdout.split()
    return outcome, int(megabytes)


def test_memory_stays_bounded_on_hostile_files(tmp_path):
    laughs = "\n".join(['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
                       + [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 10)]
                       + ["journey: j", "stages:", "  - id: a", "    name: *l9"])
    files = {
        "good.yaml": ("journey-map", "journey: j\nstages:\n  - id: a\n"),
        "laughs.yaml": ("journey-map", laughs),
        "deep.yaml": ("journey-map", "journey: j\nstages: " + "[" * 50_000 + "]" * 50_000),
        "deep.json": ("alerts", "[" * 100_000 + "]" * 100_000),
    }
    peaks = {}
    for name, (kind, text) in files.items():
        (tmp_path / name).write_text(text)
        outcome_, peaks[name] = peak_mb(tmp_path / "ws", kind, tmp_path / name)
        assert outcome_ == ("stored" if name.startswith("good") else "refused"), name
    for name, megabytes in peaks.items():
        assert megabytes <= peaks["good.yaml"] + 150, f"{name}: {megabytes} MB, good.yaml {peaks['good.yaml']} MB"
