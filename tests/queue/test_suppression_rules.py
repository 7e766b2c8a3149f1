"""Maintenance windows and known-noise rules edited as profile versions (notebooks/queue/suppression_rules.py)
and checked before they are saved (notebooks/ingest/rule_checks.py, profile_checks)."""

import json
import sys
from pathlib import Path

import pytest
from journeylens.notebooks.ingest.rule_checks import RULE_MATCH_KEYS, check_rule
from journeylens.notebooks.queue.profile_checks import check_profile
from journeylens.notebooks.queue.profiles import load_profile, profile_history
from journeylens.notebooks.queue.ranking import GROUP_MATCH_KEYS, ranked_alerts
from journeylens.notebooks.queue.suppression_rules import (
    add_rule,
    current_rules,
    parse_match_args,
    remove_rule,
    rules_table,
    suppressed_by_rule,
)
from journeylens.notebooks.workspace.contract import IngestError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ops_world import by_alert, iso, ops_workspace  # noqa: E402


def test_rule_keys_are_the_ones_ranking_matches():
    assert RULE_MATCH_KEYS == GROUP_MATCH_KEYS


@pytest.mark.parametrize("rule, field", [
    ({"match": {"colour": "red"}, "reason": "x"}, "match.colour"),
    ({"stage": "checkout", "from": "tomorrow", "reason": "x"}, "from"),
    ({"stage": "checkout", "from": "2026-01-02", "until": "2026-01-01", "reason": "x"}, "until"),
    ({"stage": "checkout"}, "reason"),
    ({"stage": "checkout", "reason": "  "}, "reason"),
    ({"reason": "everything"}, "match"),
    ({"match": {"service": "re:(unclosed"}, "reason": "x"}, "match.service"),
    ({"stage": "checkout", "reason": "x", "colour": "red"}, "colour"),
])
def test_bad_rules_are_refused_naming_the_field(rule, field):
    with pytest.raises(IngestError) as refused:
        check_rule(rule)
    assert refused.value.column == field


def test_a_window_is_normalised_to_utc_without_offset():
    rule = check_rule({"stage": "checkout", "from": "2026-01-05T12:00+02:00", "until": "2026-01-06", "reason": " freeze "})
    assert rule == {"match": {}, "stage": "checkout", "from": "2026-01-05T10:00:00", "until": "2026-01-06T00:00:00",
                    "reason": "freeze"}
    assert parse_match_args(["service=ci-*", "labels.env = staging"]) == {"service": "ci-*", "labels.env": "staging"}
    with pytest.raises(IngestError):
        parse_match_args(["service"])


def test_a_profile_file_with_a_bad_rule_is_refused_but_an_old_rule_without_reason_passes():
    check_profile({"suppress": [{"match": {"service": "ci-*"}}]})
    with pytest.raises(IngestError, match=r"suppress\[2\]"):
        check_profile({"suppress": [{"match": {"service": "ci-*"}}, {"match": {"colour": "red"}}]})


def test_add_and_remove_save_versions_and_a_window_suppresses_in_rank(tmp_path):
    ws = ops_workspace(tmp_path)
    before = by_alert(ranked_alerts(ws))
    assert not any(row["suppressed"] for row in before.values())
    window = add_rule(ws, {"stage": "check*", "from": iso(500), "until": iso(700), "reason": "PSP maintenance"},
                      author="alice")
    noise = add_rule(ws, {"match": {"service": "ci-*"}, "reason": "CI noise"}, author="bob")
    assert (window["version"], noise["version"], noise["position"]) == (1, 2, 2)
    rows = by_alert(ranked_alerts(ws))
    assert rows["a3"]["suppressed"] and rows["a3"]["suppressed_reason"] == "PSP maintenance"
    assert not rows["a1"]["suppressed"], "the same alert outside the window stays in the queue"
    assert rows["a4"]["suppressed_reason"] == "CI noise"
    assert suppressed_by_rule(ranked_alerts(ws)) == {"PSP maintenance": 1, "CI noise": 1}
    assert [r["kind"] for r in rules_table(current_rules(ws)["rules"])] == ["maintenance window", "known noise"]

    removed = remove_rule(ws, 1, author="carol", why="maintenance over")
    assert removed["version"] == 3 and removed["rule"]["reason"] == "PSP maintenance"
    assert [r["reason"] for r in load_profile(ws)["profile"]["suppress"]] == ["CI noise"]
    assert not by_alert(ranked_alerts(ws))["a3"]["suppressed"]
    history = profile_history(ws, "default")
    assert [h["author"] for h in history] == ["alice", "bob", "carol"]
    assert "maintenance over" in history[-1]["comment"]
    trail = [json.loads(line) for line in (ws / "audit.jsonl").read_text().splitlines()]
    saved = [e for e in trail if e["action"] == "profile.saved"]
    assert [e["what"]["version"] for e in saved] == [1, 2, 3]
    with pytest.raises(IngestError, match="from 1 to 1"):
        remove_rule(ws, 4)
    with pytest.raises(IngestError):
        add_rule(ws, {"stage": "checkout"})  # no reason: refused, nothing saved
    assert load_profile(ws)["version"] == 3
