"""notebooks/workspace/background_readers.py: closing a snapshot lets its own background readers start and
waits for them, and leaves another snapshot's alone."""

import threading

import duckdb
from journeylens.notebooks.workspace import background_readers as readers
from journeylens.notebooks.workspace.snapshot import close_snapshot


def reader(name: str, con, done: list) -> threading.Event:
    released = threading.Event()

    def run():
        try:
            if released.wait(30):
                cursor = con.cursor()
                done.append((name, cursor.execute("select sum(hash(i)) from range(20000000) as t(i)").fetchone()[0]))
                cursor.close()
        finally:
            readers.drop_reader(name)

    thread = threading.Thread(target=run)
    readers.add_reader(name, con, thread, released)
    thread.start()
    return released


def test_closing_a_snapshot_finishes_its_readers_only():
    mine, other, done = duckdb.connect(), duckdb.connect(), []
    reader("mine", mine, done)
    others = reader("other", other, done)
    close_snapshot(mine)  # released, read and joined before the close: no ResourceInUseException
    assert [name for name, _ in done] == ["mine"]
    others.set()
    readers.wait_for_readers(30)
    assert [name for name, _ in done] == ["mine", "other"]
    close_snapshot(other)
