"""Ranks a workspace's new snapshot as soon as it is stored, so that no reader waits for it on a page.

A full ranking of a million alerts takes tens of seconds; opening a saved one takes about one
(ranking_store.py). The app ranks ahead when its Data page stores or removes an upload, and when a server
starts (app/launch.py). `journeylens ingest` and `journeylens remove` call rank_ahead here once what they
stored is acknowledged, so a workspace fed from the command line (a cron job, a CI step) opens as fast as
one fed through the app: the Ranked page's first reader on a new server reads the saved ranking.

The ranking is the Ranked page's: the workspace's active ("default") profile and playbooks, with the journey
signals and AI drops queued. A page whose sliders differ from the profile re-ranks it on the fast path.
Nothing is ranked when the ranking store is off (JOURNEYLENS_RANKING_STORE=off): there would be nothing
to keep."""

import time
from pathlib import Path

from journeylens.notebooks.ingest.playbook_file import load_playbooks
from journeylens.notebooks.queue.live_queue import LiveQueue
from journeylens.notebooks.queue.profiles import load_profile
from journeylens.notebooks.queue.ranking_store import ranking_file, store_enabled


def rank_ahead(workspace, report=None) -> Path | None:
    """Ranks `workspace` under its active profile and playbooks and saves the ranking; returns the saved
    file, or None when the store is off or the workspace holds no uploads. `report(fraction, text)` hears
    each step. Errors are the caller's: what was stored stays stored whatever happens here."""
    report = report or (lambda fraction, text: None)
    if not store_enabled() or not (Path(workspace) / "uploads").is_dir():
        return None
    started = time.monotonic()
    report(0.0, "ranking the new snapshot for the app")
    live = LiveQueue(workspace, signals=True, store=True)
    try:
        with live.lock:
            if not live.con.execute("select count(*) from uploads").fetchall()[0][0]:
                return None
            path = live.update(load_profile(workspace)["profile"], load_playbooks(workspace))
        if path == "full":
            report(0.8, "keeping the ranking for the app")
            live.saving.join()  # the save takes the queue's lock once the ranking lets it go
        saved = ranking_file(workspace, live.store_key)
    finally:
        live.close()
    if not saved.is_file():  # a workspace that cannot take the cache ranks on the page, as before
        report(1.0, "ranked, but the ranking could not be kept")
        return None
    kept = "already kept" if path == "saved" else f"ranked in {time.monotonic() - started:.1f} s"
    report(1.0, f"the app opens it at once ({kept})")
    return saved
