"""`journeylens retro`: argument parsing and printing; the work is notebooks/retro*.py."""

import sys


def cmd_retro(args) -> int:
    from notebooks.governance import due_assumptions
    from notebooks.retro import retro, retro_context, retro_trends, week_window
    from notebooks.retro_report import write_retro
    from notebooks.retro_suggestions import late_stages, playbook_hints, quiet_touchpoints

    try:
        week_window(args.week)
    except ValueError as err:
        print(f"journeylens retro: {err}", file=sys.stderr)
        return 2
    print(f"retro: {args.week or 'all data'} ...", file=sys.stderr)
    context = retro_context(args.workspace, args.profile)
    found = retro(args.workspace, args.week, context=context)
    found["trends"] = retro_trends(args.workspace, context=context)
    found["assumptions_due"] = due_assumptions(args.workspace)
    found["suggestions"] = [*quiet_touchpoints(context, args.week), *late_stages(context, args.week),
                            *playbook_hints(context, args.week)]
    paths = write_retro(found, args.out)
    volume = found["volume"]
    print(f"wrote {', '.join(str(p) for p in paths)} ({volume['alerts']:,} alerts, "
          f"{int(found['stages']['incidents'].sum()):,} incidents)")
    return 0


def add_retro_parser(verbs, with_workspace) -> None:
    retro = with_workspace(verbs.add_parser("retro", help="the weekly calibration retro"))
    retro.add_argument("--week", help="ISO week YYYY-Www (default: all the data)")
    retro.add_argument("--out", default="retro", help="folder for retro.md, retro.html, retro_stages.csv")
    retro.add_argument("--profile", help="weight profile for the queue's precision (default 'default')")
    retro.set_defaults(run=cmd_retro)
