"""Why a file was refused.

The fast path converts a file in one guarded DuckDB pass and learns only *that* something is
wrong. This module finds *what*: the encoding, the structure (JSON line, CSV row), then every
column check with row numbers, and names the first bad row and, in it, the first bad column,
with what was expected and what was found; and it lists the first MAX_PROBLEMS problems, each with
row and column. Only refused files pay for it (and the preview, for its rows).
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
from journeylens.notebooks.ingest.layouts import open_source
from journeylens.notebooks.ingest.readers import check_utf8, csv_problem, parquet_problem
from journeylens.notebooks.ingest.severity_map import severity_expectation
from journeylens.notebooks.ingest.value_maps import (
    as_full,
    check_paths,
    materialise_sources,
    register_lookups,
    visible_columns,
)
from journeylens.notebooks.workspace.contract import KINDS, IngestError, kind_spec
from journeylens.notebooks.workspace.snapshot import new_connection

# A refusal lists the problems of a file up to this many (the message itself names the first).
MAX_PROBLEMS = 20
# Columns whose unknown values get the severity map's advice (the known spellings, how to add one).
SEVERITY_COLUMNS = {kind: tuple(c.name for c in spec["columns"] if c.parser == "severity")
                    for kind, spec in KINDS.items()}


def plan_source(con, kind: str, path, file_name: str, fmt: str, mapping, numbered: bool = False) -> dict:
    """Opens the file as `raw_src` and plans its conversion; refuses a file missing required columns.
    `mapping` is the old {canonical: source} or value_maps.full_mapping (paths, value maps, constants,
    the severity map), whose lookups are registered in `con` here."""
    source = open_source(con, kind, path, file_name, fmt, numbered=numbered)
    columns = con.table("raw_src").columns
    full = as_full(mapping)
    maps = register_lookups(con, kind, full)
    resolution = resolve_columns(kind, columns, full, file_name)
    if resolution["missing"]:
        spec = {c.name: c for c in kind_spec(kind)["columns"]}
        first = resolution["missing"][0]
        names = ", ".join((first, *spec[first].aliases[:4]))
        visible = visible_columns(source["columns"])
        shown = ", ".join(visible[:12]) + (" …" if len(visible) > 12 else "")
        raise IngestError(file_name, "header", first,
                          f"a column named {names} (or map one with --map {first}=YOUR_COLUMN)",
                          f"the columns {shown}" if visible else "no columns")
    check_paths(con, resolution, file_name)
    columns = materialise_sources(con, kind, resolution, columns, maps)
    plan = build_plan(kind, resolution, columns, source["layout"])
    plan["resolution"], plan["mapping"] = resolution, full
    return plan


def diagnose(kind, path, file_name, fmt, mapping, error, workspace=None) -> None:
    """Finds and raises the precise refusal for a file the fast path could not convert: the first bad
    row, and in it the first bad column, with what was expected and what was found; and the first
    MAX_PROBLEMS problems in file order (IngestError.problems). Only refused files pay for this."""
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
            problems = find_problems(con, plan, kind, workspace)
        except duckdb.Error as err:
            line = re.search(r"line:?\s*(\d+)", str(err), re.IGNORECASE)
            row = int(line.group(1)) - (1 if fmt == "csv" else 0) if line else None
            problem = {"csv": csv_problem, "parquet": parquet_problem}.get(fmt, json_problem)(err)
            found = problem or first_line(err, path, file_name)
            expected = "a readable Parquet file" if fmt == "parquet" else f"a well-formed {fmt.upper()} row"
            raise IngestError(file_name, row, None, expected, found.replace(str(path), file_name)) from None
        if not problems:
            raise IngestError(file_name, None, None, f"a readable {fmt.upper()} file",
                              first_line(error, path, file_name)) from None
        first = problems[0]
        raise IngestError(file_name, first["row"], first["column"], first["expected"], first["found"],
                          problems=problems) from None
    finally:
        con.close()


def find_problems(con, plan: dict, kind: str, workspace=None, limit: int = MAX_PROBLEMS, rows: int | None = None) -> list:
    """Every failing check of the first bad rows, in file order (row, then check order), at most `limit`:
    [{row, column, canonical, expected, found}]. One pass: the bad rows (the first `limit`) come back
    whole, with a flag per check. `rows` restricts the search to the first rows (the preview)."""
    # the one-per-row cell guard of the fast path is redundant here: each cell has its own check
    checks = [check for check in plan["checks"] if check[0] != "__cells"]
    if not checks:
        return []
    flags = ", ".join(f"coalesce({bad}, false)" for _, bad, _, _ in checks)
    scope = f" where __row <= {int(rows)}" if rows is not None else ""
    bad_rows = con.sql(f"select * from (select *, [{flags}] as __flags from ({plan['parsed']}){scope}) "
                       f"where list_bool_or(__flags) order by __row limit {int(limit)}")
    names = bad_rows.columns
    problems = []
    for values in bad_rows.fetchall():
        record = dict(zip(names, values, strict=True))
        for index, failed in enumerate(record["__flags"]):
            if not failed or len(problems) >= limit:
                continue
            label, _, expected, check_scope = checks[index]
            found = found_text(record, label, check_scope, kind)
            if label in SEVERITY_COLUMNS.get(kind, ()) and check_scope == "column" and record.get(f"v__{label}"):
                first = not any(p["canonical"] == label for p in problems)
                expected = severity_expectation(record[f"v__{label}"], plan["mapping"]["severity_map"], workspace,
                                                first)
            problems.append({"row": record["__row"], "column": column_label(label, plan), "canonical": label,
                             "expected": expected, "found": found})
    return problems


def column_label(label: str, plan: dict) -> str:
    """`fired_at` or, when the file calls it something else, `Created On (fired_at)`."""
    sources = plan["resolution"]["resolved"].get(label)
    if sources and getattr(sources[0], "origin", None) == "set":
        return f"{label} (--set)"
    if sources and len(sources) == 1 and sources[0] != label:
        return f"{sources[0]} ({label})"
    return label


def found_text(record: dict, label: str, scope: str, kind: str) -> str:
    """What the refused cell holds, as a short readable text."""
    if scope == "row" and label == "completed" and kind == "metrics":
        return f"completed {record['p__completed']:g} > entered {record['p__entered']:g}"
    value = record.get(("s__" if scope == "cell" else "v__") + label)
    if value is None:
        return "an empty cell"
    if scope == "cell":
        return f"{len(value.encode()):,} bytes"
    return repr(value if len(value) <= 80 else value[:77] + "…")


def first_line(error, path, file_name: str) -> str:
    """The first line of a DuckDB error, with the (possibly temporary) path replaced by the file name."""
    text = str(error).strip().replace(str(path), file_name)
    return text.splitlines()[0][:300] if text else type(error).__name__
