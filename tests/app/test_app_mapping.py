"""The Data page tells the truth before storing (AppTest): refused values are marked in the preview with
what the file holds, every problem is listed, the severity map and the mapping editor (paths, value maps,
constants) work from the page, and a refusal at store time lists its problems."""

import tempfile
from pathlib import Path

import pytest
from journeylens.app.ui import ENTRY
from journeylens.notebooks.ingest.severity_map import load_severity_map
from journeylens.notebooks.workspace.snapshot import connect, list_uploads
from streamlit.testing.v1 import AppTest

TEAM_CSV = ("fired_at,service,name,severity\n"
            "2025-03-03T10:00:00Z,api,A,high\n"
            "2025-03-03T10:01:00Z,api,B,严重\n").encode()
LABELS_CSV = (b'fired_at,name,severity,labels\n'
              b'2025-03-03T10:00:00Z,A,sev-a,"{""team"": ""payments""}"\n'
              b'2025-03-03T10:01:00Z,B,low,"{""team"": ""search""}"\n')


@pytest.fixture
def workspace(tmp_path, monkeypatch, clear_streamlit_caches) -> Path:
    ws = tmp_path / "ws"
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(ws))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return ws


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def uploaded(name: str, content: bytes) -> AppTest:
    at = run(AppTest.from_file(str(ENTRY), default_timeout=30))
    at.switch_page("views/data.py")  # the app opens on the Overview
    at = run(at)
    at.file_uploader[0].set_value((name, content, "text/csv"))
    return run(at)


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def submit(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return run(at)


def stored(ws, sql: str) -> list:
    with connect(ws) as con:
        return con.sql(sql).fetchall()


def test_the_preview_marks_a_refused_value_then_the_severity_map_fixes_it(workspace):
    at = uploaded("team.csv", TEAM_CSV)
    error = texts(at.error)
    assert error.startswith("Storing team.csv would be refused: team.csv, row 2, column severity: expected a "
                            "severity on the scale")
    assert f"`journeylens severity-map add '严重' LEVEL --workspace {workspace}`" in error
    rows = at.dataframe[0].value
    assert list(rows["severity"]) == ["high", "'严重'"], "the refused value as the file holds it, not None"
    assert rows["problems"][0] == "" and rows["problems"][1].startswith("row 2, severity: expected a severity")
    problems = at.dataframe[1].value
    assert list(problems["row"]) == ["2"] and list(problems["found"]) == ["'严重'"]
    assert not [b for b in at.button if b.key == "store"], "no Store for a file that would be refused"

    at.text_input(key="sev_value").input(" 严重 ")
    at.selectbox(key="sev_level").set_value("critical")
    at = submit(at, "Add to the severity map")
    assert load_severity_map(workspace) == {"严重": "critical"}
    assert not at.error, texts(at.error)
    assert list(at.dataframe[0].value["severity"]) == ["high", "critical"]
    at.button(key="store").click()
    at = run(at)
    assert not at.error, texts(at.error)
    assert stored(workspace, "select severity, severity_raw from alerts order by name") == [
        ("high", "high"), ("critical", "严重")]


def test_paths_value_maps_and_constants_from_the_page(workspace):
    at = uploaded("labels.csv", LABELS_CSV)
    assert "service" in texts(at.warning)
    at.text_area(key=next(t.key for t in at.text_area if t.key.startswith("adv-map-"))).input("service=labels.team")
    at.text_area(key=next(t.key for t in at.text_area if t.key.startswith("adv-values-"))).input("severity=SEV-A:high")
    at.text_area(key=next(t.key for t in at.text_area if t.key.startswith("adv-set-"))).input("source=grafana")
    at = submit(at, "Preview with these")
    assert not at.warning and not at.error, texts(at.warning) + texts(at.error)
    assert list(at.dataframe[0].value["service"]) == ["payments", "search"]
    at.button(key="store").click()
    at = run(at)
    assert not at.error, texts(at.error)
    assert stored(workspace, "select service, severity, source from alerts order by name") == [
        ("payments", "high", "grafana"), ("search", "low", "grafana")]
    manifest = list_uploads(workspace)
    assert list(manifest["rows"]) == [2]


def test_a_bad_path_is_refused_with_the_keys_the_column_holds(workspace):
    at = uploaded("labels.csv", LABELS_CSV)
    at.text_area(key=next(t.key for t in at.text_area if t.key.startswith("adv-map-"))).input("service=labels.owner")
    at = submit(at, "Preview with these")
    assert "column --map labels.owner: expected a value at labels.owner in at least one row (the column labels " \
           "holds keys team), found no such path" in texts(at.error)
    assert "__row" not in texts(at.error)
    at = submit(at, "Clear the mapping")
    assert not at.error


def test_a_refusal_at_store_lists_every_problem(workspace, monkeypatch):
    import journeylens.notebooks.ingest.preview

    monkeypatch.setattr(journeylens.notebooks.ingest.preview, "CHECK_WHOLE_BYTES", 0)  # preview checks its rows only
    rows = "".join(f"2025-03-03T10:00:{i:02d}Z,api,n{i},high\n" for i in range(25))
    bad = "".join(f"2025-03-03T10:01:{i:02d}Z,api,m{i},??{i}\n" for i in range(3))
    at = uploaded("late.csv", ("fired_at,service,name,severity\n" + rows + bad).encode())
    assert not at.error
    at.button(key="store").click()
    at = run(at)
    assert "late.csv, row 26, column severity" in texts(at.error)
    problems = at.dataframe[-1].value
    assert list(problems["row"]) == ["26", "27", "28"] and list(problems["found"]) == ["'??0'", "'??1'", "'??2'"]
    assert list_uploads(workspace).empty
