"""`journeylens calibrate`: argument parsing and printing; the work is in notebooks/retro/calibration.py."""

from journeylens.app.cli_text import EXIT_REFUSED, say


def week_lines(weeks) -> list:
    lines = [f"{'week':<10} {'precision@10 before':>20} {'after':>7} {'recall@20 before':>17} {'after':>7}"]
    for row in weeks.to_dict("records"):
        lines.append(f"{row['week']:<10} {row['precision_before']:>20.0%} {row['precision_after']:>7.0%} "
                     f"{row['recall_before']:>17.0%} {row['recall_after']:>7.0%}")
    return lines


def cmd_calibrate(args) -> int:
    """Fits the weights to the labelled history, prints the held-out weeks, the diff and the factors; with
    --accept saves the proposal as a new profile version (audited). A refusal exits 2 with the reason."""
    from journeylens.notebooks.retro.calibration import calibrate
    from journeylens.notebooks.retro.calibration_store import accept_calibration
    from journeylens.notebooks.workspace.safe_output import check_output_target, write_csv

    if args.out:
        check_output_target(args.out, args.workspace)  # refused before the work, not after it
    try:
        found = calibrate(args.workspace, args.profile)
    except KeyError as err:  # a profile never saved
        say(f"refused: {err.args[0]}", err=True)
        return EXIT_REFUSED
    say(f"calibration of weight profile {found['profile_name']!r} (version {found['base_version']}), "
        f"{found['evidence']['positive_incidents']} actioned and {found['evidence']['negative_incidents']} "
        f"noise or duplicate incidents over {found['evidence']['labelled_weeks']} weeks")
    if len(found["weeks"]):
        say("\n".join(["held out, week by week (each week scored by a fit on the other weeks):",
                       *week_lines(found["weeks"])]), keep_newlines=True)
        if args.out:
            write_csv(found["weeks"], args.out)
            say(f"wrote {len(found['weeks'])} weeks to {args.out}")
    if found["diff"]:
        say("\n".join(["proposed change:", *(f"  {setting}: {old} -> {new}" for setting, old, new in found["diff"])]),
            keep_newlines=True)
    for sentence in found["factors"]:
        say(f"- {sentence}")
    if found["status"] != "proposed":
        say(f"refused: {found['reason']}", err=True)
        return EXIT_REFUSED
    say(found["reason"])
    if not args.accept:
        say("not saved: run again with --accept (and --why) to make it a new profile version")
        return 0
    try:
        record = accept_calibration(args.workspace, found, why=args.why or "")
    except ValueError as err:
        say(f"refused: {err}", err=True)
        return EXIT_REFUSED
    say(f"saved weight profile {record['name']!r} version {record['version']} (in the audit trail)")
    return 0


def add_calibrate_parser(verbs, with_workspace) -> None:
    calibrate = with_workspace(verbs.add_parser(
        "calibrate", help="fit the score's weights to past weeks' actioned incidents (leave-one-week-out)"))
    calibrate.add_argument("--profile", help="weight profile to calibrate (default 'default')")
    calibrate.add_argument("--accept", action="store_true", help="save the proposal as a new profile version")
    calibrate.add_argument("--why", help="why you accept it (recorded in the audit trail)")
    calibrate.add_argument("--out", help="CSV of the held-out weeks' precision and recall, before and after")
    calibrate.set_defaults(run=cmd_calibrate)
