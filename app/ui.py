"""Small helpers every page shares: where the workspace is, how errors look, how the app is started.

No business logic lives here (that is in `notebooks/`); only what the pages need to look alike."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from pathlib import Path

import pandas as pd
import streamlit as st
from journeylens.notebooks.workspace import snapshot
from journeylens.notebooks.workspace.contract import IngestError
from journeylens.notebooks.workspace.snapshot import list_uploads

ENTRY = Path(__file__).resolve().parent / "streamlit_app.py"
WORKSPACE_ENV = "JOURNEYLENS_WORKSPACE"
DEFAULT_WORKSPACE = "workspace"

log = logging.getLogger("journeylens.app")


def streamlit_command(port: int, address: str = "127.0.0.1") -> list[str]:
    """The argv that serves the app: loopback by default, headless, no usage statistics.

    Shared by `journeylens app`, `journeylens demo` and the browser test, so they start the same thing.
    The workspace is passed through the JOURNEYLENS_WORKSPACE environment variable."""
    return [
        sys.executable, "-m", "journeylens.app.launch", "run", str(ENTRY),  # Streamlit's, with imports done
        "--server.address", address,
        "--server.port", str(port),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "viewer",
        # no full collection after every run (it walks every live object, cached pages included, on each
        # slider step); Python's own generational collector still runs as objects are made
        "--runner.postScriptGC", "false",
    ]


def workspace_path() -> Path:
    """The workspace this session works on: `st.session_state["workspace"]` when a page set it,
    else the JOURNEYLENS_WORKSPACE environment variable, else ./workspace."""
    chosen = st.session_state.get("workspace") or os.environ.get(WORKSPACE_ENV) or DEFAULT_WORKSPACE
    return Path(chosen)


def upload_key(workspace: Path) -> tuple:
    """The workspace's upload ids: part of every cached page computation's key, so that a new upload is
    a new answer."""
    return tuple(list_uploads(workspace).get("upload_id", ()))


def show_error(exc: BaseException, doing: str = "", rename: dict | None = None) -> None:
    """An error as a message on the page, never a traceback.

    A refused file (IngestError) already says which file, row and column and what was expected; anything
    else is summarised in one line and logged in full on the server console. `rename` maps texts to hide
    (the temporary path of an upload) to what the user knows (its file name)."""
    message = str(exc).strip()
    for hidden, shown in (rename or {}).items():
        message = message.replace(str(hidden), str(shown))
    if isinstance(exc, IngestError):
        st.error(f"Refused: {message}. Nothing was stored.", icon=":material/block:")
        return
    log.exception("journeylens app error while %s", doing or "rendering the page")
    what = f" while {doing}" if doing else ""
    detail = message.splitlines()[0] if message else type(exc).__name__
    st.error(f"Something went wrong{what}: {detail[:300]}", icon=":material/error:")


@contextlib.contextmanager
def guard(doing: str = ""):
    """Runs one section of a page; an exception becomes an error message and the rest of the page still
    renders. Streamlit's own control flow (st.rerun, st.stop) derives from BaseException and passes."""
    try:
        yield
    except Exception as exc:  # the page boundary: nothing escapes as a traceback
        show_error(exc, doing)


def flash(message: str, kind: str = "success") -> None:
    """Keeps a message for the next run (shown by `show_flash`), for actions in a widget's callback or
    followed by st.rerun()."""
    st.session_state["_flash"] = (kind, message)


def show_flash() -> None:
    """The kept message, in a slot every run has (a container, empty when there is none): an element that
    comes and goes would shift the page's later elements, and the browser builds a shifted table or chart
    anew, a second or more on the Retro page, instead of updating it."""
    slot = st.container()
    kind, message = st.session_state.pop("_flash", (None, None))
    if message:
        {"success": slot.success, "info": slot.info, "warning": slot.warning}.get(kind, slot.info)(message)


@st.cache_data(max_entries=8, show_spinner=False)
def held_summary(workspace: str, uploads: tuple) -> pd.DataFrame:
    """snapshot.workspace_summary (rows and span per table), once per upload set (`uploads`, the key): it
    counts every table, a second at a million alerts, and the Data page shows it on every rerun."""
    return snapshot.workspace_summary(Path(workspace))  # looked up on each call: a test may replace it
