"""`python -m journeylens.app.launch run <app> [Streamlit's flags]`: Streamlit's own command line, in a
process that has already imported what the pages read, and that opens the workspace's ranking while the
server starts (app/ui.streamlit_command starts the app this way).

Why: a new server (a deploy, the next morning) otherwise spent the first page anyone opened importing the app
(pandas, altair, scipy and every notebook: seconds) and then opening the workspace's ranking: at a million
alerts, the saved one (notebooks/queue/ranking_store.py) or a full ranking. Here the imports happen before the
server answers, and the ranking opens in the background under the workspace's active profile, with its
first page read. The first page takes the same queue (app/shared_queue.py): it waits, under its "Ranking the
alerts…" spinner, for whatever of that is left, and re-ranks only if its sliders differ. The same happens after
the Data page changes the workspace (an upload stored or removed: app/views/data.py): the new snapshot is
ranked while its reader reads the confirmation, not when they open the Ranked page.

JOURNEYLENS_OPEN_AHEAD=off skips the background ranking (the imports still happen)."""

import importlib
import logging
import os
import sys
import threading
from pathlib import Path

log = logging.getLogger("journeylens.app.launch")

# What the pages import (app/views/*.py run as scripts, their modules are imported once per process)
PRELOADED = ("journeylens.app.ui", "journeylens.app.downloads", "journeylens.app.profile_compare_view",
             "journeylens.app.queue_tables", "journeylens.app.ranked_drill", "journeylens.app.shared_queue",
             "journeylens.app.weight_controls", "journeylens.app.charts", "journeylens.app.retro_base",
             "journeylens.app.mapping_forms", "journeylens.notebooks.ingest.playbook_file",
             "journeylens.notebooks.retro.overview")


def preload() -> None:
    """Imports what the pages read, so that no page pays for it. Quietly: before the server runs, every
    st.cache_data decorator logs that it found no runtime (it checks its parameters only; its cache is made
    on its first call, in a page run)."""
    import streamlit.runtime.caching.cache_data_api  # noqa: F401  (its logger, as Streamlit configures it)

    checks = logging.getLogger("streamlit.runtime.caching.cache_data_api")
    level = checks.level
    checks.setLevel(logging.ERROR)
    try:
        for name in PRELOADED:
            importlib.import_module(name)
    finally:
        checks.setLevel(level)


def open_ranking(workspace: Path) -> None:
    """The workspace's shared queue ranked under its active ("default") profile and playbooks, its counts
    and first page read: what the Ranked page asks first. A failure is logged in one line and left for the
    page, which reports it where its reader sees it."""
    from journeylens.app.queue_tables import PAGE_SIZE
    from journeylens.app.shared_queue import ranked_under
    from journeylens.notebooks.ingest.playbook_file import load_playbooks
    from journeylens.notebooks.queue.profiles import load_profile

    try:
        if not workspace.is_dir():
            return
        with ranked_under(workspace, load_profile(workspace)["profile"], load_playbooks(workspace)) as live:
            if live.counts()["entries"]:
                live.entries(0, PAGE_SIZE)  # the first page entries_table asks for, kept for it
    except Exception as error:  # noqa: BLE001 - the page meets the same error and shows it
        log.warning("journeylens: the ranking was not opened ahead of the first page (%s: %s)",
                    type(error).__name__, error)


def open_ahead(workspace: Path) -> threading.Thread | None:
    """Starts open_ranking in the background, unless JOURNEYLENS_OPEN_AHEAD=off."""
    if os.environ.get("JOURNEYLENS_OPEN_AHEAD", "").lower() in ("off", "0", "false", "no"):
        return None
    thread = threading.Thread(target=open_ranking, args=(workspace,), name="journeylens-open-ahead", daemon=True)
    thread.start()
    return thread


def main(argv: list[str] | None = None) -> None:
    preload()
    from journeylens.app.ui import DEFAULT_WORKSPACE, WORKSPACE_ENV

    open_ahead(Path(os.environ.get(WORKSPACE_ENV) or DEFAULT_WORKSPACE))
    from streamlit.web.cli import main as streamlit_main

    streamlit_main(args=sys.argv[1:] if argv is None else argv, prog_name="streamlit")


if __name__ == "__main__":
    main()
