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


def test_a_change_marks_the_stage_until_reviewed(sample, tmp_path):
    status = recalibration_status(sample).set_index("stage")
    assert status.loc["checkout", "status"] == "to recalibrate"
    mark_reviewed(sample, "checkout", "mappings and thresholds checked after r17")
    status = recalibration_status(sample).set_index("stage")
    assert status.loc["checkout", "status"] == "ok" and status.loc["signup", "status"] == "to recalibrate"
    later = tmp_path / "later.csv"
    later.write_text("ts,service,kind,description\n2027-01-05T10:00:00Z,payments-gateway,feature_flag,3DS v2 on\n")
    ingest_file(sample, "changes", later)
    assert recalibration_status(sample).set_index("stage").loc["checkout", "status"] == "to recalibrate"
    assert verify_audit(sample)["ok"]
