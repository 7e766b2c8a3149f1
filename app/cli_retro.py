"""`journeylens retro`: argument parsing and printing; the work is in notebooks/retro/."""

from journeylens.app.cli_text import EXIT_REFUSED, say


def cmd_retro(args) -> int:
    from journeylens.notebooks.queue.profiles import load_profile
    from journeylens.notebooks.retro.governance import due_assumptions
    from journeylens.notebooks.retro.report import RETRO_FILES, write_retro
    from journeylens.notebooks.retro.suggestions import late_stages, playbook_hints, quiet_touchpoints
    from journeylens.notebooks.retro.weekly import retro, retro_context, retro_trends, week_window
    from journeylens.notebooks.workspace.safe_output import check_output_folder

    try:
        week_window(args.week)
    except ValueError as err:
        say(f"journeylens retro: {err}", err=True)
        return EXIT_REFUSED
    check_output_folder(args.out, RETRO_FILES, args.workspace)  # refused before the work, not after it
    try:
        load_profile(args.workspace, args.profile)
    except KeyError as err:  # a profile never saved: refused, as `rank` refuses it
        say(f"refused: {err.args[0]}", err=True)
        return EXIT_REFUSED
    say(f"retro: {args.week or 'all data'} ...", err=True)
    context = retro_context(args.workspace, args.profile)
    found = retro(args.workspace, args.week, context=context)
    found["trends"] = retro_trends(args.workspace, context=context)
    found["assumptions_due"] = due_assumptions(args.workspace)
    found["suggestions"] = [*quiet_touchpoints(context, args.week), *late_stages(context, args.week),
                            *playbook_hints(context, args.week)]
    paths = write_retro(found, args.out, workspace=args.workspace)
    volume = found["volume"]
    say(f"wrote {', '.join(str(p) for p in paths)} ({volume['alerts']:,} alerts, "
        f"{int(found['stages']['incidents'].sum()):,} incidents)")
    return 0


def add_retro_parser(verbs, with_workspace) -> None:
    retro = with_workspace(verbs.add_parser("retro", help="the weekly calibration retro"))
    retro.add_argument("--week", help="ISO week YYYY-Www (default: all the data)")
    retro.add_argument("--out", default="retro", help="folder for retro.md, retro.html, retro_stages.csv")
    retro.add_argument("--profile", help="weight profile for the queue's precision (default 'default')")
    retro.set_defaults(run=cmd_retro)
