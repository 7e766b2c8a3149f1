"""The weight calibration (notebooks/retro/calibration.py, calibration_fit.py, calibration_store.py and
sql/retro/04-06) on small worlds stored through the public ingest (calibration_world.py)."""

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from calibration_world import build_world
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.queue.profiles import load_profile
from journeylens.notebooks.retro.calibration import MIN_GAIN, calibrate, calibration_chart
from journeylens.notebooks.retro.calibration_fit import factor_sentences, neighbours
from journeylens.notebooks.retro.calibration_store import accept_calibration, reject_calibration
from journeylens.notebooks.retro.governance import verify_audit
from journeylens.notebooks.workspace.snapshot import sql_text
from journeylens.notebooks.workspace.versions import list_versions


@pytest.fixture(scope="module")
def told(tmp_path_factory):
    """A world whose actioned incidents follow confidence and duration, not severity, and its calibration."""
    ws = build_world(tmp_path_factory.mktemp("told"))
    return ws, calibrate(ws)


def test_calibration_improves_held_out_week_precision_where_history_supports_it(told):
    _, found = told
    assert found["status"] == "proposed", found["reason"]
    assert found["evidence"]["positive_incidents"] == 32 and found["evidence"]["labelled_weeks"] == 4
    weeks, overall = found["weeks"], found["overall"]
    assert len(weeks) == 4  # every labelled week held out once
    assert overall["precision_after"] >= overall["precision_before"] + MIN_GAIN
    assert (weeks["precision_after"] >= weeks["precision_before"]).all()
    assert overall["recall_after"] >= overall["recall_before"]
    changed = {setting for setting, _, _ in found["diff"]}
    assert changed and changed <= {f"weights.{w}" for w in ("severity", "exposure", "confidence", "duration",
                                                             "recurrence")} | {"corroboration"}
    new = found["proposal"]["weights"]
    assert new["severity"] < 0.30  # loud critical noise: severity loses weight
    assert found["factors"][0].startswith(("Confidence explains most", "Duration explains most"))
    assert any("Severity" in s and "little" in s for s in found["factors"])
    assert calibration_chart(weeks).to_dict()["title"]


def test_too_few_labelled_incidents_refuses_and_says_why(tmp_path):
    found = calibrate(build_world(tmp_path, weeks=2, positives=3))
    assert found["status"] == "refused" and found["proposal"] is None and found["weeks"].empty
    assert "at least 20 actioned" in found["reason"] and "6 such incidents over 2 weeks" in found["reason"]


def test_no_held_out_gain_refuses_the_proposal(tmp_path):
    # the critical alerts are exactly the actioned ones: the active profile already ranks them first
    found = calibrate(build_world(tmp_path, rule="severity"))
    assert found["status"] == "refused" and found["proposal"] is None
    assert found["reason"].startswith("Not proposed") and len(found["weeks"]) == 4


def test_accepting_saves_a_new_profile_version_with_its_audit_entry(told, tmp_path):
    source, found = told
    ws = tmp_path / "ws"
    shutil.copytree(source, ws)
    record = accept_calibration(ws, found, "ana", "confidence tells")
    saved = load_profile(ws)
    assert saved["version"] == record["version"] == 1
    assert saved["profile"]["weights"] == found["proposal"]["weights"]
    entry = json.loads((ws / "audit.jsonl").read_text().splitlines()[-1])
    assert entry["action"] == "profile.saved" and entry["what"]["decision"] == "calibration.accepted"
    assert entry["what"]["calibration"]["held_out"]["precision_after"] == round(found["overall"]["precision_after"], 4)
    assert entry["who"] == "ana" and "confidence tells" in entry["why"]
    assert verify_audit(ws)["ok"]
    with pytest.raises(ValueError, match="changed since this calibration"):
        accept_calibration(ws, found, "ana")  # fitted from version 0: the profile moved on
    assert load_profile(ws)["version"] == 1


def test_rejecting_is_recorded_and_changes_no_profile(told, tmp_path):
    source, found = told
    ws = tmp_path / "ws"
    shutil.copytree(source, ws)
    reject_calibration(ws, found, "bo", "not this week")
    entry = json.loads((ws / "audit.jsonl").read_text().splitlines()[-1])
    assert entry["action"] == "calibration.rejected" and entry["who"] == "bo" and entry["why"] == "not this week"
    assert load_profile(ws)["version"] == 0 and verify_audit(ws)["ok"]
    with pytest.raises(ValueError, match="nothing to accept"):
        accept_calibration(ws, {"status": "refused", "reason": "too few"}, "bo")


def test_links_labels_and_week_metrics_in_sql():
    con = duckdb.connect()
    con.execute("create table alert_groups as select * from (values "
                "('g1', 'alert_group', 'fp1', 'checkout', 'pay', timestamp '2026-10-05 10:00'), "
                "('g2', 'alert_group', 'fp2', 'checkout', 'pay', timestamp '2026-10-05 12:00'), "
                "('g3', 'alert_group', 'fp3', 'signup', 'auth', timestamp '2026-10-05 12:10'), "
                "('g4', 'journey_signal', null, 'checkout', null, timestamp '2026-10-05 12:00')) "
                "as t(group_id, kind, fingerprint, stage, service, first_fired_at)")
    con.execute("create table calibration_members as select * from (values ('g1', 'a1'), ('g2', 'a2'), ('g3', 'a3')) "
                "as t(group_id, alert_id)")
    con.execute("create table incidents as select * from (values "
                "('i1', timestamp '2026-10-05 10:05', null, null, null, ' a1 ;', null, 'actioned'), "
                "('i2', timestamp '2026-10-05 12:05', timestamp '2026-10-05 13:00', 'checkout', null, null, null, 'noise'), "
                "('i3', timestamp '2026-10-05 12:05', null, null, null, null, 'fp3', 'escalated'), "
                "('i4', timestamp '2026-10-05 12:05', null, null, null, null, 'fp3', null)) "
                "as t(incident_id, opened_at, resolved_at, stage, service, alert_ids, fingerprints, outcome)")
    con.execute(f"create table calibration_links as {sql_text('calibration_links')}",
                {"link_before_minutes": 30, "link_after_minutes": 120})
    links = sorted(con.execute("select incident_id, group_id, label from calibration_links").fetchall())
    # by id (trimmed), by stage and time (g2 only: g1 fired > 30 min before, g4 is no alert group), by print
    assert links == [("i1", "g1", 1), ("i2", "g2", 0), ("i3", "g3", 1)]
    con.execute(f"create table calibration_labels as {sql_text('calibration_labels')}")
    labels = sorted(con.execute("select group_id, week, positive, negative from calibration_labels").fetchall())
    assert labels == [("g1", "2026-W41", True, False), ("g2", "2026-W41", False, True),
                      ("g3", "2026-W41", True, False)]
    con.execute("create table ranked_groups as select * from (values ('g1', false, 9.0, 1), ('g2', false, 8.0, 2), "
                "('g3', true, 7.0, 3)) as t(group_id, suppressed, score, tie_rank)")
    week = con.execute(sql_text("calibration_metrics")).fetchall()
    assert week == [("2026-W41", 3, 2, 2 / 3, 1.0)]


def test_neighbours_keep_the_weights_a_distribution():
    start = (0.3, 0.3, 0.15, 0.15, 0.1, 0.9)
    steps = neighbours(start)
    assert len(steps) == 22 and all(abs(sum(c[:-1]) - 1) < 1e-9 and min(c) >= 0 for c in steps)
    assert (0.3, 0.3, 0.15, 0.15, 0.1, 1.0) in steps and (0.25, 0.35, 0.15, 0.15, 0.1, 0.9) in steps


def test_factor_sentences_name_what_matters_and_what_adds_little():
    rows = [{"factor": "harm", "share": 0.9, "precision_with": 0.8, "precision_without": 0.3, "drop": 0.5},
            {"factor": "exposure", "share": 0.3, "precision_with": 0.8, "precision_without": 0.7, "drop": 0.1},
            {"factor": "severity", "share": 0.3, "precision_with": 0.8, "precision_without": 0.8, "drop": 0.0}]
    said = factor_sentences(rows)
    assert said[0].startswith("Harm explains most of your actioned incidents") and "80% to 30%" in said[0]
    assert said[1].startswith("Exposure matters too") and said[2].startswith("Severity adds little")


# A writer accepting a calibration that kills itself (SIGKILL) when the commit protocol reaches one step.
KILLER = """
import os, signal, sys
import journeylens.notebooks.workspace.trail as trail
import journeylens.notebooks.workspace.store as store
from journeylens.notebooks.retro.calibration_store import accept_calibration

def step(name):
    if name == sys.argv[1]:
        os.kill(os.getpid(), signal.SIGKILL)

trail.protocol_step = store.protocol_step = step
found = {"status": "proposed", "profile_name": "default", "base_version": 0, "weeks": [1, 2],
         "overall": {"precision_before": 0.5, "precision_after": 0.7}, "evidence": {"positive_incidents": 30},
         "diff": [["weights.severity", 0.3, 0.2]], "proposal": {"weights": {"severity": 0.2}}}
accept_calibration(sys.argv[2], found, "ana", "killed")
print("finished")
"""


@pytest.mark.parametrize("step", ("intent", "committed", "published", "headed", "done"))
def test_accepting_killed_at_every_step_keeps_version_and_decision_together(tmp_path, step):
    ws = tmp_path / "ws"
    (tmp_path / "a.csv").write_text("fired_at,service,name,severity\n2026-10-05T10:00:00Z,pay-api,Slow,high\n")
    ingest_file(ws, "alerts", tmp_path / "a.csv")
    done = subprocess.run([sys.executable, "-c", KILLER, step, str(ws)], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    assert verify_audit(ws)["ok"]  # the next reader finishes or undoes the commit
    entries = [json.loads(line) for line in (ws / "audit.jsonl").read_text().splitlines()]
    decided = [e for e in entries if (e.get("what") or {}).get("decision") == "calibration.accepted"]
    versions = list_versions(ws, "profiles", "default")
    assert len(decided) == len(versions) == (0 if step == "intent" else 1)
