"""The prompt backlog section of the AI page (app/backlog_view.py) in Streamlit's AppTest: the per-feature
tables, the window and feature filters, the downloads, and marking items triaged into the audit trail."""

import json
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ai"))
from backlog_world import FORMULA, build_backlog_world  # noqa: E402


def section(ws: str) -> None:
    from pathlib import Path

    from journeylens.app.backlog_view import backlog_section
    from journeylens.app.ui import show_flash

    show_flash()
    backlog_section(Path(ws))


@pytest.fixture
def world(tmp_path, clear_streamlit_caches):
    shared = tmp_path / "built"
    shared.mkdir()
    return build_backlog_world(shared)


def open_section(ws) -> AppTest:
    at = AppTest.from_function(section, args=(str(ws),), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def items(at):
    return next(df.value for df in at.dataframe if "interaction_id" in df.value.columns)


def test_tables_filters_and_downloads(world):
    at = open_section(world)
    assert at.subheader[0].value == "Prompt backlog"
    assert list(items(at)["interaction_id"]) == ["a1", "a4", "a2", "b1"]
    summary = next(df.value for df in at.dataframe if "items" in df.value.columns)
    assert list(summary["feature"]) == ["search", "billing"] and list(summary["items"]) == [3, 1]
    assert FORMULA in set(items(at)["prompt"])  # shown as text in a table, never as markdown
    assert not any(FORMULA in m.value for m in at.markdown)
    at.selectbox(key="backlog_since").set_value("7d").run()
    assert "a5" in set(items(at)["interaction_id"])
    at.selectbox(key="backlog_feature").set_value("billing").run()
    assert list(items(at)["interaction_id"]) == ["b1"]
    buttons = {b.proto.label for b in at.get("download_button")}
    assert {"Download backlog (CSV)", "Download backlog (JSON Lines)"} <= buttons


def test_mark_selected_as_triaged(world):
    at = open_section(world)
    at.multiselect(key="backlog_pick").set_value(["a1", "b1"])
    at.text_input(key="backlog_why").input("fixed the prompt")
    at.button[0].click().run()
    assert any("Give your name" in e.value for e in at.error)  # who is recorded: a name is required
    at.text_input(key="backlog_who").input("ana")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert list(items(at)["interaction_id"]) == ["a4", "a2"]
    assert any("Marked 2 backlog item(s) triaged" in s.value for s in at.success)
    last = json.loads((Path(world) / "audit.jsonl").read_text().splitlines()[-1])
    assert last["action"] == "backlog.triaged" and last["who"] == "ana" and last["why"] == "fixed the prompt"
    at.checkbox(key="backlog_triaged").check().run()
    shown = items(at).set_index("interaction_id")
    assert shown.loc["a1", "triaged"] and shown.loc["a1", "triaged_by"] == "ana"


def test_the_ai_page_shows_the_section(app_sample_copy, open_page):  # noqa: ARG001 (the page opens the copy)
    at = open_page("views/ai.py")
    assert "Prompt backlog" in [s.value for s in at.subheader]
