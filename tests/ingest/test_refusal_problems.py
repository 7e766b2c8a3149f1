"""A refusal lists every problem found, up to the first 20, each with row and column (the message stays
the first one); messages never show journeylens' own columns; the preview tells the same truth before
anything is stored, showing a refused value as the file holds it."""

import json
from pathlib import Path

import pytest
from journeylens.notebooks.ingest.preview import marked_frame, preview_file, problems_table
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.ingest.value_maps import visible_columns
from journeylens.notebooks.workspace.contract import IngestError
from journeylens.notebooks.workspace.snapshot import list_uploads

HEADER = "fired_at,service,name,severity\n"
TS_EXPECTED = ("an ISO 8601 timestamp or epoch seconds/milliseconds between 1990 and 2100 (a resolve or "
               "acknowledgement may leave it out when it names its alert)")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(ws, path, **kwargs) -> IngestError:
    with pytest.raises(IngestError) as caught:
        ingest_file(ws, "alerts", path, **kwargs)
    assert list_uploads(ws).empty, "a refused file stores nothing"
    return caught.value


def test_every_problem_in_file_order_with_row_and_column(tmp_path):
    path = write(tmp_path, "mixed.csv", HEADER
                 + "2025-03-03T10:00:00Z,api,ok,high\n"
                 + "yesterday,api,A,urgent-ish\n"
                 + "2025-03-03T10:02:00Z,api,B,??\n"
                 + "2025-03-03T10:03:00Z,api,C,low\n"
                 + "1970-01-01T00:00:00Z,api,D,critical\n")
    err = refused(tmp_path / "ws", path)
    assert str(err) == f"mixed.csv, row 2, column fired_at: expected {TS_EXPECTED}, found 'yesterday'"
    assert [(p["row"], p["column"], p["found"]) for p in err.problems] == [
        (2, "fired_at", "'yesterday'"), (2, "severity", "'urgent-ish'"), (3, "severity", "'??'"),
        (5, "fired_at", "'1970-01-01T00:00:00Z'")]
    assert err.problems[2]["expected"] == ("a known severity or a mapping: `journeylens severity-map add '??' LEVEL "
                                           f"--workspace {tmp_path / 'ws'}` with LEVEL one of "
                                           "critical/high/medium/low/info, or for this file only --map-values "
                                           "'severity=??:LEVEL'")
    assert (err.row, err.column, err.expected, err.found) == tuple(err.problems[0][k] for k in
                                                                    ("row", "column", "expected", "found"))


def test_at_most_twenty_problems(tmp_path):
    rows = "".join(f"2025-03-03T10:00:00Z,api,n{i},bad{i}\n" for i in range(1, 31))
    err = refused(tmp_path / "ws", write(tmp_path, "many.csv", HEADER + rows))
    assert len(err.problems) == 20
    assert [p["row"] for p in err.problems] == list(range(1, 21))
    assert err.problems[19]["found"] == "'bad20'"


def test_a_renamed_column_is_named_as_the_file_calls_it(tmp_path):
    path = write(tmp_path, "renamed.csv", "Created On,service,name,severity\nsoon,api,A,high\n")
    err = refused(tmp_path / "ws", path)
    assert err.problems == [{"row": 1, "column": "Created On (fired_at)", "canonical": "fired_at",
                             "expected": TS_EXPECTED, "found": "'soon'"}]


def test_a_structural_refusal_is_its_own_one_problem(tmp_path):
    err = refused(tmp_path / "ws", write(tmp_path, "broken.json", '[{"fired_at": "x",'))
    assert len(err.problems) == 1 and err.problems[0]["row"] == err.row


def test_a_bad_map_on_json_records_never_lists_internal_columns(tmp_path):
    # raw_src of JSON records and Parquet carries __row: this refusal used to list it among the file's columns
    path = write(tmp_path, "records.json", json.dumps([{"when": "2025-03-03T10:00:00Z", "service": "api",
                                                        "name": "A", "severity": "high"}]))
    err = refused(tmp_path / "ws", path, mapping={"fired_at": "started"})
    assert err.expected == ("a column of the file (when, service, name, severity) or a path into one holding "
                            "JSON, such as labels.team")
    for internal in ("__row", "__extra", "v__", "p__", "s__"):
        assert internal not in str(err)


def test_a_missing_column_lists_only_the_files_columns(tmp_path):
    path = write(tmp_path, "records.json", json.dumps([{"when": "2025-03-03T10:00:00Z", "service": "api",
                                                        "name": "A", "severity": "high"}]))
    err = refused(tmp_path / "ws", path)
    assert err.found == "the columns when, service, name, severity"


def test_visible_columns_leave_out_journeylens_own():
    assert visible_columns(["__row", "a", "__extra", "v__x", "p__x", "s__x", "severity_raw", "b"]) == ["a", "b"]


def test_the_preview_marks_what_storing_would_refuse(tmp_path):
    path = write(tmp_path, "mixed.csv", HEADER + "2025-03-03T10:00:00Z,api,ok,high\n"
                 + "yesterday,api,A,urgent-ish\n" + "2025-03-03T10:02:00Z,api,B,low\n")
    preview = preview_file("alerts", path)
    assert [(p["row"], p["canonical"]) for p in preview["problems"]] == [(2, "fired_at"), (2, "severity")]
    assert preview["checked"] == "file" and list(preview["marks"]) == [1]
    frame, cells = marked_frame(preview)
    assert cells == [(1, "fired_at"), (1, "severity")]
    assert frame.loc[1, "fired_at"] == "'yesterday'" and frame.loc[1, "severity"] == "'urgent-ish'"
    assert frame.loc[0, "problems"] == "" and frame.loc[2, "severity"] == "low"
    assert frame.loc[1, "problems"] == (f"row 2, fired_at: expected {TS_EXPECTED}, found 'yesterday'; row 2, "
                                        "severity: expected " + preview["problems"][1]["expected"]
                                        + ", found 'urgent-ish'")
    assert list(problems_table(preview["problems"])["row"]) == ["2", "2"]


def test_the_preview_finds_problems_beyond_its_rows_and_applies_the_workspace_map(tmp_path):
    from journeylens.notebooks.ingest.severity_map import save_severity_map

    ws = tmp_path / "ws"
    ws.mkdir()
    save_severity_map(ws, {"严重": "critical"})
    rows = "".join(f"2025-03-03T10:00:{i:02d}Z,api,n{i},严重\n" for i in range(30)) + "2025-03-03T11:00:00Z,api,z,??\n"
    path = write(tmp_path, "late.csv", HEADER + rows)
    preview = preview_file("alerts", path, workspace=ws, limit=5)
    assert list(preview["frame"]["severity"]) == ["critical"] * 5
    assert [(p["row"], p["found"]) for p in preview["problems"]] == [(31, "'??'")]
    assert preview["marks"] == {}
    assert preview_file("alerts", path, limit=5)["problems"][0]["found"] == "'严重'", "no workspace, no map"
