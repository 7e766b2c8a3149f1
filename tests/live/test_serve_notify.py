"""`journeylens serve` runs the workspace's notification rules after a committed batch: an alert posted to the
receiver reaches a (local, fake) Slack without anyone running `journeylens notify run`."""

import sys
import time
from pathlib import Path

import yaml
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.notify.config import save_config
from serve_process import FIXTURES, Serve, fixture_bytes

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notify"))
from fake_hooks import Hooks  # noqa: E402

SECRET = "T0LIVE/B0LIVE/liveSlackS3cret"


def test_a_posted_alert_is_notified_after_its_batch_commits(tmp_path):
    ws = tmp_path / "ws"
    ingest_file(ws, "journey-map", FIXTURES / "journey_map.yaml")
    config = {"app_url": "http://journeylens.test:8501",
              "destinations": [{"id": "oncall", "type": "slack", "url_env": "JL_LIVE_SLACK_URL"}],
              "retry": {"attempts": 2, "backoff_s": 0.01, "max_wait_s": 1},
              "rules": [{"id": "anything", "kind": "queue", "min_score": 0, "top": 5, "destinations": ["oncall"]}]}
    save_config(ws, yaml.safe_dump(config), "notify.yaml")
    hooks = Hooks()
    serve = Serve(ws, "--batch-seconds", "0.3", "--notify-seconds", "0.1",
                  env={"JL_LIVE_SLACK_URL": hooks.url(f"/slack/services/{SECRET}")})
    try:
        answer = serve.post("/hooks/alertmanager?wait=commit", fixture_bytes("prometheus/webhook_zulip_firing.json"))
        deadline = time.monotonic() + 90
        while "notifications:" not in serve.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)  # the run is a child process, which says how it went when it ends
    finally:
        log = serve.stop()
        hooks.close()
    assert answer[0] == 200 and answer[1]["status"] == "stored"
    messages = hooks.sent("/slack")
    assert len(messages) == 1, log
    assert "High CPU" in str(messages[0]["json"]) and messages[0]["json"]["blocks"]
    assert "1 message sent, 0 failed" in log and SECRET not in log
