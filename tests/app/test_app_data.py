"""The Data page through Streamlit's AppTest: upload, preview, map, store, refuse, list, remove."""

import tempfile
from pathlib import Path

import pytest
from journeylens.app.ui import ENTRY, streamlit_command
from journeylens.notebooks.workspace.snapshot import list_uploads
from streamlit.testing.v1 import AppTest

ALERTS_CSV = (
    b"fired_at,service,name,severity\n"
    b"2025-03-03T10:00:00Z,payments-api,HighLatency,critical\n"
    b"2025-03-03T10:05:00Z,payments-api,HighErrorRate,warning\n"
    b"2025-03-03T11:00:00Z,search,SlowQueries,low\n"
)
BAD_TS_CSV = (
    b"fired_at,service,name,severity\n"
    b"2025-03-03T10:00:00Z,payments-api,HighLatency,critical\n"
    b"yesterday-ish,payments-api,HighErrorRate,warning\n"
)
JOURNEY_MAP = b"""journey: storefront
stages:
  - {id: search, name: Search, impact: 5, sensitivity: 0.4}
  - {id: checkout, name: Checkout, impact: 9, sensitivity: 1.0}
touchpoints:
  - stage: checkout
    match: {service: "payments-*"}
"""
UNMAPPED_CSV = ALERTS_CSV.replace(b"fired_at,", b"when_it_fired,", 1)


@pytest.fixture
def workspace(tmp_path, monkeypatch, clear_streamlit_caches) -> Path:
    ws = tmp_path / "ws"
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(ws))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the page's copies of uploads land here
    return ws


def start() -> AppTest:
    at = AppTest.from_file(str(ENTRY), default_timeout=30)
    at.run()
    at.switch_page("views/data.py")  # the app opens on the Overview
    at.run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader[0].set_value((name, content, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    return at


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def store(at: AppTest) -> AppTest:
    at.button(key="store").click()
    at.run()
    assert not at.exception, at.exception
    return at


def test_empty_workspace_renders(workspace):
    at = start()
    assert at.title[0].value == "Data"
    assert "Nothing stored yet" in texts(at.info)
    assert not at.error


def test_upload_preview_store_then_listed_and_summarised(workspace):
    at = upload(start(), "alerts.csv", ALERTS_CSV)
    assert "alerts.csv" in texts(at.markdown)
    assert len(at.dataframe[0].value) == 3  # the preview

    at = store(at)
    assert not at.error, texts(at.error)
    assert at.success, "a stored file is confirmed"
    stored = list_uploads(workspace)
    assert list(stored["file_name"]) == ["alerts.csv"]
    assert list(stored["rows"]) == [3]
    listed = [df.value for df in at.dataframe if "upload_id" in df.value.columns]
    assert listed and list(listed[0]["file_name"]) == ["alerts.csv"]
    alerts_metric = [m for m in at.metric if m.label == "Alerts"]
    assert alerts_metric and alerts_metric[0].value == "3"
    assert at.file_uploader[0].value is None, "the uploader is cleared for the next file"


def test_same_file_again_is_not_stored_twice(workspace):
    at = store(upload(start(), "alerts.csv", ALERTS_CSV))
    at = store(upload(at, "alerts-again.csv", ALERTS_CSV))
    assert "already stored as" in texts(at.info)
    assert "nothing added" in texts(at.info)
    assert len(list_uploads(workspace)) == 1


def test_bad_timestamp_is_refused_with_row_and_column(workspace):
    at = upload(start(), "bad.csv", BAD_TS_CSV)
    if not at.error:  # the preview may read too few rows to see it; storing must refuse it then
        at = store(at)
    message = texts(at.error)
    assert "bad.csv" in message and "row 2" in message and "fired_at" in message
    assert not at.exception
    assert list_uploads(workspace).empty


def test_format_override_that_does_not_fit_is_refused(workspace):
    at = start()
    at.selectbox(key="format").set_value("parquet")
    at.run()
    at = upload(at, "alerts.csv", ALERTS_CSV)
    if not at.error:
        at = store(at)
    assert "alerts.csv" in texts(at.error)
    assert "journeylens-upload-" not in texts(at.error), "the temporary path stays hidden"
    assert list_uploads(workspace).empty


def test_store_reports_progress(workspace, monkeypatch):
    import journeylens.notebooks.ingest.upload

    seen = []
    real = journeylens.notebooks.ingest.upload.ingest_file

    def recording(*args, progress=None, **kwargs):
        def spy(fraction, text):
            seen.append(fraction)
            progress(fraction, text)

        return real(*args, progress=spy, **kwargs)

    monkeypatch.setattr(journeylens.notebooks.ingest.upload, "ingest_file", recording)
    at = store(upload(start(), "alerts.csv", ALERTS_CSV))
    assert not at.error, texts(at.error)
    assert seen and seen[-1] == 1.0


def test_missing_column_is_mapped_then_stored(workspace):
    at = upload(start(), "custom.csv", UNMAPPED_CSV)
    assert "fired_at" in texts(at.warning)
    assert not [b for b in at.button if b.key == "store"], "no Store while a required column is missing"
    pick = next(s for s in at.selectbox if s.label.startswith("fired_at"))
    assert "when_it_fired" in pick.options
    pick.set_value("when_it_fired")
    at.form_submit_button[0].click()
    at.run()
    assert not at.exception, at.exception
    assert not at.warning, texts(at.warning)

    at = store(at)
    assert not at.error, texts(at.error)
    stored = list_uploads(workspace)
    assert list(stored["file_name"]) == ["custom.csv"] and list(stored["rows"]) == [3]


def test_journey_map_previews_its_stages_and_stores(workspace):
    at = start()
    at.selectbox(key="kind").set_value("journey-map")
    at.run()
    at.file_uploader[0].set_value(("map.yaml", JOURNEY_MAP, "application/yaml"))
    at.run()
    assert not at.exception, at.exception
    assert not at.error, texts(at.error)
    assert len(at.dataframe[0].value) == 2  # the stages
    at = store(at)
    assert not at.error, texts(at.error)
    assert list(list_uploads(workspace)["kind"]) == ["journey-map"]
    stages = [m for m in at.metric if m.label == "Journey stages"]
    assert stages and stages[0].value == "2"


def test_remove_an_upload(workspace):
    at = store(upload(start(), "alerts.csv", ALERTS_CSV))
    upload_id = list_uploads(workspace)["upload_id"][0]
    at.selectbox(key="remove_choice").set_value(upload_id)
    at.text_input(key="remove_why").input("wrong environment")
    at.checkbox(key="remove_confirm").check()
    at.run()
    at.button(key="remove").click()
    at.run()
    assert not at.exception, at.exception
    assert "Removed alerts.csv" in texts(at.success)
    assert list_uploads(workspace).empty
    assert "Nothing stored yet" in texts(at.info)


def test_unexpected_error_is_a_message_not_a_traceback(workspace, monkeypatch):
    import journeylens.notebooks.workspace.snapshot

    def broken(ws):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(journeylens.notebooks.workspace.snapshot, "workspace_summary", broken)
    at = start()
    assert "disk on fire" in texts(at.error)
    assert at.subheader and "Uploads" in texts(at.subheader), "the rest of the page still renders"


def test_streamlit_command_is_loopback_headless_without_usage_stats():
    argv = streamlit_command(8599)
    assert argv[1:4] == ["-m", "journeylens.app.launch", "run"] and Path(argv[4]) == ENTRY and ENTRY.is_file()
    flags = dict(zip(argv[5::2], argv[6::2], strict=True))
    assert flags == {"--server.address": "127.0.0.1", "--server.port": "8599",
                     "--server.headless": "true", "--browser.gatherUsageStats": "false",
                     "--client.toolbarMode": "viewer", "--runner.postScriptGC": "false"}


def test_a_stored_upload_starts_ranking_the_new_snapshot(workspace, monkeypatch):
    """After a store the new snapshot is ranked in the background (app/launch.open_ahead), so that the Ranked
    page finds it ranked; JOURNEYLENS_OPEN_AHEAD=off (the suite's default for page runs) starts nothing."""
    from journeylens.app import launch
    from journeylens.app.shared_queue import open_queues
    from journeylens.app.ui import upload_key

    started = []
    real = launch.open_ahead
    monkeypatch.setattr(launch, "open_ahead", lambda ws: started.append(real(ws)))
    at = store(upload(start(), "alerts.csv", ALERTS_CSV))
    assert started == [None], "off: nothing ranked ahead"

    monkeypatch.setenv("JOURNEYLENS_OPEN_AHEAD", "on")
    at.selectbox(key="kind").set_value("journey-map")
    at.run()
    at.file_uploader[0].set_value(("map.yaml", JOURNEY_MAP, "application/yaml"))
    at.run()
    at = store(at)
    assert not at.error, texts(at.error)
    assert sorted(list_uploads(workspace)["kind"]) == ["alerts", "journey-map"]
    assert len(started) == 2 and started[1] is not None
    started[1].join(timeout=120)
    live = open_queues().of(workspace)
    assert live.key == (str(workspace), upload_key(workspace)), "the snapshot with the new alerts"
    assert live.full_rankings == 1 and live.last_path == "full" and live.counts()["entries"] >= 1
