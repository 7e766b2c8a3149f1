"""The tickets kind (SPEC §2.8): canonical CSV, Zendesk and Jira Service Management exports with their own
headers, a bad file refused naming row and column, and the command line's ingest and export."""

from pathlib import Path

import pytest
from journeylens.app.cli import main
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.workspace.contract import IngestError
from journeylens.notebooks.workspace.snapshot import connect

FIXTURES = Path(__file__).parent.parent / "fixtures"


def stored(ws) -> list:
    con = connect(ws)
    try:
        return con.execute("select ticket_id, ts::varchar, user_id, segment, feature, stage, category, priority "
                            "from tickets order by ts, ticket_id").fetchall()
    finally:
        con.close()


def test_canonical_csv_loads_and_reingest_adds_only_new_tickets(tmp_path):
    first = tmp_path / "tickets.csv"
    first.write_text("ts,ticket_id,user_id,segment,feature,stage,category,priority\n"
                     "2026-03-02T09:00:00Z,T-1,u1,pro,summarise,onboarding,bug,high\n"
                     "2026-03-02T10:00:00Z,T-2,,,,,,\n")
    ws = tmp_path / "ws"
    assert ingest_file(ws, "tickets", first)["rows"] == 2
    assert stored(ws) == [("T-1", "2026-03-02 09:00:00", "u1", "pro", "summarise", "onboarding", "bug", "high"),
                          ("T-2", "2026-03-02 10:00:00", None, None, None, None, None, None)]
    more = tmp_path / "more.csv"
    more.write_text("ts,ticket_id\n2026-03-02T10:00:00Z,T-2\n2026-03-03T08:00:00Z,T-3\n")
    result = ingest_file(ws, "tickets", more)
    assert (result["rows"], result["skipped"]) == (1, 1)


def test_zendesk_export_loads_with_its_own_headers(tmp_path):
    result = ingest_file(tmp_path / "ws", "tickets", FIXTURES / "zendesk_tickets.csv")
    assert result["layout"] == "zendesk_tickets_csv"
    assert stored(tmp_path / "ws") == [
        ("101", "2026-03-02 09:15:00", "3901", "Enterprise", "summarise", None, "problem", "High"),
        # "-0500" is read as its offset: 14:40:12 in New York is 19:40:12 UTC
        ("102", "2026-03-03 19:40:12", "3902", "SMB", None, None, "question", "Normal"),
    ]


def test_jira_service_management_export_loads_with_its_own_headers(tmp_path):
    result = ingest_file(tmp_path / "ws", "tickets", FIXTURES / "jira_sm_tickets.csv")
    assert result["layout"] == "jira_sm_csv"
    assert stored(tmp_path / "ws") == [
        ("HELP-7", "2026-03-04 09:15:00", "Lee Park", "Acme Corp", "checkout", None, "Report a bug", "High"),
        ("HELP-8", "2026-03-05 16:30:00", "Kai Ito", None, "summarise", None, "Get IT help", "Medium"),
    ]


def test_a_bad_ticket_file_is_refused_naming_row_and_column_and_stores_nothing(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("ts,ticket_id\n2026-03-02T09:00:00Z,T-1\nnext tuesday,T-2\n")
    with pytest.raises(IngestError) as refused:
        ingest_file(tmp_path / "ws", "tickets", bad)
    assert (refused.value.row, refused.value.column) == (2, "ts")
    assert "bad.csv" in str(refused.value) and "next tuesday" in str(refused.value)
    missing = tmp_path / "missing.csv"
    missing.write_text("ts,user_id\n2026-03-02T09:00:00Z,u1\n")
    with pytest.raises(IngestError) as refused:
        ingest_file(tmp_path / "ws", "tickets", missing)
    assert refused.value.row == "header" and refused.value.column == "ticket_id"
    assert not (tmp_path / "ws").exists() or stored(tmp_path / "ws") == []


def test_command_line_ingests_and_exports_tickets(tmp_path, capsys):
    ws = str(tmp_path / "ws")
    assert main(["ingest", "tickets", str(FIXTURES / "jira_sm_tickets.csv"), "--workspace", ws]) == 0
    out = tmp_path / "tickets.csv"
    assert main(["export", "tickets", "--workspace", ws, "--out", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert lines[0].startswith("ts,ticket_id,user_id,segment,feature,stage,category,priority")
    assert len(lines) == 3 and "HELP-7" in lines[1]
    bad = tmp_path / "bad.csv"
    bad.write_text("ts,ticket_id\nnot a time,T-1\n")
    assert main(["ingest", "tickets", str(bad), "--workspace", ws]) == 2
    assert "row 1" in capsys.readouterr().err
