"""The AI page's early churn section (app/churn_view.py) through AppTest: quiet on the sample, and on a world
with an adoption drop and a ticket spike, the signals listed and the chosen series drawn with its labels."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "ai"))
from churn_worlds import world  # noqa: E402 (the worlds live with the churn tests)

PAGE = "views/ai.py"


def charts(at) -> list:
    return [json.loads(c.proto.spec) for c in (at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart"))]


def churn_table(at):
    return next((df.value for df in at.dataframe if {"signal", "title"} <= set(df.value.columns)), None)


def test_sample_shows_the_section_and_no_churn_signal(app_sample_copy, open_page):
    at = open_page(PAGE)
    assert not at.exception and not at.error
    assert any(s.value == "Early churn signals" for s in at.subheader)
    assert any("No churn signal" in s.value for s in at.success)


def test_fired_signals_are_listed_and_the_series_is_drawn(tmp_path, monkeypatch, clear_streamlit_caches, open_page):
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(world(tmp_path, adoption_drop=True, tickets="spike")))
    at = open_page(PAGE)
    assert not at.exception and not at.error
    listed = churn_table(at)
    assert {"Adoption velocity", "Support tickets"} <= set(listed["signal"])
    at.selectbox(key="churn_signal").set_value("tickets")
    at.run()
    titles = [json.dumps(c.get("title", "")) for c in charts(at)]
    assert any("summarise: support tickets a week against its baseline" in t for t in titles)
