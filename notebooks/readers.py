import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import codecs
    import csv
    import re
    import hashlib
    import json
    from pathlib import Path

    import pandas as pd

    from notebooks.kinds import IngestError

    FORMATS = ("csv", "parquet", "json", "jsonl")
    # DuckDB refuses longer CSV lines; the huge-cell check then names the row. Beyond this a line is
    # reported by the Python fallback.
    MAX_LINE_BYTES = 64 * 1024 * 1024
    # Keys whose object value holds attributes (OpenTelemetry spans): their keys are lifted to the top.
    ATTRIBUTE_KEYS = ("attributes", "span_attributes", "attrs")


@app.function
def file_digest(path) -> tuple:
    """(sha256 hex, size in bytes), streaming so that large files are not held in memory."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(8 * 1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


@app.function
def detect_format(path, file_name: str, override: str | None = None) -> str:
    """csv | parquet | json | jsonl, from the content first (magic bytes, first character), the file
    name second. `override` (the --format flag) wins."""
    if override:
        if override not in FORMATS:
            raise IngestError(file_name, None, None, "--format one of " + ", ".join(FORMATS), repr(override))
        return override
    with open(path, "rb") as handle:
        head = handle.read(65536)
    if head[:4] == b"PAR1":
        return "parquet"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] == b"[":
        return "json"
    if text[:1] == b"{":
        first_line = text.split(b"\n", 1)[0].strip()
        try:
            json.loads(first_line)
            return "jsonl"
        except ValueError:
            return "json"
    suffix = Path(file_name).suffix.lower()
    return {".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"}.get(suffix, "csv")


@app.function
def check_utf8(path, file_name: str, header_lines: int = 0) -> None:
    """Refuses non-UTF-8 bytes, naming the row (line minus header lines) and the byte column of the
    first bad byte."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line, last_newline, offset = 1, -1, 0
    with open(path, "rb") as handle:
        while chunk := handle.read(4 * 1024 * 1024):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as err:
                start = max(err.start, 0)
                before = chunk[:start]
                line += before.count(b"\n")
                if (newline := before.rfind(b"\n")) >= 0:
                    last_newline = offset + newline
                row = line - header_lines
                raise IngestError(
                    file_name, row if row > 0 else "header", f"byte {offset + start - last_newline}",
                    "UTF-8 text", f"the byte 0x{chunk[start]:02x}",
                ) from None
            line += chunk.count(b"\n")
            if (newline := chunk.rfind(b"\n")) >= 0:
                last_newline = offset + newline
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise IngestError(file_name, None, None, "UTF-8 text", "a truncated multi-byte character at the end") from None


@app.function
def python_json_records(path, file_name: str) -> list:
    """[(row, record)] from a JSON array, one JSON object, or JSON Lines, with exact error positions.
    `row` is the array element (1-based) or the JSONL line."""
    check_utf8(path, file_name)
    text = Path(path).read_text(encoding="utf-8-sig")
    stripped = text.strip()
    if not stripped:
        raise IngestError(file_name, None, None, "at least one JSON record", "an empty file")
    try:
        document = json.loads(stripped)
        values = document if isinstance(document, list) else [document]
        records = list(enumerate(values, start=1))
    except json.JSONDecodeError as whole_err:
        if stripped[0] == "[" or ("\n" not in stripped):
            raise IngestError(file_name, f"{whole_err.lineno} (line)", f"char {whole_err.colno}",
                              "valid JSON", whole_err.msg.lower()) from None
        records = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append((number, json.loads(line)))
            except json.JSONDecodeError as err:
                truncated = err.pos >= len(line.rstrip()) or err.msg.startswith("Unterminated string")
                found = "the line ending mid-record (a truncated record)" if truncated else err.msg.lower()
                raise IngestError(file_name, number, f"char {err.colno}", "a complete JSON object", found) from None
    for row, record in records:
        if not isinstance(record, dict):
            raise IngestError(file_name, row, None, "a JSON object", type(record).__name__)
    if not records:
        raise IngestError(file_name, None, None, "at least one JSON record", "none")
    return records


@app.function
def flatten_record(record: dict) -> dict:
    """One level: attribute objects are lifted, other nested values kept as JSON text, scalars as text."""
    flat = {}
    for key, value in record.items():
        if key in ATTRIBUTE_KEYS and isinstance(value, dict):
            for inner_key, inner_value in value.items():
                flat.setdefault(inner_key, inner_value)
        else:
            flat[key] = value
    return {k: cell_text(v) for k, v in flat.items()}


@app.function
def cell_text(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


@app.function
def records_frame(records: list) -> pd.DataFrame:
    """All-text DataFrame (plus `__row`) from [(row, record)]; keys in first-seen order."""
    flat = [flatten_record(r) for _, r in records]
    columns = list(dict.fromkeys(k for rec in flat for k in rec))
    frame = pd.DataFrame(flat, columns=columns, dtype=object)
    frame.insert(0, "__row", [row for row, _ in records])
    return frame


@app.function
def csv_relation(con, path, numbered: bool = False):
    """The CSV as all-text columns. DuckDB sniffs the dialect; `header` is forced on.

    Row numbers cost a window over the whole file, so the fast path goes without them and only the
    diagnosis of a refused file (single-threaded, so the order is the file's) asks for them."""
    # The dialect is pinned: RFC 4180 quoting, and the delimiter the header line uses most. DuckDB's
    # sniffer would otherwise "explain" a broken row (an unterminated quote, an extra field) with
    # another dialect, and store a broken file instead of refusing it.
    delimiter = header_delimiter(path)
    columns = {name: "VARCHAR" for name in header_names(path, delimiter)}
    rel = con.read_csv(str(path), header=True, columns=columns, auto_detect=False, max_line_size=MAX_LINE_BYTES,
                       delimiter=delimiter, quotechar='"', escapechar='"', strict_mode=True)
    if not numbered:
        return rel
    con.execute("set threads = 1")
    return rel.project("row_number() over () as __row, *")


@app.function
def header_delimiter(path) -> str:
    """The delimiter of a CSV: whichever of , ; tab | its header line holds most (comma on a tie)."""
    with open(path, "rb") as handle:
        header = handle.readline(1024 * 1024).decode("utf-8", errors="replace")
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


@app.function
def header_names(path, delimiter: str) -> list:
    """The header's column names; blank ones become column_N and repeated ones get a _2, _3 suffix."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        header = next(csv.reader(handle, delimiter=delimiter, quotechar='"'), [])
    names, seen = [], set()
    for index, raw in enumerate(header, start=1):
        name = raw.strip() or f"column_{index}"
        candidate, n = name, 1
        while candidate.lower() in seen:
            n += 1
            candidate = f"{name}_{n}"
        seen.add(candidate.lower())
        names.append(candidate)
    return names


@app.function
def csv_problem(error) -> str:
    """What a DuckDB CSV error found, in a user's words."""
    text = str(error)
    fields = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if fields:
        return f"{fields.group(2)} fields where the header has {fields.group(1)}"
    if "unterminated quote" in text.lower():
        return "a quote that is never closed"
    if "maximum line size" in text.lower():
        return f"a line longer than {MAX_LINE_BYTES:,} bytes"
    return text.strip().splitlines()[0][:300]


@app.cell(hide_code=True)
def _():
    import marimo as mo

    mo.md(
        """
        # Reading uploaded files

        Format detection (content before file name), UTF-8 checks with exact positions, and JSON
        parsing that names the line of a truncated record. Everything a reader returns is text; the
        canonical parsers in `ingest.py` decide what each value means.
        """
    )
    return


if __name__ == "__main__":
    app.run()
