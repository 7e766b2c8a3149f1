"""The Governance page's suppression editor and playbook catalogue in Streamlit's AppTest: adding a
maintenance window and removing it, editing the catalogue, and approving a gated playbook, each saved as a
version or an audit entry (app/suppression_view.py, app/playbook_view.py)."""

import datetime as dt
import json
import sys
from pathlib import Path

from journeylens.notebooks.ingest.playbook_file import load_catalogue, store_catalogue
from journeylens.notebooks.queue.profiles import load_profile
from journeylens.notebooks.queue.ranking import ranked_alerts

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "queue"))
from ops_world import CATALOGUE, by_alert, ops_workspace  # noqa: E402


def submit(at, label: str):
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception
    return at


def test_governance_edits_suppression_rules(tmp_path, monkeypatch, open_page, clear_streamlit_caches):
    ws = ops_workspace(tmp_path)
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(ws))
    at = open_page("views/governance.py", timeout=180)
    assert any(s.value == "Maintenance windows and suppression rules" for s in at.subheader)
    at.text_input(key="suppress_stage").input("checkout")
    at.date_input(key="suppress_from_day").set_value(dt.date(2026, 1, 5))
    at.time_input(key="suppress_from_time").set_value(dt.time(18, 0))
    at.date_input(key="suppress_until_day").set_value(dt.date(2026, 1, 5))
    at.time_input(key="suppress_until_time").set_value(dt.time(22, 0))
    submit(at, "Add the rule")
    assert any("reason" in e.value for e in at.error), "no reason: refused on the page"
    assert load_profile(ws)["version"] == 0
    at.text_input(key="suppress_reason").input("PSP maintenance")
    submit(at, "Add the rule")
    rule = load_profile(ws)["profile"]["suppress"]
    assert rule == [{"match": {}, "stage": "checkout", "from": "2026-01-05T18:00:00", "until": "2026-01-05T22:00:00",
                     "reason": "PSP maintenance"}]
    assert by_alert(ranked_alerts(ws))["a3"]["suppressed_reason"] == "PSP maintenance"
    table = next(df.value for df in at.dataframe if "reason" in df.value.columns and "kind" in df.value.columns)
    assert table["kind"].tolist() == ["maintenance window"]
    at.button(key="suppress_count").click().run()
    table = next(df.value for df in at.dataframe if "groups suppressed" in df.value.columns)
    assert table["groups suppressed"].tolist() == [1]
    at.text_input(key="suppress_remove_why").input("done")
    submit(at, "Remove the rule")
    assert load_profile(ws)["version"] == 2 and load_profile(ws)["profile"]["suppress"] == []


def test_governance_edits_the_catalogue_and_records_approval(tmp_path, monkeypatch, open_page,
                                                             clear_streamlit_caches):
    ws = ops_workspace(tmp_path)
    store_catalogue(ws, CATALOGUE, "team.yaml")
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(ws))
    at = open_page("views/governance.py", timeout=180)
    catalogue = next(df.value for df in at.dataframe if "approval" in df.value.columns and "when" in df.value.columns)
    assert catalogue["approval"].tolist() == ["required", "none"]
    text = at.text_area(key="playbook_text")
    assert "within_minutes: 30" in text.value
    text.input(text.value.replace("owner: sre", "owner: sre-team", 1))
    submit(at, "Save as a new version")
    assert load_catalogue(ws)["version"] == 2 and load_catalogue(ws)["playbooks"][1]["owner"] == "sre-team"
    at.text_area(key="playbook_text").input("playbooks:\n  - {id: x, action: a, tier: sometimes, owner: o}\n")
    submit(at, "Save as a new version")
    assert any("tier" in e.value for e in at.error) and load_catalogue(ws)["version"] == 2
    group = by_alert(ranked_alerts(ws))["a1"]["group_id"]
    at.button(key="playbook_pending").click().run()
    pending = next(df.value for df in at.dataframe if "automation_tier" in df.value.columns)
    assert pending.set_index("group_id").loc[group, "approval"] == "needs approval"
    at.text_input(key="approve_group").input(group)
    at.text_input(key="approve_why").input("PSP confirmed")
    submit(at, "Approve")
    entries = [json.loads(line) for line in (ws / "audit.jsonl").read_text().splitlines()]
    assert entries[-1]["action"] == "playbook.approved" and entries[-1]["what"]["group_id"] == group
    assert entries[-1]["why"] == "PSP confirmed"
