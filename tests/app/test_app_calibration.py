"""The Retro page's weight calibration (app/calibration_view.py) through AppTest, and `journeylens calibrate`."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from journeylens.notebooks.queue.profiles import load_profile

sys.path.insert(0, str(Path(__file__).parents[1] / "retro"))
from calibration_world import build_world  # noqa: E402

RETRO = "views/retro.py"
JOURNEYLENS = Path(sys.executable).with_name("journeylens")


@pytest.fixture
def told(tmp_path, monkeypatch, clear_streamlit_caches) -> Path:
    """A world whose actioned incidents follow confidence, not severity, opened by the app."""
    ws = build_world(tmp_path)
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(ws))
    return ws


def test_retro_page_shows_the_calibration_diff_and_accepting_saves_a_version(told, open_page):
    at = open_page(RETRO)
    at.button(key="calibration_run").click()
    at.run()
    assert not at.exception
    diff = next(d.value for d in at.dataframe if list(d.value.columns) == ["Setting", "Active", "Calibrated"])
    assert "weights.severity" in set(diff["Setting"])
    assert any("explains most of your actioned incidents" in m.value for m in at.markdown)
    assert any("held-out weeks" in s.value for s in at.success)
    at.button(key="calibration_accept").click()  # no name yet: refused, nothing saved
    at.run()
    assert any("Give your name first" in e.value for e in at.error) and load_profile(told)["version"] == 0
    at.text_input(key="retro_who").input("ana")
    at.text_input(key="calibration_why").input("confidence tells")
    at.run()
    at.button(key="calibration_accept").click()
    at.run()
    assert not at.exception
    saved = load_profile(told)
    assert saved["version"] == 1 and saved["author"] == "ana"
    entry = json.loads((told / "audit.jsonl").read_text().splitlines()[-1])
    assert entry["what"]["decision"] == "calibration.accepted" and "confidence tells" in entry["why"]


def test_cli_prints_the_weeks_and_accepts_and_refuses_thin_history(told, tmp_path):
    out = tmp_path / "weeks.csv"
    done = subprocess.run([JOURNEYLENS, "calibrate", "--workspace", told, "--out", out, "--accept", "--why", "ok"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "2026-W41" in done.stdout and "weights.severity: 0.3 ->" in done.stdout
    assert "explains most of your actioned incidents" in done.stdout and "version 1" in done.stdout
    assert out.read_text().startswith("week,precision_before,precision_after")
    assert load_profile(told)["version"] == 1
    thin = build_world(tmp_path / "thin", weeks=2, positives=3)
    done = subprocess.run([JOURNEYLENS, "calibrate", "--workspace", thin], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "Not enough history" in done.stderr and "Traceback" not in done.stderr


def test_on_the_sample_the_page_says_why_it_proposes_nothing(app_sample_copy, open_page):
    at = open_page(RETRO)
    at.button(key="calibration_run").click()
    at.run()
    assert not at.exception
    assert any("Not enough history to calibrate" in i.value and "4 such incidents" in i.value for i in at.info)
    assert not [b for b in at.button if str(b.key).startswith("calibration_accept")]
