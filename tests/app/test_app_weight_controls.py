"""The Ranked page's weight controls (app/weight_controls.py) and its "compare with the saved profile"
(app/profile_compare_view.py) through AppTest: grouped, labelled controls with the formula beside them,
and the entries the sliders move against the saved profile."""

from pathlib import Path

import pytest
from journeylens.app.weight_controls import GROUPS, KNOBS
from journeylens.notebooks.ingest.playbook_file import load_playbooks
from journeylens.notebooks.queue.live_queue import LiveQueue
from journeylens.notebooks.queue.profiles import load_profile
from journeylens.notebooks.queue.queue_view import queue_entries
from journeylens.notebooks.queue.scoring import DEFAULT_PROFILE
from test_app_ranked import PAGE, texts

HEADINGS = ["What an alert says", "How much measured harm decides", "What is suppressed", "What is one problem",
            "When nothing is known"]
COMPARING = 180  # seconds: opening the view ranks the saved profile too, on a busy machine


@pytest.fixture
def start(sample_dir, monkeypatch, clear_streamlit_caches, open_page):
    """Opens the Ranked page on the shared sample (read-only: these tests save nothing)."""
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(sample_dir))
    return lambda: open_page(PAGE, timeout=120)


def compare_table(at):
    found = [d.value for d in at.dataframe if "places" in d.value.columns]
    return found[0] if found else None


def test_the_controls_are_grouped_and_labelled_with_the_formula_beside_them(start):
    at = start()
    assert not at.error, texts(at.error)
    expanders = [e.label for e in at.sidebar.expander]
    assert expanders == ["How the score is worked out", *HEADINGS]
    assert [heading for heading, *_ in GROUPS] == HEADINGS
    formulas = texts(at.sidebar.latex)
    assert r"\text{score} &= 100 \times \text{stake}" in formulas and r"\text{harm factor}" in formulas
    assert r"\frac{\sum_k w_k\, c_k}{\sum_k w_k}" in formulas, "the signal is the weights' weighted mean"
    # every weight of the profile has a control, every control a plain label and help
    keys = {s.key for s in at.sidebar.slider} | {c.key for c in at.sidebar.checkbox}
    assert keys == {f"knob-{key}" for key, *_ in KNOBS}
    assert {f"knob-weights.{w}" for w in DEFAULT_PROFILE["weights"]} <= keys
    for widget in [*at.sidebar.slider, *at.sidebar.checkbox]:
        assert "_" not in widget.label and widget.help, widget.label
    captions = texts(at.sidebar.caption)
    assert "Shares of the signal: severity 30%, exposure 30%, confidence 15%, duration 15%, recurrence 10%." in captions
    assert "measured and fine keeps 10% of its score" in captions
    assert "An alert group scoring below 5 is suppressed" in captions
    assert "The sliders are as saved." in captions


def test_moving_a_weight_shows_its_new_share_and_what_changed(start):
    at = start()
    at.slider(key="knob-weights.severity").set_value(0.9)
    at.slider(key="knob-threshold").set_value(10.0)
    at.run()
    assert not at.exception and not at.error, texts(at.error)
    captions = texts(at.sidebar.caption)
    assert "severity 56%, exposure 19%" in captions  # 0.9 of 1.6, 0.3 of 1.6
    assert "Changed from the saved version: Suppress entries scoring below 5 → 10; Severity weight 0.3 → 0.9." in captions
    assert "An alert group scoring below 10 is suppressed" in captions


def test_the_compare_view_says_when_the_sliders_match_the_saved_profile(start):
    at = start()
    at.toggle(key="compare_saved").set_value(True)
    at.run()
    assert not at.exception and not at.error, texts(at.error)
    assert "The sliders match the saved profile." in texts(at.info)
    assert compare_table(at) is None and "keep their place" not in texts(at.markdown)
    assert "_saved_queue" not in at.session_state, "nothing is ranked to say the sliders match"


def saved_places(workspace: Path) -> dict:
    """{entry_id: (rank, suppressed)} of the queue under the saved default profile, ranked on its own."""
    live = LiveQueue(workspace)
    try:
        live.update(load_profile(workspace)["profile"], load_playbooks(workspace))
        entries = queue_entries(live.queue())
    finally:
        live.close()
    return {row.entry_id: (row.rank, row.suppressed) for row in entries.itertuples()}


def test_the_compare_view_lists_the_entries_the_sliders_move(start, sample_dir):
    at = start()
    at.slider(key="knob-corroboration").set_value(0.0)  # the evidence off: harmless loud alerts rise
    at.slider(key="knob-weights.severity").set_value(1.0)
    at.run()
    assert "_saved_queue" not in at.session_state, "the saved profile is ranked only when the view is opened"
    at.toggle(key="compare_saved").set_value(True)
    at.run(timeout=COMPARING)
    assert not at.exception and not at.error, texts(at.error)
    table = compare_table(at)
    assert table is not None and len(table)
    saved = saved_places(sample_dir)
    now = {row.entry_id: (row.rank, row.suppressed)
           for row in queue_entries(at.session_state["_live_queue"].queue()).itertuples()}
    for row in table.itertuples():
        assert (row.rank_saved, row.rank_now) == (saved[row.entry_id][0], now[row.entry_id][0]), row
        assert row.places == row.rank_saved - row.rank_now
        if row.change == "moved up":
            assert row.rank_now < row.rank_saved
        elif row.change == "moved down":
            assert row.rank_now > row.rank_saved
        elif row.change == "entered the queue":
            assert saved[row.entry_id][1] and not now[row.entry_id][1]
        elif row.change == "left the queue":
            assert not saved[row.entry_id][1] and now[row.entry_id][1]
    assert {"moved up", "moved down", "entered the queue"} <= set(table["change"])
    moved = sum(1 for key in now if key in saved and saved[key] != now[key])
    assert len(table) == moved, "every entry that changed place or state is listed, no other"
    said = texts(at.markdown)
    assert "Under the sliders," in said and "enter the queue" in said
    assert "Weight of measured harm (corroboration) 0.9 → 0" in texts(at.caption)
    # the page's own ranking was not disturbed: one full ranking, re-ranked in place by the sliders
    live = at.session_state["_live_queue"]
    assert live.full_rankings == 1

    # another slider: compared again, the saved profile's queue taken from the session, not ranked again
    kept = at.session_state["_saved_queue"]
    at.slider(key="knob-threshold").set_value(30.0)
    at.run()
    assert not at.exception and not at.error, texts(at.error)
    assert at.session_state["_saved_queue"] is kept
    assert "left the queue" in set(compare_table(at)["change"])

    # back to the saved values: nothing else is shown
    at.slider(key="knob-threshold").set_value(5.0)
    at.slider(key="knob-corroboration").set_value(0.9)
    at.slider(key="knob-weights.severity").set_value(0.3)
    at.run()
    assert "The sliders match the saved profile." in texts(at.info) and compare_table(at) is None
