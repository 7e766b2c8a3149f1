"""Compacting the receiver's small uploads changes no answer: the ranked queue and every exported kind are the
same bytes before and after, the register shrinks, the trail verifies, and levels keep it short."""

import json
from pathlib import Path

from journeylens.app.cli import main
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.live.compact import compact_workspace, due_groups
from journeylens.notebooks.workspace.snapshot import list_manifests
from journeylens.notebooks.workspace.store import verify_workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def webhook(number: int, resolved: bool) -> dict:
    """An Alertmanager payload: three alerts of one batch, firing, or (later) two of them resolved."""
    alerts = [{"status": "resolved" if resolved else "firing",
               "labels": {"alertname": f"Alert{number % 4}", "service": f"svc{number % 3}", "severity": "critical"},
               "annotations": {"summary": "s"}, "startsAt": f"2026-11-30T{number % 24:02d}:00:00Z",
               "endsAt": f"2026-11-30T{number % 24:02d}:30:00Z" if resolved else "0001-01-01T00:00:00Z",
               "fingerprint": f"fp{number}-{i}"} for i in range(2 if resolved else 3)]
    return {"version": "4", "receiver": "journeylens", "status": "firing", "groupKey": str(number), "alerts": alerts}


def outputs(ws: Path, folder: Path) -> dict:
    folder.mkdir()
    assert main(["rank", "--workspace", str(ws), "--out", str(folder / "ranked.csv")]) == 0
    for kind in ("alerts", "ai"):
        assert main(["export", kind, "--workspace", str(ws), "--out", str(folder / f"{kind}.csv")]) == 0
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def ingest_batches(ws: Path, tmp_path: Path, numbers) -> None:
    for number in numbers:  # firing notices, then resolves of some of them in later uploads
        for resolved in (False, True) if number % 2 else (False,):
            body = tmp_path / f"b{number}{resolved}.jsonl"
            body.write_text(json.dumps(webhook(number, resolved)) + "\n")
            ingest_file(ws, "alerts", body, file_name=f"live-alertmanager-alertmanager_webhook-{number}-{resolved}.jsonl")


def test_compaction_changes_no_answer(tmp_path):
    ws = tmp_path / "ws"
    ingest_file(ws, "journey-map", FIXTURES / "journey_map.yaml")
    ingest_batches(ws, tmp_path, range(6))
    for number, name in enumerate(("openllmetry_openai", "spring_ai", "strands_agents", "claude_code_dogfood")):
        ingest_file(ws, "ai", FIXTURES / "otel" / f"{name}_langwatch.json", file_name=f"live-otlp-otel_otlp_json-{number}.jsonl")
    before = outputs(ws, tmp_path / "before")
    registered = len(list_manifests(ws))

    made = compact_workspace(ws, at=4)
    assert outputs(ws, tmp_path / "after") == before
    assert len(list_manifests(ws)) == registered - 9 - 4 + 2 and len(made) == 2  # 9 alert and 4 AI uploads
    assert {m["compaction_level"] for m in made} == {1} and verify_workspace(ws)["ok"]

    ingest_batches(ws, tmp_path, range(6, 12))  # resolves that fold into notices the compacted upload holds
    before = outputs(ws, tmp_path / "before2")
    compact_workspace(ws, at=4)  # the new small ones make a second level-1 upload...
    levels = [m.get("compaction_level", 0) for m in list_manifests(ws) if m["kind"] == "alerts"]
    assert sorted(levels) == [1, 1]
    compact_workspace(ws, at=2)  # ...and two level-1 uploads make one of level 2
    assert [m.get("compaction_level", 0) for m in list_manifests(ws) if m["kind"] == "alerts"] == [2]
    assert outputs(ws, tmp_path / "after2") == before
    assert verify_workspace(ws)["ok"]
    trail = [json.loads(line) for line in (ws / "audit.jsonl").read_text().splitlines()]
    assert [len(e["what"]["replaces"]) for e in trail if e["action"] == "upload.compacted"] == [9, 4, 9, 2]


def test_due_groups_are_per_kind_layout_and_level_and_only_the_receivers():
    def manifest(number, kind="alerts", layout="alertmanager_webhook", level=0, name="live-x"):
        return {"upload_id": f"u{number:03d}", "kind": kind, "layout": layout, "file_name": f"{name}-{number}",
                **({"compaction_level": level} if level else {})}

    manifests = ([manifest(n) for n in range(3)] + [manifest(10 + n, level=1) for n in range(2)]
                 + [manifest(20 + n, kind="ai", layout="otel_otlp_json") for n in range(3)]
                 + [manifest(30 + n, name="export") for n in range(5)])  # a user's own files are never compacted
    groups = due_groups(manifests, at=3)
    assert [[m["upload_id"] for m in g] for g in groups] == [["u000", "u001", "u002"], ["u020", "u021", "u022"]]
    assert len(due_groups(manifests, at=2)) == 3 and due_groups(manifests, at=4) == []
