"""`journeylens retro`: argument parsing and printing; the work is in notebooks/retro/."""

from journeylens.app.cli_rank import add_engine_flags, engine_choice, engine_refusal
from journeylens.app.cli_text import EXIT_REFUSED, say


def cmd_retro(args) -> int:
    from journeylens.notebooks.queue.profiles import load_profile
    from journeylens.notebooks.queue.queue_view import counts_text
    from journeylens.notebooks.retro.report import RETRO_FILES, assemble_retro, write_retro
    from journeylens.notebooks.retro.scope import scoped
    from journeylens.notebooks.retro.weekly import week_window
    from journeylens.notebooks.workspace.safe_output import check_output_folder
    from journeylens.notebooks.workspace.spark_engine import EngineUnavailable

    refused = engine_refusal(args)
    if refused:
        say(f"refused: {refused}", err=True)
        return EXIT_REFUSED
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
    spark = engine_choice(args)
    say(f"retro: {args.week or 'all data'}{' on Apache Spark' if spark is not None else ''} ...", err=True)
    try:
        found = assemble_retro(args.workspace, args.week, args.profile, spark=spark)
    except EngineUnavailable as err:
        say(f"refused: {err}", err=True)
        return EXIT_REFUSED
    paths = write_retro(found, args.out, workspace=args.workspace)
    say(scoped(found["scope"], counts_text(found["counts"])), err=True)  # as the Retro page says it: period first
    say(f"wrote {', '.join(str(p) for p in paths)} ({found['volume']['alerts']:,} alerts, "
        f"{int(found['stages']['incidents'].sum()):,} incidents)")
    return 0


def add_retro_parser(verbs, with_workspace) -> None:
    retro = with_workspace(verbs.add_parser("retro", help="the weekly calibration retro"))
    retro.add_argument("--week", help="ISO week YYYY-Www (default: all the data)")
    retro.add_argument("--out", default="retro", help="folder for retro.md, retro.html, retro_stages.csv")
    retro.add_argument("--profile", help="weight profile for the queue's precision (default 'default')")
    add_engine_flags(retro)
    retro.set_defaults(run=cmd_retro)
