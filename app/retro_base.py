"""The Retro page's shared part (retro_base.retro_base: the ranked context, the trends and the standing
suggestions), kept per workspace state for every session of this server.

Why: working it out ranks the whole workspace and runs the threshold review, seconds even on the
sample, while what a week adds is a fraction of a second. So a week switch reuses it, and a decision that
changes the configuration (an accepted threshold, mapping or suppression) has the new one worked out in
the background, from the page's first poll on (RetroBases.ready says why not sooner): the page answers at
once with the figures from before the change, says so, and refreshes by itself when the new ones are ready
(RetroBases.get answers `fresh=False` meanwhile). A workspace seen for the first time is worked out in the
foreground: there is nothing older to show.
"""

import threading
from concurrent.futures import Future, ThreadPoolExecutor

import streamlit as st
from journeylens.notebooks.retro.retro_base import retro_base, retro_state

PAGE_RUN = "_retro_page_run"


class RetroBases:
    """retro_base answers per (workspace, state): at most one being worked out and the latest ready one per
    workspace, so memory holds two at most."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="retro-base")
        self.pending: dict[tuple, Future] = {}  # (workspace, state) -> its computation
        self.latest: dict[str, tuple] = {}  # workspace -> (state, base), the newest ready

    def get(self, workspace: str) -> tuple[tuple, dict, bool]:
        """(state, base, fresh): the base of the workspace's current state (fresh), or while it is not ready,
        the latest earlier one with its state (not fresh): its work starts at the next `ready` (the page's
        poll), not here. Raises what the computation raised."""
        state = retro_state(workspace)
        with self.lock:
            latest = self.latest.get(workspace)
            if latest is not None and latest[0] == state:
                return state, latest[1], True
            future = self.pending.get((workspace, state))
            if latest is not None and (future is None or not future.done()):
                return latest[0], latest[1], False
            if future is None:  # nothing older to show: worked out now, in the foreground
                future = self.submit(workspace, state)
        try:
            base = future.result()
        finally:
            with self.lock:
                self.pending.pop((workspace, state), None)
        with self.lock:
            self.latest[workspace] = (state, base)
        return state, base, True

    def ready(self, workspace: str) -> bool:
        """True when the current state's base is ready (or failed: the next get says how); otherwise starts
        its work if nothing does it yet.

        Why the start waits for this poll: the page that answers a decision is sent to the browser while
        the script thread still holds the interpreter now and then, and a retro base worked out beside it
        (mostly pandas, which holds the interpreter lock) slowed that answer from about 1 s to 2–3 s on the
        sample. The page's first poll comes POLL_S after it was sent."""
        state = retro_state(workspace)
        with self.lock:
            latest, future = self.latest.get(workspace), self.pending.get((workspace, state))
            if latest is not None and latest[0] == state:
                return True
            if future is None:
                self.submit(workspace, state)
                return False
            return future.done()

    def submit(self, workspace: str, state: tuple) -> Future:
        """Starts the base of `state` (under the lock); an older state's work may still run, but nobody waits
        for its answer any more."""
        for older in [k for k in self.pending if k[0] == workspace]:
            del self.pending[older]
        future = self.pending[(workspace, state)] = self.pool.submit(retro_base, workspace)
        return future


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
    with st.container():  # a slot every run has: see ui.show_flash
        if not fresh:
            st.info(stale)
            st.session_state[PAGE_RUN] = True  # this call of the fragment is the page's, not a poll
            refresh_when_ready(workspace)
    return state, base


# How often a page showing figures from before a decision looks whether the new ones are ready. The new base
# takes seconds (about 10 s on the sample), and its work starts at the first look: two seconds leaves the
# decision's own answer to reach the browser and settle first.
POLL_S = 2.0


@st.fragment(run_every=POLL_S)
def refresh_when_ready(workspace: str) -> None:
    """While the base is not ready: checks every POLL_S (starting its work at the first check, RetroBases.ready)
    and reruns the page once it is ready."""
    if not st.session_state.pop(PAGE_RUN, False) and retro_bases().ready(workspace):
        st.rerun()
    st.caption("Recomputing… this page refreshes by itself.")
