"""Taking data out again: `journeylens export KIND`.

Writes the canonical rows of a kind exactly as the workspace sees them: alerts folded over their
notices (with status, resolved_from, notices and extra), `alert-notices` as stored, every other kind
as its canonical table. For users who move their data to another tool, and for tests that check what
was stored. CSV cells that a spreadsheet would run as a formula get a leading `'` (as every CSV
journeylens writes); JSON Lines and Parquet keep every value exactly.
"""

import shutil
import sys
import tempfile
from pathlib import Path

from journeylens.notebooks.ingest.layouts import quote_ident
from journeylens.notebooks.ingest.upload import run_with_progress
from journeylens.notebooks.workspace.contract import IngestError
from journeylens.notebooks.workspace.safe_output import replace_file
from journeylens.notebooks.workspace.snapshot import close_snapshot, connect

# kind -> (view of the snapshot, the order rows are written in: stable, so two exports of one workspace
# are the same file)
EXPORTS = {
    "alerts": ("alerts", "fired_at, alert_id"),
    "alert-notices": ("alert_notices", "event_at, upload_id, receipt, notice_id"),
    "metrics": ("journey_metrics", "ts, stage, segment"),
    "ai": ("ai_interactions", "ts, interaction_id, shadow"),
    "scores": ("eval_scores", "interaction_id, name, source"),
    "incidents": ("incidents", "opened_at, incident_id"),
    "changes": ("changes", "ts, service, kind, description"),
    "tickets": ("tickets", "ts, ticket_id"),
    "stages": ("stages", "upload_id, id"),
    "touchpoints": ("touchpoints", "upload_id, stage"),
    "segments": ("segments", "upload_id, id"),
}
EXPORT_FORMATS = ("csv", "parquet", "jsonl")
# Columns that hold a JSON object as text: nested in JSON Lines.
JSON_TEXT_COLUMNS = ("labels", "extra")
# RE2 forms of safe_output.FORMULA_CELL and PLAIN_NUMBER: the same cells are neutralised as in every CSV.
FORMULA_CELL_RE2 = r"^([\t\r\x00]|\s*[=+\-@])"
PLAIN_NUMBER_RE2 = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"


def export_kind(workspace, kind: str, out=None, fmt: str = "csv", progress=None) -> dict:
    """Writes the rows of `kind` to `out` (a path; None: standard output) as csv, parquet or jsonl, whole or
    not at all. Returns {rows, columns, path}. Refuses (IngestError) an unknown kind or format, and
    Parquet to a terminal or pipe."""
    if kind not in EXPORTS:
        raise IngestError("export", None, None, "a kind: " + ", ".join(EXPORTS), repr(kind))
    if fmt not in EXPORT_FORMATS:
        raise IngestError("export", None, "--format", "one of " + ", ".join(EXPORT_FORMATS), repr(fmt))
    if fmt == "parquet" and out is None:
        raise IngestError("export", None, "--out", "a file for Parquet (it is binary)", "standard output")
    report = progress or (lambda fraction, text: None)
    if not Path(workspace, "uploads").is_dir():
        raise IngestError(str(workspace), None, None, "a journeylens workspace", "no uploads folder")
    view, order = EXPORTS[kind]
    con = connect(workspace)
    try:
        relation = con.sql(f"select * from {quote_ident(view)} order by {order}")
        columns = relation.columns
        if fmt == "csv":
            relation = neutralised(con, relation)
        elif fmt == "jsonl":
            relation = nested_json(relation)
        rows = con.sql(f"select count(*) from {quote_ident(view)}").fetchall()[0][0]

        def write(temporary) -> None:
            run_with_progress(con, lambda: write_relation(con, relation, temporary, fmt), report, 0.0, 1.0,
                              text="writing")

        if out is None:  # spooled outside the workspace (a reader writes nothing in it), then streamed
            with tempfile.TemporaryDirectory(prefix="journeylens-export-") as folder:
                spool = Path(folder, f"{kind}.{fmt}")
                write(spool)
                with open(spool, encoding="utf-8") as handle:
                    shutil.copyfileobj(handle, sys.stdout)
        else:
            replace_file(out, write)
    finally:
        close_snapshot(con)
    report(1.0, "written")
    return {"rows": rows, "columns": columns, "path": None if out is None else str(out)}


def neutralised(con, relation):
    """The relation with every text cell that a spreadsheet would run as a formula prefixed by `'`."""
    types = dict(zip(relation.columns, relation.types, strict=True))
    cells = []
    for name in relation.columns:
        column = quote_ident(name)
        if str(types[name]) == "VARCHAR":
            cells.append(f"case when regexp_matches({column}, '{FORMULA_CELL_RE2}') and not "
                         f"regexp_full_match({column}, '{PLAIN_NUMBER_RE2}') then '''' || {column} "
                         f"else {column} end as {column}")
        else:
            cells.append(column)
    return relation.project(", ".join(cells))


def nested_json(relation):
    """For JSON Lines, the JSON-object text columns (labels, extra) become nested objects, not strings."""
    cells = [f"case when json_valid({quote_ident(c)}) then {quote_ident(c)}::json end as {quote_ident(c)}"
             if c in JSON_TEXT_COLUMNS else quote_ident(c) for c in relation.columns]
    return relation.project(", ".join(cells))


def write_relation(con, relation, path, fmt: str) -> None:
    if fmt == "parquet":
        relation.write_parquet(str(path), compression="zstd")
    elif fmt == "csv":
        relation.write_csv(str(path), header=True)
    else:
        relation.create_view("export_rows", replace=True)
        # COPY takes its target as SQL text: the path is journeylens' own temporary file, quoted
        literal = "'" + str(path).replace("'", "''") + "'"
        con.execute(f"copy (select * from export_rows) to {literal} (format json)")
