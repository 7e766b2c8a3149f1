"""Writing the alert pieces a workspace keeps (notebooks/ingest/piece_store.py) to their files.

A ranking that had to make an upload's pieces holds them in a table and reads them at once; their file is
written by a thread of its own (at a million alerts it takes seconds, which the ranking need not wait for)
once grouping let the table go (release_held): on two cores, writing beside grouping slows both. The thread
then drops the table.
Threads are not daemons, so a command waits for its files before it exits; tests wait with
wait_for_kept_pieces. A writer reads a cursor of the ranking's snapshot, which DuckDB refuses to close while the
cursor is busy: writers register as the snapshot's background readers (workspace/background_readers.py), which
snapshot.close_snapshot lets finish first."""

import contextlib
import logging
import os
import threading
import time
from pathlib import Path

import duckdb
from journeylens.notebooks.workspace.background_readers import (
    add_reader,
    drop_reader,
    release_readers,
    wait_for_readers,
)
from journeylens.notebooks.workspace.paths import forget_old_cache_files
from journeylens.notebooks.workspace.sql_files import sql_text

log = logging.getLogger("journeylens.piece_store")
KEEP = 4  # signatures kept per upload: a couple of gaps and journey maps tried
RELEASE_WAIT_SECONDS = 600  # how long a writer holds its table for the ranking that made it


def write_later(con, table: str, target: Path) -> None:
    """Once released, writes the pieces of `table` (a table of `con`'s database, not a temp one: the writer's
    cursor reads it) to `target` in a thread, then drops the table."""
    released = threading.Event()
    writer = threading.Thread(target=write_in_background, args=(con.cursor(), table, target, released),
                              name="journeylens-keep-pieces")
    add_reader(table, con, writer, released)
    writer.start()


def write_piece_file(con, table: str, target: Path) -> bool:
    """Writes the pieces of `table` to `target` (34's shape, renamed into place); False when it cannot."""
    partial = target.with_name(f".{target.stem}-{os.getpid()}-{time.monotonic_ns()}.partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        stored = sql_text("stored_alert_pieces").replace("upload_pieces /* pieces */", table)
        con.sql(stored).write_parquet(str(partial), compression="snappy")
        os.replace(partial, target)
    except (OSError, duckdb.Error) as exc:
        log.warning("could not keep alert pieces in %s (%s)", target.parent, type(exc).__name__)
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        return False
    forget_old_cache_files(target.parent, "*.parquet", KEEP)
    return True


def write_in_background(cursor, table: str, target: Path, released: threading.Event) -> None:
    try:
        # after grouping let the table go: on two cores, writing beside grouping's hash joins slows both
        released.wait(RELEASE_WAIT_SECONDS)
        write_piece_file(cursor, table, target)
        with contextlib.suppress(duckdb.Error):  # the connection may be closed by now: the table went with it
            cursor.execute(f"drop table if exists {table}")
    finally:
        with contextlib.suppress(duckdb.Error):
            cursor.close()
        drop_reader(table)


def release_held(tables: list) -> None:
    """Lets the writers of `tables` drop them: the ranking read what it needed."""
    release_readers(tables)


def wait_for_kept_pieces(timeout: float | None = None) -> None:
    """Waits for every piece file still being written in this process (tests, and a command before it exits)."""
    wait_for_readers(timeout)
