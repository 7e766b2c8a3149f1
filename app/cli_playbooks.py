"""`journeylens ingest playbooks FILE` and `journeylens playbooks list|pending|approve|approvals`: the
playbook catalogue as a versioned workspace configuration and its approval gate. Argument parsing and
printing only; the work is in notebooks/ingest/playbook_file.py and notebooks/queue/playbook_approvals.py."""

from pathlib import Path

from journeylens.app.cli_mapping import say_refusal
from journeylens.app.cli_suppress import refusing
from journeylens.app.cli_text import EXIT_REFUSED, say
from journeylens.notebooks.workspace.contract import IngestError


def cmd_ingest_playbooks(args) -> int:
    """`journeylens ingest playbooks FILE`: one catalogue (YAML), checked, stored as a new version."""
    from journeylens.notebooks.ingest.playbook_file import ingest_playbooks

    if len(args.files) != 1:
        say(f"refused: a playbook catalogue is one YAML file, found {len(args.files)} files", err=True)
        return EXIT_REFUSED
    try:
        done = ingest_playbooks(args.workspace, args.files[0])
    except IngestError as err:
        say_refusal(err)
        return EXIT_REFUSED
    name = Path(args.files[0]).name
    if done["status"] == "unchanged":
        say(f"{name}: the same as playbook catalogue version {done['version']}; nothing stored")
    else:
        say(f"{name}: stored playbook catalogue version {done['version']} ({done['playbooks']} playbooks)")
    return 0


def cmd_playbooks_list(args) -> int:
    from journeylens.notebooks.ingest.playbook_file import load_catalogue

    catalogue = load_catalogue(args.workspace)
    if not catalogue["playbooks"]:
        say(f"no playbook catalogue in {args.workspace} (`journeylens ingest playbooks FILE` stores one)")
        return 0
    gated = [tier for tier, s in catalogue["tiers"].items() if s["approval"] == "required"]
    say(f"playbook catalogue version {catalogue['version']} ({catalogue['author']}, {catalogue['comment']}); "
        f"approval required for: {', '.join(gated) or 'no tier'}")
    for n, p in enumerate(catalogue["playbooks"], start=1):
        match = "".join(f" {k}={v}" for k, v in p["match"].items())
        when = ""
        if p.get("when"):
            parts = [" & ".join([f"stage={c['stage']}", *(f"{k}={v}" for k, v in c["match"].items())])
                     for c in p["when"]["all"]]
            when = f" when all of [{'; '.join(parts)}] within {p['when']['within_minutes']} min"
        gate = " (needs approval)" if p.get("approval") == "required" else ""
        say(f"  {n}. {p['id']}: stage {p['stage']}{match}{when} -> {p['tier']}{gate}, {p['owner']}: {p['action']}")
    return 0


def cmd_playbooks_pending(args) -> int:
    from journeylens.notebooks.queue.playbook_approvals import approval_status, approvals
    from journeylens.notebooks.queue.ranking import ranked_alerts

    queue = ranked_alerts(args.workspace, args.profile, include_suppressed=False, signals=True)
    queue["approval"] = approval_status(queue, approvals(args.workspace))
    gated = queue[queue["approval"] != ""]
    if gated.empty:
        say("no group in the queue has a playbook whose tier needs approval")
        return 0
    say(gated[["rank", "group_id", "stage", "playbook", "automation_tier", "approval"]].to_string(index=False),
        keep_newlines=True)
    return 0


def cmd_playbooks_approve(args) -> int:
    from journeylens.notebooks.queue.playbook_approvals import approve_playbook

    entry = approve_playbook(args.workspace, args.group, args.playbook, args.why or "", args.author)
    say(f"approved {args.playbook} on {args.group} ({entry['who']}); recorded in the audit trail")
    return 0


def cmd_playbooks_approvals(args) -> int:
    from journeylens.notebooks.queue.playbook_approvals import approvals

    recorded = approvals(args.workspace)
    if recorded.empty:
        say(f"no playbook approvals recorded in {args.workspace}")
        return 0
    say(recorded.fillna("").to_string(index=False), keep_newlines=True)
    return 0


def add_playbooks_parser(verbs, with_workspace) -> None:
    playbooks = verbs.add_parser("playbooks", help="the playbook catalogue and its approval gate")
    actions = playbooks.add_subparsers(dest="playbooks_verb", required=True, metavar="ACTION")

    def action(name: str, helptext: str, run):
        parser = with_workspace(actions.add_parser(name, help=helptext))
        parser.set_defaults(run=refusing(run))
        return parser

    action("list", "the stored catalogue (`journeylens ingest playbooks FILE` stores a new version)", cmd_playbooks_list)
    pending = action("pending", "queued groups whose playbook's tier needs a person's approval", cmd_playbooks_pending)
    pending.add_argument("--profile", metavar="NAME", help="weight profile (default: default)")
    approve = action("approve", "approve running a gated playbook on a group (recorded in the audit trail)",
                     cmd_playbooks_approve)
    approve.add_argument("group", metavar="GROUP_ID")
    approve.add_argument("--playbook", required=True, metavar="ID")
    approve.add_argument("--why", help="reason, kept in the audit trail")
    approve.add_argument("--author", help="who approves (default: the current user)")
    action("approvals", "the approvals recorded", cmd_playbooks_approvals)
