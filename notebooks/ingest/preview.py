"""The preview: what storing a file would do, told truthfully before anything is stored.

Layout, format, how the columns resolve (with the mapping: paths, value maps, constants, the severity
map), the required columns still missing, the first rows as they would be stored, and the problems
storing would refuse: each with row, column, expected and found, the first MAX_PROBLEMS of the whole
file (of a file up to CHECK_WHOLE_BYTES; of the previewed rows beyond that). A previewed value that
would be refused is shown as the file holds it, marked, never as an empty cell.
"""

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
from journeylens.notebooks.ingest.columns import build_plan, output_select, resolve_columns
from journeylens.notebooks.ingest.diagnosis import MAX_PROBLEMS, SEVERITY_COLUMNS, diagnose, find_problems
from journeylens.notebooks.ingest.layouts import open_source
from journeylens.notebooks.ingest.map_file import preview_journey_map
from journeylens.notebooks.ingest.notices import conversion_params
from journeylens.notebooks.ingest.readers import check_input_file, detect_format
from journeylens.notebooks.ingest.severity_map import load_severity_map
from journeylens.notebooks.ingest.value_maps import (
    as_full,
    check_paths,
    full_mapping,
    materialise_sources,
    register_lookups,
    visible_columns,
)
from journeylens.notebooks.workspace.contract import kind_spec
from journeylens.notebooks.workspace.snapshot import canonical_columns, new_connection

# Files up to this size are checked whole by the preview (one more pass of DuckDB); larger ones only in
# the rows shown, and the refusal at store time lists the rest.
CHECK_WHOLE_BYTES = 64 * 1024 * 1024
PROBLEMS_COLUMN = "problems"


def preview_file(kind: str, path, fmt: str | None = None, mapping: dict | None = None, limit: int = 20,
                 file_name: str | None = None, workspace=None, map_values: dict | None = None,
                 map_set: dict | None = None) -> dict:
    """What storing the file would do, without storing it. Returns {layout, format, source_columns (the
    file's, journeylens' own left out), resolved, missing_required, frame (the first `limit` rows as
    stored, None while a required column is missing), problems ([{row, column, canonical, expected,
    found}], in file order), checked ("file" | "rows"), marks ({frame index: [problem, ...]})}. With
    `workspace`, its severity map applies as it would at store time."""
    path = Path(path)
    file_name = file_name or path.name
    check_input_file(path, file_name)
    if kind == "journey-map":
        return preview_journey_map(path, file_name)
    fmt = detect_format(path, file_name, fmt)
    given = as_full(mapping)
    severity = load_severity_map(workspace) if workspace and SEVERITY_COLUMNS.get(kind) else {}
    full = full_mapping(given["map"], {**given["map_values"], **(map_values or {})},
                        {**given["map_set"], **(map_set or {})}, {**given["severity_map"], **severity})
    con = new_connection()
    frame, problems, marks, checked = None, [], {}, "file"
    try:
        try:
            source = open_source(con, kind, path, file_name, fmt, numbered=True)
            columns = con.table("raw_src").columns
            maps = register_lookups(con, kind, full)
            resolution = resolve_columns(kind, columns, full, file_name)
            if not resolution["missing"]:
                check_paths(con, resolution, file_name)
                columns = materialise_sources(con, kind, resolution, columns, maps)
                plan = build_plan(kind, resolution, columns, source["layout"])
                plan["resolution"], plan["mapping"] = resolution, full
                select = output_select(kind, plan, canonical_columns(con, kind_spec(kind)["table"]), guarded=False)
                params = conversion_params(kind, "preview", datetime.now(UTC).replace(tzinfo=None))
                frame = con.sql(f"select * from ({select}) limit {int(limit)}", params=params).df()
                # the same scan order as the frame's (a projection of raw_src): row i of the frame is file row rows[i]
                rows = [r[0] for r in con.sql(f"select __row from ({plan['parsed']}) limit {int(limit)}").fetchall()]
                whole = path.stat().st_size <= CHECK_WHOLE_BYTES
                checked = "file" if whole else "rows"
                problems = find_problems(con, plan, kind, workspace, MAX_PROBLEMS,
                                         rows=None if whole else max(rows, default=0))
                if len(rows) == len(frame):
                    position = {row: i for i, row in reversed(list(enumerate(rows)))}
                    for problem in problems:
                        if problem["row"] in position:
                            marks.setdefault(position[problem["row"]], []).append(problem)
        except duckdb.Error as err:
            diagnose(kind, path, file_name, fmt, full, err, workspace=workspace)
    finally:
        con.close()
    return {"layout": source["layout"], "format": fmt, "source_columns": visible_columns(source["columns"]),
            # plain text (a SourceExpr is a str with its SQL attached: the app caches this by pickling)
            "resolved": {c: [str(s) for s in sources] for c, sources in resolution["resolved"].items()},
            "missing_required": resolution["missing"], "frame": frame,
            "problems": problems, "checked": checked, "marks": marks, "mapping": full}


def marked_frame(preview: dict) -> tuple:
    """The preview's rows for display: a value that would be refused shown as the file holds it, and a
    `problems` column saying column, expected and found. Returns (frame, [(index, column)] of the
    marked cells)."""
    frame = preview["frame"].copy()
    cells = []
    notes = [""] * len(frame)
    for index, found in preview.get("marks", {}).items():
        notes[index] = "; ".join(f"row {p['row']}, {p['column']}: expected {p['expected']}, found {p['found']}"
                                 for p in found)
        for problem in found:
            name = problem["canonical"]
            if name in frame.columns:
                frame[name] = frame[name].astype(object)
                frame.at[index, name] = problem["found"]
                cells.append((index, name))
    frame.insert(0, PROBLEMS_COLUMN, notes)
    return frame, cells


def problems_table(problems: list) -> pd.DataFrame:
    """Problems as a table: row, column, expected, found."""
    return pd.DataFrame([{k: str(p[k]) for k in ("row", "column", "expected", "found")} for p in problems],
                        columns=["row", "column", "expected", "found"])
