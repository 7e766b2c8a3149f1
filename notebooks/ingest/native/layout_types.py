"""The two kinds of native layout (see the package docstring)."""

from collections.abc import Callable
from dataclasses import dataclass


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
