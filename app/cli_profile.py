"""`journeylens profile show|set|history`: every knob of a weight profile from the command line.
Argument parsing and printing only; the work is in notebooks/queue/profile_settings.py."""

from journeylens.app.cli_suppress import refusing
from journeylens.app.cli_text import say


def cmd_profile_show(args) -> int:
    from journeylens.notebooks.queue.profile_settings import profile_yaml, show_record

    say(profile_yaml(show_record(args.workspace, args.profile, args.version)).rstrip("\n"), keep_newlines=True)
    return 0


def cmd_profile_set(args) -> int:
    from journeylens.notebooks.queue.profile_settings import set_settings, value_text

    done = set_settings(args.workspace, args.settings, args.profile, args.author, args.why, args.new)
    if not done["saved"]:
        say(f"nothing changed: profile {done['name']} stays at version {done['version']} (nothing saved)")
        return 0
    say(f"profile {done['name']} is now version {done['version']}"
        + (f" ({len(done['changes'])} setting(s) changed):" if done["changes"] else " (the built-in defaults)"))
    for setting, old, new in done["changes"]:
        say(f"  {setting}: {value_text(old)} -> {value_text(new)}")
    return 0


def cmd_profile_history(args) -> int:
    from journeylens.notebooks.queue.profile_settings import history_with_diffs, value_text

    found = history_with_diffs(args.workspace, args.profile)
    if not found["versions"]:
        say(f"profile {found['name']} has no saved versions: it is the built-in defaults (version 0); "
            "`journeylens profile set KEY=VALUE --why TEXT` saves one")
        return 0
    say(f"{len(found['versions'])} version(s) of profile {found['name']}, oldest first:")
    for row in found["versions"]:
        say(f"version {row['version']}  {row.get('saved_at') or '-'}  by {row.get('author') or '-'}: "
            f"{row.get('comment') or '(no comment)'}")
        if not row["changes"]:
            say("  (no setting changed)")
        for setting, old, new in row["changes"]:
            say(f"  {setting}: {value_text(old)} -> {value_text(new)}")
    return 0


def add_profile_parser(verbs, with_workspace) -> None:
    profile = verbs.add_parser("profile", help="show, change and trace the settings of a weight profile (versioned)")
    actions = profile.add_subparsers(dest="profile_verb", required=True, metavar="ACTION")

    def action(name: str, helptext: str, run):
        parser = with_workspace(actions.add_parser(name, help=helptext))
        parser.add_argument("--profile", metavar="NAME", help="weight profile (default: default)")
        parser.set_defaults(run=refusing(run))
        return parser

    show = action("show", "print the profile as YAML (every setting, resolved)", cmd_profile_show)
    show.add_argument("--version", type=int, metavar="N", help="a saved version (default: the latest; 0: built-in)")
    change = action("set", "change settings; saves ONE new profile version with all of them", cmd_profile_set)
    change.add_argument("settings", nargs="+", metavar="KEY=VALUE",
                        help="a setting (threshold=7) or a dotted entry of a mapping (ai_weights.relevance=0.4, "
                             "outcome_values.checkout_helper=2.5); VALUE is YAML; null removes a dotted entry")
    change.add_argument("--why", required=True, help="reason, kept with the version and in the audit trail")
    change.add_argument("--who", "--author", dest="author", metavar="NAME", help="who (default: the current user)")
    change.add_argument("--new", action="store_true",
                        help="start profile NAME from the built-in defaults (refused if it is saved already)")
    action("history", "every version with author, comment, time and what it changed", cmd_profile_history)
