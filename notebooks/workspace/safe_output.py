"""Outputs that are safe to open.

Alert names, services and incident ids come from other people's tools, so every output
journeylens writes treats them as hostile:

- **CSV** (`ranked_alerts.csv`, `retro_stages.csv`, downloads): a text cell that starts with
  `=`, `+`, `-`, `@`, tab, carriage return or NUL, also after leading spaces, gets a leading `'`
  (the OWASP CSV-injection advice), so a spreadsheet shows `=HYPERLINK(...)` as text. Numbers,
  including negative ones, stay numbers.
- **Markdown** (`report.md`, `retro.md`): `<`, `&` and the link, image and emphasis syntax are
  escaped, so `<script>` and `[x](javascript:...)` render as the text they are.
- **Terminal**: control characters (ESC, CR, C1) and bidi overrides are shown as `\x1b`, `\u202e`.
- **Where**: no output may land on a workspace's stored state (uploads, the audit log, profiles...),
  symlinks and `..` resolved; files are written whole, through a rename.
"""

import os
import re
import uuid
from pathlib import Path

import pandas as pd
from journeylens.notebooks.workspace.contract import IngestError
from journeylens.notebooks.workspace.paths import STORED_NAMES, is_workspace

# OWASP "CSV Injection": a spreadsheet may run a cell that starts with = + - @, tab or carriage return
# (NUL too, in OWASP ASVS 1.2.10) as a formula. Leading whitespace does not make such a cell safe (some
# importers trim it), so it is looked through. Plain numbers (-5, +1.5e3) are no formulas and stay.
FORMULA_CELL = re.compile(r"[\t\r\0]|\s*[=+\-@]")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# What can steer a terminal: C0 controls (ESC, CR, BEL, backspace...) but tab, DEL, C1 controls (0x9b is
# an 8-bit CSI) and the bidi embeddings, overrides and isolates ("Trojan Source").
TERMINAL_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
TERMINAL_CONTROL_BUT_NEWLINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Markdown that can start a link, image, emphasis, code span, strikethrough or table cell anywhere in a
# line (an underscore between two letters or digits cannot: ai_metrics.csv stays readable); and the
# markers that start a heading, quote, list or thematic break at the start of one.
MARKDOWN_INLINE = re.compile(r"[\\`*\[\]|~]|(?<![^\W_])_|_(?![^\W_])")
MARKDOWN_LINE_START = re.compile(r"^(?:([#>+=-])|(\d{1,9})([.)]))")
# Floats in CSV outputs carry 10 significant digits: DuckDB sums in parallel, so the 16th digit of a
# baseline can differ from run to run, and the same data must give the same file (retro diffs, tests).
CSV_FLOAT_FORMAT = "%.10g"


def csv_cell(value):
    """One CSV value, neutralised: text that starts with = + - @, tab, CR or NUL (also after leading spaces)
    gets a leading single quote, so a spreadsheet shows it as text; anything else is returned as it is."""
    if isinstance(value, str) and FORMULA_CELL.match(value) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` that is safe to open in a spreadsheet: every text cell (and column name) through
    csv_cell. Number, boolean and time columns are not touched, so numbers stay numbers (a negative zero is
    written 0)."""
    safe = frame.copy()
    for column in safe.columns:
        values = safe[column]
        if pd.api.types.is_float_dtype(values):  # -0 reads as a sign where there is none (engines differ on it)
            safe[column] = values.where(values != 0, 0.0)
        if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values)
                or pd.api.types.is_timedelta64_dtype(values)):
            safe[column] = values.map(csv_cell)
    safe.columns = [csv_cell(c) for c in safe.columns]
    return safe


def csv_text(frame: pd.DataFrame) -> str:
    """The frame as CSV text (no index), neutralised by csv_safe: for downloads."""
    return csv_safe(frame).to_csv(index=False, float_format=CSV_FLOAT_FORMAT)


def replace_file(path, write) -> Path:
    """Writes a file whole or not at all: `write(temporary)` fills a new file beside `path`, which then
    replaces it in one rename. A symlink at `path` is followed (check_output_target has vetted where it
    leads); a hard link elsewhere keeps the old content, since the file is a new one. A target that is not
    a regular file (--out /dev/stdout) is written in place."""
    given = Path(os.path.expanduser(path))
    if given.exists() and not given.is_file():
        write(given)
        return given
    target = Path(os.path.realpath(given))
    temporary = target.with_name(f".{target.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(temporary)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


def write_csv(frame: pd.DataFrame, target) -> None:
    """The frame as CSV (no index, floats to 10 significant digits), neutralised by csv_safe, into a file (replace_file) or an open text
    stream (standard output)."""
    safe = csv_safe(frame)
    if isinstance(target, (str, os.PathLike)):
        replace_file(target, lambda temporary: safe.to_csv(temporary, index=False, float_format=CSV_FLOAT_FORMAT))
    else:
        safe.to_csv(target, index=False, float_format=CSV_FLOAT_FORMAT)


def write_text(path, text: str) -> None:
    """A text file (UTF-8) written whole or not at all (replace_file)."""
    replace_file(path, lambda temporary: Path(temporary).write_text(text, encoding="utf-8"))


def terminal_text(value, keep_newlines: bool = False) -> str:
    """`value` as text a terminal shows and never obeys: control characters (ESC, CR, BEL, DEL, C1 such as
    0x9b) appear as \\x1b, bidi overrides and isolates (U+202A-U+202E, U+2066-U+2069) as \\u202e. Tab is
    kept, newlines too with keep_newlines (a table, a CSV)."""
    pattern = TERMINAL_CONTROL_BUT_NEWLINE if keep_newlines else TERMINAL_CONTROL
    return pattern.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}",
                       str(value))


def markdown_text(value, line_start: bool = False) -> str:
    """`value` as Markdown that renders as the same text, whatever the data holds.

    One line (whitespace runs, line breaks included, become one space; other control characters are
    shown escaped, as terminal_text does); & and < become entities, so no HTML tag, entity or autolink can
    start (and a > closes nothing); \\ ` * [ ] | ~ and _ (unless between letters or digits) are
    backslash-escaped, so no link ([x](javascript:...)), image, emphasis, code span, strikethrough or
    table cell can start. With line_start (a heading, a paragraph) a leading # > + = - or "1." is escaped too, so the text cannot
    become a heading, quote or list."""
    text = terminal_text(" ".join(str(value).split()))
    text = MARKDOWN_INLINE.sub(lambda m: "\\" + m[0], text.replace("&", "&amp;").replace("<", "&lt;"))
    if line_start:
        text = MARKDOWN_LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text)
    return text


def check_output_target(path, workspace=None, folder: bool = False, inputs=()) -> Path:
    """Refuses (IngestError: exit 2 on the command line, nothing written) an output path that would
    overwrite what a workspace keeps, and returns it resolved.

    The path is resolved (~, `..` and symlinks followed). It is refused when it is, or lies inside, one of
    the STORED_NAMES (uploads/, audit.jsonl, profiles/...) of `workspace` or of any workspace folder it lies
    in; when it is one of the `inputs` being read; and when a file is wanted where a folder is, or the
    other way round."""
    target = Path(os.path.realpath(os.path.expanduser(path)))
    roots = [Path(os.path.realpath(workspace))] if workspace is not None else []
    roots += [parent for parent in (target, *target.parents) if is_workspace(parent)]
    for root in roots:
        for name in STORED_NAMES:
            stored = Path(os.path.realpath(root / name))
            if target == stored or stored in target.parents:
                where = f"{name} itself" if target == stored else f"inside {name}/"
                raise IngestError(path, None, None, "an output path outside what a workspace stores",
                                  f"{target}: {where} of the workspace {root}")
    for source in inputs:
        if Path(os.path.realpath(source)) == target:
            raise IngestError(path, None, None, "an output path that is not one of the input files", str(target))
    if folder and target.exists() and not target.is_dir():
        raise IngestError(path, None, None, "a folder for the output files", "a file")
    if not folder and target.is_dir():
        raise IngestError(path, None, None, "a file to write", "a folder")
    return target


def check_output_folder(folder, names, workspace=None, inputs=()) -> list:
    """check_output_target on an output folder and on every file to be written in it (a name may hold a
    subfolder: corpus/file.csv); returns the files' resolved paths. Call it before writing any of them."""
    check_output_target(folder, workspace, folder=True, inputs=inputs)
    return [check_output_target(Path(folder) / name, workspace, inputs=inputs) for name in names]
