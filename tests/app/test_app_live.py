"""The Overview and Ranked pages say when data last arrived and whether `journeylens serve` feeds the
workspace (app/live_status.py), through Streamlit's AppTest."""

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from journeylens.app.ui import ENTRY
from journeylens.notebooks.ingest.upload import ingest_file
from streamlit.testing.v1 import AppTest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def live_workspace(tmp_path, monkeypatch, clear_streamlit_caches) -> Path:
    ws = tmp_path / "ws"
    ingest_file(ws, "journey-map", FIXTURES / "journey_map.yaml")
    ingest_file(ws, "alerts", FIXTURES / "prometheus" / "webhook_zulip_firing.json",
                file_name="live-alertmanager-alertmanager_webhook-wal-0000000001.jsonl")
    (ws / "live").mkdir()
    (ws / "live" / "status.json").write_text(json.dumps({  # as a running receiver writes it (this process)
        "pid": os.getpid(), "written_at": datetime.now(UTC).isoformat(), "events": 1234, "uploads": 7}))
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(ws))
    return ws


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


@pytest.mark.parametrize("page", [None, "views/ranked.py"], ids=["overview", "ranked"])
def test_the_page_says_when_data_arrived_and_that_it_is_live(live_workspace, page):
    at = AppTest.from_file(str(ENTRY), default_timeout=180)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    text = captions(at)
    assert "Data last arrived" in text and "from the live receiver" in text
    assert "`journeylens serve` is receiving (1,234 events, 7 batches" in text or "journeylens serve" in text
    (live_workspace / "live" / "status.json").unlink()  # the receiver stopped
    at.run()
    assert "is receiving" not in captions(at) and "Data last arrived" in captions(at)
