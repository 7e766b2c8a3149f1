"""How files are read: the ingest's mapping flags, `journeylens severity-map show|set|add|remove`, and a
refusal's list of problems. Argument parsing and printing only; the work is in notebooks/ingest/."""

from journeylens.app.cli_text import EXIT_REFUSED, say
from journeylens.notebooks.workspace.contract import IngestError


def add_mapping_flags(ingest) -> None:
    ingest.add_argument("--map", action="append", metavar="canonical=source",
                        help="read a column from the file's column, or a path into one holding JSON "
                             "(labels.team, payload.custom_details.service); repeatable")
    ingest.add_argument("--map-values", action="append", metavar="column=from:to",
                        help="replace a value before parsing, matched trimmed and in any case "
                             "(severity=严重:critical); repeatable")
    ingest.add_argument("--set", action="append", metavar="column=value",
                        help="one value of a column for every row (source=grafana); repeatable")


def mapping_arguments(args) -> dict:
    """ingest_file's mapping keywords from the flags."""
    from journeylens.notebooks.ingest.value_maps import (
        parse_column_pairs,
        parse_constant_pairs,
        parse_value_pairs,
    )

    return {"mapping": parse_column_pairs(args.map), "map_values": parse_value_pairs(args.map_values),
            "map_set": parse_constant_pairs(args.set)}


def say_refusal(err: IngestError) -> None:
    """`refused: <the first problem>`, then every problem found (up to the diagnosis' limit), one a line."""
    say(f"refused: {err}", err=True)
    problems = getattr(err, "problems", [])
    if len(problems) > 1:
        say(f"  {len(problems)} problems found (in file order, at most 20):", err=True)
        for problem in problems:
            where = ", ".join(part for part in (f"row {problem['row']}" if problem["row"] is not None else "",
                                                f"column {problem['column']}" if problem["column"] else "") if part)
            say(f"  - {where}: expected {problem['expected']}, found {problem['found']}", err=True)


def cmd_severity_map_show(args) -> int:
    from journeylens.notebooks.ingest.severity_map import known_spellings, severity_map_record

    record = severity_map_record(args.workspace)
    if not record or not record["payload"]["entries"]:
        say(f"no severity map in {args.workspace}: only the built-in spellings, {known_spellings({})}. "
            "Add one with `journeylens severity-map add VALUE LEVEL` or `journeylens severity-map set FILE`.")
        return 0
    say(f"severity map of {args.workspace}, version {record['version']} ({record['author']}, {record['saved_at']}"
        + (f": {record['comment']}" if record["comment"] else "") + ")")
    for value, label in record["payload"]["entries"].items():
        say(f"  {value} -> {label}")
    return 0


def saved(args, record) -> int:
    count = len(record["payload"]["entries"])
    say(f"saved the severity map of {args.workspace} as version {record['version']} ({count:,} value"
        f"{'' if count == 1 else 's'}); it applies to the alerts ingested from now on")
    return 0


def cmd_severity_map_set(args) -> int:
    from pathlib import Path

    from journeylens.notebooks.ingest.severity_map import parse_severity_map, save_severity_map
    from journeylens.notebooks.ingest.yaml_input import read_yaml_text

    text = read_yaml_text(args.file, Path(args.file).name)
    entries = parse_severity_map(text, Path(args.file).name)
    return saved(args, save_severity_map(args.workspace, entries, comment=args.why or f"set from {args.file}"))


def cmd_severity_map_add(args) -> int:
    from journeylens.notebooks.ingest.severity_map import add_mappings

    record = add_mappings(args.workspace, {args.value: args.level}, comment=args.why or f"{args.value} -> {args.level}")
    return saved(args, record)


def cmd_severity_map_remove(args) -> int:
    from journeylens.notebooks.ingest.severity_map import remove_mappings

    try:
        record = remove_mappings(args.workspace, args.values, comment=args.why or "removed " + ", ".join(args.values))
    except IngestError as err:
        say_refusal(err)
        return EXIT_REFUSED
    return saved(args, record)


def add_severity_map_parser(verbs, with_workspace) -> None:
    from journeylens.notebooks.ingest.severity_map import LABELS

    verb = verbs.add_parser("severity-map", help="the workspace's own severity words on the scale "
                                                 "(critical/high/medium/low/info)")
    actions = verb.add_subparsers(dest="severity_verb", required=True, metavar="ACTION")
    show = with_workspace(actions.add_parser("show", help="the map in force"))
    show.set_defaults(run=cmd_severity_map_show)
    put = with_workspace(actions.add_parser("set", help="replace the map with a YAML or JSON file "
                                                        "({\"严重\": critical, page: high})"))
    put.add_argument("file", metavar="FILE")
    add = with_workspace(actions.add_parser("add", help="map one value (added to the map in force)"))
    add.add_argument("value", metavar="VALUE")
    add.add_argument("level", metavar="LEVEL", type=str.lower, choices=LABELS)
    remove = with_workspace(actions.add_parser("remove", help="stop mapping values"))
    remove.add_argument("values", nargs="+", metavar="VALUE")
    for action, run in ((put, cmd_severity_map_set), (add, cmd_severity_map_add), (remove, cmd_severity_map_remove)):
        action.add_argument("--why", help="reason, kept with the version and in the audit trail")
        action.set_defaults(run=run)
