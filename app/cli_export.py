"""`journeylens export KIND`: argument parsing and printing; the work is notebooks/ingest/export.py."""

import sys

from journeylens.app.cli_text import progress_printer, say


def cmd_export(args) -> int:
    from journeylens.notebooks.ingest.export import export_kind
    from journeylens.notebooks.workspace.safe_output import check_output_target

    if args.out:
        check_output_target(args.out, args.workspace)
    fmt = args.format or format_from_name(args.out)
    done = export_kind(args.workspace, args.kind, args.out, fmt,
                       progress=progress_printer(f"export {args.kind}") if args.out else None)
    if args.out:
        say(f"wrote {done['rows']:,} {args.kind} rows ({len(done['columns'])} columns, {fmt}) to {args.out}")
    sys.stdout.flush()
    return 0


def format_from_name(out) -> str:
    """--format when not given: from the file name (.parquet, .jsonl/.ndjson/.json), else CSV."""
    suffix = str(out or "").lower().rsplit(".", 1)[-1]
    return {"parquet": "parquet", "jsonl": "jsonl", "ndjson": "jsonl", "json": "jsonl"}.get(suffix, "csv")


def add_export_parser(verbs, with_workspace) -> None:
    from journeylens.notebooks.ingest.export import EXPORT_FORMATS, EXPORTS

    export = with_workspace(verbs.add_parser(
        "export", help="the canonical stored rows of a kind, as the workspace sees them (alerts folded)"))
    export.add_argument("kind", choices=tuple(EXPORTS))
    export.add_argument("--out", metavar="FILE", help="file to write (default: standard output)")
    export.add_argument("--format", choices=EXPORT_FORMATS, help="csv, parquet or jsonl (default: from --out, else csv)")
    export.set_defaults(run=cmd_export)
