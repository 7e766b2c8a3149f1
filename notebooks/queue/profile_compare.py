"""Compare two rankings of one workspace: the queue under the sliders against the queue under a saved
weight profile. Which entries move, by how many places and how much score, and which enter or leave the
queue (suppressed under one, kept under the other). The Ranked page's "compare with the saved profile".

The comparison (compare_queues) is plain pandas over two entry frames as queue_view.queue_entries gives
them. Entries are matched by `entry_id`, the incident key: the entry's first alert group to fire
(sql/queue/16_group_incidents.sql). It is chosen so that it stays put when weights change: weights,
corroboration, the threshold and the defaults change scores, never which groups exist or how they link,
so every entry keeps its id. The lead member shown for an entry (`member_group_ids`' first) is its best
scoring member and can change with a weight; it is no key. Settings that regroup alerts (the group gap)
or relink them can make and unmake entries: those show as "new entry" or "no longer an entry".

saved_entries ranks a profile on its own short-lived connection, selecting only what the comparison
reads, so the page's open ranking (live_queue.LiveQueue) is not disturbed and nothing large is kept."""

from __future__ import annotations

import math

import pandas as pd
from journeylens.notebooks.queue.queue_view import queue_entries
from journeylens.notebooks.queue.ranking import rank_alerts
from journeylens.notebooks.queue.scoring import resolve_profile
from journeylens.notebooks.workspace.snapshot import connect
from journeylens.notebooks.workspace.versions import diff_payloads

KEY = "entry_id"
# What the comparison keeps of an entry: its key, its place and score, and what names it on screen.
POSITION_COLUMNS = (KEY, "rank", "score", "suppressed", "kind", "lane", "stage", "service", "name")
# How an entry changed, in the order the comparison lists them: what enters or leaves the queue first.
CHANGES = ("entered the queue", "left the queue", "new entry", "no longer an entry", "moved up", "moved down",
           "same place")
# The order of the listing, 0 first: a change of the queue itself, then entries made or unmade, then moves.
PRIORITY = {"entered the queue": 0, "left the queue": 0, "new entry": 1, "no longer an entry": 1, "moved up": 2,
            "moved down": 2, "same place": 3}
# (one entry, several) of each change, in a sentence.
VERBS = {"moved up": ("moves up", "move up"), "moved down": ("moves down", "move down"),
         "entered the queue": ("enters the queue", "enter the queue"),
         "left the queue": ("leaves the queue", "leave the queue"),
         "new entry": ("appears", "appear"), "no longer an entry": ("disappears", "disappear")}
IN_QUEUE, SUPPRESSED, ABSENT = "in the queue", "suppressed", "not an entry"
# The groups of a ranking as queue_entries needs them, and no more: the ranks in queue_select's order
# (ranking.queue_select: suppressed, score desc, first fired, group id), the fields that name an entry's
# lead, and the incident key. The alert ids and flap cycles queue_select works out over every alert are
# left out: the comparison never shows them.
NARROW_SELECT = """
select row_number() over (order by r.suppressed, r.score desc, r.first_fired_at, r.group_id) as rank,
       r.group_id, r.kind, r.lane, r.score, r.suppressed, r.first_fired_at, g.last_fired_at, g.service, g.name,
       g.stage, g.source, g.severity, g.alert_count, '' as alert_ids, gi.incident_key
from ranked_groups as r
join alert_groups as g using (group_id)
left join group_incidents as gi using (group_id)
order by rank
"""


def saved_entries(workspace, profile: dict) -> pd.DataFrame:
    """The queue's entries (POSITION_COLUMNS) of `workspace` under `profile`, ranked as the Ranked page ranks
    (journey signals and AI drops too), on a connection opened and closed here. Playbooks are not read:
    they route an entry, never move it."""
    con = connect(workspace)
    try:
        rank_alerts(con, resolve_profile(profile), None, signals=True)
        groups = con.execute(NARROW_SELECT).df()
    finally:
        con.close()
    return positions(queue_entries(groups))


def positions(entries: pd.DataFrame) -> pd.DataFrame:
    """The columns of an entry frame (queue_view.queue_entries) the comparison reads."""
    return entries[list(POSITION_COLUMNS)].reset_index(drop=True)


def changed_settings(current: dict, saved: dict) -> list:
    """[(setting, saved value, current value)] of every setting that differs between two profiles, each
    resolved first. Numbers within a billionth are equal: a slider moved away and back may hand back 0.30000000000000004."""
    changes = []
    for setting, old, new in diff_payloads(resolve_profile(saved), resolve_profile(current)):
        numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (old, new))
        if numbers and math.isclose(old, new, rel_tol=1e-9, abs_tol=1e-9):
            continue
        changes.append((setting, old, new))
    return changes


def state(frame: pd.DataFrame, suffix: str) -> pd.Series:
    """'in the queue', 'suppressed' or 'not an entry' (no such entry under that profile)."""
    suppressed = frame[f"suppressed{suffix}"]
    words = suppressed.map({True: SUPPRESSED, False: IN_QUEUE})
    return words.where(suppressed.notna(), ABSENT).astype(str)


def compare_queues(saved: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """One row per entry of either queue (matched by KEY), in CHANGES order, the largest moves first:

    entry_id, kind, lane, stage, service, name (as the current queue names it, else the saved one),
    rank_saved, rank_now, places (rank_saved - rank_now: positive moved up), score_saved, score_now,
    score_change (now - saved), state_saved, state_now (IN_QUEUE, SUPPRESSED, ABSENT), change (CHANGES).
    Ranks count every entry, the suppressed ones last, as the queue ranks them."""
    before = positions(saved).set_index(KEY)
    after = positions(current).set_index(KEY)
    both = before.join(after, how="outer", suffixes=("_saved", "_now"), sort=False)
    out = pd.DataFrame(index=both.index)
    for column in ("kind", "lane", "stage", "service", "name"):
        out[column] = both[f"{column}_now"].where(both[f"{column}_now"].notna(), both[f"{column}_saved"])
    for column in ("rank_saved", "rank_now"):
        out[column] = both[column].astype("Int64")
    out["places"] = out["rank_saved"] - out["rank_now"]
    out["score_saved"], out["score_now"] = both["score_saved"].astype(float), both["score_now"].astype(float)
    out["score_change"] = out["score_now"] - out["score_saved"]
    out["state_saved"], out["state_now"] = state(both, "_saved"), state(both, "_now")
    change = pd.Series("same place", index=out.index)
    change = change.mask(out["places"].fillna(0) > 0, "moved up").mask(out["places"].fillna(0) < 0, "moved down")
    change = change.mask(out["state_saved"].eq(SUPPRESSED) & out["state_now"].eq(IN_QUEUE), "entered the queue")
    change = change.mask(out["state_saved"].eq(IN_QUEUE) & out["state_now"].eq(SUPPRESSED), "left the queue")
    change = change.mask(out["state_saved"].eq(ABSENT), "new entry").mask(out["state_now"].eq(ABSENT),
                                                                          "no longer an entry")
    out["change"] = change
    # entering or leaving the queue first, then entries made or unmade, then the largest moves; ties by
    # the place now (as saved for an entry gone), then the key, so the order never depends on the frames'
    order = out.assign(_group=change.map(PRIORITY), _places=-out["places"].abs().fillna(0),
                       _place=out["rank_now"].fillna(out["rank_saved"]))
    order = order.reset_index().sort_values(["_group", "_places", "_place", KEY], kind="stable")
    return order.drop(columns=["_group", "_places", "_place"]).reset_index(drop=True)


def movers(comparison: pd.DataFrame) -> pd.DataFrame:
    """The rows of a comparison whose entry changed place or state (every change but 'same place')."""
    return comparison[comparison["change"].ne("same place")].reset_index(drop=True)


def comparison_counts(comparison: pd.DataFrame) -> dict:
    """{change: number of entries} for every CHANGES value (0 when none)."""
    counts = comparison["change"].value_counts()
    return {change: int(counts.get(change, 0)) for change in CHANGES}


def comparison_text(counts: dict) -> str:
    """One sentence of what the sliders do to the saved profile's queue, naming only what happened."""
    parts = [f"{counts[c]:,} {'entry' if counts[c] == 1 else 'entries'} {one if counts[c] == 1 else many}"
             for c, (one, many) in VERBS.items() if counts[c]]
    if not parts:
        return f"Every one of the {counts['same place']:,} entries keeps its place; only scores change."
    moved = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    return f"Under the sliders, {moved}; {counts['same place']:,} keep their place."
