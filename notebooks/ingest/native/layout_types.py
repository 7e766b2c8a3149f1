"""The two kinds of native layout (see the package docstring), and what the layouts' SQL builders share."""

from collections.abc import Callable
from dataclasses import dataclass

from journeylens.notebooks.workspace.contract import normalise_name

# Columns journeylens derives itself (a row number, the unmodelled fields): never a file's own column.
INTERNAL_COLUMNS = ("__row", "__extra")


def quote_ident(name: str) -> str:
    """A SQL identifier for any name a user gave (a column header may be `x"; drop table alerts; --`)."""
    return '"' + str(name).replace('"', '""') + '"'


def columns_by_name(columns: list) -> dict:
    """Normalised name -> the file's column (the first of each name; journeylens' own columns left out)."""
    found = {}
    for column in columns:
        if column not in INTERNAL_COLUMNS:
            found.setdefault(normalise_name(column), column)
    return found


@dataclass(frozen=True)
class JsonLayout:
    name: str
    kind: str
    source: str | None
    detect: Callable[[dict], bool]
    sql: str  # stem of the SQL file that reads `docs` (or the view `reader` makes)
    reader: str | None = None  # stem of a SQL file reading `$path` into a view of the same name
    number_rows: bool = True  # numbering rows serialises the scan; a layout that needs no order says so


@dataclass(frozen=True)
class TabularLayout:
    name: str
    kind: str
    source: str | None
    detect: Callable[[set], bool]
    sql: str | Callable[[list], str] | None = None  # over view `src`: a stem, or SQL text from the columns
