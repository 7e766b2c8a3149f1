"""notebooks/notify/rules.py's shadow rule under the profile's AI knobs (issue 18 §4): the default profile's
shadow_min_days holds a promotion the scores alone would allow, and the entry says why."""

import shutil

from journeylens.notebooks.notify.config_checks import check_config
from journeylens.notebooks.notify.rules import Reads, rule_entries
from journeylens.notebooks.queue.profiles import save_profile


def test_the_shadow_rule_holds_a_run_shorter_than_the_profiles_minimum(sample_dir, tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(sample_dir, ws)
    save_profile(ws, "default", {"shadow_min_days": 30}, author="ana", comment="a month of shadow first")
    config = check_config({"destinations": [{"id": "oncall", "type": "slack", "url_env": "JL_TEST_SLACK_URL"}],
                           "rules": [{"id": "ready", "kind": "shadow", "when": ["promote"], "destinations": ["oncall"]},
                                     {"id": "hold", "kind": "shadow", "when": ["hold"], "destinations": ["oncall"]}]})
    reads = Reads(ws)
    try:
        ready, hold = (rule_entries(reads, rule, config["app_url"]) for rule in config["rules"])
    finally:
        reads.close()
    assert ready == []  # the sample's shadow is non-inferior, but ran 20.6 days of the 30 asked
    [entry] = hold
    assert entry["key"] == "hold|gpt-small-2026-09->gpt-small-2026-11-rc"
    assert entry["why"].startswith("hold: run too short, 20.6 of 30 days (139 pairs)")
