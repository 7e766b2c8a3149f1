"""The Retro page's shared part (retro_base.retro_base: the ranked context, the trends and the standing
suggestions), kept per workspace state for every session of this server.

Why: working it out ranks the whole workspace and runs the threshold review, seconds even on the
sample, while what a week adds is a fraction of a second. So a week switch reuses it, and a decision that
changes the configuration (an accepted threshold, mapping or suppression) starts the new one in the
background: the page answers at once with the figures from before the change, says so, and refreshes by
itself when the new ones are ready (RetroBases.get answers `fresh=False` meanwhile). A workspace seen for
the first time is worked out in the foreground: there is nothing older to show.
"""

import threading
from concurrent.futures import Future, ThreadPoolExecutor

import streamlit as st
from journeylens.notebooks.retro.retro_base import retro_base, retro_state


class RetroBases:
    """retro_base answers per (workspace, state): at most one being worked out and the latest ready one per
    workspace, so memory holds two at most."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="retro-base")
        self.pending: dict[tuple, Future] = {}  # (workspace, state) -> its computation
        self.latest: dict[str, tuple] = {}  # workspace -> (state, base), the newest ready

    def get(self, workspace: str) -> tuple[tuple, dict, bool]:
        """(state, base, fresh): the base of the workspace's current state (fresh), or while it is being
        worked out, the latest earlier one with its state (not fresh). Raises what the computation raised."""
        state = retro_state(workspace)
        with self.lock:
            latest = self.latest.get(workspace)
            if latest is not None and latest[0] == state:
                return state, latest[1], True
            future = self.pending.get((workspace, state))
            if future is None:
                # an older state's computation may still run: nobody waits for its answer any more
                for older in [k for k in self.pending if k[0] == workspace]:
                    del self.pending[older]
                future = self.pending[(workspace, state)] = self.pool.submit(retro_base, workspace)
        if latest is not None and not future.done():
            return latest[0], latest[1], False
        try:
            base = future.result()
        finally:
            with self.lock:
                self.pending.pop((workspace, state), None)
        with self.lock:
            self.latest[workspace] = (state, base)
        return state, base, True

    def ready(self, workspace: str) -> bool:
        """True when the current state's base is ready (or failed: the next get says how)."""
        state = retro_state(workspace)
        with self.lock:
            latest, future = self.latest.get(workspace), self.pending.get((workspace, state))
        return (latest is not None and latest[0] == state) or future is None or future.done()


@st.cache_resource(show_spinner=False)
def retro_bases() -> RetroBases:
    """The one RetroBases of this server process (tests clear it with retro_bases.clear())."""
    return RetroBases()


def shared_base(workspace: str, doing: str, stale: str) -> tuple[tuple, dict]:
    """(state, base) of the workspace from retro_bases(), `doing` shown while it is worked out; while a newer
    one is worked out in the background, says `stale` (why the figures are from before) and refreshes the
    page once it is ready."""
    with st.spinner(doing):
        state, base, fresh = retro_bases().get(workspace)
    if not fresh:
        st.info(stale)
        refresh_when_ready(workspace)
    return state, base


@st.fragment(run_every=1.0)
def refresh_when_ready(workspace: str) -> None:
    """While the base is worked out in the background: checks each second, and reruns the page once ready."""
    if retro_bases().ready(workspace):
        st.rerun()
    st.caption("Recomputing… this page refreshes by itself.")
