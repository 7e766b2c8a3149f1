"""`journeylens export KIND`: the canonical rows as the workspace sees them, in CSV, Parquet or JSON Lines."""

import csv
import io
import json

import duckdb
import pytest
from journeylens.app.cli import main
from journeylens.notebooks.ingest.export import export_kind
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.workspace.contract import IngestError

ALERTS = (
    "alert_id,fired_at,resolved_at,service,name,severity,labels\n"
    "A1,2026-11-01T10:00:00Z,,checkout,=HYPERLINK(\"http://x\"),critical,env=prod\n"
    "A2,2026-11-01T11:00:00Z,2026-11-01T11:30:00Z,search,-5,low,\n"
)
LATER = "alert_id,fired_at,resolved_at,service,name,severity\nA1,2026-11-01T10:00:00Z,2026-11-01T10:45:00Z,checkout,x,critical\n"


@pytest.fixture
def workspace(tmp_path):
    ws = tmp_path / "ws"
    (tmp_path / "a.csv").write_text(ALERTS)
    (tmp_path / "b.csv").write_text(LATER)
    ingest_file(ws, "alerts", tmp_path / "a.csv")
    ingest_file(ws, "alerts", tmp_path / "b.csv")
    return ws


def test_alerts_are_exported_folded_with_status_and_extra(workspace, tmp_path):
    done = export_kind(workspace, "alerts", tmp_path / "out.jsonl", "jsonl")
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert done["rows"] == 2 and [r["alert_id"] for r in rows] == ["A1", "A2"]
    first = rows[0]
    # folded over two uploads: resolved by the later notice, named by the firing one
    assert (first["status"], first["resolved_at"], first["notices"], first["name"]) == (
        "resolved", "2026-11-01 10:45:00", 2, '=HYPERLINK("http://x")')
    assert first["labels"] == {"env": "prod"}  # nested JSON, not a string, and exact (no CSV neutralising)
    assert rows[1]["labels"] is None and rows[1]["status"] == "resolved"


def test_notices_are_exported_as_stored(workspace, tmp_path):
    export_kind(workspace, "alert-notices", tmp_path / "n.parquet", "parquet")
    got = duckdb.sql("select alert_id, status from read_parquet($p) order by event_at",
                     params={"p": str(tmp_path / "n.parquet")}).fetchall()
    assert got == [("A1", "firing"), ("A1", "resolved"), ("A2", "resolved")]


def test_csv_export_neutralises_formulas_and_keeps_numbers(workspace, tmp_path):
    (tmp_path / "c.csv").write_text(ALERTS)
    ws2 = tmp_path / "ws2"
    ingest_file(ws2, "alerts", tmp_path / "c.csv")
    export_kind(ws2, "alerts", tmp_path / "out.csv", "csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text())))
    assert rows[0]["name"] == "'=HYPERLINK(\"http://x\")" and rows[1]["name"] == "-5"


def test_the_cli_writes_to_standard_output_and_refuses_what_it_cannot(workspace, tmp_path, capsys):
    assert main(["export", "alerts", "--workspace", str(workspace)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("alert_id,fired_at,resolved_at") and len(out.splitlines()) == 3
    assert main(["export", "alerts", "--workspace", str(workspace), "--format", "parquet"]) == 2
    assert "standard output" in capsys.readouterr().err
    assert main(["export", "alerts", "--workspace", str(tmp_path / "missing")]) == 2
    assert not (tmp_path / "missing").exists()
    assert main(["export", "alerts", "--workspace", str(workspace), "--out", str(workspace / "uploads" / "x.csv")]) == 2
    assert main(["export", "changes", "--workspace", str(workspace), "--out", str(tmp_path / "c.parquet")]) == 0
    assert duckdb.sql("select count(*) from read_parquet($p)", params={"p": str(tmp_path / "c.parquet")}).fetchall() == [(0,)]


def test_unknown_kind_is_refused(workspace):
    with pytest.raises(IngestError):
        export_kind(workspace, "bogus")
