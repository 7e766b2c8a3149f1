"""The Governance page lists the notification rules in force and the deliveries, sent and failed, through
Streamlit's AppTest (app/notify_view.py)."""

import sys
from pathlib import Path

import yaml
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.notify.config import save_config
from journeylens.notebooks.notify.deliver import notify_workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notify"))
from fake_hooks import Hooks  # noqa: E402

SECRET = "T0APP/B0APP/appSlackS3cret"


def test_governance_lists_rules_and_deliveries(tmp_path, monkeypatch, open_page, clear_streamlit_caches):
    ws = tmp_path / "ws"
    ingest_file(ws, "journey-map", FIXTURES / "journey_map.yaml")
    ingest_file(ws, "alerts", FIXTURES / "prometheus" / "webhook_zulip_firing.json")
    save_config(ws, yaml.safe_dump({
        "destinations": [{"id": "oncall", "type": "slack", "url_env": "JL_APP_SLACK_URL"},
                         {"id": "broken", "type": "webhook", "url_env": "JL_APP_HOOK_URL"}],
        "retry": {"attempts": 1, "backoff_s": 0.01, "max_wait_s": 1},
        "rules": [{"id": "anything", "kind": "queue", "min_score": 0, "destinations": ["oncall", "broken"]}]}))
    hooks = Hooks()
    hooks.answer("/hook", (500, "down"))
    try:
        result = notify_workspace(ws, environ={"JL_APP_SLACK_URL": hooks.url(f"/slack/{SECRET}"),
                                               "JL_APP_HOOK_URL": hooks.url("/hook/x")})
    finally:
        hooks.close()
    assert result["sent"] == 1 and result["failed"] == 1
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(ws))
    at = open_page("views/governance.py", timeout=180)
    assert any(s.value == "Notifications" for s in at.subheader)
    frames = [df.value for df in at.dataframe]
    rules = next(f for f in frames if "rule" in f.columns and "destinations" in f.columns)
    assert list(rules["rule"]) == ["anything"]
    sent = next(f for f in frames if "status" in f.columns and "destination" in f.columns)
    assert sorted(sent["status"]) == ["failed", "sent"]
    assert SECRET not in sent.to_csv()
    at.button(key="notify_dry_run").click().run()
    assert not at.exception and any("would go out" in m.value for m in at.markdown)
