"""`journeylens ai-signals [--profile NAME] [--out FILE] [--kind K]`: argument parsing and printing; the
signals are notebooks/ai/signal_report.py's (task-completion drops, the kinds beyond it, early churn) and
the actions signal_actions.py's, as the AI page shows them."""

from journeylens.app.cli_text import EXIT_REFUSED, say

KIND_NAMES = ("task_completion", "edit_rate", "silent_failure", "thumbs_down", "fallback_reason", "p95_latency",
              "cost_per_success", "adoption", "usage_decline", "tickets")


def say_report(report: dict, label: str) -> None:
    from journeylens.notebooks.ai.signal_report import kind_counts

    signals, actions = report["signals"], report["actions"]
    counts = kind_counts(signals)
    say(f"AI signals ({report['interactions']:,} AI interactions, profile {label}): {len(signals)} fired"
        + (f" in {len(counts)} kinds" if counts else ""))
    for kind, name, fired in counts:
        say(f"  {name:<24} {fired:>5}  ({kind})")
    if len(signals):
        say("signals:")
        for _, row in signals.iterrows():
            say(f"  [{row['kind']}] {row['title']}")
    if actions.empty:
        say("actions: none suggested")
        return
    say("actions:")
    for _, row in actions.iterrows():
        say(f"  {row['action']:<11} {row['title']}")
        if row["command"]:
            say(f"              run (add --dry-run first for the estimate): {row['command']}")


def cmd_ai_signals(args) -> int:
    from journeylens.notebooks.ai.signal_report import REPORT_COLUMNS, only_kinds, signal_report
    from journeylens.notebooks.queue.profiles import load_profile
    from journeylens.notebooks.workspace.paths import is_workspace
    from journeylens.notebooks.workspace.safe_output import check_output_target, write_csv
    from journeylens.notebooks.workspace.snapshot import close_snapshot, connect

    if not is_workspace(args.workspace):
        say(f"refused: {args.workspace} is no journeylens workspace (no audit log, no uploads)", err=True)
        return EXIT_REFUSED
    if args.out:
        check_output_target(args.out, args.workspace)  # refused before the work, not after it
    try:
        loaded = load_profile(args.workspace, args.profile)
    except KeyError as err:  # a profile never saved: refused, as `rank` refuses it
        say(f"refused: {err.args[0]}", err=True)
        return EXIT_REFUSED
    con = connect(args.workspace)
    try:
        report = signal_report(con, loaded["profile"], str(args.workspace))
    finally:
        close_snapshot(con)
    if not report["interactions"]:
        say(f"no AI interactions in {args.workspace}: no AI signal to watch")
        return 0
    report = only_kinds(report, args.kind)
    say_report(report, f"{loaded['name']} v{loaded['version']}")
    if args.out:
        write_csv(report["signals"][REPORT_COLUMNS], args.out)
        say(f"wrote {args.out} ({len(report['signals'])} signals)", err=True)
    return 0


def add_ai_signals_parser(verbs, with_workspace) -> None:
    verb = with_workspace(verbs.add_parser(
        "ai-signals", help="AI outcome signals: task-completion drops, edit rate, fallbacks, silent failures, "
                           "thumbs-down, latency, cost, early churn, and the actions they suggest"))
    verb.add_argument("--profile", help="weight profile whose ai_* settings apply (default 'default')")
    verb.add_argument("--out", help="also write the signals to this CSV file")
    verb.add_argument("--kind", action="append", choices=KIND_NAMES,
                      help="only signals of this kind (repeat for several)")
    verb.set_defaults(run=cmd_ai_signals)
