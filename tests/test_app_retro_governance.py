"""The Retro and Governance pages through Streamlit's AppTest."""

import json
import shutil
from pathlib import Path

import pytest

from notebooks.governance import decisions

RETRO, GOVERNANCE = "views/retro.py", "views/governance.py"


@pytest.fixture
def workspace(sample_dir, tmp_path, monkeypatch, clear_streamlit_caches) -> Path:
    ws = tmp_path / "ws"
    shutil.copytree(sample_dir, ws)
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(ws))
    return ws


def test_retro_page_shows_the_week_and_records_a_decision(workspace, open_page):
    at = open_page(RETRO)
    assert at.title[0].value == "Retro" and not at.error
    labels = {m.label: m.value for m in at.metric}
    assert labels["Alerts"] == "249" and labels["Top 10 actioned"] == "9"
    stages = next(df.value for df in at.dataframe if "restore_min" in df.value.columns)
    assert set(stages["stage"]) == {"discovery", "signup", "onboarding", "checkout", "renewal"}
    at.selectbox(key="retro_week").set_value("2026-W44")
    at.run()
    assert not at.exception
    stages = next(df.value for df in at.dataframe if "restore_min" in df.value.columns)
    assert stages.set_index("stage").loc["checkout", "incidents"] == 1
    accept = [b for b in at.button if str(b.key).startswith("accept-")]
    assert accept, "the sample's history offers thresholds to tune"
    at.text_input(key="retro_who").input("ana")
    accept[0].click()
    at.run()
    assert not at.exception and len(decisions(workspace)) == 1


def test_governance_page_reports_the_chain(workspace, open_page):
    at = open_page(GOVERNANCE)
    assert any("Audit chain intact" in s.value for s in at.success)
    log = (workspace / "audit.jsonl").read_text().splitlines()
    entry = json.loads(log[0])
    entry["who"] = "someone else"
    (workspace / "audit.jsonl").write_text("\n".join([json.dumps(entry), *log[1:]]) + "\n")
    at = open_page(GOVERNANCE)
    assert any("Audit chain broken" in e.value for e in at.error)
    problems = next(df.value for df in at.dataframe if "problem" in df.value.columns)
    assert problems.iloc[0]["line"] == 1 and problems.iloc[0]["problem"] == "edited"
