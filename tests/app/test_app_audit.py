"""The Audit page through Streamlit's AppTest: the sample world's exports uploaded (several files per kind)
give the report and its downloads, in a throw-away workspace (never the session's); a malformed file is a
clear error naming it, not a traceback."""

import tempfile
from pathlib import Path

import pytest
from journeylens.app.ui import ENTRY
from journeylens.notebooks.retro.one_off_audit import DOWNLOADS
from streamlit.testing.v1 import AppTest

WORLD = Path(__file__).resolve().parents[2] / "sample_data" / "world"
SAMPLE = {  # kind: sample world files, two per kind where the world ships two
    "journey-map": ["journey_map.yaml"],
    "alerts": ["alertmanager.jsonl", "datadog_events.csv"],
    "ai": ["ai_interactions_2026h2a.jsonl", "ai_interactions_2026h2b.jsonl"],
    "scores": ["eval_scores.csv"],
    "incidents": ["incidents.csv"],
}
BAD_CSV = b"fired_at,service,name,severity\nnot-a-time,payments-api,HighLatency,critical\n"


@pytest.fixture
def workspace(tmp_path, monkeypatch, clear_streamlit_caches) -> Path:
    ws = tmp_path / "ws"
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(ws))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # the audit's temporary folders land here
    (tmp_path / "tmp").mkdir()
    return ws


def start() -> AppTest:
    at = AppTest.from_file(str(ENTRY), default_timeout=600)
    at.run()
    at.switch_page("views/audit.py")
    at.run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, kind: str, files: list) -> None:
    many = [(name, content, "application/octet-stream") for name, content in files]
    at.file_uploader(key=f"audit-{kind}").set_value(many if kind != "journey-map" else many[0])


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def test_the_button_waits_for_a_journey_map_and_alerts(workspace):
    at = start()
    assert at.title[0].value == "Audit"
    assert at.button[0].disabled
    assert "needs a journey map and at least one alerts file" in texts(at.info)


def test_sample_exports_give_the_report_and_its_downloads(workspace):
    at = start()
    for kind, names in SAMPLE.items():
        upload(at, kind, [(name, (WORLD / name).read_bytes()) for name in names])
    at.run()
    assert not at.button[0].disabled
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert not at.error, texts(at.error)
    assert "alerts became" in texts(at.success)
    headings = [h.value for h in at.subheader]
    assert "What was uploaded" in headings and "AI outcome metrics" in headings
    uploaded = next(df.value for df in at.dataframe if "kind" in df.value.columns)
    assert sorted(uploaded["file"]) == sorted(n for names in SAMPLE.values() for n in names), "every file stored"
    labels = [b.label for b in at.get("download_button")]
    assert labels == [f"Download {name}" for name in DOWNLOADS]
    downloads = at.session_state["_audit_result"]["downloads"]  # the bytes the buttons serve
    assert all(downloads[name] for name in DOWNLOADS)
    assert b"<html" in downloads["report.html"].lower()
    assert downloads["ranked_alerts.csv"].startswith(b"rank,")
    assert not workspace.exists(), "the session's workspace is never touched"
    assert not list(Path(tempfile.gettempdir()).iterdir()), "no temporary folder is left behind"


def test_a_malformed_file_is_a_clear_error_naming_it(workspace):
    at = start()
    upload(at, "journey-map", [("journey_map.yaml", (WORLD / "journey_map.yaml").read_bytes())])
    upload(at, "alerts", [("broken alerts.csv", BAD_CSV)])
    at.run()
    at.button[0].click().run()
    assert not at.exception, at.exception
    message = texts(at.error)
    assert "broken alerts.csv" in message and "fired_at" in message
    assert "journeylens-audit" not in message and "Traceback" not in message, "no temporary path, no traceback"
    assert not at.get("download_button")
    assert not workspace.exists()
