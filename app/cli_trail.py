"""`journeylens trail verify|repair`: argument parsing and printing; the work is notebooks/workspace/trail_check.py."""

from journeylens.app.cli_text import say

EXIT_DAMAGED = 1


def cmd_trail_verify(args) -> int:
    from journeylens.notebooks.workspace.store import verify_workspace

    result = verify_workspace(args.workspace)
    if result["ok"]:
        say(f"the audit trail of {args.workspace} is intact and agrees with the workspace "
            f"({result['entries']:,} entries)")
        return 0
    say(f"the audit trail of {args.workspace} has {len(result['problems'])} problem(s):", err=True)
    for problem in result["problems"]:
        where = f"line {problem['line']}: " if problem.get("line") else ""
        say(f"  {where}{problem['problem']}: {problem['detail']}", err=True)
    say("`journeylens trail repair` keeps what can be proven and quarantines the rest.", err=True)
    return EXIT_DAMAGED


def cmd_trail_repair(args) -> int:
    from journeylens.notebooks.workspace.store import repair_workspace

    result = repair_workspace(args.workspace, args.why or "")
    if not result["repaired"]:
        say(f"the audit trail of {args.workspace} is intact: nothing to repair")
        return 0
    say(f"repaired the audit trail of {args.workspace}: kept {result['kept']:,} of {result['lines']:,} entries, "
        f"re-recorded {result['recovered']:,} the workspace bears out, dropped lines "
        f"{', '.join(map(str, result['dropped_lines'])) or 'none'}")
    for label, items in (("quarantined (moved aside, not deleted)", result["quarantined"]),
                         ("recorded as lost", result["lost"])):
        for item in items:
            say(f"  {label}: {item}")
    say(f"the damaged trail is kept as {result['damaged_copy']}")
    return 0


def add_trail_parser(verbs, with_workspace) -> None:
    trail = verbs.add_parser("trail", help="verify or repair the workspace's audit trail")
    actions = trail.add_subparsers(dest="trail_verb", required=True, metavar="ACTION")
    verify = with_workspace(actions.add_parser("verify", help="check the trail and that it agrees with the workspace "
                                                              "(exit 1 when it does not)"))
    verify.set_defaults(run=cmd_trail_verify)
    repair = with_workspace(actions.add_parser("repair", help="keep what can be proven, quarantine the rest"))
    repair.add_argument("--why", help="reason, kept in the trail")
    repair.set_defaults(run=cmd_trail_repair)
