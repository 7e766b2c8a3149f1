"""The `journeylens` command line: argument parsing and printing only; the work is in notebooks/."""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from journeylens.app.cli_ai_signals import add_ai_signals_parser
from journeylens.app.cli_backlog import add_backlog_parser
from journeylens.app.cli_calibrate import add_calibrate_parser
from journeylens.app.cli_changes import add_changes_parser
from journeylens.app.cli_export import add_export_parser
from journeylens.app.cli_feeds import add_feeds_parser
from journeylens.app.cli_judge import add_judge_parser
from journeylens.app.cli_mapping import (
    add_mapping_flags,
    add_severity_map_parser,
    mapping_arguments,
    say_refusal,
)
from journeylens.app.cli_nab import add_nab_parser
from journeylens.app.cli_notify import add_notify_parser
from journeylens.app.cli_playbooks import add_playbooks_parser, cmd_ingest_playbooks
from journeylens.app.cli_profile import add_profile_parser
from journeylens.app.cli_rank import add_audit_parser, add_rank_parser
from journeylens.app.cli_retro import add_retro_parser
from journeylens.app.cli_serve import add_serve_parser
from journeylens.app.cli_suppress import add_suppress_parser
from journeylens.app.cli_text import EXIT_REFUSED, progress_printer, say
from journeylens.app.cli_trail import add_trail_parser
from journeylens.notebooks.workspace.contract import KIND_NAMES, IngestError

# Stopping `journeylens app` (a service manager's SIGTERM, Ctrl+C) stops the Streamlit child it started;
# a child still running this long after is killed.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
STOP_GRACE_SECONDS = 10


def cmd_ingest(args) -> int:
    from journeylens.notebooks.ingest.piece_store import keep_workspace_pieces
    from journeylens.notebooks.ingest.upload import ingest_file

    if args.kind == "playbooks":
        return cmd_ingest_playbooks(args)
    mapping = mapping_arguments(args)
    refused = stored = 0
    for file in args.files:
        try:
            result = ingest_file(args.workspace, args.kind, file, fmt=args.format,
                                 progress=progress_printer(Path(file).name), **mapping)
            say(result["message"])
            stored += result["status"] == "stored"
        except IngestError as err:
            say_refusal(err)
            refused += 1
    if stored and args.kind == "alerts":  # stored and said so: now the work the next ranking would do
        keep_workspace_pieces(args.workspace, progress_printer("alert pieces"))
    if stored:
        rank_new_snapshot(args)
    return EXIT_REFUSED if refused else 0


def rank_new_snapshot(args) -> None:
    """After an acknowledged change: ranks the new snapshot for the app (notebooks/queue/rank_ahead.py),
    unless --no-rank-ahead. A failure here undoes nothing stored; it is said in one line, and the app ranks
    the snapshot when a page asks."""
    from journeylens.notebooks.queue.rank_ahead import rank_ahead

    if args.no_rank_ahead:
        return
    try:
        rank_ahead(args.workspace, progress_printer("ranking ahead"))
    except Exception as error:  # noqa: BLE001 - what was stored stays stored; the page ranks it instead
        say(f"note: the new snapshot was not ranked ahead ({type(error).__name__}: {error}); "
            "the app ranks it when a page opens", err=True)


def cmd_uploads(args) -> int:
    from journeylens.notebooks.workspace.snapshot import list_uploads

    uploads = list_uploads(args.workspace)
    if uploads.empty:
        say(f"no uploads in {args.workspace}")
        return 0
    columns = ["upload_id", "kind", "file_name", "layout", "rows", "stored_at", "stored_by"]
    say(uploads[columns].to_string(index=False), keep_newlines=True)
    return 0


def cmd_remove(args) -> int:
    from journeylens.notebooks.workspace.snapshot import remove_upload

    try:
        manifest = remove_upload(args.workspace, args.upload_id, why=args.why or "")
    except KeyError as err:
        say(f"refused: {err.args[0]}", err=True)
        return EXIT_REFUSED
    say(f"removed upload {manifest['upload_id']} ({manifest['file_name']}, {manifest.get('rows', 0):,} rows)")
    rank_new_snapshot(args)
    return 0


def serve(workspace: str, port: int, address: str) -> int:
    from journeylens.app.ui import streamlit_command

    env = dict(os.environ, JOURNEYLENS_WORKSPACE=str(Path(workspace).resolve()))
    say(f"journeylens: serving {workspace} on http://{address}:{port} (Ctrl+C to stop)")
    sys.stdout.flush()
    return run_until_stopped(streamlit_command(port, address), env)


def run_until_stopped(command: list, env: dict, grace: float = STOP_GRACE_SECONDS) -> int:
    """Runs `command` as a child and waits for it. SIGTERM and SIGINT sent to journeylens are passed on to
    the child, so stopping journeylens stops what it started; a child still running `grace` seconds after
    the first of them is killed. Returns the child's status (128 + N when signal N ended it)."""
    child, stop_asked = None, []

    def forward(signum, _frame):
        stop_asked.append(time.monotonic())
        if child is not None:
            child.send_signal(signum)

    previous = {signum: signal.signal(signum, forward) for signum in STOP_SIGNALS}
    try:
        child = subprocess.Popen(command, env=env)
        if stop_asked:  # a signal came before the child existed
            child.send_signal(signal.SIGTERM)
        while True:
            try:
                status = child.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if stop_asked and time.monotonic() - stop_asked[0] > grace:
                    child.kill()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 - status if status < 0 else status


def cmd_app(args) -> int:
    return serve(args.workspace, args.port, args.address)


def cmd_demo(args) -> int:
    from journeylens.notebooks.ingest.sample_workspace import build_sample_workspace

    try:
        results = build_sample_workspace(args.workspace, progress=progress_printer("sample"))
    except IngestError as err:
        say(f"refused: {err}", err=True)
        return EXIT_REFUSED
    for result in results:
        say(result["message"])
    if args.no_app:
        return 0
    return serve(args.workspace, args.port, args.address)


def add_rank_ahead_flag(verb) -> None:
    verb.add_argument("--no-rank-ahead", action="store_true",
                      help="do not rank the new snapshot for the app once it is stored (the first page does)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="journeylens", description="Journey-aware alert and AI-outcome workbench.")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    def with_workspace(p):
        p.add_argument("--workspace", default="workspace", help="workspace folder (default ./workspace)")
        return p

    ingest = with_workspace(verbs.add_parser("ingest", help="store files of a kind in the workspace"))
    ingest.add_argument("kind", choices=(*KIND_NAMES, "playbooks"))  # playbooks: a versioned catalogue
    ingest.add_argument("files", nargs="+", metavar="FILE")
    ingest.add_argument("--format", choices=("csv", "parquet", "json", "jsonl"), help="override format detection")
    add_mapping_flags(ingest)
    add_rank_ahead_flag(ingest)
    ingest.set_defaults(run=cmd_ingest)

    add_rank_parser(verbs, with_workspace)

    uploads = with_workspace(verbs.add_parser("uploads", help="list the uploads of the workspace"))
    uploads.set_defaults(run=cmd_uploads)

    remove = with_workspace(verbs.add_parser("remove", help="remove one upload and what it brought"))
    remove.add_argument("upload_id")
    remove.add_argument("--why", help="reason, kept in the audit log")
    add_rank_ahead_flag(remove)
    remove.set_defaults(run=cmd_remove)

    add_audit_parser(verbs)
    add_nab_parser(verbs)
    add_judge_parser(verbs, with_workspace)
    add_retro_parser(verbs, with_workspace)
    add_calibrate_parser(verbs, with_workspace)
    add_trail_parser(verbs, with_workspace)
    add_export_parser(verbs, with_workspace)
    add_severity_map_parser(verbs, with_workspace)
    add_serve_parser(verbs, with_workspace)
    add_notify_parser(verbs, with_workspace)
    add_backlog_parser(verbs, with_workspace)
    add_changes_parser(verbs, with_workspace)
    add_feeds_parser(verbs, with_workspace)
    add_ai_signals_parser(verbs, with_workspace)
    add_suppress_parser(verbs, with_workspace)
    add_playbooks_parser(verbs, with_workspace)
    add_profile_parser(verbs, with_workspace)

    for name, helptext, run in (("app", "open the app on a workspace", cmd_app),
                                ("demo", "build the sample workspace and open the app", cmd_demo)):
        verb = with_workspace(verbs.add_parser(name, help=helptext))
        verb.add_argument("--port", type=int, default=8501)
        verb.add_argument("--address", default="127.0.0.1", help="bind address (loopback unless asked otherwise)")
        verb.set_defaults(run=run)
    verbs.choices["demo"].add_argument("--no-app", action="store_true", help="build the workspace only")
    return parser


def reader_went_away() -> int:
    """Standard output's reader is gone (`journeylens rank | head`): what is left to print goes to
    /dev/null, as the Python docs on SIGPIPE advise, and the verb ends quietly with status 0."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        status = args.run(args)
        sys.stdout.flush()  # inside the try: a reader that went away is noticed here, not at exit
        return status
    except BrokenPipeError:
        return reader_went_away()
    except IngestError as err:
        say_refusal(err)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # never a traceback for a user; the type helps a bug report
        say(f"journeylens: {type(err).__name__}: {err}", err=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
