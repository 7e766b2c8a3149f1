"""`journeylens backlog [--since DURATION] [--out FILE]`: argument parsing and printing; the work is in
notebooks/ai/backlog.py."""

import argparse

from journeylens.app.cli_mapping import say_refusal
from journeylens.app.cli_text import EXIT_REFUSED, say
from journeylens.notebooks.workspace.contract import IngestError
from journeylens.notebooks.workspace.labels import plural

FORMATS = ("csv", "jsonl")
SHOWN_PER_FEATURE = 5  # items printed per feature without --out (worst first); --out has them all


def since_value(text: str) -> str:
    """--since as given, once it parses (a bad one is refused by argparse: exit 2 with the reason)."""
    from journeylens.notebooks.ai.backlog import parse_since

    try:
        parse_since(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err).removeprefix("--since ")) from None
    return text.strip()


def out_format(args) -> str:
    """--format when given, else from the --out name: .jsonl, .ndjson and .json are JSON Lines, the rest CSV."""
    if args.format:
        return args.format
    return "jsonl" if str(args.out).lower().rsplit(".", 1)[-1] in ("jsonl", "ndjson", "json") else "csv"


def clip(text, width: int = 70) -> str:
    value = " ".join(str(text).split()) if isinstance(text, str) else ""
    if not value:
        return "(none)"
    return value if len(value) <= width else value[:width - 1] + "…"


def print_summary(frame, since: str) -> None:
    from journeylens.notebooks.ai.backlog import backlog_summary

    window = "all time" if since.lower() == "all" else f"the {since} before the latest interaction in the data"
    say(f"prompt backlog, {window}: {plural(len(frame), 'item')} in {plural(frame['feature'].nunique(), 'feature')}")
    for row in backlog_summary(frame).to_dict("records"):
        say("")
        say(f"{row['feature']}: {plural(row['items'], 'item')} ({row['thumbs_down']} thumbs-down, "
            f"{row['intent_mismatch']} intent mismatch, {row['low_judge_score']} low judge score)")
        items = frame[frame["feature"] == row["feature"]]
        for item in items.head(SHOWN_PER_FEATURE).to_dict("records"):
            triaged = f" [triaged by {item['triaged_by']}]" if item["triaged"] else ""
            say(f"  {item['interaction_id']}  {item['ts']:%Y-%m-%d %H:%M}  {item['why']}{triaged}")
            say(f"      prompt: {clip(item['prompt'])}")
            say(f"      output: {clip(item['output'])}")
            if isinstance(item["judge_reason"], str) and item["judge_reason"]:
                say(f"      judge:  {clip(item['judge_reason'])}")
        if len(items) > SHOWN_PER_FEATURE:
            say(f"  … and {len(items) - SHOWN_PER_FEATURE} more (--out FILE writes them all)")


def cmd_backlog_triage(args) -> int:
    from journeylens.notebooks.ai.backlog import mark_triaged

    done = mark_triaged(args.workspace, args.triage, args.why or "", args.who)
    if done["recorded"]:
        say(f"marked {plural(len(done['recorded']), 'interaction')} triaged in the audit trail: "
            f"{', '.join(done['recorded'])}")
    if done["already"]:
        say(f"already triaged, not recorded again: {', '.join(done['already'])}")
    return 0


def cmd_backlog(args) -> int:
    from journeylens.notebooks.ai.backlog import workspace_backlog, write_backlog
    from journeylens.notebooks.workspace.safe_output import check_output_target

    try:
        if args.triage:
            return cmd_backlog_triage(args)
        if args.out:
            check_output_target(args.out, args.workspace)
        frame = workspace_backlog(args.workspace, args.since, include_triaged=args.include_triaged,
                                  feature=args.feature)
    except IngestError as err:
        say_refusal(err)
        return EXIT_REFUSED
    except (ValueError, FileNotFoundError) as err:
        say(f"refused: {err}", err=True)
        return EXIT_REFUSED
    if args.out:
        fmt = out_format(args)
        write_backlog(frame, args.out, fmt)
        say(f"wrote {plural(len(frame), 'backlog item')} ({fmt}) to {args.out}")
    elif frame.empty:
        say(f"the prompt backlog is empty for --since {args.since}"
            + ("" if args.include_triaged else " (triaged items are left out; --include-triaged shows them)"))
    else:
        print_summary(frame, args.since)
    return 0


def add_backlog_parser(verbs, with_workspace) -> None:
    from journeylens.notebooks.ai.backlog import DEFAULT_SINCE

    backlog = with_workspace(verbs.add_parser(
        "backlog", help="the prompt backlog: thumbs-down, intent-mismatch and low-judge-score interactions per feature"))
    backlog.add_argument("--since", type=since_value, default=DEFAULT_SINCE, metavar="DURATION",
                         help="window before the latest interaction in the data: 90m, 24h, 7d, 2w or all "
                              f"(default {DEFAULT_SINCE})")
    backlog.add_argument("--out", metavar="FILE", help="write every item to FILE (CSV, or JSON Lines for .jsonl)")
    backlog.add_argument("--format", choices=FORMATS, help="csv or jsonl (default: from --out, else csv)")
    backlog.add_argument("--feature", help="only this feature")
    backlog.add_argument("--include-triaged", action="store_true", help="also the items already triaged")
    backlog.add_argument("--triage", nargs="+", metavar="ID", help="mark these interactions triaged (audit trail)")
    backlog.add_argument("--why", help="with --triage: why, kept in the audit trail")
    backlog.add_argument("--who", help="with --triage: who triaged (default: JOURNEYLENS_USER, else the OS user)")
    backlog.set_defaults(run=cmd_backlog)
