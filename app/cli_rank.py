"""`journeylens rank` and `journeylens audit`: argument parsing and printing; the work is in notebooks/. Both
take `--engine spark [--master URL | --remote sc://…]` (SPEC §4) and write the same files on either engine.

Both rank as the app does (journey signals, AI signals and burn-rate pages queued beside the alert
groups: queue_view.ranked_frame), so the order of ranked_alerts.csv is the app's, and both say on
standard error what they counted (queue_view.counts_text), in the words the app and the retro use."""

import sys

from journeylens.app.cli_text import EXIT_REFUSED, progress_printer, say


def write_table(table, out, what: str) -> None:
    """`table` as CSV into `out`, formula cells neutralised (safe_output.csv_safe), saying what was written;
    to standard output when `out` is None: on a terminal with control characters shown escaped, a
    file or a pipe keeps them."""
    from journeylens.notebooks.workspace.safe_output import csv_text, terminal_text, write_csv

    if out:
        write_csv(table, out)
        shown = int((~table["suppressed"].astype(bool)).sum()) if len(table) else 0
        say(f"wrote {len(table):,} {what} ({shown:,} unsuppressed) to {out}")
    elif sys.stdout.isatty():
        sys.stdout.write(terminal_text(csv_text(table), keep_newlines=True))
    else:
        write_csv(table, sys.stdout)


def cmd_rank(args) -> int:
    """ranked_alerts.csv (SPEC §4.1: alert groups only) or, with --queue, the ranked queue (one row per
    entry, every kind) to standard output or --out; --queue-out writes the ranked queue too."""
    from journeylens.notebooks.queue.kept_queue import stored_ranked_frame
    from journeylens.notebooks.queue.queue_view import (
        alerts_only,
        counts_text,
        queue_counts,
        queue_entries,
    )
    from journeylens.notebooks.workspace.safe_output import check_output_target
    from journeylens.notebooks.workspace.spark_engine import EngineUnavailable

    refused = engine_refusal(args)
    if refused:
        say(f"refused: {refused}", err=True)
        return EXIT_REFUSED
    for target in (args.out, args.queue_out):
        if target:
            check_output_target(target, args.workspace)
    spark = engine_choice(args)
    try:
        frame = stored_ranked_frame(args.workspace, args.profile, spark=spark)
    except KeyError as err:
        say(f"refused: {err.args[0]}", err=True)
        return EXIT_REFUSED
    except EngineUnavailable as err:
        say(f"refused: {err}", err=True)
        return EXIT_REFUSED
    entries = queue_entries(frame)
    say(counts_text(queue_counts(frame, entries)), err=True)
    if args.queue_out:
        write_table(entries.head(args.top) if args.top else entries, args.queue_out, "queue entries")
    table = entries if args.queue else alerts_only(frame)
    write_table(table.head(args.top) if args.top else table, args.out,
                "queue entries" if args.queue else "ranked groups")
    return 0


def add_rank_parser(verbs, with_workspace) -> None:
    rank = with_workspace(verbs.add_parser("rank", help="the ranked alert queue as CSV"))
    rank.add_argument("--profile", help="weight profile name (default: the workspace's 'default')")
    rank.add_argument("--top", type=int, help="only the first N rows")
    rank.add_argument("--out", help="CSV file to write (default: standard output)")
    rank.add_argument("--queue", action="store_true",
                      help="write the ranked queue (one row per entry: incident candidates, alert groups, journey "
                           "and AI signals, burn-rate pages) instead of ranked_alerts.csv")
    rank.add_argument("--queue-out", metavar="FILE", help="also write the ranked queue to FILE")
    add_engine_flags(rank)
    rank.set_defaults(run=cmd_rank)


def add_engine_flags(verb, uploads: bool = True) -> None:
    verb.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                      help="run the SQL on DuckDB (default) or Apache Spark (pip install 'journeylens[spark]' and a "
                           "Java 17+ runtime); the rows are the same")
    verb.add_argument("--master", metavar="URL", help="with --engine spark: the cluster manager (spark://…, yarn, "
                                                      "k8s://…; default local mode on every core)")
    verb.add_argument("--remote", metavar="sc://HOST:PORT", help="with --engine spark: a Spark Connect server")
    if uploads:
        verb.add_argument("--uploads", metavar="URI", help="with --engine spark: where Spark reads a copy of the "
                                                           "workspace's uploads folder (s3a://…, hdfs://…, abfss://…, "
                                                           "file://…), since a cluster cannot read this disk")


def engine_refusal(args) -> str | None:
    """Why the engine flags mean nothing together, or None."""
    if args.engine != "spark" and (args.master or args.remote or getattr(args, "uploads", None)):
        return "--master, --remote and --uploads choose how Spark runs: give them with --engine spark"
    if args.master and args.remote:
        return "give --master (a cluster manager) or --remote (Spark Connect), not both"
    return None


def engine_choice(args) -> dict | None:
    """{master, remote, uploads} for the Spark engine, None for DuckDB."""
    if args.engine != "spark":
        return None
    return {"master": args.master, "remote": args.remote, "uploads": getattr(args, "uploads", None)}


def cmd_audit(args) -> int:
    from journeylens.notebooks.queue.queue_view import counts_text
    from journeylens.notebooks.retro.audit_report import run_audit
    from journeylens.notebooks.retro.one_off_audit import audit_files
    from journeylens.notebooks.workspace.spark_engine import EngineUnavailable

    refused = engine_refusal(args)
    if refused:
        say(f"refused: {refused}", err=True)
        return EXIT_REFUSED
    files = audit_files({"journey-map": args.journey_map, "alerts": args.alerts,
                         **{kind: getattr(args, kind) for kind in OPTIONAL_KINDS}})
    try:
        done = run_audit(files, args.out, profile_file=args.profile, playbooks_file=args.playbooks,
                         progress=progress_printer, note=lambda text: say(text, err=True), spark=engine_choice(args))
    except EngineUnavailable as err:
        say(f"refused: {err}", err=True)
        return EXIT_REFUSED
    noise = done["summary"]["noise"]
    say(counts_text(done["summary"]["counts"]), err=True)
    say(f"wrote {', '.join(str(p) for p in done['paths'])} ({noise['alerts']:,} alerts, {noise['groups']:,} groups, "
        f"{noise['unsuppressed']:,} unsuppressed)")
    return 0


# Kinds an audit may take besides alerts and the journey map; each takes several files (`--ai a.jsonl b.jsonl`
# or `--ai a.jsonl --ai b.jsonl`), one file still works as SPEC §4 shows it.
OPTIONAL_KINDS = ("metrics", "ai", "scores", "incidents", "changes")


def add_audit_parser(verbs) -> None:
    audit = verbs.add_parser("audit", help="one-off audit of files in a throw-away workspace")
    audit.add_argument("--alerts", nargs="+", action="extend", required=True, metavar="F",
                       help="alert files (one or more)")
    audit.add_argument("--journey-map", required=True, metavar="F", help="journey map (YAML)")
    for kind in OPTIONAL_KINDS:
        audit.add_argument(f"--{kind}", nargs="+", action="extend", metavar="F", help=f"{kind} files (one or more)")
    audit.add_argument("--profile", metavar="F", help="weight profile values (JSON or YAML, partial)")
    audit.add_argument("--playbooks", metavar="F", help="playbook catalogue (YAML) to route the groups")
    audit.add_argument("--out", required=True, metavar="DIR", help="folder for the report (created)")
    add_engine_flags(audit, uploads=False)  # its workspace is a throw-away folder on this machine
    audit.set_defaults(run=cmd_audit)
