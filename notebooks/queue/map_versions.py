"""Journey map versions: every journey-map upload is kept, and the newest of a journey is active.

A suggestion accepted in the retro (map an unmapped service) becomes a new version with the rule
appended (add_touchpoint); map_diff says what changed between any two versions (the Governance page)."""

import json
import tempfile
from pathlib import Path

import pandas as pd
import yaml
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.workspace.snapshot import close_snapshot, connect, list_uploads


def map_yaml(con, journey: str | None = None, extra_rules: list | None = None) -> str:
    """The active journey map of `journey` (the only one when None) as the YAML of SPEC §2.2, with
    `extra_rules` appended to its touchpoints (last, so they only catch what no rule caught before)."""
    journeys = [r[0] for r in con.execute("select distinct journey from stages order by 1").fetchall()]
    if not journeys:
        raise ValueError("the workspace has no journey map yet")
    journey = journey or journeys[0]
    if journey not in journeys:
        raise ValueError(f"no journey {journey!r} (journeys: {', '.join(journeys)})")
    stages = con.execute("select stage, name, impact, sensitivity, description from stages where journey = $j "
                         "order by position", {"j": journey}).df()
    rules = con.execute("select stage, touchpoint, match from touchpoints where journey = $j order by position",
                        {"j": journey}).df()
    segments = con.execute("select segment, weight, description from segments where journey = $j order by segment",
                           {"j": journey}).df()

    def clean(record):
        return {k: v for k, v in record.items() if v is not None and not (isinstance(v, float) and pd.isna(v))}

    document = {
        "journey": journey,
        "stages": [clean({"id": r["stage"], "name": r["name"], "impact": float(r["impact"]),
                          "sensitivity": float(r["sensitivity"]), "description": r["description"]})
                   for r in stages.to_dict("records")],
        "touchpoints": [clean({"stage": r["stage"], "touchpoint": r["touchpoint"], "match": json.loads(r["match"])})
                        for r in rules.to_dict("records")] + [clean(dict(rule)) for rule in extra_rules or []],
    }
    if len(segments):
        document["segments"] = [clean({"id": r["segment"], "weight": float(r["weight"]), "description": r["description"]})
                                for r in segments.to_dict("records")]
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def add_touchpoint(workspace, rule: dict, why: str = "") -> dict:
    """Stores a new version of the journey map of the rule's stage, with the rule appended: an upload
    like any other (checked, audit-logged, removable)."""
    con = connect(workspace, tables=("stages", "touchpoints", "segments"))
    try:
        found = con.execute("select journey from stages where stage = $s limit 1", {"s": rule.get("stage")}).fetchall()
        if not found:
            raise ValueError(f"no stage {rule.get('stage')!r} in the journey map")
        text = map_yaml(con, found[0][0], [rule])
    finally:
        close_snapshot(con)
    with tempfile.TemporaryDirectory(prefix="journeylens-map-") as tmp:
        path = Path(tmp) / "journey_map.yaml"
        path.write_text(text, encoding="utf-8")
        return ingest_file(workspace, "journey-map", path, why=why or f"touchpoint for {rule.get('stage')}")


def map_versions(workspace) -> pd.DataFrame:
    """The journey-map uploads, oldest first."""
    uploads = list_uploads(workspace)
    if uploads.empty:
        return uploads
    return uploads[uploads["kind"] == "journey-map"].iloc[::-1].reset_index(drop=True)


def map_diff(workspace, old_upload: str, new_upload: str) -> pd.DataFrame:
    """What changed between two journey-map versions: stages, touchpoint rules and segments added,
    removed or changed."""
    con = connect(workspace)
    try:
        def rows(table, key, upload):
            frame = con.execute(f"select * exclude (upload_id) from {table}_history where upload_id = $u",
                                {"u": upload}).df()
            return {str(r[key]) if key else json.dumps(r, sort_keys=True, default=str): json.dumps(r, sort_keys=True,
                                                                                                   default=str)
                    for r in frame.drop(columns=["position"], errors="ignore").to_dict("records")}

        out = []
        for table, key in (("stages", "stage"), ("touchpoints", None), ("segments", "segment")):
            old, new = rows(table, key, old_upload), rows(table, key, new_upload)
            out += [(table, "added", new[k]) for k in new if k not in old]
            out += [(table, "removed", old[k]) for k in old if k not in new]
            out += [(table, "changed", f"{old[k]} -> {new[k]}") for k in new if k in old and old[k] != new[k]]
    finally:
        close_snapshot(con)
    return pd.DataFrame(out, columns=["part", "change", "detail"])
