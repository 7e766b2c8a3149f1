"""Why a file was refused.

The fast path converts a file in one guarded DuckDB pass and learns only *that* something is
wrong. This module finds *what*: the encoding, the structure (JSON line, CSV row), then every
column check with row numbers, and names the first bad row and, in it, the first bad column,
with what was expected and what was found. Only refused files pay for it.
"""

import re
from pathlib import Path

import duckdb
from journeylens.notebooks.ingest.columns import build_plan, resolve_columns
from journeylens.notebooks.ingest.json_records import (
    MAX_JSON_RECORD_BYTES,
    MAX_PYTHON_JSON_BYTES,
    json_lines,
    json_problem,
    python_json_records,
)
from journeylens.notebooks.ingest.layouts import open_source, quote_ident
from journeylens.notebooks.ingest.readers import check_utf8, csv_problem, parquet_problem
from journeylens.notebooks.workspace.contract import IngestError, kind_spec
from journeylens.notebooks.workspace.snapshot import new_connection


def plan_source(con, kind: str, path, file_name: str, fmt: str, mapping, numbered: bool = False) -> dict:
    """Opens the file as `raw_src` and plans its conversion; refuses a file missing required columns."""
    source = open_source(con, kind, path, file_name, fmt, numbered=numbered)
    columns = con.table("raw_src").columns
    resolution = resolve_columns(kind, columns, mapping, file_name)
    if resolution["missing"]:
        spec = {c.name: c for c in kind_spec(kind)["columns"]}
        first = resolution["missing"][0]
        names = ", ".join((first, *spec[first].aliases[:4]))
        shown = ", ".join(source["columns"][:12]) + (" …" if len(source["columns"]) > 12 else "")
        raise IngestError(file_name, "header", first,
                          f"a column named {names} (or map one with --map {first}=YOUR_COLUMN)",
                          f"the columns {shown}")
    plan = build_plan(kind, resolution, columns, source["layout"])
    plan["resolution"] = resolution
    return plan


def diagnose(kind, path, file_name, fmt, mapping, error) -> None:
    """Finds and raises the precise refusal for a file the fast path could not convert: the first bad
    row, and in it the first bad column, with what was expected and what was found. Only refused files
    pay for this."""
    if fmt in ("csv", "json", "jsonl"):
        check_utf8(path, file_name, header_lines=1 if fmt == "csv" else 0)
    if fmt in ("json", "jsonl") and Path(path).stat().st_size <= MAX_PYTHON_JSON_BYTES:
        python_json_records(path, file_name)
    elif fmt == "jsonl":  # too large to load whole: a line at a time, in bounded memory
        with open(path, encoding="utf-8-sig") as handle:
            lines = iter(lambda: handle.readline(MAX_JSON_RECORD_BYTES + 1), "")
            for _ in json_lines(lines, file_name):
                pass
    con = new_connection()
    try:
        try:
            plan = plan_source(con, kind, path, file_name, fmt, mapping, numbered=True)
            parsed = con.sql(plan["parsed"])
            parsed.create_view("parsed")
            # the one-per-row cell guard of the fast path is redundant here: each cell has its own check
            plan["checks"] = [check for check in plan["checks"] if check[0] != "__cells"]
            firsts = ", ".join(f"min(__row) filter (where {bad})" for _, bad, _, _ in plan["checks"])
            first_rows = con.sql(f"select {firsts} from parsed").fetchall()[0] if plan["checks"] else ()
        except duckdb.Error as err:
            line = re.search(r"line:?\s*(\d+)", str(err), re.IGNORECASE)
            row = int(line.group(1)) - (1 if fmt == "csv" else 0) if line else None
            problem = {"csv": csv_problem, "parquet": parquet_problem}.get(fmt, json_problem)(err)
            found = problem or first_line(err, path, file_name)
            expected = "a readable Parquet file" if fmt == "parquet" else f"a well-formed {fmt.upper()} row"
            raise IngestError(file_name, row, None, expected, found.replace(str(path), file_name)) from None
        found = [(r, i) for i, r in enumerate(first_rows) if r is not None]
        if not found:
            raise IngestError(file_name, None, None, f"a readable {fmt.upper()} file",
                              first_line(error, path, file_name)) from None
        row, index = min(found)
        label, _, expected, scope = plan["checks"][index]
        raise IngestError(file_name, row, column_label(label, plan), expected,
                          found_value(parsed, label, scope, row, kind)) from None
    finally:
        con.close()


def column_label(label: str, plan: dict) -> str:
    """`fired_at` or, when the file calls it something else, `Created On (fired_at)`."""
    sources = plan["resolution"]["resolved"].get(label)
    if sources and len(sources) == 1 and sources[0] != label:
        return f"{sources[0]} ({label})"
    return label


def found_value(parsed, label: str, scope: str, row: int, kind: str) -> str:
    """What the refused cell holds, as a short readable text."""
    if scope == "row" and label == "completed" and kind == "metrics":
        values = parsed.filter(f"__row = {int(row)}").project('"p__completed", "p__entered"').fetchall()[0]
        return f"completed {values[0]:g} > entered {values[1]:g}"
    column = quote_ident(("s__" if scope == "cell" else "v__") + label)
    value = parsed.filter(f"__row = {int(row)}").project(column).fetchall()[0][0]
    if value is None:
        return "an empty cell"
    if scope == "cell":
        return f"{len(value.encode()):,} bytes"
    return repr(value if len(value) <= 80 else value[:77] + "…")


def first_line(error, path, file_name: str) -> str:
    """The first line of a DuckDB error, with the (possibly temporary) path replaced by the file name."""
    text = str(error).strip().replace(str(path), file_name)
    return text.splitlines()[0][:300] if text else type(error).__name__
