"""The ranked queue of a stored workspace, read from the ranking kept for its snapshot (issue 16 §1).

Everything a full ranking works out before a weight is applied depends on the snapshot (its uploads and
versioned configuration), the profile's grouping and scoring settings and the code: groups, components,
incident links, harm, routing. ranking_store.py keeps those tables per snapshot, and `journeylens ingest`,
`remove` and the app's Data page rank each new snapshot ahead once it is stored (rank_ahead.py). A reader
of a stored workspace (`journeylens rank`, `audit` of a workspace, `retro`, the app) then needs only the
weighted part: the saved ranking is opened in place, re-scored under the asked profile's weights,
threshold and rules (ranking.rerank), and the rows asked for are read with their alerts' ids from the held
alert moments. At ten million alerts that is a second, where ranking again from every alert is twenty.

A snapshot without a kept ranking (ranked ahead with the store off, a new grouping setting) is ranked in
full once, by the app's open ranking (live_queue.LiveQueue), and kept for the next reader: both write the
same tables, so the app and the command line share one file. The answer is the full ranking's, row for
row (tests/queue/test_kept_queue.py)."""

import pandas as pd
from journeylens.notebooks.ingest.playbook_file import load_playbooks
from journeylens.notebooks.queue.live_queue import LiveQueue, kept_key
from journeylens.notebooks.queue.profiles import load_profile
from journeylens.notebooks.queue.queue_view import ranked_frame
from journeylens.notebooks.queue.ranking import queue_select, rerank
from journeylens.notebooks.queue.ranking_store import RESCORED, load_ranking, store_enabled
from journeylens.notebooks.queue.rule_suggestions import lane_suggestions
from journeylens.notebooks.queue.scoring import resolve_profile
from journeylens.notebooks.workspace.snapshot import RANK_MEMORY_LIMIT, close_snapshot, connect, limit_memory


def queue_rows(con, top: int | None, include_suppressed: bool) -> pd.DataFrame:
    """ranking.queue_select's rows on a connection holding a ranking and its alert moments."""
    return lane_suggestions(con, con.execute(queue_select(top, include_suppressed, held=True)).df())


def open_kept(workspace, profile: dict, playbooks: list, top: int | None,
              include_suppressed: bool) -> pd.DataFrame | None:
    """The queue read from the ranking kept for the workspace's current snapshot under `profile`'s grouping
    and scoring settings (signals queued, as the app ranks), re-ranked under `profile` and `playbooks`; None
    when none is kept."""
    p = resolve_profile(profile)
    con = connect(workspace)
    try:
        limit_memory(con, RANK_MEMORY_LIMIT)
        if load_ranking(con, workspace, kept_key(con, workspace, p, signals=True), rewritten=RESCORED) is None:
            return None
        rerank(con, p, playbooks)
        return queue_rows(con, top, include_suppressed)
    finally:
        close_snapshot(con)


def kept_ranked_queue(workspace, profile_name: str | None = None, top: int | None = None,
                      include_suppressed: bool = True) -> tuple[pd.DataFrame, str]:
    """(ranking.ranked_alerts(workspace, profile_name, top, include_suppressed, signals=True), how): "saved"
    when the snapshot's kept ranking answered, "full" when it was ranked in full here and kept. A profile
    never saved raises KeyError, as ranked_alerts does."""
    profile = load_profile(workspace, profile_name)["profile"]
    playbooks = load_playbooks(workspace)
    kept = open_kept(workspace, profile, playbooks, top, include_suppressed)
    if kept is not None:
        return kept, "saved"
    live = LiveQueue(workspace, signals=True, store=True)
    try:
        with live.lock:  # the save below waits for this read: it takes the queue's lock
            how = live.update(profile, playbooks)
            frame = queue_rows(live.con, top, include_suppressed)
        if live.saving is not None:
            live.saving.join()
    finally:
        live.close()
    return frame, how


def stored_ranked_frame(workspace, profile_name: str | None = None, spark: dict | None = None) -> pd.DataFrame:
    """queue_view.ranked_frame of a stored workspace (`journeylens rank`): on DuckDB with the ranking store on,
    read from the snapshot's kept ranking (kept_ranked_queue), the same rows; else ranked there. An audit's
    throw-away workspace calls ranked_frame itself: a ranking kept there would be deleted unread."""
    if spark is None and store_enabled():
        return kept_ranked_queue(workspace, profile_name)[0]
    return ranked_frame(workspace, profile_name, spark=spark)
