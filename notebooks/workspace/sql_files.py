"""The SQL files of journeylens: one query per file, found by what it produces."""

import functools
from pathlib import Path

# sql/<room>/<NN>_<what it produces>.sql, numbered in run order within a room (journeylens/sql/ when
# installed: the repository's root is the journeylens package)
SQL_DIR = Path(__file__).resolve().parents[2] / "sql"


def sql_text(stem: str) -> str:
    """The text of the one `sql/<room>/<NN>_<stem>.sql`: a query is named for what it produces. Read each
    time (an analyst may be editing it); where it lives is looked up again only when it is not found."""
    exact = _sql_files().get(stem, [])
    if len(exact) != 1 or not exact[0].is_file():
        _sql_files.cache_clear()
        exact = _sql_files().get(stem, [])
    if len(exact) != 1:
        raise FileNotFoundError(f"no single SQL file named {stem!r} in {SQL_DIR}")
    return exact[0].read_text()


@functools.cache
def _sql_files() -> dict[str, list[Path]]:
    """{stem: the SQL files named for it}: globbing the folder costs more than reading the file, and a page
    reads dozens of queries a run."""
    found: dict[str, list[Path]] = {}
    for path in sorted(SQL_DIR.glob("*/*.sql")):
        found.setdefault(path.stem.split("_", 1)[-1], []).append(path)
    return found


def on_duckdb(con) -> bool:
    """Whether `con` runs the SQL on DuckDB; spark_engine's connection says `engine = "spark"`. What only
    DuckDB has (its catalog functions, the kept pieces, a saved ranking) is asked through this one check."""
    return getattr(con, "engine", "duckdb") == "duckdb"
