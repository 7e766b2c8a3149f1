"""JSON records read in Python.

Plain JSON records (an array, one object, or JSON Lines) are parsed here, with the line and
character of a problem, and flattened to all-text columns. Everything is bounded before it is
built: the file size, the size of one record and how deep values nest, so a hostile file is a
refusal within seconds, never a RecursionError or a machine out of memory.
"""

import json
import re
from pathlib import Path

import pandas as pd
from journeylens.notebooks.ingest.readers import check_utf8
from journeylens.notebooks.workspace.contract import IngestError

# Keys whose object value holds attributes (OpenTelemetry spans): their keys are lifted to the top.
ATTRIBUTE_KEYS = ("attributes", "span_attributes", "attrs")
# JSON that journeylens parses in Python (the plain-records layout, the first record, a refused file's
# diagnosis) is bounded before it is expanded: nesting depth, the file loaded whole, one record (the
# last is DuckDB's maximum_object_size, so both readers agree on what is too large).
MAX_JSON_DEPTH = 64
MAX_PYTHON_JSON_BYTES = 128 * 1024 * 1024
MAX_JSON_RECORD_BYTES = 16 * 1024 * 1024


def python_json_records(path, file_name: str) -> list:
    """[(row, record)] from a JSON array, one JSON object, or JSON Lines, with exact error positions.
    `row` is the array element (1-based) or the JSONL line. Bounded: the file (MAX_PYTHON_JSON_BYTES), a
    JSON Lines record (MAX_JSON_RECORD_BYTES) and the nesting (MAX_JSON_DEPTH) before anything is built."""
    size = Path(path).stat().st_size
    if size > MAX_PYTHON_JSON_BYTES:
        raise IngestError(file_name, None, None, f"a JSON file of at most {MAX_PYTHON_JSON_BYTES:,} bytes in this "
                          "layout (convert a larger one to CSV or Parquet)", f"{size:,} bytes")
    check_utf8(path, file_name)
    text = Path(path).read_text(encoding="utf-8-sig")
    stripped = text.strip()
    if not stripped:
        raise IngestError(file_name, None, None, "at least one JSON record", "an empty file")
    try:
        document = json_value(stripped, file_name, None)
    except (json.JSONDecodeError, IngestError) as whole_err:  # IngestError: nested too deep
        if stripped[0] == "[" or ("\n" not in stripped):
            if isinstance(whole_err, IngestError):
                raise
            raise IngestError(file_name, f"{whole_err.lineno} (line)", f"char {whole_err.colno}",
                              "valid JSON", whole_err.msg.lower()) from None
        try:  # JSON Lines: the line of the problem
            records = list(json_lines(text.splitlines(), file_name))
        except IngestError:
            if isinstance(whole_err, IngestError):  # one deep document over several lines
                raise whole_err from None
            raise
    else:
        if not isinstance(document, list):
            json_record_size(stripped, file_name, 1)
        records = list(enumerate(document if isinstance(document, list) else [document], start=1))
    for row, record in records:
        if not isinstance(record, dict):
            raise IngestError(file_name, row, None, "a JSON object", type(record).__name__)
    if not records:
        raise IngestError(file_name, None, None, "at least one JSON record", "none")
    return records


def json_lines(lines, file_name: str):
    """(line number, value) of each non-blank JSON Lines line, refusing the first that is not a complete,
    bounded JSON value. `lines` may be a file handle: a large file is checked a line at a time."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        json_record_size(line, file_name, number)
        try:
            yield number, json_value(line, file_name, number)
        except json.JSONDecodeError as err:
            truncated = err.pos >= len(line.rstrip()) or err.msg.startswith("Unterminated string")
            found = "the line ending mid-record (a truncated record)" if truncated else err.msg.lower()
            raise IngestError(file_name, number, f"char {err.colno}", "a complete JSON object", found) from None


def json_record_size(text: str, file_name: str, row) -> None:
    if len(text) > MAX_JSON_RECORD_BYTES and len(text.encode()) > MAX_JSON_RECORD_BYTES:
        raise IngestError(file_name, row, None, f"a JSON record of at most {MAX_JSON_RECORD_BYTES:,} bytes",
                          f"{len(text.encode()):,} bytes")


def json_value(text: str, file_name: str, row):
    """json.loads, refusing a value nested deeper than MAX_JSON_DEPTH (Python's parser itself stops at
    its recursion limit; a RecursionError is that refusal, not a crash). Raises JSONDecodeError."""
    too_deep = IngestError(file_name, row, None, f"JSON nested at most {MAX_JSON_DEPTH} levels deep",
                           f"values nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        value = json.loads(text)
    except RecursionError:
        raise too_deep from None
    # A record deeper than the limit holds that many containers besides itself, and each has a bracket
    # in the text: when the brackets beyond one per record are fewer, the walk below is not needed.
    items = value if isinstance(value, list) else [value]
    records = sum(isinstance(item, (dict, list)) for item in items) + (items is value)
    if text.count("[") + text.count("{") - records >= MAX_JSON_DEPTH:
        if any(nesting_depth(item, MAX_JSON_DEPTH) > MAX_JSON_DEPTH for item in items):
            raise too_deep
    return value


def nesting_depth(value, limit: int) -> int:
    """How deep dicts and lists nest in `value` (a scalar is 0), counted without recursion and only up to
    limit + 1."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            break
        stack.extend((child, depth + 1) for child in item if isinstance(child, (dict, list)))
    return deepest


def json_problem(error) -> str | None:
    """What a DuckDB JSON error found, in a user's words (None when it has no better words)."""
    text = str(error)
    if "maximum_object_size" in text:
        return f"a JSON record larger than {MAX_JSON_RECORD_BYTES:,} bytes"
    wrong = re.search(r"Expected (\w+), but got (\w+)(?:: (.*))?", text)
    if wrong:  # a native layout's field of another JSON type (e.g. a string where the alerts' objects go)
        kinds = {"VARCHAR": "string", "OBJECT": "object", "ARRAY": "array", "BOOLEAN": "boolean"}
        got, expected = (kinds.get(wrong.group(i), wrong.group(i).lower()) for i in (2, 1))
        value = (wrong.group(3) or "").strip()[:60]
        return f"a JSON {got} where this layout expects a JSON {expected}" + (f": {value}" if value else "")
    return None


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


def cell_text(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def records_frame(records: list) -> pd.DataFrame:
    """All-text DataFrame (plus `__row`) from [(row, record)]; keys in first-seen order."""
    flat = [flatten_record(r) for _, r in records]
    columns = list(dict.fromkeys(k for rec in flat for k in rec))
    frame = pd.DataFrame(flat, columns=columns, dtype=object)
    frame.insert(0, "__row", [row for row, _ in records])
    return frame
