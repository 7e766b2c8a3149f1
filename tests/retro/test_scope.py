"""The counts each page shows agree, or differ only by the period each says it counts (notebooks/retro/scope.py):
the Retro over all the data counts the Ranked page's queue, and its weeks split that queue by when each group
first fired."""

import pandas as pd
import pytest
from journeylens.notebooks.queue.queue_view import queue_counts, ranked_frame
from journeylens.notebooks.retro import scope
from journeylens.notebooks.retro.weekly import retro, retro_context


@pytest.fixture(scope="module")
def context(sample_dir):
    return retro_context(sample_dir)


def test_the_retro_over_all_the_data_counts_the_ranked_pages_queue(sample_dir, context):
    found = retro(sample_dir, None, context=context)
    assert found["counts"] == queue_counts(ranked_frame(sample_dir))
    assert found["scope"].startswith("All the data (2026-")


def test_the_weeks_split_the_queue_by_when_each_group_first_fired(sample_dir, context):
    total = retro(sample_dir, None, context=context)["counts"]
    weeks = sorted({f"{when:%G-W%V}" for when in pd.to_datetime(context["frame"]["first_fired_at"])})
    per_week = [retro(sample_dir, week, context=context) for week in weeks]
    for key in ("alerts", "alert_groups", "journey_signal", "ai_signal", "burn_rate_page"):
        assert sum(found["counts"][key] for found in per_week) == total[key], key
    assert all(found["scope"].startswith(f"Week {week} (") for week, found in zip(weeks, per_week, strict=True))
    # one week is less than the whole: the page must say so, which is what the scope note is for
    assert max(found["counts"]["alert_groups"] for found in per_week) < total["alert_groups"]


def test_scope_sentences():
    frame = pd.DataFrame({"first_fired_at": pd.to_datetime(["2026-10-17 02:28", "2026-11-01 09:00"]),
                          "last_fired_at": pd.to_datetime(["2026-10-17 03:00", "2026-11-15 22:10"])})
    assert scope.all_data_scope(frame) == "All the data (2026-10-17 to 2026-11-15)"
    assert scope.all_data_scope(frame.iloc[:0]) == "All the data"
    start = pd.Timestamp("2026-10-26")
    assert (scope.week_scope("2026-W44", start, start + pd.Timedelta(days=7), frame)
            == "Week 2026-W44 (2026-10-26 to 2026-11-01)")
    assert scope.scoped("Week 2026-W44", "Counted 3 alerts.") == "Week 2026-W44: Counted 3 alerts."
    assert "the Ranked page and the Overview count all the data" in scope.retro_scope_note("2026-W44")
    assert "the same queue as the Ranked page" in scope.retro_scope_note(None)
