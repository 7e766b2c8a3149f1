"""`journeylens feeds [--out FILE]`: argument parsing and printing; the checks are in
notebooks/signals/feed_health.py."""

from journeylens.app.cli_text import EXIT_REFUSED, say


def cmd_feeds(args) -> int:
    from journeylens.notebooks.queue.profiles import load_profile
    from journeylens.notebooks.signals.feed_health import feed_summary, workspace_feed_problems
    from journeylens.notebooks.workspace.paths import is_workspace
    from journeylens.notebooks.workspace.safe_output import check_output_target, write_csv

    if not is_workspace(args.workspace):
        say(f"refused: {args.workspace} is no journeylens workspace (no audit log, no uploads)", err=True)
        return EXIT_REFUSED
    if args.out:
        check_output_target(args.out, args.workspace)  # refused before the work, not after it
    try:
        profile = load_profile(args.workspace, args.profile)["profile"]
    except KeyError as err:  # a profile never saved: refused, as `rank` refuses it
        say(f"refused: {err.args[0]}", err=True)
        return EXIT_REFUSED
    problems = workspace_feed_problems(args.workspace, profile)
    say(feed_summary(problems))
    for text in problems["text"]:
        say(f"  {text}")
    if args.out:
        write_csv(problems, args.out)
        say(f"wrote {args.out} ({len(problems)} problems)", err=True)
    return 0


def add_feeds_parser(verbs, with_workspace) -> None:
    feeds = with_workspace(verbs.add_parser(
        "feeds", help="feed health: gaps, stale feeds, volume changes and schema drift of every uploaded feed"))
    feeds.add_argument("--out", help="also write the problems to this CSV file")
    feeds.add_argument("--profile", help="weight profile whose feed_* settings apply (default 'default')")
    feeds.set_defaults(run=cmd_feeds)
