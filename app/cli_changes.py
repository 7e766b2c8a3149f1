"""`journeylens changes [--out FILE] [--review STAGE --why TEXT]`: argument parsing and printing; the
work is in notebooks/retro/changes.py (which stages a change shifted, and their reviews)."""

from journeylens.app.cli_text import EXIT_REFUSED, say

COLUMNS = ["stage", "status", "changes_since_review", "last_change", "last_review", "why"]


def workspace_refused(workspace) -> bool:
    from journeylens.notebooks.workspace.paths import is_workspace

    if is_workspace(workspace):
        return False
    say(f"refused: {workspace} is no journeylens workspace (no audit log, no uploads)", err=True)
    return True


def cmd_changes(args) -> int:
    from journeylens.notebooks.retro.changes import recalibration_status
    from journeylens.notebooks.workspace.labels import plural
    from journeylens.notebooks.workspace.safe_output import check_output_target, write_csv

    if workspace_refused(args.workspace):
        return EXIT_REFUSED
    if args.review is not None:
        return review(args)
    if args.why:
        say("refused: --why goes with --review STAGE", err=True)
        return EXIT_REFUSED
    if args.out:
        check_output_target(args.out, args.workspace)  # refused before the work, not after it
    status = recalibration_status(args.workspace)
    flagged = int((status["status"] == "to recalibrate").sum())
    say(f"{flagged} of {plural(len(status), 'stage')} to recalibrate (a change followed by a measurable shift):")
    for row in status.to_dict("records"):
        say(f"  {row['stage']}: {row['status']} - {row['why']}")
    if args.out:
        write_csv(status[[c for c in COLUMNS if c in status] + [c for c in status if c not in COLUMNS]], args.out)
        say(f"wrote {args.out} ({len(status)} stages)", err=True)
    return 0


def review(args) -> int:
    from journeylens.notebooks.retro.changes import mark_reviewed, recalibration_status

    status = recalibration_status(args.workspace).set_index("stage")
    if args.review not in status.index:
        known = ", ".join(status.index) or "none with mapped alerts"
        say(f"refused: no stage named {args.review!r} (stages: {known})", err=True)
        return EXIT_REFUSED
    if not args.why or not args.why.strip():
        say("refused: say what was checked (--why TEXT); it is kept in the audit trail", err=True)
        return EXIT_REFUSED
    before = status.loc[args.review]
    mark_reviewed(args.workspace, args.review, args.why.strip())
    say(f"{args.review}: reviewed (was {before['status']}: {before['why']})")
    return 0


def add_changes_parser(verbs, with_workspace) -> None:
    changes = with_workspace(verbs.add_parser(
        "changes", help="stages to recalibrate: changes followed by a measurable shift in alerting or metrics"))
    changes.add_argument("--out", help="also write the status per stage to this CSV file")
    changes.set_defaults(run=cmd_changes)
    changes.add_argument("--review", metavar="STAGE", help="record that this stage's mappings and thresholds "
                                                           "were reviewed after its changes (clears it)")
    changes.add_argument("--why", help="with --review: what was checked, kept in the audit trail")
