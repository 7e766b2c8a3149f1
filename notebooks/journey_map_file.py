import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import json

    import duckdb
    import pandas as pd
    import yaml

    from notebooks.kinds import MAP_TABLES, IngestError
    from notebooks.readers import check_utf8
    from notebooks.workspace import new_connection

    # Alert columns a touchpoint rule may match on (SPEC §2.2), besides labels.<key>.
    MATCH_COLUMNS = ("service", "name", "source", "severity", "region", "message", "fingerprint", "alert_id")


@app.function
def node_lines(text: str) -> dict:
    """{("touchpoints", 3): 41, ...}: the 1-based line where each list item of each section starts, so a
    refusal can point into the YAML."""
    lines = {}
    root = yaml.compose(text)
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key_node, value_node in root.value:
        if isinstance(value_node, yaml.SequenceNode):
            for index, item in enumerate(value_node.value, start=1):
                lines[(key_node.value, index)] = item.start_mark.line + 1
    return lines


@app.function
def read_journey_map(path, file_name: str) -> dict:
    """Parses and validates a journey map (SPEC §2.2). Returns {journey, stages, touchpoints, segments}
    as DataFrames. Every refusal names the list item (and its line), the field, what was expected and
    what was found."""
    check_utf8(path, file_name)
    text = open(path, encoding="utf-8-sig").read()
    try:
        document = yaml.safe_load(text)
        lines = node_lines(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        row = f"{mark.line + 1} (line)" if mark else None
        raise IngestError(file_name, row, None, "valid YAML", str(getattr(err, "problem", err))) from None
    if not isinstance(document, dict) or "stages" not in document:
        raise IngestError(file_name, None, "stages", "a YAML journey map with a `stages` list",
                          type(document).__name__ if not isinstance(document, dict) else "no `stages` key")

    def where(section, index):
        line = lines.get((section, index))
        return f"{section}[{index}]" + (f" (line {line})" if line else "")

    def refuse(section, index, field, expected, found):
        raise IngestError(file_name, where(section, index), field, expected, found)

    journey = str(document.get("journey") or "default")
    stages = []
    for index, stage in enumerate(document.get("stages") or [], start=1):
        if not isinstance(stage, dict) or not stage.get("id"):
            refuse("stages", index, "id", "a stage with an `id`", repr(stage))
        impact, sensitivity = stage.get("impact", 5), stage.get("sensitivity", 0.5)
        if not is_number(impact) or not 1 <= impact <= 10:
            refuse("stages", index, "impact", "a number from 1 to 10", repr(impact))
        if not is_number(sensitivity) or not 0 <= sensitivity <= 1:
            refuse("stages", index, "sensitivity", "a number from 0 to 1", repr(sensitivity))
        if any(s["stage"] == str(stage["id"]) for s in stages):
            refuse("stages", index, "id", "a unique stage id", repr(stage["id"]))
        stages.append({"journey": journey, "stage": str(stage["id"]), "name": str(stage.get("name") or stage["id"]),
                       "position": index, "impact": float(impact), "sensitivity": float(sensitivity),
                       "description": stage.get("description")})
    if not stages:
        raise IngestError(file_name, None, "stages", "at least one stage", "an empty list")
    stage_ids = [s["stage"] for s in stages]
    touchpoints = []
    for index, rule in enumerate(document.get("touchpoints") or [], start=1):
        if not isinstance(rule, dict):
            refuse("touchpoints", index, None, "a mapping with `stage` and `match`", repr(rule))
        if str(rule.get("stage")) not in stage_ids:
            refuse("touchpoints", index, "stage", "one of the stages " + ", ".join(stage_ids), repr(rule.get("stage")))
        match = rule.get("match")
        if not isinstance(match, dict) or not match:
            refuse("touchpoints", index, "match", "a non-empty mapping of column to pattern", repr(match))
        for key, pattern in match.items():
            check_match(key, pattern, lambda field, exp, found, i=index: refuse("touchpoints", i, field, exp, found))
        touchpoints.append({"journey": journey, "position": index, "stage": str(rule["stage"]),
                            "touchpoint": rule.get("touchpoint"),
                            "match": json.dumps({str(k): str(v) for k, v in match.items()})})
    segments = []
    for index, segment in enumerate(document.get("segments") or [], start=1):
        if not isinstance(segment, dict) or not segment.get("id"):
            refuse("segments", index, "id", "a segment with an `id`", repr(segment))
        weight = segment.get("weight", 1.0)
        if not is_number(weight) or weight <= 0:
            refuse("segments", index, "weight", "a number > 0", repr(weight))
        segments.append({"journey": journey, "segment": str(segment["id"]), "weight": float(weight),
                         "description": segment.get("description")})
    return {"journey": journey, "stages": pd.DataFrame(stages), "touchpoints": pd.DataFrame(touchpoints),
            "segments": pd.DataFrame(segments)}


@app.function
def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@app.function
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


@app.function
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


@app.function
def preview_journey_map(path, file_name: str) -> dict:
    """The preview of a journey map: its stages, and the touchpoints and segments as detail."""
    parsed = read_journey_map(path, file_name)
    return {"layout": "journey_map_yaml", "format": "yaml", "source_columns": ["journey", "stages", "touchpoints", "segments"],
            "resolved": {}, "missing_required": [], "frame": parsed["stages"], "touchpoints": parsed["touchpoints"],
            "segments": parsed["segments"]}


if __name__ == "__main__":
    app.run()
