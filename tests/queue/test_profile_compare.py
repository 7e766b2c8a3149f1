"""Comparing the queue under the sliders with the queue under a saved profile (queue/profile_compare.py):
which entries move, by how much, which enter or leave the queue; ties; what counts as a changed setting."""

import copy

import pandas as pd
import pytest
from journeylens.notebooks.queue.profile_compare import (
    KEY,
    changed_settings,
    compare_queues,
    comparison_counts,
    comparison_text,
    movers,
    positions,
    saved_entries,
)
from journeylens.notebooks.queue.scoring import DEFAULT_PROFILE


def queue(*rows) -> pd.DataFrame:
    """Entries as queue_entries gives them: (entry_id, score, suppressed), ranked in the order given (the
    queue's order: suppressed last, then by score)."""
    return pd.DataFrame([{"entry_id": key, "rank": rank, "score": score, "suppressed": suppressed,
                          "kind": "alert_group", "lane": "queue", "stage": "checkout", "service": f"svc-{key}",
                          "name": f"alert {key}", "members": 1}
                         for rank, (key, score, suppressed) in enumerate(rows, start=1)])


def by_key(comparison: pd.DataFrame) -> pd.DataFrame:
    return comparison.set_index(KEY)


def test_entries_that_swap_move_by_their_places_and_scores():
    saved = queue(("a", 50.0, False), ("b", 40.0, False), ("c", 30.0, False))
    now = queue(("b", 60.0, False), ("a", 45.0, False), ("c", 30.0, False))
    rows = by_key(compare_queues(saved, now))
    assert rows.loc["b", "change"] == "moved up" and rows.loc["b", "places"] == 1
    assert rows.loc["a", "change"] == "moved down" and rows.loc["a", "places"] == -1
    assert rows.loc["c", "change"] == "same place" and rows.loc["c", "places"] == 0
    assert rows.loc["b", "score_change"] == pytest.approx(20.0)
    assert rows.loc["a", "score_change"] == pytest.approx(-5.0)
    assert (rows.loc["a", "rank_saved"], rows.loc["a", "rank_now"]) == (1, 2)
    assert list(movers(compare_queues(saved, now))[KEY]) == ["b", "a"]  # equal moves: the better place now first


def test_entering_and_leaving_the_queue_is_named_and_listed_first():
    saved = queue(("a", 50.0, False), ("b", 40.0, False), ("c", 3.0, True), ("d", 2.0, True))
    now = queue(("a", 50.0, False), ("c", 20.0, False), ("d", 2.5, True), ("b", 4.0, True))
    comparison = compare_queues(saved, now)
    rows = by_key(comparison)
    assert rows.loc["c", "change"] == "entered the queue"
    assert (rows.loc["c", "state_saved"], rows.loc["c", "state_now"]) == ("suppressed", "in the queue")
    assert rows.loc["b", "change"] == "left the queue"
    assert (rows.loc["b", "state_saved"], rows.loc["b", "state_now"]) == ("in the queue", "suppressed")
    # d stays suppressed and moves up a place: a move, not a change of the queue
    assert rows.loc["d", "change"] == "moved up" and rows.loc["d", "state_now"] == "suppressed"
    assert list(comparison[KEY])[:2] == ["b", "c"], "entering and leaving first, largest first"
    assert list(comparison[KEY])[2:] == ["d", "a"]


def test_an_entry_only_one_profile_makes_is_new_or_gone():
    """A group gap change regroups alerts: entries can appear and disappear."""
    saved = queue(("a", 50.0, False), ("old", 40.0, False))
    now = queue(("new", 55.0, False), ("a", 50.0, False))
    comparison = compare_queues(saved, now)
    rows = by_key(comparison)
    assert rows.loc["new", "change"] == "new entry" and rows.loc["new", "state_saved"] == "not an entry"
    assert pd.isna(rows.loc["new", "rank_saved"]) and pd.isna(rows.loc["new", "places"])
    assert rows.loc["old", "change"] == "no longer an entry" and rows.loc["old", "state_now"] == "not an entry"
    assert rows.loc["old", "service"] == "svc-old", "a gone entry is named from the saved queue"
    assert rows.loc["a", "change"] == "moved down"
    assert comparison_counts(comparison) == {"entered the queue": 0, "left the queue": 0, "new entry": 1,
                                             "no longer an entry": 1, "moved up": 0, "moved down": 1,
                                             "same place": 0}


def test_tied_scores_keep_their_places_and_a_passed_entry_moves_without_a_score_change():
    # b and c tie under both profiles: the queue's own tie-break (first fired, id) keeps their order
    saved = queue(("a", 50.0, False), ("b", 30.0, False), ("c", 30.0, False))
    now = queue(("a", 50.0, False), ("b", 30.0, False), ("c", 30.0, False))
    assert movers(compare_queues(saved, now)).empty
    assert comparison_text(comparison_counts(compare_queues(saved, now))) == (
        "Every one of the 3 entries keeps its place; only scores change.")
    # a falls to a tie with b and c and sorts after them: b and c move up with unchanged scores
    now = queue(("b", 30.0, False), ("c", 30.0, False), ("a", 30.0, False))
    rows = by_key(compare_queues(saved, now))
    assert rows.loc["a", "places"] == -2 and rows.loc["a", "score_change"] == pytest.approx(-20.0)
    assert rows.loc["b", "change"] == rows.loc["c", "change"] == "moved up"
    assert rows.loc["b", "score_change"] == rows.loc["c", "score_change"] == 0


def test_the_order_does_not_depend_on_the_frames_order():
    saved = queue(("a", 50.0, False), ("b", 40.0, False), ("c", 30.0, False), ("d", 20.0, False))
    now = queue(("d", 60.0, False), ("c", 55.0, False), ("b", 45.0, False), ("a", 44.0, False))
    one = compare_queues(saved, now)
    other = compare_queues(saved.sample(frac=1, random_state=1), now.sample(frac=1, random_state=2))
    pd.testing.assert_frame_equal(one, other)
    assert list(one[KEY]) == ["d", "a", "c", "b"]  # 3 places each (d stands higher now), then 1 each


def test_the_sentence_names_only_what_happened():
    counts = {"entered the queue": 1, "left the queue": 0, "new entry": 0, "no longer an entry": 2,
              "moved up": 3, "moved down": 1, "same place": 7}
    assert comparison_text(counts) == ("Under the sliders, 3 entries move up, 1 entry moves down, "
                                       "1 entry enters the queue and 2 entries disappear; 7 keep their place.")


def test_changed_settings_ignore_a_slider_s_float_noise():
    saved = copy.deepcopy(DEFAULT_PROFILE)
    current = copy.deepcopy(saved)
    current["weights"]["severity"] = 0.1 + 0.2  # 0.30000000000000004, what a slider moved away and back gives
    assert changed_settings(current, saved) == []
    current["weights"]["severity"] = 0.9
    current["threshold_spares_harm"] = False
    assert changed_settings(current, saved) == [("threshold_spares_harm", True, False),
                                                ("weights.severity", 0.3, 0.9)]
    # a saved profile names only what differs from the defaults: it is resolved before comparing
    assert changed_settings(DEFAULT_PROFILE, {"threshold": 5.0}) == []


def test_the_saved_queue_is_the_pages_queue(sample_dir):
    """saved_entries' narrow ranking gives the entries, places, scores and states LiveQueue gives."""
    from journeylens.notebooks.ingest.playbook_file import load_playbooks
    from journeylens.notebooks.queue.live_queue import LiveQueue
    from journeylens.notebooks.queue.queue_view import queue_entries

    profile = copy.deepcopy(DEFAULT_PROFILE)
    profile["weights"]["severity"], profile["corroboration"] = 1.0, 0.5
    live = LiveQueue(sample_dir)
    try:
        live.update(profile, load_playbooks(sample_dir))
        expected = positions(queue_entries(live.queue()))
    finally:
        live.close()
    found = saved_entries(sample_dir, profile)
    pd.testing.assert_frame_equal(found, expected)
    assert len(found) > 100 and found["suppressed"].any() and (~found["suppressed"]).any()
