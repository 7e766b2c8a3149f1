"""Opening a file as its layout.

Exports load as the tools write them, with no mapping: the layouts of `native/` (one module per tool
family) are recognised by a JSON file's first record or a tabular file's header. Native JSON layouts
are read by set-based SQL in `sql/ingest/`; tabular ones by the alias table of
`workspace/contract.py`, or by their own SQL.
"""

import duckdb
from journeylens.notebooks.ingest.json_records import (
    json_problem,
    json_value,
    python_json_records,
    records_frame,
)
from journeylens.notebooks.ingest.native import BY_NAME, json_layout_for, tabular_layout_for
from journeylens.notebooks.ingest.native.layout_types import (  # noqa: F401 (quote_ident: ingest's one import)
    JsonLayout,
    quote_ident,
)
from journeylens.notebooks.ingest.readers import csv_relation
from journeylens.notebooks.workspace.contract import IngestError, normalise_name
from journeylens.notebooks.workspace.snapshot import sql_text


def layout_source(layout: str) -> str | None:
    """The tool a layout comes from, used as `source` when the file has no source column."""
    native = BY_NAME.get(layout)
    return native.source if native else None


def is_native_json(layout: str) -> bool:
    return isinstance(BY_NAME.get(layout), JsonLayout)


def first_json_record(con, path, file_name: str) -> dict:
    """The first record, read by DuckDB without reading the whole file (fast for big JSON Lines)."""
    try:
        row = con.sql("select json from read_json_objects($p, format = 'auto') limit 1", params={"p": str(path)})
        rows = row.fetchall()
        first = rows[0] if rows else None
    except duckdb.Error as err:
        python_json_records(path, file_name)  # names the line and character of the problem
        if json_problem(err):
            raise IngestError(file_name, 1, None, "a readable JSON record", json_problem(err)) from None
        raise
    if first is None:
        raise IngestError(file_name, None, None, "at least one JSON record", "none")
    value = json_value(first[0], file_name, 1)
    if not isinstance(value, dict):
        raise IngestError(file_name, 1, None, "a JSON object", type(value).__name__)
    return value


def open_source(con, kind: str, path, file_name: str, fmt: str, numbered: bool = False) -> dict:
    """Creates the view `raw_src` of all-text source columns and names its layout.

    Returns {layout, columns, numbered}. `numbered` tells whether `raw_src` carries `__row`, the 1-based
    data row (CSV rows, Parquet rows, JSON array elements, JSON Lines lines, or for native layouts the
    record an alert starts in). CSV rows are numbered only when asked (`numbered`): it costs a pass."""
    if fmt == "csv":
        rel = csv_relation(con, path, numbered=numbered)
        columns = [c for c in rel.columns if c != "__row"]
        return tabular_source(con, kind, rel, columns, numbered)
    if fmt == "parquet":
        try:
            rel = con.read_parquet(str(path), file_row_number=True)
            columns = [c for c in rel.columns if c != "file_row_number"]
        except RuntimeError as err:  # the Python binding cannot turn a name that is not UTF-8 into text
            if "conversion error" not in str(err):
                raise
            raise IngestError(file_name, "header", None, "column names in UTF-8",
                              "a column name that is not UTF-8 text (a damaged file?)") from None
        texts = ", ".join(
            f"case when typeof({quote_ident(c)}) like '%STRUCT%' or typeof({quote_ident(c)}) like '%[]' "
            f"or typeof({quote_ident(c)}) like 'MAP%' then to_json({quote_ident(c)})::varchar "
            f"else cast({quote_ident(c)} as varchar) end as {quote_ident(c)}"
            for c in columns
        )
        return tabular_source(con, kind, rel.project(f"file_row_number + 1 as __row, {texts}"), columns, True)
    first = first_json_record(con, path, file_name)
    native = json_layout_for(first, kind)
    if native is not None:
        if native.kind != kind:
            raise IngestError(file_name, 1, None, f"{kind} records", f"a {native.name} record (ingest it as {native.kind})")
        # Numbering rows serialises the scan (about 2x slower): only layouts that need file order (or the
        # diagnosis of a refused file) ask for numbers.
        row = "row_number() over ()" if numbered or native.number_rows else "null::bigint"
        if native.reader:
            reader = con.sql(f"select {row} as __row, * from ({sql_text(native.reader)})", params={"path": str(path)})
            reader.create_view(native.reader)
        else:
            docs = con.sql(f"select {row} as __row, json as doc from read_json_objects($p, format = 'auto')",
                           params={"p": str(path)})
            docs.create_view("docs")
        rel = con.sql(sql_text(native.sql))
        rel.create_view("raw_src")
        return {"layout": native.name, "columns": [c for c in rel.columns if c != "__row"], "numbered": True}
    frame = records_frame(python_json_records(path, file_name))
    con.register("raw_frame", frame)
    columns = [c for c in frame.columns if c != "__row"]
    source = tabular_source(con, kind, con.sql("select * from raw_frame"), columns, True)
    return {**source, "layout": "records" if source["layout"] == "columns" else source["layout"]}


def tabular_source(con, kind: str, rel, columns: list, numbered: bool) -> dict:
    """Creates `raw_src` from a tabular relation of all-text columns: as it is, or through its native
    layout's SQL (which reads the view `src`)."""
    native = tabular_layout_for(kind, {normalise_name(c) for c in columns})
    if native is None or native.sql is None:
        rel.create_view("raw_src")
        return {"layout": native.name if native else "columns", "columns": columns, "numbered": numbered}
    rel.create_view("src")
    text = native.sql(columns) if callable(native.sql) else sql_text(native.sql)
    out = con.sql(text)
    out.create_view("raw_src")
    return {"layout": native.name, "columns": [c for c in out.columns if c != "__row"], "numbered": numbered}
