"""Multi-signal playbooks fire only when every condition holds on groups open at the same time
(notebooks/queue/playbook_match.py)."""

import sys
from pathlib import Path

from journeylens.notebooks.ingest.playbook_file import store_catalogue
from journeylens.notebooks.queue.ranking import ranked_alerts

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ops_world import ALERTS, CATALOGUE, by_alert, ops_workspace  # noqa: E402


def test_multi_signal_playbook_fires_only_when_all_conditions_hold(tmp_path):
    ws = ops_workspace(tmp_path / "both")
    store_catalogue(ws, CATALOGUE, "team.yaml")
    rows = by_alert(ranked_alerts(ws))
    assert rows["a1"]["playbook"] == "checkout-latency-in-signup-surge", "latency while signup surges"
    assert rows["a1"]["automation_tier"] == "auto-mitigate (needs approval)"
    assert rows["a3"]["playbook"] == "review", "the same latency ten hours later, no surge open: no"
    assert rows["a2"]["playbook"] == "review", "the surge is on signup: the playbook's own stage is checkout"

    alone = ops_workspace(tmp_path / "no-surge", [a for a in ALERTS if a["alert_id"] != "a2"])
    store_catalogue(alone, CATALOGUE, "team.yaml")
    assert by_alert(ranked_alerts(alone))["a1"]["playbook"] == "review", "one condition alone is not enough"

    narrow = ops_workspace(tmp_path / "narrow")
    store_catalogue(narrow, CATALOGUE.replace("within_minutes: 30", "within_minutes: 0"), "team.yaml")
    # a1 fired 10:00-10:30 and a2 10:10-10:40 overlap: still open together with no extra minutes
    assert by_alert(ranked_alerts(narrow))["a1"]["playbook"] == "checkout-latency-in-signup-surge"
    apart = [{**a, "resolved_at": ""} if a["alert_id"] == "a1" else a for a in ALERTS]  # a1 10:00, no resolve
    late = [{**a, "fired_at": a["fired_at"].replace("T10:10", "T10:45"), "resolved_at": ""}
            if a["alert_id"] == "a2" else a for a in apart]
    far = ops_workspace(tmp_path / "far", late)
    store_catalogue(far, CATALOGUE, "team.yaml")  # a2 fires 45 minutes after a1: more than 30 apart
    assert by_alert(ranked_alerts(far))["a1"]["playbook"] == "review"
