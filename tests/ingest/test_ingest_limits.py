"""Hardening (issue 11): inputs that would exhaust the machine, and values that pass a parser but are not
plausible, are refused as a whole (IngestError, exit 2) with the file, row and column, within seconds.
Every fixture is written by the test itself, next to what it breaks. Modules added by the hardening are
imported inside the tests, so that on a version without them each test fails on its own assertion."""

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.workspace.contract import KINDS, IngestError
from journeylens.notebooks.workspace.snapshot import connect

REPO = Path(__file__).resolve().parents[2]
JOURNEYLENS = str(Path(sys.executable).with_name("journeylens"))
GOOD_MAP = "journey: j\nstages:\n  - id: checkout\n    impact: 9\n    sensitivity: 1.0\n"
# Nine aliases of nine aliases of ... of nine strings: 9**10 strings once expanded, from 600 bytes.
BILLION_LAUGHS = "\n".join(
    ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 10)]
    + ["journey: j", "stages:", "  - id: checkout", "    name: *l9"]) + "\n"


def write(tmp_path: Path, name: str, content) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def refusal(tmp_path: Path, kind: str, path: Path, **kwargs) -> IngestError:
    with pytest.raises(IngestError) as info:
        ingest_file(tmp_path / "ws", kind, path, **kwargs)
    assert info.value.file == path.name, str(info.value)
    return info.value


def limit_memory():
    """The CLI child runs with its address space capped (4 GiB: DuckDB reserves some per thread), so a
    version that expands a bomb fails with MemoryError instead of taking the shared machine down."""
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


def cli(*args, timeout=60):
    env = {**os.environ, "MALLOC_ARENA_MAX": "2"}
    started = time.monotonic()
    try:
        run = subprocess.run([JOURNEYLENS, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                             cwd=REPO, env=env, preexec_fn=limit_memory)
    except subprocess.TimeoutExpired:
        pytest.fail(f"journeylens {' '.join(map(str, args))} ran longer than {timeout} s")
    return run, time.monotonic() - started


# --- 2. inputs that exhaust the machine: exit 2, a clear message, within seconds ----------------------

@pytest.mark.parametrize("name, kind, content, fragment", [
    ("laughs.yaml", "journey-map", BILLION_LAUGHS, "every alias expanded"),
    ("deep.json", "alerts", "[" * 100_000 + "]" * 100_000, "nested at most 64 levels"),
    ("deep.yaml", "journey-map", "journey: j\nstages: " + "[" * 50_000 + "]" * 50_000 + "\n", "nested at most 32"),
    ("deep_block.yaml", "journey-map", "journey: j\nstages:\n" + "".join(
        "  " * i + f"- k{i}:\n" for i in range(1, 500)), "nested at most 32"),
    ("deep.jsonl", "ai", '{"interaction_id": "i1", "ts": "2026-01-01T00:00:00Z", "feature": "f", "accepted": true}\n'
     + '{"interaction_id": "i2", "x": ' + "[" * 100_000 + "]" * 100_000 + "}\n", "row 2"),
    ("recursive.yaml", "journey-map", "journey: j\nstages: &s\n  - id: a\n    name: *s\n", "recursive aliases"),
])
def test_exhausting_input_exits_2_within_seconds(tmp_path, name, kind, content, fragment):
    path = write(tmp_path, name, content)
    run, seconds = cli("ingest", kind, path, "--workspace", tmp_path / "ws")
    assert run.returncode == 2, run.stderr[-500:]
    assert f"refused: {name}" in run.stderr and fragment in run.stderr, run.stderr[-500:]
    assert "Traceback" not in run.stderr and "RecursionError" not in run.stderr
    assert seconds < 30


def test_huge_json_record_is_refused_in_words(tmp_path):
    """A record over DuckDB's maximum_object_size is named by its size, not by the engine's error text."""
    path = write(tmp_path, "huge_record.jsonl", json.dumps({"message": "x" * (17 << 20)}) + "\n")
    err = refusal(tmp_path, "alerts", path)
    assert err.row == 1 and "a JSON record of at most 16,777,216 bytes" in str(err), str(err)
    assert "maximum_object_size" not in str(err)


def test_python_json_path_caps_the_file_it_loads_whole(tmp_path, monkeypatch):
    from journeylens.notebooks.ingest import json_records

    monkeypatch.setattr(json_records, "MAX_PYTHON_JSON_BYTES", 1_000)
    path = write(tmp_path, "ai.jsonl", "".join(
        json.dumps({"interaction_id": f"i{i}", "ts": "2026-01-01T00:00:00Z", "feature": "f", "accepted": True}) + "\n"
        for i in range(40)))
    err = refusal(tmp_path, "ai", path)
    assert "a JSON file of at most 1,000 bytes" in str(err) and "CSV or Parquet" in str(err)


def test_yaml_files_are_capped_before_they_are_read(tmp_path):
    path = write(tmp_path, "big_map.yaml", GOOD_MAP + "# " + "x" * 1_100_000 + "\n")
    err = refusal(tmp_path, "journey-map", path)
    assert "a YAML file of at most 1,048,576 bytes" in str(err)


def test_playbooks_and_profiles_use_the_bounded_yaml_loader(tmp_path):
    from journeylens.notebooks.ingest.playbook_file import parse_playbooks
    from journeylens.notebooks.retro.audit_report import read_profile_file

    with pytest.raises(IngestError, match="every alias expanded"):
        parse_playbooks(BILLION_LAUGHS.replace("journey: j", "playbooks: *l9"), "bomb.yaml")
    with pytest.raises(IngestError, match="nested at most 32"):
        read_profile_file(write(tmp_path, "deep_profile.yaml", "suppress: " + "[" * 50_000 + "]" * 50_000))


def test_the_rule_editor_and_audit_playbooks_use_the_bounded_yaml_loader(tmp_path):
    from journeylens.notebooks.queue.mapping import parse_rules

    with pytest.raises(ValueError, match="every alias expanded"):
        parse_rules(BILLION_LAUGHS.replace("journey: j", "touchpoints: *l9"))
    bomb = write(tmp_path, "playbooks.yaml", BILLION_LAUGHS.replace("journey: j", "playbooks: *l9"))
    started = time.monotonic()
    result = subprocess.run([JOURNEYLENS, "audit", "--alerts", write(tmp_path, "a.csv", "fired_at,service,name,"
                             "severity\n2026-01-01T00:00:00Z,s,n,info\n"), "--journey-map",
                             write(tmp_path, "map.yaml", GOOD_MAP), "--playbooks", bomb, "--out", tmp_path / "out"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "every alias expanded" in result.stderr, result.stderr
    assert time.monotonic() - started < 60


# --- 3. values that pass a parser but are not plausible ------------------------------------------------

TS_CASES = {  # kind: (file, header, a good row with {ts} where the timestamp goes, the ts column)
    "alerts": ("fired_at,service,name,severity\n", "{ts},checkout,Down,critical\n", "fired_at"),
    "metrics": ("ts,stage,entered,completed\n", "{ts},checkout,10,5\n", "ts"),
    "ai": ("interaction_id,ts,feature,accepted\n", "i{n},{ts},summarise,true\n", "ts"),
    "incidents": ("incident_id,opened_at\n", "inc{n},{ts}\n", "opened_at"),
    "changes": ("ts,service,kind\n", "{ts},checkout,deploy\n", "ts"),
}


@pytest.mark.parametrize("kind", sorted(TS_CASES))
@pytest.mark.parametrize("value", ["infinity", "1e20", "-1e15", "NaN", "0001-01-01T00:00:00Z", "0"])
def test_implausible_timestamp_is_refused_with_row_and_column(tmp_path, kind, value):
    header, row, column = TS_CASES[kind]
    body = row.format(ts="2026-03-01T10:00:00Z", n=1) + row.format(ts=value, n=2)
    err = refusal(tmp_path, kind, write(tmp_path, f"{kind}.csv", header + body))
    assert (err.row, err.column) == (2, column), str(err)
    assert "between 1990 and 2100" in str(err) and f"found {value!r}" in str(err), str(err)


def test_timestamp_range_edges(tmp_path):
    ok = write(tmp_path, "edges.csv", "fired_at,service,name,severity\n1990-01-01T00:00:00Z,a,b,info\n"
               "2099-12-31T23:59:59Z,a,b,info\n631152000,a,b,info\n")
    assert ingest_file(tmp_path / "ws", "alerts", ok)["rows"] == 3
    late = write(tmp_path, "late.csv", "fired_at,service,name,severity\n2100-01-01T00:00:00Z,a,b,info\n")
    assert refusal(tmp_path, "alerts", late).column == "fired_at"


def test_pagerduty_offset_seconds_out_of_range_names_the_column(tmp_path):
    path = write(tmp_path, "pd.csv", "incident_number,created_on,service_name,urgency,seconds_to_resolve\n"
                 "1,2026-01-01T00:00:00Z,checkout,high,60\n2,2026-01-01T00:00:00Z,checkout,high,1e20\n")
    err = refusal(tmp_path, "incidents", path)
    assert (err.row, err.column) == (2, "resolved_at") and "'1e20'" in str(err), str(err)


@pytest.mark.parametrize("kind, header, bad_row, column, value", [
    ("metrics", "ts,stage,entered,completed\n", "2026-01-01T01:00:00Z,a,{v},1\n", "entered", "nan"),
    ("metrics", "ts,stage,entered,completed\n", "2026-01-01T01:00:00Z,a,{v},1\n", "entered", "inf"),
    ("metrics", "ts,stage,entered,completed\n", "2026-01-01T01:00:00Z,a,{v},1\n", "entered", "1e13"),
    ("ai", "interaction_id,ts,feature,accepted,input_tokens\n", "i2,2026-01-01T01:00:00Z,f,true,{v}\n",
     "input_tokens", "NaN"),
    ("ai", "interaction_id,ts,feature,accepted,output_tokens\n", "i2,2026-01-01T01:00:00Z,f,true,{v}\n",
     "output_tokens", "-inf"),
    ("ai", "interaction_id,ts,feature,accepted,latency_ms\n", "i2,2026-01-01T01:00:00Z,f,true,{v}\n",
     "latency_ms", "90000000"),
    ("ai", "interaction_id,ts,feature,accepted,cost_usd\n", "i2,2026-01-01T01:00:00Z,f,true,{v}\n",
     "cost_usd", "-0.5"),
    ("metrics", "ts,stage,entered,completed,satisfaction\n", "2026-01-01T01:00:00Z,a,5,1,{v}\n",
     "satisfaction", "1e300"),
])
def test_non_finite_or_out_of_range_number_names_row_and_column(tmp_path, kind, header, bad_row, column, value):
    good = {"metrics": "2026-01-01T00:00:00Z,a,5,1" + (",4" if "satisfaction" in header else ""),
            "ai": "i1,2026-01-01T00:00:00Z,f,true,1"}[kind]
    err = refusal(tmp_path, kind, write(tmp_path, f"{kind}.csv", header + good + "\n" + bad_row.format(v=value)))
    assert (err.row, err.column) == (2, column), str(err)
    assert f"found {value!r}" in str(err) and " from 0 to " in str(err), str(err)
    assert "Conversion Error" not in str(err)


def test_every_numeric_column_has_a_documented_finite_range():
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("### Value ranges"):]
    section = section[:section.index("\n## ")]
    for kind, spec in KINDS.items():
        for column in spec["columns"]:
            if column.parser in ("double", "unit", "count"):
                low, high = column.limits
                assert low < high and all(abs(x) < 1e13 for x in column.limits), (kind, column.name)
                assert f"`{column.name}`" in section, f"README Value ranges lacks {kind}.{column.name}"
    assert "1990-01-01" in section and "2100-01-01" in section


def test_journey_map_segment_weight_must_be_finite(tmp_path):
    for weight in (".inf", ".nan", "-1", "0", "1e9"):
        path = write(tmp_path, "map.yaml", GOOD_MAP + f"segments:\n  - id: enterprise\n    weight: {weight}\n")
        err = refusal(tmp_path, "journey-map", path)
        assert err.column == "weight" and err.row.startswith("segments[1]"), str(err)
    path = write(tmp_path, "map.yaml", GOOD_MAP + "segments:\n  - id: enterprise\n    weight: 1.5\n")
    assert ingest_file(tmp_path / "ws", "journey-map", path)["status"] == "stored"


@pytest.mark.parametrize("text, row, column", [
    ("journey: j\nstages: 5\n", None, "stages"),
    ("journey: j\nstages:\n  - id: {a: 1}\n", "stages[1] (line 3)", "id"),
    ("journey: j\nstages:\n  - id: [a]\n", "stages[1] (line 3)", "id"),
    ("journey: j\nstages:\n  - id: true\n", "stages[1] (line 3)", "id"),
    ("journey: j\nstages:\n  - id: a\n    name: {x: 1}\n", "stages[1] (line 3)", "name"),
    ("journey: j\nstages:\n  - id: a\n    description: [1]\n", "stages[1] (line 3)", "description"),
    ("journey: j\nstages:\n  - id: a\ntouchpoints: {stage: a}\n", None, "touchpoints"),
    ("journey: j\nstages:\n  - id: a\nsegments: enterprise\n", None, "segments"),
    ("journey: {a: 1}\nstages:\n  - id: a\n", None, "journey"),
])
def test_journey_map_types_are_checked(tmp_path, text, row, column):
    err = refusal(tmp_path, "journey-map", write(tmp_path, "map.yaml", text))
    assert (err.row, err.column) == (row, column), str(err)


def test_profile_values_must_be_finite_and_in_range(tmp_path):
    from journeylens.notebooks.queue.profiles import save_profile
    from journeylens.notebooks.queue.scoring import resolve_profile
    from journeylens.notebooks.retro.audit_report import read_profile_file

    for text, column in (("weights: {severity: .inf}\n", "weights.severity"), ("corroboration: .nan\n", "corroboration"),
                         ("harm_exponent: -1\n", "harm_exponent"), ("group_gap_minutes: 1e400\n", "group_gap_minutes"),
                         ("weights: {severity: 0, exposure: 0, confidence: 0, duration: 0, recurrence: 0}\n", "weights")):
        with pytest.raises(IngestError) as info:
            read_profile_file(write(tmp_path, "profile.yaml", text))
        assert info.value.column == column and info.value.file == "profile.yaml", str(info.value)
    with pytest.raises(IngestError, match="weights.exposure"):
        resolve_profile({"weights": {"exposure": float("inf")}})
    with pytest.raises(IngestError, match="threshold"):  # the app's save path
        save_profile(tmp_path / "ws", "strict", {"threshold": float("nan")})
    assert not (tmp_path / "ws" / "profiles" / "strict").exists()


# --- §9: say what a file really is ---------------------------------------------------------------------

ALERTS_CSV = "fired_at,service,name,severity\n2026-01-01T00:00:00Z,checkout,Down,critical\n"


@pytest.mark.parametrize("name, content, found", [
    ("utf16.csv", ALERTS_CSV.encode("utf-16"), "UTF-16 text"),
    ("utf16be.csv", b"\xfe\xff" + ALERTS_CSV.encode("utf-16-be"), "UTF-16 text"),
    ("utf16_no_bom.csv", ALERTS_CSV.encode("utf-16-le"), "UTF-16 text"),
    ("utf16.json", json.dumps([{"fired_at": "2026-01-01T00:00:00Z"}]).encode("utf-16"), "UTF-16 text"),
    ("utf32.csv", ALERTS_CSV.encode("utf-32"), "UTF-32 text"),
    ("alerts.csv.gz", b"\x1f\x8b\x08\x00" + b"\x00" * 20, "a gzip-compressed file"),
])
def test_other_encodings_are_named(tmp_path, name, content, found):
    err = refusal(tmp_path, "alerts", write(tmp_path, name, content))
    assert f"expected UTF-8 text, found {found}" in str(err), str(err)


def test_damaged_parquet_is_called_damaged(tmp_path):
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    pq.write_table(pa.table({"fired_at": ["2026-01-01T00:00:00Z"], "service": ["a"], "name": ["b"],
                             "severity": ["info"], "regionX": ["eu"]}), sink)
    good = sink.getvalue()
    bad_name = write(tmp_path, "bad_name.parquet", good.replace(b"regionX", b"region\xff"))
    err = refusal(tmp_path, "alerts", bad_name)
    assert "a column name that is not UTF-8 text" in str(err), str(err)
    cut = write(tmp_path, "cut.parquet", good[:len(good) // 2] + b"PAR1")
    err = refusal(tmp_path, "alerts", cut)
    assert "expected a readable Parquet file, found a damaged or cut-short Parquet file" in str(err), str(err)


def test_utf16_journey_map_is_named(tmp_path):
    err = refusal(tmp_path, "journey-map", write(tmp_path, "map.yaml", GOOD_MAP.encode("utf-16")))
    assert "found UTF-16 text (save it as UTF-8" in str(err), str(err)


def test_a_directory_is_called_a_directory(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    run, _ = cli("ingest", "alerts", folder, "--workspace", tmp_path / "ws")
    assert run.returncode == 2 and "refused: exports: expected a file, found a directory" in run.stderr, run.stderr
    from journeylens.notebooks.ingest.upload import preview_file

    with pytest.raises(IngestError, match="a directory"):
        preview_file("alerts", folder)


def test_stored_values_stay_plausible_after_a_refusal(tmp_path):
    """The control: a good file of every timestamp kind still loads, and nothing refused was stored."""
    ws = tmp_path / "ws"
    for kind, (header, row, _) in TS_CASES.items():
        path = write(tmp_path, f"{kind}_ok.csv", header + row.format(ts="1767225600", n=1))
        assert ingest_file(ws, kind, path)["rows"] == 1
    con = connect(ws)
    try:
        assert con.execute("select min(fired_at), max(fired_at) from alerts").fetchall()[0][0].year == 2026
    finally:
        con.close()


def test_every_profile_setting_has_a_documented_range():
    from journeylens.notebooks.queue.profile_checks import PROFILE_LIMITS
    from journeylens.notebooks.queue.scoring import DEFAULT_PROFILE

    assert set(PROFILE_LIMITS) == set(DEFAULT_PROFILE)
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("### Value ranges"):]
    for key in PROFILE_LIMITS:
        assert f"`{key}`" in section or key == "weights", key
