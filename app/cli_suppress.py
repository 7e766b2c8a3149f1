"""`journeylens suppress list|add|remove`: maintenance windows and known-noise rules of a weight profile.
Argument parsing and printing only; the work is in notebooks/queue/suppression_rules.py."""

from journeylens.app.cli_mapping import say_refusal
from journeylens.app.cli_text import EXIT_REFUSED, say
from journeylens.notebooks.workspace.contract import IngestError
from journeylens.notebooks.workspace.paths import is_workspace


def refusing(run):
    """Refusals (a bad rule, an unknown profile, a folder that is no workspace) said, exit 2."""
    def verb(args) -> int:
        if not is_workspace(args.workspace):
            say(f"refused: {args.workspace} is no journeylens workspace (no audit log, no uploads); "
                "`journeylens ingest` or `journeylens demo` makes one", err=True)
            return EXIT_REFUSED
        try:
            return run(args)
        except IngestError as err:
            say_refusal(err)
            return EXIT_REFUSED
        except KeyError as err:  # a profile name never saved
            say(f"refused: {err.args[0] if err.args else err}", err=True)
            return EXIT_REFUSED
    return verb


def cmd_suppress_list(args) -> int:
    from journeylens.notebooks.queue.suppression_rules import current_rules, rules_table

    found = current_rules(args.workspace, args.profile)
    where = f"profile {found['name']} version {found['version']}"
    if not found["rules"]:
        say(f"no suppression rules in {where} (`journeylens suppress add --reason TEXT ...` adds one)")
        return 0
    say(f"{len(found['rules'])} suppression rule(s) in {where}:")
    for row in rules_table(found["rules"]):
        window = f" from {row['from'] or '-'} until {row['until'] or '-'}" if row["from"] or row["until"] else ""
        match = f" match {row['match']}" if row["match"] else ""
        say(f"  {row['rule']}. [{row['kind']}] stage {row['stage']}{match}{window}: {row['reason']}")
    return 0


def cmd_suppress_add(args) -> int:
    from journeylens.notebooks.queue.suppression_rules import add_rule, parse_match_args

    rule = {"match": parse_match_args(args.match), "reason": args.reason or ""}
    for field, value in (("stage", args.stage), ("from", args.start), ("until", args.until)):
        if value:
            rule[field] = value
    done = add_rule(args.workspace, rule, args.profile, args.author)
    say(f"added suppression rule {done['position']} ({done['rule']['reason']}): profile {done['name']} "
        f"is now version {done['version']}")
    return 0


def cmd_suppress_remove(args) -> int:
    from journeylens.notebooks.queue.suppression_rules import remove_rule

    done = remove_rule(args.workspace, args.rule, args.profile, args.author, args.why or "")
    say(f"removed suppression rule {args.rule} ({done['rule'].get('reason') or 'no reason given'}): profile "
        f"{done['name']} is now version {done['version']}")
    return 0


def add_suppress_parser(verbs, with_workspace) -> None:
    suppress = verbs.add_parser("suppress", help="maintenance windows and known-noise rules (versioned in the profile)")
    actions = suppress.add_subparsers(dest="suppress_verb", required=True, metavar="ACTION")

    def action(name: str, helptext: str, run):
        parser = with_workspace(actions.add_parser(name, help=helptext))
        parser.add_argument("--profile", metavar="NAME", help="weight profile (default: default)")
        parser.set_defaults(run=refusing(run))
        return parser

    action("list", "list the suppression rules of the profile", cmd_suppress_list)
    add = action("add", "add a rule (a maintenance window with --from/--until); saves a new profile version",
                 cmd_suppress_add)
    add.add_argument("--match", nargs="+", default=[], metavar="KEY=GLOB",
                     help="what the group matches: service, name, source, severity, region, fingerprint, labels.<key>")
    add.add_argument("--stage", metavar="GLOB", help="journey stage glob")
    add.add_argument("--from", dest="start", metavar="ISO", help="window start (UTC unless an offset is given)")
    add.add_argument("--until", metavar="ISO", help="window end (UTC unless an offset is given)")
    add.add_argument("--reason", required=True, help="why: shown on every group it suppresses")
    add.add_argument("--author", help="who (default: the current user)")
    remove = action("remove", "remove rule N (as `suppress list` numbers them); saves a new profile version",
                    cmd_suppress_remove)
    remove.add_argument("rule", type=int, metavar="N")
    remove.add_argument("--why", help="reason, kept in the audit trail")
    remove.add_argument("--author", help="who (default: the current user)")
