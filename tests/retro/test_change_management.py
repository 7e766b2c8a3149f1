"""notebooks/retro/changes.py and sql/queue/07_group_changes.sql: changes link to alerts and mark stages."""

import shutil

import pytest
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.queue.ranking import ranked_alerts
from journeylens.notebooks.retro.changes import mark_reviewed, recalibration_status
from journeylens.notebooks.retro.governance import verify_audit


@pytest.fixture(scope="module")
def sample(sample_dir, tmp_path_factory):
    """A private copy of the shared sample workspace: these tests record reviews and upload changes."""
    ws = tmp_path_factory.mktemp("changes") / "ws"
    shutil.copytree(sample_dir, ws)
    return ws


def test_the_queue_links_alerts_to_the_change_just_before_them(sample):
    ranked = ranked_alerts(sample)
    top = ranked.iloc[0]
    assert top["service"] == "payments-gateway" and top["change_service"] == "payments-gateway"
    assert top["change_kind"] == "deploy" and "v4.18.0" in top["change_description"]
    assert (ranked["change_at"].dropna() <= ranked.loc[ranked["change_at"].notna(), "first_fired_at"]).all()
    assert ranked["change_at"].isna().any()  # most groups have no change before them


def test_on_the_sample_only_a_change_followed_by_a_shift_flags_its_stage(sample, tmp_path):
    status = recalibration_status(sample).set_index("stage")
    assert len(status) == 5 and (status["changes_since_review"] > 0).all()  # every stage had routine deploys
    flagged = status[status["status"] == "to recalibrate"]
    assert 0 < len(flagged) < 5
    assert set(status["status"]) <= {"to recalibrate", "changed, no shift", "unknown"}
    assert status.loc["checkout", "status"] == "changed, no shift"  # a rollback within 80 min: no lasting shift
    # the template-import rewrite slowed pro onboarding for hours (the seeded incident): a named shift
    assert "workspace-provisioner v2.7.0" in status.loc["onboarding", "why"]
    assert status.loc["onboarding", "status"] == "to recalibrate"
    assert status.loc["onboarding", "why"].split(" ")[0] in {"conversion", "time", "alert", "satisfaction"}
    mark_reviewed(sample, "onboarding", "mappings and thresholds checked after v2.7.0")
    status = recalibration_status(sample).set_index("stage")
    assert status.loc["onboarding", "status"] == "ok" and status.loc["onboarding", "changes_since_review"] == 0
    later = tmp_path / "later.csv"
    later.write_text("ts,service,kind,description\n2099-01-05T10:00:00Z,onboarding-api,feature_flag,new wizard\n")
    ingest_file(sample, "changes", later)
    row = recalibration_status(sample).set_index("stage").loc["onboarding"]
    assert row["status"] == "unknown" and row["why"].startswith("not enough data")  # no data after it yet
    assert verify_audit(sample)["ok"]
