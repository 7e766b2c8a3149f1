"""notebooks/workspace/paths.py and its users: a name a user gives never becomes a path outside the
workspace, and a refusal happens before anything moves."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from journeylens.notebooks.ingest.playbook_file import load_playbooks, save_playbooks
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.queue.profiles import load_profile, save_profile
from journeylens.notebooks.retro.governance import verify_audit
from journeylens.notebooks.workspace.contract import IngestError
from journeylens.notebooks.workspace.paths import plain_file_name
from journeylens.notebooks.workspace.snapshot import list_uploads, remove_upload
from journeylens.notebooks.workspace.store import repair_workspace
from journeylens.notebooks.workspace.versions import config_dir, list_names, list_versions, save_version

JOURNEYLENS = Path(sys.executable).with_name("journeylens")
ALERTS = "fired_at,service,name,severity\n2026-03-03T10:00:00Z,payments-api,HighLatency,critical\n"


def fake_upload(folder: Path, upload_id: str | None) -> Path:
    """A folder shaped like an upload: a manifest and a data file."""
    folder.mkdir(parents=True)
    manifest = {"kind": "alerts", "file_name": "x.csv", "rows": 1, "tables": {"alerts": 1}}
    if upload_id is not None:
        manifest["upload_id"] = upload_id
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "alerts.parquet").write_text("precious")
    return folder


def state(path: Path) -> list:
    return sorted((str(p.relative_to(path)), p.read_bytes() if p.is_file() else b"") for p in path.rglob("*")
                  if p.name not in (".lock", ".readers"))


@pytest.fixture
def ws(tmp_path):
    ws = tmp_path / "ws"
    (tmp_path / "a.csv").write_text(ALERTS)
    ingest_file(ws, "alerts", tmp_path / "a.csv")
    return ws


def cli(*args, cwd=None):
    return subprocess.run([str(JOURNEYLENS), *args], capture_output=True, text=True, timeout=120, cwd=cwd)


def test_remove_never_follows_a_path_out_of_the_workspace(ws, tmp_path):
    victim = fake_upload(tmp_path / "somewhere", "somewhere")
    other_ws = tmp_path / "other"
    (tmp_path / "b.csv").write_text(ALERTS.replace("payments-api", "search"))
    other_id = ingest_file(other_ws, "alerts", tmp_path / "b.csv")["upload_id"]
    before = (state(ws), state(victim), state(other_ws))
    for target in ("../../somewhere", str(victim), f"../../other/uploads/{other_id}", "..", ".", "",
                   f"{other_id}/../../../somewhere", f"/{other_id}"):
        result = cli("remove", target, "--workspace", str(ws))
        assert result.returncode == 2, (target, result.stdout, result.stderr)
        assert "refused:" in result.stderr and "upload id" in result.stderr and "Traceback" not in result.stderr
    assert (state(ws), state(victim), state(other_ws)) == before
    assert verify_audit(other_ws)["ok"] and len(list_uploads(other_ws)) == 1


def test_a_malformed_manifest_is_refused_before_anything_moves(ws):
    planted = fake_upload(ws / "uploads" / "u20260101T000000000000-abcdef", None)  # no upload_id
    before = state(ws)
    with pytest.raises(IngestError, match="an upload no entry records.*nothing was changed"):
        remove_upload(ws, planted.name)
    assert state(ws) == before and (planted / "manifest.json").exists()
    assert planted.name not in set(list_uploads(ws)["upload_id"])


def test_a_symlinked_upload_folder_is_never_followed(ws, tmp_path):
    outside = fake_upload(tmp_path / "outside", "u20260101T000000000000-abcdef")
    link = ws / "uploads" / "u20260101T000000000000-abcdef"
    os.symlink(outside, link)
    assert link.name not in set(list_uploads(ws)["upload_id"])
    with pytest.raises(IngestError, match="does not belong in the workspace.*nothing was changed"):
        remove_upload(ws, link.name)
    assert (outside / "alerts.parquet").read_text() == "precious"
    problems = verify_audit(ws)["problems"]
    assert [p["problem"] for p in problems] == ["something that does not belong in the workspace"]
    repair_workspace(ws)  # moves the link aside, never what it points to
    assert not link.is_symlink() and (outside / "alerts.parquet").read_text() == "precious"
    assert verify_audit(ws)["ok"] and len(list_uploads(ws)) == 1


def test_manifest_table_names_never_become_paths(ws, tmp_path):
    planted = ws / "uploads" / "u20260101T000000000000-abcdef"
    planted.mkdir()
    (planted / "manifest.json").write_text(json.dumps({
        "upload_id": planted.name, "kind": "alerts", "file_name": "x.csv", "rows": 1,
        "tables": {"../../../../etc/passwd": 1}}))
    assert planted.name not in set(list_uploads(ws)["upload_id"])


@pytest.mark.parametrize("name", ["../../evil", "/etc/passwd", "..", ".hidden", "a/b", "", "x" * 65, "nul\x00",
                                  "line\nbreak"])
def test_configuration_names_are_names(ws, name):
    before = state(ws)
    with pytest.raises(IngestError, match="name"):
        save_profile(ws, name, {"threshold": 5.0})
    if name:  # no name is the default profile
        with pytest.raises(IngestError, match="name"):
            load_profile(ws, name)
    for kind in ("playbooks", "thresholds", "assumptions", "owners", "decisions"):
        with pytest.raises(IngestError, match="name"):
            save_version(ws, kind, name, {})
    assert state(ws) == before


def test_a_symlinked_configuration_folder_is_refused(ws, tmp_path):
    outside = tmp_path / "outside-profiles"
    outside.mkdir()
    (ws / "profiles").mkdir()
    os.symlink(outside, ws / "profiles" / "linked")
    assert list_names(ws, "profiles") == []
    with pytest.raises(IngestError, match="does not belong in the workspace: profiles/linked"):
        save_profile(ws, "linked", {"threshold": 5.0})
    assert list(outside.iterdir()) == []
    with pytest.raises(IngestError, match="inside the workspace"):  # the name check alone refuses it too
        config_dir(ws, "profiles", "linked")
    (ws / "profiles" / "linked").unlink()
    save_playbooks(ws, [], comment="empty")  # an ordinary name still works
    assert load_playbooks(ws) == [] and len(list_versions(ws, "playbooks", "catalogue")) == 1


def test_rank_with_a_path_as_profile_is_a_refusal(ws):
    result = cli("rank", "--profile", "../../etc/passwd", "--workspace", str(ws))
    assert result.returncode == 2, result.stderr
    assert "refused:" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(("given", "expected"), [
    ("alerts.csv", "alerts.csv"), ("../../etc/passwd", "passwd"), ("..", "upload"), ("C:\\temp\\x.csv", "x.csv"),
    (".bashrc", "bashrc"), ("a\x1b[31mred.csv", "a[31mred.csv"), ("", "upload"), ("/", "upload"),
])
def test_a_browser_file_name_becomes_one_plain_name(given, expected):
    assert plain_file_name(given) == expected


def test_the_judge_cache_never_writes_outside_the_workspace(ws, tmp_path):
    from journeylens.notebooks.ai.judge_cache import cache_file

    assert cache_file(ws) == ws / "judge" / "verdicts.jsonl"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, ws / "judge")
    with pytest.raises(IngestError, match="inside the workspace"):
        cache_file(ws)


def test_readers_never_create_a_mistyped_workspace(tmp_path):
    from journeylens.notebooks.queue.ranking import ranked_alerts
    from journeylens.notebooks.retro.governance import decisions
    from journeylens.notebooks.retro.weekly import read_audit
    from journeylens.notebooks.workspace.paths import is_workspace
    from journeylens.notebooks.workspace.snapshot import connect, workspace_summary

    typo = tmp_path / "wrokspace"
    con = connect(typo)
    assert con.execute("select count(*) from alerts").fetchall()[0][0] == 0
    con.close()
    assert list_uploads(typo).empty and workspace_summary(typo)["rows"].sum() == 0
    assert list_versions(typo, "profiles", "default") == [] and list_names(typo, "profiles") == []
    assert load_profile(typo)["version"] == 0 and decisions(typo).empty and read_audit(typo).empty
    assert ranked_alerts(typo).empty
    assert not typo.exists() and not is_workspace(typo)
