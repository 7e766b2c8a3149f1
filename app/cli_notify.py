"""`journeylens notify rules|set|run|deliveries`: argument parsing and printing; the work is in notebooks/notify/."""

import os
from pathlib import Path

from journeylens.app.cli_judge import EXIT_INCOMPLETE, positive
from journeylens.app.cli_mapping import say_refusal
from journeylens.app.cli_text import EXIT_REFUSED, say
from journeylens.notebooks.workspace.contract import IngestError
from journeylens.notebooks.workspace.labels import plural

CHANGE_WORDS = {"fired": "FIRED", "escalated": "ESCALATED", "resolved": "RESOLVED"}


def refused_to_status(run):
    """A verb whose refusal (a bad config, a folder that is no workspace) is said and exits 2, never a traceback."""
    def verb(args) -> int:
        try:
            return run(args)
        except IngestError as err:
            say_refusal(err)
            return EXIT_REFUSED
    return verb


def cmd_notify_rules(args) -> int:
    from journeylens.notebooks.notify.deliver import notification_rules

    rules = notification_rules(args.workspace)
    if rules.empty:
        say(f"no notification config in {args.workspace} (`journeylens notify set FILE` stores one)")
        return 0
    say(f"notification config version {rules['config_version'].iloc[0]}:")
    say(rules.drop(columns=["config_version"]).to_string(index=False), keep_newlines=True)
    return 0


def cmd_notify_set(args) -> int:
    from journeylens.notebooks.notify.config import read_config_file, save_config

    saved = save_config(args.workspace, read_config_file(args.file), Path(args.file).name, args.why or "")
    config = saved["config"]
    say(f"stored notification config version {saved['version']} in {args.workspace}: {len(config['rules'])} "
        f"rule(s), {len(config['destinations'])} destination(s); secrets stay in the environment variables it names")
    named = [d.get(k) for d in config["destinations"] for k in ("url_env", "routing_key_env") if d.get(k)]
    for variable in dict.fromkeys(v for v in named if not os.environ.get(v)):
        say(f"note: {variable} is not set here; `journeylens notify run` needs it where it runs", err=True)
    return 0


def change_line(change: dict) -> str:
    stage = f" [{change['stage']}]" if change.get("stage") else ""
    return f"    {CHANGE_WORDS.get(change['change'], change['change'])}{stage} {change.get('title') or change['key']}" \
           f" — {change.get('why') or ''}"


def cmd_notify_run(args) -> int:
    from journeylens.notebooks.notify.deliver import notify_workspace

    result = notify_workspace(args.workspace, dry_run=args.dry_run)
    if result.get("note"):
        say(result["note"])
        return 0
    for error in result["errors"]:
        say(f"rule {error['rule']} could not be evaluated (its entries are left as they were): {error['error']}",
            err=True)
    for message in result["messages"]:
        say(f"would {message['would']} to {message['destination']} ({message['type']}): {message['summary']}")
        for change in message["changes"]:
            say(change_line(change))
    for delivery in result["deliveries"]:
        if delivery["status"] in ("sent", "failed"):
            detail = f" after {delivery['attempts']} attempt(s)" + (f": {delivery['error']}" if delivery["error"] else "")
            say(f"{delivery['status']} to {delivery['destination']} ({delivery['type']}): {delivery['summary']}{detail}",
                err=delivery["status"] == "failed")
    dry = " (dry run: nothing sent, nothing recorded)" if args.dry_run else ""
    say(f"{plural(result['rules'], 'rule')}, {plural(result['entries'], 'entry', 'entries')} now: "
        f"{result['fired']} fired, {result['escalated']} escalated, {result['resolved']} resolved; "
        f"{plural(result['sent'], 'message')} sent, {result['failed']} failed, {result['deferred']} deferred by the "
        f"rate limit{dry}")
    return EXIT_INCOMPLETE if result["failed"] or result["errors"] else 0


def cmd_notify_deliveries(args) -> int:
    from journeylens.notebooks.notify.deliver import deliveries

    log = deliveries(args.workspace, args.limit)
    if log.empty:
        say(f"no deliveries recorded in {args.workspace}")
        return 0
    columns = ["at", "status", "rule", "destination", "type", "changes", "summary", "attempts", "http_status", "error"]
    say(log[columns].fillna("").to_string(index=False), keep_newlines=True)
    return 0


def add_notify_parser(verbs, with_workspace) -> None:
    notify = verbs.add_parser("notify", help="workspace notifications: Slack, a JSON webhook, PagerDuty")
    actions = notify.add_subparsers(dest="notify_verb", required=True, metavar="ACTION")
    rules = with_workspace(actions.add_parser("rules", help="list the notification rules in force"))
    rules.set_defaults(run=refused_to_status(cmd_notify_rules))
    store = with_workspace(actions.add_parser("set", help="store a notification config (YAML), checked first"))
    store.add_argument("file", metavar="FILE")
    store.add_argument("--why", help="reason, kept in the audit trail")
    store.set_defaults(run=refused_to_status(cmd_notify_set))
    run = with_workspace(actions.add_parser("run", help="evaluate the rules and deliver what changed "
                                                        "(exit 3 when a message failed: the next run retries it)"))
    run.add_argument("--dry-run", action="store_true", help="say what would be sent; send and record nothing")
    run.set_defaults(run=refused_to_status(cmd_notify_run))
    log = with_workspace(actions.add_parser("deliveries", help="the delivery log, newest first"))
    log.add_argument("--limit", type=positive(int), default=50, help="at most this many (default 50)")
    log.set_defaults(run=refused_to_status(cmd_notify_deliveries))
