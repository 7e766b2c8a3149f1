"""The Ranked page's open ranking, one per workspace for the whole server, shared by every browser session.

A LiveQueue (notebooks/queue/live_queue.py) ranked in full costs seconds on the sample and about 25 s at a
million alerts, and holds the ranking's tables. Kept per session, every new tab ranked in full again and
held a copy of its own; kept here, a new tab reads the ranking already open, and the server holds one
ranking per workspace however many tabs are open. A new upload (the workspace's upload ids changed)
opens a new LiveQueue and closes the old one, once whoever reads it is done.

Sessions differ in their sliders, so a page run holds the queue (its lock) from its `update` to its last
read (`ranked_queue`): another session waits for it and then re-ranks under its own profile, on the fast
path when only weights differ, and not at all when the profiles are the same."""

import threading
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pandas as pd
import streamlit as st
from journeylens.app.ui import upload_key
from journeylens.notebooks.queue.live_queue import LiveQueue
from journeylens.notebooks.queue.ranking_store import store_enabled

LIVE = "_live_queue"  # st.session_state key: the queue this session last read (the tests read it)


class OpenQueues:
    """The open LiveQueue of each workspace, keyed by its path, with the upload ids it was opened on."""

    def __init__(self):
        self.lock = threading.Lock()  # guards the dict only: a ranking runs under the LiveQueue's own lock
        self.queues: dict[str, LiveQueue] = {}

    def of(self, workspace: Path) -> LiveQueue:
        """The workspace's open queue; a new one when its uploads changed, the old one closed."""
        key = (str(workspace), upload_key(workspace))
        with self.lock:
            old = self.queues.get(key[0])
            if old is not None and old.key == key:
                return old
            live = self.queues[key[0]] = LiveQueue(workspace, signals=True, key=key,  # ranks on first update
                                                       store=store_enabled())
        if old is not None:
            old.close()  # outside the dict's lock: it waits for a session still reading the old one
        return live

    def close_all(self) -> None:
        with self.lock:
            queues, self.queues = list(self.queues.values()), {}
        for live in queues:
            live.close()


@st.cache_resource(show_spinner=False, on_release=OpenQueues.close_all)
def open_queues() -> OpenQueues:
    """The server process's open queues (cleared with st.cache_resource.clear(), which closes them)."""
    return OpenQueues()


def held_queue(workspace: Path) -> LiveQueue:
    """The workspace's open queue with its lock taken (the caller releases it): waits for a session that
    reads it, and takes the new one when a new upload replaced it meanwhile."""
    while True:
        live = open_queues().of(workspace)
        live.lock.acquire()
        if not live.closed:
            return live
        live.lock.release()


@contextmanager
def ranked_under(workspace: Path, profile: dict, playbooks: list):
    """The workspace's shared queue ranked under `profile` and `playbooks`, its lock held until the block
    ends (also when the ranking fails): every read inside sees that ranking."""
    live = held_queue(workspace)
    try:
        live.update(profile, playbooks)
        yield live
    finally:
        live.lock.release()


@contextmanager
def ranked_queue(workspace: Path, profile: dict, playbooks: list):
    """ranked_under for this session's page, with a spinner while it waits and ranks. Kept in
    st.session_state[LIVE] as well."""
    with ExitStack() as held:
        with st.spinner("Ranking the alerts…"):  # also while another session holds the queue
            live = held.enter_context(ranked_under(workspace, profile, playbooks))
        st.session_state[LIVE] = live
        yield live


class SessionRanking:
    """The shared queue as one session ranks it, for reads after the page's run: a download button makes
    its bytes when clicked, by when another session may have re-ranked the queue under other sliders."""

    def __init__(self, workspace: Path, profile: dict, playbooks: list):
        self.workspace, self.profile, self.playbooks = workspace, profile, playbooks

    def queue(self) -> pd.DataFrame:
        """LiveQueue.queue under this session's profile (the page's downloads read it)."""
        with ranked_under(self.workspace, self.profile, self.playbooks) as live:
            return live.queue()
