"""Over what period a page counts, in one sentence every page can put before queue_view.counts_text.

The Ranked page and the Overview count the whole ranked queue (every alert group and signal, all the data);
the Retro counts only what first fired in the week it shows. Without saying so, 177 groups on one page and
51 on another read as a contradiction. These sentences say which period each count covers, and the Retro
says how its numbers relate to the Ranked page's, so that two counts that differ differ only by the scope
stated on screen (tests/retro/test_scope.py checks that they do)."""

import pandas as pd

DAY = "%Y-%m-%d"


def data_span(frame: pd.DataFrame) -> tuple | None:
    """(first, last) day anything in the ranked frame fired, or None for an empty frame."""
    if frame is None or frame.empty:
        return None
    first = pd.to_datetime(frame["first_fired_at"]).min()
    last = pd.to_datetime(frame["last_fired_at"] if "last_fired_at" in frame else frame["first_fired_at"]).max()
    if pd.isna(first) or pd.isna(last):
        return None
    return first, last


def all_data_scope(frame: pd.DataFrame) -> str:
    """'All the data (2026-10-17 to 2026-11-15)': what the Ranked page and the Overview count."""
    span = data_span(frame)
    return "All the data" + (f" ({span[0]:{DAY}} to {span[1]:{DAY}})" if span else "")


def week_scope(week: str | None, start, end, frame: pd.DataFrame) -> str:
    """'Week 2026-W44 (2026-10-26 to 2026-11-01)' for an ISO week (its weekly.week_window start and end),
    all_data_scope(frame) for None."""
    if week is None:
        return all_data_scope(frame)
    return f"Week {week} ({start:{DAY}} to {end - pd.Timedelta(days=1):{DAY}})"


def scoped(scope: str, counted: str) -> str:
    """The counts line with its period in front: 'Week … : Counted 177 alerts …'."""
    return f"{scope}: {counted}"


def retro_scope_note(week: str | None) -> str:
    """How the Retro's numbers relate to the Ranked page's (said under the Retro's counts)."""
    period = ("only alert groups and signals that first fired in this week; the Ranked page and the Overview "
              "count all the data" if week else "the same queue as the Ranked page and the Overview")
    return (f"Counted here: {period}. \"Unsuppressed\" counts alert groups; the Ranked page's \"in the queue\" "
            "counts queue entries, where the groups of one outage are one incident candidate and journey, AI and "
            "burn-rate signals are entries too.")
