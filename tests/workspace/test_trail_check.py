"""notebooks/workspace/trail_check.py: the audit trail is checked against what the workspace holds, a damaged trail
stops writers before anything changes, and a repair keeps what it can prove."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.queue.profiles import save_profile
from journeylens.notebooks.retro.governance import verify_audit
from journeylens.notebooks.workspace.snapshot import list_uploads, remove_upload
from journeylens.notebooks.workspace.store import repair_workspace
from journeylens.notebooks.workspace.trail import TrailDamaged, entry_hash, write_head

JOURNEYLENS = Path(sys.executable).with_name("journeylens")


def alerts_csv(path: Path, service: str) -> Path:
    path.write_text(f"fired_at,service,name,severity\n2026-03-03T10:00:00Z,{service},HighLatency,critical\n")
    return path


@pytest.fixture
def workspace(tmp_path):
    """Three uploads and a profile version: trail lines 1-3 store the uploads, line 4 saves the profile."""
    ws = tmp_path / "ws"
    ids = [ingest_file(ws, "alerts", alerts_csv(tmp_path / f"a{i}.csv", f"svc{i}"))["upload_id"] for i in range(3)]
    save_profile(ws, "weekday", {"threshold": 6.0})
    assert verify_audit(ws)["ok"]
    return ws, ids


def trail_lines(ws: Path) -> list:
    return (ws / "audit.jsonl").read_text().splitlines()


def problems(ws: Path) -> list:
    return [p["problem"] for p in verify_audit(ws)["problems"]]


def snapshot(ws: Path) -> tuple:
    """Everything a writer could change, to show that a refused writer changed nothing."""
    files = sorted(str(p.relative_to(ws)) for p in ws.rglob("*") if ".lock" not in p.name and ".readers" not in p.name
                   and ".staging" not in p.parts and ".trash" not in p.parts)
    return files, (ws / "audit.jsonl").read_bytes(), (ws / "audit.head").read_bytes()


# --- verification cross-checks the trail against the workspace ------------------------------------

def test_trail_and_head_deleted_while_uploads_exist(workspace):
    ws, ids = workspace
    (ws / "audit.jsonl").unlink()
    (ws / "audit.head").unlink()
    found = verify_audit(ws)
    assert not found["ok"]
    assert problems(ws).count("an upload no entry records (the trail was cut short, or it was put there by hand)") == 3
    assert "a saved version no entry records" in problems(ws)


def test_an_upload_folder_deleted_by_hand(workspace):
    ws, ids = workspace
    shutil.rmtree(ws / "uploads" / ids[1])
    found = verify_audit(ws)
    assert [(p["problem"], p["detail"].split()[0]) for p in found["problems"]] == [
        ("a recorded upload that is gone (deleted by hand?)", ids[1])]


def test_a_trail_cut_short_and_re_headed(workspace):
    ws, ids = workspace
    kept = trail_lines(ws)[:2]
    (ws / "audit.jsonl").write_text("\n".join(kept) + "\n")
    write_head(ws, 2, json.loads(kept[-1])["hash"])  # the head agrees with the cut trail
    found = problems(ws)
    assert "cut short or rewritten at the end" not in found
    assert found == ["an upload no entry records (the trail was cut short, or it was put there by hand)",
                     "a saved version no entry records"]


def test_a_manifest_or_version_edited_by_hand(workspace):
    ws, ids = workspace
    manifest = ws / "uploads" / ids[0] / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"rows": 1', '"rows": 100'))
    version = ws / "profiles" / "weekday" / "v0001.json"
    version.write_text(version.read_text().replace("6.0", "60.0"))
    assert problems(ws) == ["an upload whose manifest differs from the one recorded",
                            "a saved version that differs from the one recorded"]


def test_a_removed_upload_is_not_a_problem(workspace):
    ws, ids = workspace
    remove_upload(ws, ids[0])
    assert verify_audit(ws)["ok"]


# --- a damaged trail stops writers -------------------------------------------------------------------

def edit_line(ws: Path, number: int) -> None:
    lines = trail_lines(ws)
    entry = json.loads(lines[number - 1])
    entry["why"] = "nothing to see here"
    lines[number - 1] = json.dumps(entry)
    (ws / "audit.jsonl").write_text("\n".join(lines) + "\n")


def test_a_damaged_trail_stops_every_writer_before_anything_changes(workspace, tmp_path):
    ws, ids = workspace
    edit_line(ws, 2)
    before = snapshot(ws)
    with pytest.raises(TrailDamaged, match="trail repair") as refused:
        ingest_file(ws, "alerts", alerts_csv(tmp_path / "new.csv", "newsvc"))
    assert "line 2" in str(refused.value) or refused.value.row == 2
    with pytest.raises(TrailDamaged):
        save_profile(ws, "weekday", {"threshold": 9.0})
    with pytest.raises(TrailDamaged):
        remove_upload(ws, ids[0])
    assert snapshot(ws) == before
    assert len(list_uploads(ws)) == 3  # readers keep working


def test_the_cli_refuses_to_store_into_a_damaged_workspace(workspace, tmp_path):
    ws, _ = workspace
    edit_line(ws, 1)
    before = snapshot(ws)
    result = subprocess.run([str(JOURNEYLENS), "ingest", "alerts", str(alerts_csv(tmp_path / "n.csv", "x")),
                             "--workspace", str(ws)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "refused:" in result.stderr and "journeylens trail repair" in result.stderr
    assert "Traceback" not in result.stderr and "stored" not in result.stdout
    assert snapshot(ws) == before


# --- repair keeps what it can prove --------------------------------------------------------------------

def test_repair_after_an_edited_entry(workspace):
    ws, ids = workspace
    damaged = (ws / "audit.jsonl").read_text()
    edit_line(ws, 2)
    damaged = (ws / "audit.jsonl").read_bytes()
    result = repair_workspace(ws, "test")
    assert result["repaired"] and result["kept"] == 1 and result["recovered"] == 2
    assert result["dropped_lines"] == [2]
    # the upload only the edited entry recorded is quarantined, not deleted; the others stay
    assert set(list_uploads(ws)["upload_id"]) == {ids[0], ids[2]}
    quarantined = list((ws / "quarantine").glob(f"*/uploads/{ids[1]}/manifest.json"))
    assert len(quarantined) == 1
    assert (ws / result["damaged_copy"]).read_bytes() == damaged
    actions = [json.loads(line)["action"] for line in trail_lines(ws)]
    assert actions == ["upload.stored", "upload.stored", "profile.saved", "upload.quarantined", "trail.repaired"]
    recovered = json.loads(trail_lines(ws)[1])["what"]["recovered"]
    assert recovered["line"] == 3
    assert verify_audit(ws)["ok"]
    ingest_file(ws, "alerts", alerts_csv(ws.parent / "after.csv", "after"))  # writers work again
    assert verify_audit(ws)["ok"]
    assert repair_workspace(ws) == {"repaired": False}


def test_repair_after_an_upload_deleted_by_hand(workspace):
    ws, ids = workspace
    shutil.rmtree(ws / "uploads" / ids[0])
    result = repair_workspace(ws)
    assert result["kept"] == 4 and result["lost"] and ids[0] in result["lost"][0]
    last_two = [json.loads(line) for line in trail_lines(ws)[-2:]]
    assert [e["action"] for e in last_two] == ["upload.lost", "trail.repaired"]
    assert verify_audit(ws)["ok"]


def test_repair_after_a_torn_last_line(workspace):
    ws, _ = workspace
    with open(ws / "audit.jsonl", "a") as handle:
        handle.write('{"at": "2026-')
    assert "unreadable" in problems(ws)
    result = repair_workspace(ws)
    assert result["dropped_lines"] == [5] and result["kept"] == 4
    assert verify_audit(ws)["ok"]


def test_repair_checks_proven_entries_against_the_workspace(workspace):
    """A rewritten entry with a recomputed hash: the chain breaks only at the next entry, so the rewritten
    one is kept as history, but the workspace does not bear it out: the upload it names is recorded as
    lost, and the real upload it replaced, which no entry proves any more, is quarantined."""
    ws, ids = workspace
    lines = trail_lines(ws)
    forged = json.loads(lines[2])
    forged["what"]["upload_id"] = "u20200101T000000000000-abcdef"
    forged["hash"] = entry_hash(forged)
    lines[2] = json.dumps(forged)
    (ws / "audit.jsonl").write_text("\n".join(lines) + "\n")
    assert any(p.startswith("chain broken") for p in problems(ws))
    result = repair_workspace(ws)
    assert (result["kept"], result["recovered"], result["dropped_lines"]) == (3, 1, [])
    assert any("u20200101T000000000000-abcdef" in lost for lost in result["lost"])
    assert any(ids[2] in quarantined for quarantined in result["quarantined"])
    assert set(list_uploads(ws)["upload_id"]) == set(ids[:2])
    assert verify_audit(ws)["ok"]


def test_trail_verbs_on_the_command_line(workspace):
    ws, ids = workspace

    def trail(*args):
        return subprocess.run([str(JOURNEYLENS), "trail", *args, "--workspace", str(ws)], capture_output=True,
                              text=True, timeout=120)

    assert trail("verify").returncode == 0
    shutil.rmtree(ws / "uploads" / ids[2])
    found = trail("verify")
    assert found.returncode == 1 and ids[2] in found.stderr and "trail repair" in found.stderr
    repaired = trail("repair", "--why", "folder deleted by mistake")
    assert repaired.returncode == 0 and "recorded as lost" in repaired.stdout, repaired.stderr
    assert trail("verify").returncode == 0
    assert json.loads(trail_lines(ws)[-1])["why"] == "folder deleted by mistake"


def test_verification_waits_for_a_writer_instead_of_reporting_its_commit_as_damage(workspace, tmp_path):
    import threading

    from journeylens.notebooks.workspace.store import writer_lock

    ws, _ = workspace
    entered, release = threading.Event(), threading.Event()

    def writer():
        with writer_lock(ws):
            entered.set()
            release.wait(30)

    thread = threading.Thread(target=writer)
    thread.start()
    entered.wait(30)
    waits = []
    threading.Timer(0.3, release.set).start()
    result = verify_audit(ws, on_wait=waits.append)
    thread.join(30)
    assert result["ok"] and waits and "waiting for another journeylens process" in waits[0]
