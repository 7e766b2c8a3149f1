"""Readable everywhere: on the sample workspace, no table header and no line of text on these pages is a
snake_case name, and counts read '1 alert', not '1 alerts' (tests/app/screen_text.py reads the screen)."""

import re

import pytest
from screen_text import shown_headers, snake_headers, snake_text

PAGES = ["views/overview.py", "views/data.py", "views/health.py", "views/retro.py", "views/governance.py"]


@pytest.fixture
def workspace(sample_dir, monkeypatch, clear_streamlit_caches):
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(sample_dir))
    return sample_dir


@pytest.mark.parametrize("page", PAGES)
def test_no_snake_case_header_or_text_on_the_page(workspace, open_page, page):
    at = open_page(page)
    assert at.dataframe or page == "views/overview.py", "the page shows tables"
    assert snake_headers(at) == []
    # the detector's calibration evidence (signals/threshold_review) still says z_min: its sentences are not
    # this page's words
    assert [line for line in snake_text(at) if "z_min " not in line] == []
    text = " ".join(str(el.value) for kind in ("markdown", "caption", "subheader") for el in at.get(kind)
                    if "z_min " not in str(el.value))
    assert not re.search(r"(?<![\d,])1 (alerts|signals|pages|tickets|uploads)\b", text)
    assert not re.search(r"[a-z]\(s\)", text)  # 'upload(s)': counted, so say it ('time to value (s)' is a unit)


def test_journey_health_names_metrics_in_words(workspace, open_page):
    at = open_page("views/health.py")
    signals = next(t for t in at.dataframe if "peak_z" in t.value.columns)
    assert "time_to_value_s" not in set(signals.value["metric"])
    assert "Time to value (s)" in set(signals.value["metric"])
    editor = next(t for t in at.dataframe if "burn_rate" in t.value.columns)
    assert shown_headers(editor) == ["Long window", "Short window", "Burn rate (× budget pace)", "Action"]


def test_every_page_says_over_what_period_it_counts(workspace, open_page):
    at = open_page("views/retro.py")
    counted = next(c.value for c in at.caption if "Counted " in c.value)
    assert counted.startswith("All the data (2026-") and "the same queue as the Ranked page" in counted
    week = at.selectbox(key="retro_week").options[1]
    at.selectbox(key="retro_week").set_value(week).run()
    counted = next(c.value for c in at.caption if "Counted " in c.value)
    assert counted.startswith(f"Week {week} (") and "the Ranked page and the Overview count all the data" in counted
    overview = open_page("views/overview.py")
    assert any(c.value.startswith("All the data (2026-") and "Counted " in c.value for c in overview.caption)
