"""Bad input (SPEC §3): a file that cannot be read as its kind is refused as a whole, the message names
the file, the row (1-based, header excluded), the column, what was expected and what was found, and
nothing already stored changes. Each fixture is written by the test itself, next to what it breaks."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.workspace.contract import ALL_TABLES, MAX_CELL_BYTES, IngestError
from journeylens.notebooks.workspace.snapshot import connect, list_uploads

REPO = Path(__file__).resolve().parents[2]
JOURNEYLENS = Path(sys.executable).with_name("journeylens")

ALERTS_HEADER = "fired_at,service,name,severity,message\n"
GOOD_ALERTS = ALERTS_HEADER + (
    "2025-03-03T10:00:00Z,payments-api,HighLatency,critical,p99 over 2s\n"
    "2025-03-03T10:05:00Z,payments-api,HighErrorRate,warning,5xx over 1%\n"
    "2025-03-03T11:00:00Z,search,SlowQueries,low,\n"
)
GOOD_AI = (
    '{"interaction_id": "i1", "ts": "2025-03-03T10:00:00Z", "feature": "summarise", "accepted": true}\n'
    '{"interaction_id": "i2", "ts": "2025-03-03T10:01:00Z", "feature": "summarise", "accepted": false}\n'
)
GOOD_METRICS = (
    "ts,stage,entered,completed\n"
    "2025-03-03T10:00:00Z,checkout,100,80\n"
    "2025-03-03T11:00:00Z,checkout,120,90\n"
)
JOURNEY_MAP = """\
journey: storefront
stages:
  - id: browse
    impact: 4
    sensitivity: 0.3
  - id: checkout
    impact: 9
    sensitivity: 1.0
touchpoints:
  - stage: checkout
    match:
      service: "payments-*"
  - stage: {bad_stage}
    match:
      service: "search"
"""
INJECTED = 'name"; drop table alerts; --'


# --- fixtures and helpers ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A workspace with good uploads of three kinds, built once and copied for each test."""
    root = tmp_path_factory.mktemp("template")
    ws = root / "ws"
    for kind, name, text in (("alerts", "good_alerts.csv", GOOD_ALERTS), ("ai", "good_ai.jsonl", GOOD_AI),
                             ("metrics", "good_metrics.csv", GOOD_METRICS)):
        (root / name).write_text(text)
        assert ingest_file(ws, kind, root / name)["status"] == "stored"
    return ws


@pytest.fixture
def ws(template, tmp_path) -> Path:
    target = tmp_path / "ws"
    shutil.copytree(template, target)
    return target


def snapshot(ws: Path) -> dict:
    """Everything a refusal must leave alone: the upload register, rows per table, the audit log, and
    no staging left behind."""
    uploads = list_uploads(ws)[["upload_id", "file_name", "kind", "rows", "sha256"]].to_dict("records")
    con = connect(ws)
    try:
        counts = {t: con.execute(f'select count(*) from "{t}"').fetchall()[0][0] for t in ALL_TABLES}
    finally:
        con.close()
    audit = (ws / "audit.jsonl").read_text()
    folders = sorted(p.name for p in (ws / "uploads").iterdir())
    staging = sorted(p.name for p in (ws / ".staging").iterdir()) if (ws / ".staging").exists() else []
    return {"uploads": uploads, "counts": counts, "audit": audit, "folders": folders, "staging": staging}


def write(tmp_path: Path, name: str, content) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def refused(ws: Path, kind: str, path: Path, **kwargs) -> IngestError:
    """Ingests a file that must be refused; checks that the workspace did not change and that the
    message names the file. Returns the error for the case's own assertions."""
    before = snapshot(ws)
    assert before["counts"]["alerts"] == 3 and len(before["uploads"]) == 3
    with pytest.raises(IngestError) as info:
        ingest_file(ws, kind, path, **kwargs)
    err = info.value
    assert err.file == path.name
    assert str(err).startswith(path.name), str(err)
    assert snapshot(ws) == before
    return err


def assert_names(err: IngestError, row, column, *fragments) -> None:
    message = str(err)
    assert err.row == row, message
    assert err.column == column, message
    if isinstance(row, int):
        assert f"row {row}" in message
    assert f"column {column}" in message
    assert "expected " in message and "found " in message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


# --- one test per bad-input case --------------------------------------------------------------------

def test_unparseable_timestamp_names_row_and_column(ws, tmp_path):
    path = write(tmp_path, "bad_ts.csv", ALERTS_HEADER + (
        "2025-03-04T10:00:00Z,payments-api,HighLatency,critical,ok\n"
        "2025-03-04T10:01:00Z,payments-api,HighLatency,critical,ok\n"
        "yesterday-ish,payments-api,HighErrorRate,warning,bad row\n"
        "2025-03-04T10:03:00Z,search,SlowQueries,low,ok\n"))
    err = refused(ws, "alerts", path)
    assert_names(err, 3, "fired_at", "ISO 8601", "'yesterday-ish'")


def test_missing_required_column_is_named(ws, tmp_path):
    path = write(tmp_path, "no_severity.csv",
                 "fired_at,service,name\n2025-03-04T10:00:00Z,payments-api,HighLatency\n")
    err = refused(ws, "alerts", path)
    assert_names(err, "header", "severity", "row header", "a column named severity", "--map severity=",
                 "fired_at, service, name")


@pytest.mark.parametrize("cut", [
    '{"interaction_id": "i4", "ts": "2025-03-04T10:01:00Z", "feat',
    '{"interaction_id": "i4", "ts": "2025-03-04T10:01:00Z",',
])
def test_truncated_json_line_names_the_line(ws, tmp_path, cut):
    path = write(tmp_path, "ai_truncated.jsonl",
                 '{"interaction_id": "i3", "ts": "2025-03-04T10:00:00Z", "feature": "f", "accepted": true}\n'
                 + cut + "\n"
                 + '{"interaction_id": "i5", "ts": "2025-03-04T10:02:00Z", "feature": "f", "accepted": true}\n')
    err = refused(ws, "ai", path)
    assert err.row == 2, str(err)
    assert err.column and err.column.startswith("char "), str(err)
    assert "row 2" in str(err) and "a complete JSON object" in str(err)


def test_truncated_last_json_line(ws, tmp_path):
    path = write(tmp_path, "ai_cut_at_end.jsonl",
                 '{"interaction_id": "i3", "ts": "2025-03-04T10:00:00Z", "feature": "f", "accepted": true}\n'
                 '{"interaction_id": "i4", "ts": "2025-03-04T10:01:00Z", "feature": "f", "acc')
    err = refused(ws, "ai", path)
    assert err.row == 2, str(err)
    assert "row 2" in str(err)


def test_journey_map_touchpoint_with_unknown_stage(ws, tmp_path):
    path = write(tmp_path, "journey.yaml", JOURNEY_MAP.format(bad_stage="payment-page"))
    err = refused(ws, "journey-map", path)
    assert isinstance(err.row, str) and err.row.startswith("touchpoints[2]"), str(err)
    assert "line 13" in err.row
    assert err.column == "stage"
    assert "column stage" in str(err)
    assert "browse, checkout" in str(err) and "'payment-page'" in str(err)


def test_journey_map_with_known_stages_is_stored(ws, tmp_path):
    """The control of the case above: the same map with a real stage loads."""
    path = write(tmp_path, "journey_ok.yaml", JOURNEY_MAP.format(bad_stage="browse"))
    result = ingest_file(ws, "journey-map", path)
    assert result["status"] == "stored"
    con = connect(ws)
    assert con.execute("select count(*) from touchpoints").fetchall()[0][0] == 2


def test_metrics_completed_above_entered(ws, tmp_path):
    path = write(tmp_path, "metrics_bad.csv", "ts,stage,entered,completed\n"
                 "2025-03-04T10:00:00Z,checkout,100,80\n"
                 "2025-03-04T11:00:00Z,checkout,10,12\n"
                 "2025-03-04T12:00:00Z,checkout,50,40\n")
    err = refused(ws, "metrics", path)
    assert_names(err, 2, "completed", "a value <= entered", "completed 12 > entered 10")


def test_empty_file(ws, tmp_path):
    path = write(tmp_path, "empty.csv", b"")
    err = refused(ws, "alerts", path)
    assert err.row is None and err.column is None
    assert "empty" in str(err) and "expected " in str(err)


def test_header_only_csv(ws, tmp_path):
    path = write(tmp_path, "header_only.csv", ALERTS_HEADER)
    err = refused(ws, "alerts", path)
    assert err.row is None
    assert "at least one data row" in str(err) and "found none" in str(err)


def test_wrong_kind_of_file(ws, tmp_path):
    path = write(tmp_path, "ai_interactions.csv", "interaction_id,ts,feature,accepted,model_version\n"
                 "i9,2025-03-04T10:00:00Z,summarise,true,gpt-x\n")
    err = refused(ws, "alerts", path)
    assert err.row == "header"
    assert err.column in ("fired_at", "service", "name", "severity")
    assert "a column named" in str(err) and "interaction_id" in str(err)


def test_non_utf8_bytes(ws, tmp_path):
    content = (ALERTS_HEADER + "2025-03-04T10:00:00Z,checkout,HighLatency,critical,ok\n").encode()
    bad_line = "2025-03-04T10:01:00Z,checkout,Caf\u00e9Down,critical,bad\n".encode("latin-1")
    content += bad_line
    path = write(tmp_path, "latin1.csv", content)
    err = refused(ws, "alerts", path)
    assert err.row == 2, str(err)
    assert "row 2" in str(err) and "UTF-8" in str(err) and "0xe9" in str(err)
    position = bad_line.index(0xE9) + 1  # 1-based byte position of the é within its line
    assert err.column == f"byte {position}"


def test_huge_cell(ws, tmp_path):
    huge = "x" * 2_000_000
    path = write(tmp_path, "huge_cell.csv", ALERTS_HEADER
                 + "2025-03-04T10:00:00Z,checkout,HighLatency,critical,ok\n"
                 + f"2025-03-04T10:01:00Z,checkout,HighLatency,critical,{huge}\n")
    err = refused(ws, "alerts", path)
    assert_names(err, 2, "message", f"at most {MAX_CELL_BYTES:,} bytes", "2,000,000 bytes")
    assert huge[:1000] not in str(err)


def test_bad_severity(ws, tmp_path):
    path = write(tmp_path, "bad_severity.csv", ALERTS_HEADER
                 + "2025-03-04T10:00:00Z,checkout,HighLatency,P2,ok\n"
                 + "2025-03-04T10:01:00Z,checkout,HighLatency,urgent-ish,bad\n")
    err = refused(ws, "alerts", path)
    assert_names(err, 2, "severity", "a severity", "'urgent-ish'")


def test_boolean_maybe(ws, tmp_path):
    path = write(tmp_path, "ai_maybe.csv", "interaction_id,ts,feature,accepted\n"
                 "i3,2025-03-04T10:00:00Z,summarise,yes\n"
                 "i4,2025-03-04T10:01:00Z,summarise,0\n"
                 "i5,2025-03-04T10:02:00Z,summarise,maybe\n")
    err = refused(ws, "ai", path)
    assert_names(err, 3, "accepted", "a boolean (true/false, 1/0, yes/no)", "'maybe'")


def test_confidence_outside_0_1(ws, tmp_path):
    path = write(tmp_path, "confidence.csv", "fired_at,service,name,severity,confidence\n"
                 "2025-03-04T10:00:00Z,checkout,HighLatency,critical,0.9\n"
                 "2025-03-04T10:01:00Z,checkout,HighLatency,critical,1.7\n")
    err = refused(ws, "alerts", path)
    assert_names(err, 2, "confidence", "a number from 0 to 1", "'1.7'")


def test_unknown_map_canonical_name(ws, tmp_path):
    path = write(tmp_path, "mapped.csv", "when,service,name,severity\n"
                 "2025-03-04T10:00:00Z,checkout,HighLatency,critical\n")
    err = refused(ws, "alerts", path, mapping={"fired_at": "when", "colour": "service"})
    assert "colour" in str(err.column)
    assert "colour" in str(err) and "fired_at" in str(err)


def test_map_to_a_column_the_file_lacks(ws, tmp_path):
    path = write(tmp_path, "mapped.csv", "when,service,name,severity\n"
                 "2025-03-04T10:00:00Z,checkout,HighLatency,critical\n")
    err = refused(ws, "alerts", path, mapping={"fired_at": "Started"})
    assert err.row == "header" and err.column == "Started"
    assert "no such column" in str(err)


def malformed_csv(bad_row: int, bad_line: str, rows: int) -> str:
    """An alerts CSV of `rows` data rows whose row `bad_row` (1-based) is `bad_line`."""
    lines = [f"2025-03-04T10:{i // 60 % 60:02d}:{i % 60:02d}Z,checkout,Check{i},critical,ok" for i in range(rows)]
    lines[bad_row - 1] = bad_line
    return ALERTS_HEADER + "\n".join(lines) + "\n"


# Small files (the sniffer sees the bad row) and a bad row deep in a file (past DuckDB's sniff sample).
@pytest.mark.parametrize("bad_row,rows", [(2, 3), (25_000, 30_000)])
def test_csv_row_with_too_many_fields(ws, tmp_path, bad_row, rows):
    path = write(tmp_path, "too_many_fields.csv", malformed_csv(
        bad_row, "2025-03-04T10:01:00Z,checkout,HighLatency,critical,ok,surprise", rows))
    err = refused(ws, "alerts", path)
    assert err.row == bad_row, str(err)
    assert f"row {bad_row}" in str(err)


@pytest.mark.parametrize("bad_row,rows", [(2, 3), (25_000, 30_000)])
def test_csv_unterminated_quote(ws, tmp_path, bad_row, rows):
    path = write(tmp_path, "unterminated.csv", malformed_csv(
        bad_row, '2025-03-04T10:01:00Z,checkout,HighLatency,critical,"never closed', rows))
    err = refused(ws, "alerts", path)
    assert err.row == bad_row, str(err)
    assert f"row {bad_row}" in str(err)


# --- hostile but valid input is stored as it is -------------------------------------------------------

FORMULAS = [
    ("=cmd|' /C calc'!A0", "+1+1"),
    ("@SUM(A1)", "-2+3"),
    ("-2+3", "=cmd|' /C calc'!A0"),
    ('=HYPERLINK("http://example.test","x")', "@SUM(A1)"),
]


def csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text


def test_formula_looking_cells_are_stored_as_text(ws, tmp_path):
    lines = [f"2025-03-04T10:0{i}:00Z,checkout,{csv_cell(n)},critical,{csv_cell(m)}" for i, (n, m) in
             enumerate(FORMULAS)]
    path = write(tmp_path, "formulas.csv", ALERTS_HEADER + "\n".join(lines) + "\n")
    result = ingest_file(ws, "alerts", path)
    assert result["status"] == "stored" and result["rows"] == len(FORMULAS)
    con = connect(ws)
    stored = con.execute("select name, message from alerts where upload_id = $u order by fired_at",
                         {"u": result["upload_id"]}).fetchall()
    assert [(n.encode(), m.encode()) for n, m in stored] == [(n.encode(), m.encode()) for n, m in FORMULAS]


def test_sql_injection_column_header_lands_in_extra(ws, tmp_path):
    path = write(tmp_path, "inject.csv", "fired_at,service,name,severity," + csv_cell(INJECTED) + "\n"
                 "2025-03-04T10:00:00Z,checkout,HighLatency,critical,evil one\n"
                 "2025-03-04T10:01:00Z,checkout,HighErrors,high,evil two\n")
    result = ingest_file(ws, "alerts", path)
    assert result["status"] == "stored" and result["rows"] == 2
    con = connect(ws)
    assert con.execute("select count(*) from alerts").fetchall()[0][0] == 5
    rows = con.execute("select name, extra from alerts where upload_id = $u order by fired_at",
                       {"u": result["upload_id"]}).fetchall()
    assert [name for name, _ in rows] == ["HighLatency", "HighErrors"]
    assert [json.loads(extra) for _, extra in rows] == [{INJECTED: "evil one"}, {INJECTED: "evil two"}]


def test_sql_injection_column_mapped_from_the_command_line(ws, tmp_path):
    path = write(tmp_path, "inject_mapped.csv", "fired_at,service,name,severity," + csv_cell(INJECTED) + "\n"
                 "2025-03-04T10:00:00Z,checkout,HighLatency,critical,evil one\n")
    run = subprocess.run([str(JOURNEYLENS), "ingest", "alerts", str(path), "--workspace", str(ws),
                          "--map", f"name={INJECTED}"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    con = connect(ws)
    assert con.execute("select count(*) from alerts").fetchall()[0][0] == 4
    rows = con.execute("select name, extra from alerts where fired_at = '2025-03-04 10:00:00'").fetchall()
    assert len(rows) == 1
    name, extra = rows[0]
    assert name == "evil one"
    assert json.loads(extra) == {"name": "HighLatency"}


# --- the command line -----------------------------------------------------------------------------

def test_cli_refusal_exits_2_without_traceback(ws, tmp_path):
    path = write(tmp_path, "cli_bad_ts.csv", ALERTS_HEADER
                 + "2025-03-04T10:00:00Z,checkout,HighLatency,critical,ok\n"
                 + "2025-03-04T10:01:00Z,checkout,HighLatency,critical,ok\n"
                 + "not a time,checkout,HighLatency,critical,bad\n")
    before = snapshot(ws)
    run = subprocess.run([str(JOURNEYLENS), "ingest", "alerts", str(path), "--workspace", str(ws)],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert "refused: cli_bad_ts.csv" in run.stderr
    assert "row 3" in run.stderr and "column fired_at" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert snapshot(ws) == before


def test_journey_map_regex_that_duckdb_cannot_run_is_refused(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text("journey: j\nstages:\n  - id: a\ntouchpoints:\n  - stage: a\n    match:\n"
                    "      name: \"re:(?=foo)bar\"\n")
    with pytest.raises(IngestError) as caught:
        ingest_file(tmp_path / "ws", "journey-map", path)
    assert caught.value.row == "touchpoints[1] (line 5)" and caught.value.column == "match.name"
    assert "RE2" in str(caught.value)
