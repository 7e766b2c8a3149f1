"""The workspace's severity map: versioned configuration (file, CLI), applied at ingest before parsing,
matched trimmed and in any case; an unknown severity is refused with the row, the value, the known
spellings and the exact command that maps it; the map in force is part of the content key."""

import json
from pathlib import Path

import pytest
from journeylens.app.cli import main
from journeylens.notebooks.ingest.severity_map import (
    add_mappings,
    builtin_spellings,
    load_severity_map,
    parse_severity_map,
    remove_mappings,
    save_severity_map,
)
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.workspace.contract import IngestError
from journeylens.notebooks.workspace.snapshot import connect, list_manifests, list_uploads
from journeylens.notebooks.workspace.store import verify_workspace
from journeylens.notebooks.workspace.versions import list_versions

TEAM_WORDS = ("fired_at,service,name,severity\n"
              "2025-03-03T10:00:00Z,api,A,严重\n"
              "2025-03-03T10:01:00Z,api,B, PAGE \n"
              "2025-03-03T10:02:00Z,api,C,disaster-ish\n"
              "2025-03-03T10:03:00Z,api,D,P0\n"
              "2025-03-03T10:04:00Z,api,E,warning\n")


@pytest.fixture
def ws(tmp_path) -> Path:
    return tmp_path / "ws"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def trail_lines(ws) -> list:
    path = Path(ws) / "audit.jsonl"
    return path.read_text().splitlines() if path.exists() else []


def test_a_map_file_is_read_trimmed_and_lowercased():
    assert parse_severity_map('{"严重": critical, " Page ": HIGH, disaster-ish: critical, P0: critical}') == {
        "disaster-ish": "critical", "p0": "critical", "page": "high", "严重": "critical"}
    assert parse_severity_map("severity_map:\n  sev-a: low\n") == {"sev-a": "low"}


@pytest.mark.parametrize(("text", "row", "expected", "found"), [
    ("page: urgent", 1, "a level, one of critical, high, medium, low, info", "'page': 'urgent'"),
    ("page: high\nPAGE: low", 2, "the same level as before for 'page' (high)", "'PAGE': 'low'"),
    ("- page\n- high", None, "a mapping of value to severity, e.g. {\"严重\": critical, page: high}",
     "['page', 'high']"),
    ("'  ': high", 1, "a severity value as text", "'  '"),
])
def test_a_bad_map_file_is_refused_by_entry(text, row, expected, found):
    with pytest.raises(IngestError) as caught:
        parse_severity_map(text, "map.yaml")
    assert (caught.value.row, caught.value.expected, caught.value.found) == (row, expected, found)


def test_saves_are_versions_in_the_audit_trail(ws):
    ws.mkdir()
    add_mappings(ws, {"严重": "critical"}, author="ana", comment="first")
    add_mappings(ws, {"Page": "high"}, author="ana")
    remove_mappings(ws, ["严重"], author="bo", comment="not ours")
    versions = list_versions(ws, "severity_maps", "default")
    assert [v["payload"]["entries"] for v in versions] == [{"严重": "critical"}, {"page": "high", "严重": "critical"},
                                                          {"page": "high"}]
    assert [v["author"] for v in versions] == ["ana", "ana", "bo"]
    actions = [json.loads(line)["action"] for line in trail_lines(ws)]
    assert actions == ["severity_map.saved"] * 3
    assert verify_workspace(ws)["ok"]
    with pytest.raises(IngestError, match="a value the map holds: page"):
        remove_mappings(ws, ["nope"])


def test_the_map_folder_stays_inside_the_workspace(ws, tmp_path):
    ws.mkdir()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (ws / "severity_maps").symlink_to(outside)
    with pytest.raises(IngestError, match="a path inside the workspace"):
        save_severity_map(ws, {"page": "high"})
    assert list(outside.iterdir()) == []


def test_ingest_applies_the_map_before_parsing(ws, tmp_path):
    ws.mkdir()
    save_severity_map(ws, {"严重": "critical", "page": "high", "disaster-ish": "critical", "p0": "critical",
                           "warning": "high"})
    ingest_file(ws, "alerts", write(tmp_path, "team.csv", TEAM_WORDS))
    con = connect(ws)
    rows = con.sql("select name, severity, severity_rank, severity_raw from alerts order by name").fetchall()
    con.close()
    assert rows == [("A", "critical", 1, "严重"), ("B", "high", 2, " PAGE "), ("C", "critical", 1, "disaster-ish"),
                    ("D", "critical", 1, "P0"), ("E", "high", 2, "warning")]
    assert list_manifests(ws)[0]["severity_map"] == load_severity_map(ws)


def test_an_unknown_severity_is_refused_with_the_command_that_maps_it(ws, tmp_path):
    ws.mkdir()
    save_severity_map(ws, {"严重": "critical"})
    before = trail_lines(ws)
    with pytest.raises(IngestError) as caught:
        ingest_file(ws, "alerts", write(tmp_path, "team.csv", TEAM_WORDS))
    err = caught.value
    assert (err.row, err.column, err.found) == (2, "severity", "' PAGE '")
    assert f"journeylens severity-map add PAGE LEVEL --workspace {ws}" in err.expected
    assert "critical (crit, fatal, emergency, disaster, sev1, p1, 1, 严重)" in err.expected
    assert "high (error, err, major, sev2, p2, 2)" in err.expected
    assert "--map-values severity=PAGE:LEVEL" in err.expected
    assert [(p["row"], p["found"]) for p in err.problems] == [(2, "' PAGE '"), (3, "'disaster-ish'"), (4, "'P0'")]
    assert err.problems[2]["expected"].startswith("a known severity or a mapping: `journeylens severity-map add P0 ")
    assert list_uploads(ws).empty and trail_lines(ws) == before


def test_the_map_in_force_is_part_of_the_content_key(ws, tmp_path):
    ws.mkdir()
    path = write(tmp_path, "a.csv", "fired_at,service,name,severity\n2025-03-03T10:00:00Z,api,A,warning\n")
    first = ingest_file(ws, "alerts", path)
    assert ingest_file(ws, "alerts", path)["message"].startswith(f"a.csv is already stored as upload {first['upload_id']}")
    add_mappings(ws, {"warning": "high"})
    again = ingest_file(ws, "alerts", path)
    assert "is already stored as upload" not in again["message"]
    assert "with another mapping" in again["message"]


def test_the_builtin_spellings_come_from_the_macro():
    spellings = builtin_spellings()
    assert spellings["critical"] == ["critical", "crit", "fatal", "emergency", "disaster", "sev1", "p1", "1"]
    assert spellings["info"][-1] == "5"


def test_cli_add_set_show_and_a_refusal_listing_every_problem(ws, tmp_path, capsys):
    assert main(["severity-map", "add", "严重", "Critical", "--workspace", str(ws), "--why", "ops words"]) == 0
    map_file = write(tmp_path, "map.yaml", '"disaster-ish": critical\npage: high\n')
    assert main(["severity-map", "set", str(map_file), "--workspace", str(ws)]) == 0
    capsys.readouterr()
    assert main(["severity-map", "show", "--workspace", str(ws)]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert shown[1:] == ["  disaster-ish -> critical", "  page -> high"]
    assert shown[0].startswith(f"severity map of {ws}, version 2 (")
    bad = write(tmp_path, "bad.yaml", "page: urgent\n")
    assert main(["severity-map", "set", str(bad), "--workspace", str(ws)]) == 2
    assert "refused: bad.yaml, row 1: expected a level, one of critical, high, medium, low, info, found 'page': 'urgent'" in capsys.readouterr().err

    assert main(["ingest", "alerts", str(write(tmp_path, "team.csv", TEAM_WORDS)), "--workspace", str(ws)]) == 2
    err = capsys.readouterr().err.splitlines()
    refusal = [line for line in err if line.startswith(("refused", "  "))]
    assert refusal[0].startswith("refused: team.csv, row 1, column severity: expected a severity on the scale")
    assert refusal[1] == "  2 problems found (in file order, at most 20):"
    assert refusal[3].startswith("  - row 4, column severity: expected a known severity or a mapping: "
                                 f"`journeylens severity-map add P0 LEVEL --workspace {ws}`")
    assert main(["ingest", "alerts", str(tmp_path / "team.csv"), "--workspace", str(ws),
                 "--map-values", "severity=严重:critical", "--map-values", "severity=P0:critical"]) == 0
    assert len(list_uploads(ws)) == 1
