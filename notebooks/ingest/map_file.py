"""The journey map file (SPEC §2.2): stages, touchpoint rules and segments from YAML.

`read_journey_map` parses a bounded YAML document (`yaml_input.py`) and checks every item: ids, names,
numbers in LIMITS (impact 1 to 10, sensitivity 0 to 1, segment weight above 0 and at most 100) and every
`match` pattern (a glob, or a regular expression after `re:`). A refusal names the list item, its line,
the field, what was expected and what was found. `store_journey_map` writes the stages, touchpoints
and segments tables of one upload.
"""

import json
import math

import duckdb
import pandas as pd
import yaml
from journeylens.notebooks.ingest.yaml_input import read_yaml_text, yaml_document
from journeylens.notebooks.workspace.contract import MAP_TABLES, IngestError, shown
from journeylens.notebooks.workspace.snapshot import new_connection

# Alert columns a touchpoint rule may match on (SPEC §2.2), besides labels.<key>.
MATCH_COLUMNS = ("service", "name", "source", "severity", "region", "message", "fingerprint", "alert_id")
# The numbers of a journey map: (lowest, highest, default when absent, what a refusal expects). A
# segment weight is > 0: it multiplies the segment's traffic in exposure (README "Value ranges").
LIMITS = {
    "impact": (1, 10, 5, "a number from 1 to 10"),
    "sensitivity": (0, 1, 0.5, "a number from 0 to 1"),
    "weight": (0, 100, 1.0, "a number above 0 and at most 100"),
}


def node_lines(root) -> dict:
    """{("touchpoints", 3): 41, ...}: the 1-based line where each list item of each section starts, so a
    refusal can point into the YAML."""
    lines = {}
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key_node, value_node in root.value:
        if isinstance(value_node, yaml.SequenceNode):
            for index, item in enumerate(value_node.value, start=1):
                lines[(key_node.value, index)] = item.start_mark.line + 1
    return lines


def read_journey_map(path, file_name: str) -> dict:
    """Parses and validates a journey map (SPEC §2.2). Returns {journey, stages, touchpoints, segments}
    as DataFrames. The YAML is bounded before it is built (yaml_input); every refusal names the list item
    (and its line), the field, what was expected and what was found. Ids are text or whole numbers,
    names and descriptions text, numbers finite and within LIMITS."""
    document, root = yaml_document(read_yaml_text(path, file_name), file_name)
    if not isinstance(document, dict) or "stages" not in document:
        raise IngestError(file_name, None, "stages", "a YAML journey map with a `stages` list",
                          type(document).__name__ if not isinstance(document, dict) else "no `stages` key")
    lines = node_lines(root)

    def refuse(section, index, field, expected, found):
        line = lines.get((section, index))
        where = f"{section}[{index}]" + (f" (line {line})" if line else "")
        raise IngestError(file_name, where, field, expected, shown(found))

    journey = document.get("journey")
    if journey not in (None, "") and not is_id(journey):
        raise IngestError(file_name, None, "journey", "a journey name (text)", shown(journey))
    journey = str(journey or "default")
    sections = {}
    for section in ("stages", "touchpoints", "segments"):
        items = document.get(section)
        if items is not None and not isinstance(items, list):
            raise IngestError(file_name, None, section, f"a list of {section}", shown(items))
        sections[section] = []
        for index, item in enumerate(items or [], start=1):
            if not isinstance(item, dict):
                refuse(section, index, None, "a mapping of fields", item)
            sections[section].append((index, item, lambda f, e, v, s=section, i=index: refuse(s, i, f, e, v)))
    stages = []
    for index, stage, bad in sections["stages"]:
        stage_id = checked_id(stage, "id", bad)
        impact, sensitivity = (checked_number(stage, key, bad) for key in ("impact", "sensitivity"))
        if any(s["stage"] == stage_id for s in stages):
            bad("id", "a unique stage id", stage["id"])
        stages.append({"journey": journey, "stage": stage_id, "name": checked_text(stage, "name", bad) or stage_id,
                       "position": index, "impact": impact, "sensitivity": sensitivity,
                       "description": checked_text(stage, "description", bad)})
    if not stages:
        raise IngestError(file_name, None, "stages", "at least one stage", "an empty list")
    stage_ids = [s["stage"] for s in stages]
    touchpoints = []
    for index, rule, bad in sections["touchpoints"]:
        if not is_id(rule.get("stage")) or str(rule["stage"]) not in stage_ids:
            bad("stage", "one of the stages " + ", ".join(stage_ids), rule.get("stage"))
        match = rule.get("match")
        if not isinstance(match, dict) or not match:
            bad("match", "a non-empty mapping of column to pattern", match)
        for key, pattern in match.items():
            check_match(key, pattern, lambda field, exp, found, bad=bad: bad(field, exp, found))
        touchpoint = rule.get("touchpoint")
        if touchpoint is not None and not is_id(touchpoint):
            bad("touchpoint", "a touchpoint name (text)", touchpoint)
        touchpoints.append({"journey": journey, "position": index, "stage": str(rule["stage"]),
                            "touchpoint": None if touchpoint is None else str(touchpoint),
                            "match": json.dumps({str(k): str(v) for k, v in match.items()})})
    segments = []
    for _, segment, bad in sections["segments"]:
        segment_id = checked_id(segment, "id", bad)
        if any(s["segment"] == segment_id for s in segments):
            bad("id", "a unique segment id", segment["id"])
        segments.append({"journey": journey, "segment": segment_id, "weight": checked_number(segment, "weight", bad),
                         "description": checked_text(segment, "description", bad)})
    return {"journey": journey, "stages": pd.DataFrame(stages), "touchpoints": pd.DataFrame(touchpoints),
            "segments": pd.DataFrame(segments)}


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_id(value) -> bool:
    """An id or name in a journey map is text or a whole number: never a mapping, list, boolean or null."""
    return isinstance(value, str) and value.strip() != "" or isinstance(value, int) and not isinstance(value, bool)


def checked_id(item: dict, key: str, bad) -> str:
    if not is_id(item.get(key)):
        bad(key, f"an `{key}`: text or a whole number", item.get(key))
    return str(item[key])


def checked_text(item: dict, key: str, bad) -> str | None:
    value = item.get(key)
    if value is not None and not isinstance(value, str):
        bad(key, "text (quote it)", value)
    return value


def checked_number(item: dict, key: str, bad) -> float:
    """A finite number within LIMITS[key], or LIMITS' default when the key is absent."""
    low, high, default, expected = LIMITS[key]
    value = item.get(key, default)
    if not is_number(value) or not math.isfinite(value) or not low <= value <= high or (key == "weight" and value <= 0):
        bad(key, expected, value)
    return float(value)


def check_match(key, pattern, refuse) -> None:
    """A rule key is an alert column or labels.<key>; a pattern is a glob, or a regex after `re:`."""
    key = str(key)
    if key not in MATCH_COLUMNS and not (key.startswith("labels.") and len(key) > 7):
        refuse(f"match.{key}", "an alert column (" + ", ".join(MATCH_COLUMNS) + ") or labels.<key>", repr(key))
    if not isinstance(pattern, (str, int, float)) or isinstance(pattern, bool):
        refuse(f"match.{key}", "a glob or re: pattern", repr(pattern))
    if str(pattern).startswith("re:"):
        # Rules run in DuckDB, whose RE2 has no lookaround or backreferences: check it there.
        try:
            duckdb.connect().execute("select regexp_matches('', $p)", {"p": str(pattern)[3:]}).fetchall()
        except duckdb.Error as err:
            refuse(f"match.{key}", "a valid RE2 regular expression (no lookaround or backreferences)",
                   f"{pattern!r} ({str(err).splitlines()[0]})")


def store_journey_map(path, file_name: str, staging, upload_id: str) -> dict:
    """Writes the three map tables of one journey map into `staging`, typed by the canonical DDL."""
    parsed = read_journey_map(path, file_name)
    con = new_connection()
    try:
        counts = {}
        for table in MAP_TABLES:
            frame = parsed[table].copy()
            frame["upload_id"] = upload_id
            if frame.empty:
                continue
            con.register("incoming", frame)
            con.execute(f"insert into canonical.{table} by name select * from incoming")
            con.unregister("incoming")
            con.table(f"canonical.{table}").write_parquet(str(staging / f"{table}.parquet"))
            counts[table] = len(frame)
    finally:
        con.close()
    return {"tables": counts, "rows": sum(counts.values()), "skipped": 0, "layout": "journey_map_yaml",
            "journey": parsed["journey"]}


def preview_journey_map(path, file_name: str) -> dict:
    """The preview of a journey map: its stages, and the touchpoints and segments as detail."""
    parsed = read_journey_map(path, file_name)
    return {"layout": "journey_map_yaml", "format": "yaml", "source_columns": ["journey", "stages", "touchpoints", "segments"],
            "resolved": {}, "missing_required": [], "frame": parsed["stages"], "touchpoints": parsed["touchpoints"],
            "segments": parsed["segments"]}
