"""Threads that read a snapshot's tables after the caller that started them moved on.

A ranking that made an upload's alert pieces has them written to their file by a thread reading a cursor
of the snapshot (ingest/piece_writer.py). DuckDB refuses to close a connection whose cursor is busy
(ResourceInUseException), so snapshot.close_snapshot lets such threads finish first (finish_readers). The
registry lives here, beside the snapshot, because every room closes snapshots; piece_writer registers in it."""

import threading

_READERS: dict = {}  # {name: (thread, the event that lets it start, the connection it reads)}
_LOCK = threading.Lock()


def add_reader(name: str, con, thread: threading.Thread, released: threading.Event) -> None:
    """Registers `thread`, which waits for `released` and then reads `con`'s tables."""
    with _LOCK:
        _READERS[name] = (thread, released, con)


def drop_reader(name: str) -> None:
    """The thread of `name` is done (it calls this itself)."""
    with _LOCK:
        _READERS.pop(name, None)


def release_readers(names: list) -> None:
    """Lets the threads of `names` start: what held their tables is over."""
    with _LOCK:
        for name in names:
            if name in _READERS:
                _READERS[name][1].set()


def finish_readers(con) -> None:
    """Lets every thread reading `con` go (the caller holding its tables is done, or failed) and waits for
    them, so that `con` can be closed."""
    with _LOCK:
        mine = [(thread, released) for thread, released, owner in _READERS.values() if owner is con]
    for thread, released in mine:
        released.set()
        thread.join()


def wait_for_readers(timeout: float | None = None) -> None:
    """Waits for every such thread of this process, whatever it reads (tests; a command before it exits)."""
    with _LOCK:
        threads = [thread for thread, _, _ in _READERS.values()]
    for thread in threads:
        thread.join(timeout)
