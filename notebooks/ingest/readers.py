"""Reading uploaded files.

Format detection (content before file name), UTF-8 checks with exact positions (UTF-16 and
other encodings named as such) and the CSV dialect. JSON records read in Python are
`json_records.py`. Everything a reader returns is text; the canonical parsers (the
`jl_*` macros of `sql/workspace/`, applied by `columns.py`) decide what each value means.
"""

import codecs
import csv
import hashlib
import json
import re
from pathlib import Path

from journeylens.notebooks.workspace.contract import IngestError

FORMATS = ("csv", "parquet", "json", "jsonl")
# DuckDB refuses longer CSV lines; the huge-cell check then names the row. Beyond this a line is
# reported by the Python fallback.
MAX_LINE_BYTES = 64 * 1024 * 1024
# Text that is not UTF-8, told by its byte-order mark (longest first) or, for UTF-16/32 without one, by
# its zero bytes: the user is told what it is and what to do, instead of a "missing column".
BYTE_ORDER_MARKS = (
    (b"\x00\x00\xfe\xff", "UTF-32 text"), (b"\xff\xfe\x00\x00", "UTF-32 text"), (b"\xfe\xff", "UTF-16 text"),
    (b"\xff\xfe", "UTF-16 text"), (b"+/v", "UTF-7 text"), (b"\x84\x31\x95\x33", "GB 18030 text"),
    (b"\xdd\x73\x66\x73", "UTF-EBCDIC text"), (b"\x1f\x8b", "a gzip-compressed file"),
    (b"PK\x03\x04", "a zip archive (an Excel workbook is one)"),
)


def file_digest(path) -> tuple:
    """(sha256 hex, size in bytes), streaming so that large files are not held in memory."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(8 * 1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def check_input_file(path, file_name: str) -> None:
    """Refuses what is not a file with data, saying what it is: a directory, nothing, an empty file."""
    path = Path(path)
    if path.is_dir():
        raise IngestError(file_name, None, None, "a file", "a directory (give the files in it one by one)")
    if not path.is_file():
        raise IngestError(file_name, None, None, "a readable file", "no such file")
    if path.stat().st_size == 0:
        raise IngestError(file_name, None, None, "a file with data", "an empty file (0 bytes)")


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
    refuse_other_encoding(head, file_name)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] == b"[":
        return "json"
    if text[:1] == b"{":
        first_line = text.split(b"\n", 1)[0].strip()
        try:
            json.loads(first_line)
            return "jsonl"
        except RecursionError:  # a complete line nested too deep: its reader refuses it by line
            return "jsonl"
        except ValueError:
            return "json"
    suffix = Path(file_name).suffix.lower()
    return {".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"}.get(suffix, "csv")


def refuse_other_encoding(head: bytes, file_name: str) -> None:
    """Refuses UTF-16, UTF-32 and other non-UTF-8 text (or a compressed file) by its first bytes."""
    found = next((what for mark, what in BYTE_ORDER_MARKS if head.startswith(mark)), None)
    sample = head[:4096]
    if found is None and len(sample) >= 8 and sample.count(0) >= len(sample) // 3:
        zeros = [sample[i::4].count(0) / len(sample[i::4]) for i in range(4)]
        if min(zeros[1:]) > 0.9 or min(zeros[:3]) > 0.9:
            found = "UTF-32 text"
        elif min(zeros[0], zeros[2]) > 0.9 or min(zeros[1], zeros[3]) > 0.9:
            found = "UTF-16 text"
    if found:
        advice = "decompress it" if "file" in found or "archive" in found else "save it as UTF-8"
        raise IngestError(file_name, None, None, "UTF-8 text", f"{found} ({advice} and upload it again)")


def check_utf8(path, file_name: str, header_lines: int = 0) -> None:
    """Refuses non-UTF-8 bytes, naming the row (line minus header lines) and the byte column of the
    first bad byte; UTF-16/32 text is named as such."""
    with open(path, "rb") as handle:
        refuse_other_encoding(handle.read(4096), file_name)
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


def header_delimiter(path) -> str:
    """The delimiter of a CSV: whichever of , ; tab | its header line holds most (comma on a tie)."""
    with open(path, "rb") as handle:
        header = handle.readline(1024 * 1024).decode("utf-8", errors="replace")
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


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


def parquet_problem(error) -> str | None:
    """What a DuckDB Parquet error found, in a user's words (None when it has no better words). Every
    error of reading the file itself (footer, pages, compression, Thrift metadata) means a damaged file;
    a conversion or a query error is not one."""
    text = str(error)
    if "not valid UTF8" in text:
        return "text that is not UTF-8 (a damaged file, or one written with another encoding)"
    if any(kind in text for kind in ("Conversion Error", "Could not convert", "Binder Error", "Catalog Error",
                                     "Parser Error", "Out of Memory", "Interrupt")):
        return None
    return "a damaged or cut-short Parquet file"


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
