"""notebooks/notify/rules.py: each rule reads what the app's pages read (the ranked queue, the journey SLO burn,
the AI drops, the shadow verdict) and finds the entries that are firing now."""

from journeylens.notebooks.notify.config_checks import check_config
from journeylens.notebooks.notify.rules import ai_rule_entries, evaluate_rules, rule_entries
from metrics_world import metrics_workspace


def config_of(*rules) -> dict:
    return check_config({"destinations": [{"id": "oncall", "type": "slack", "url_env": "JL_TEST_SLACK_URL"}],
                         "rules": [{"destinations": ["oncall"], **rule} for rule in rules]})


def test_queue_rule_reads_the_ranked_queue_from_the_page_score(found):
    config = config_of({"id": "q", "kind": "queue", "min_score": 50, "bands": [60, 75]},
                       {"id": "incidents", "kind": "queue", "kinds": ["incident"], "top": 2},
                       {"id": "threshold", "kind": "queue", "top": 200})
    entries = found(config)
    assert [(e["key"], e["level"], e["stage"]) for e in entries["q"]] == [
        ("6c9e531a399cdbfb", 3, "checkout"), ("658b86402c78c8a2", 2, "onboarding"),
        ("slo-cc780bbe02c44a3f", 1, "onboarding"), ("cb3cc28d6c06d677", 1, "signup")]
    assert entries["q"][0]["why"].startswith("rank 1, score 79.3 ≥ page score 50; incident of 7 group(s)")
    assert entries["q"][0]["link"] == "http://127.0.0.1:8501/ranked?entry=6c9e531a399cdbfb"
    assert [e["key"] for e in entries["incidents"]] == ["6c9e531a399cdbfb", "658b86402c78c8a2"]
    # no page score: the profile's threshold (5.0), i.e. every entry that is not suppressed
    assert entries["threshold"] and min(e["value"] for e in entries["threshold"]) >= 5.0
    assert len(entries["threshold"]) < 175, "suppressed entries are left out"


def test_burn_rule_fires_for_an_episode_still_burning_and_not_for_one_that_ended(tmp_path):
    config = config_of({"id": "slo", "kind": "burn_rate", "actions": ["page", "ticket"]})
    (tmp_path / "now").mkdir(), (tmp_path / "over").mkdir()
    burning, _ = metrics_workspace(tmp_path / "now", drop_at=24 * 21 - 4, drop_hours=10)
    over, _ = metrics_workspace(tmp_path / "over")  # a two-hour drop three days before the data ends
    now, before = evaluate_rules(burning, config)["slo"], evaluate_rules(over, config)["slo"]
    assert [(e["stage"], e["level"], e["severity"]) for e in now] == [("checkout", 2, "critical")]
    assert now[0]["key"].startswith("checkout|2026-03-22T") and "budget burn now: " in now[0]["why"]
    assert before == []


def test_ai_rule_fires_for_an_open_drop_only(sample_reads):
    config = config_of({"id": "ai", "kind": "ai_deviation", "bands": [3.4]})
    rule = config["rules"][0]
    assert rule_entries(sample_reads, rule, config["app_url"]) == [], "the sample's four drops have all ended"
    signals = sample_reads.found["ai_signals"].copy()
    signals.loc[signals["segment"] == "pro", "ended_at"] = None  # as if the pro drop were still going on
    [entry] = ai_rule_entries(signals, sample_reads.found["ai_stages"], rule, config["app_url"])
    assert (entry["stage"], entry["level"], entry["severity"]) == ("checkout", 2, "error")
    assert entry["key"] == "checkout_helper|pro|2026-07-08" and "task completion -15%" in entry["why"]


def test_shadow_rule_says_promote_or_hold_as_asked(found):
    config = config_of({"id": "ready", "kind": "shadow", "when": ["promote"]},
                       {"id": "hold", "kind": "shadow", "when": ["hold"]},
                       {"id": "strict", "kind": "shadow", "margin": 0.01})
    entries = found(config)
    assert [e["key"] for e in entries["ready"]] == ["promote|gpt-small-2026-09->gpt-small-2026-11-rc"]
    assert entries["hold"] == []
    assert entries["strict"][0]["title"] == "Shadow gpt-small-2026-11-rc must not be promoted over gpt-small-2026-09"


def test_a_rule_that_cannot_be_read_is_an_error_for_it_alone(sample_dir):
    config = config_of({"id": "gone", "kind": "queue", "profile": "never-saved"}, {"id": "ready", "kind": "shadow"})
    result = evaluate_rules(sample_dir, config)
    assert isinstance(result["gone"], KeyError) and "never-saved" in str(result["gone"])
    assert len(result["ready"]) == 1
