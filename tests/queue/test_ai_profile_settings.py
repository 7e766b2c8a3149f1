"""The AI knobs of a weight profile (issue 18 §4): ai_weights, outcome_values and shadow_min_days are
defaults, saved and loaded as versions, merged key by key and checked where they come in."""

import pytest
from journeylens.notebooks.queue.profiles import load_profile, profile_diff, save_profile
from journeylens.notebooks.queue.scoring import DEFAULT_PROFILE, resolve_profile
from journeylens.notebooks.workspace.contract import IngestError


def test_defaults_hold_the_ai_knobs():
    assert DEFAULT_PROFILE["ai_weights"] == {"task_completion": 0.5, "relevance": 0.3, "safety": 0.2}
    assert DEFAULT_PROFILE["outcome_values"] == {} and DEFAULT_PROFILE["shadow_min_days"] == 7


def test_ai_weights_round_trip_through_versions(tmp_path):
    ws = tmp_path / "ws"
    first = save_profile(ws, "ai", {"ai_weights": {"safety": 0.6}}, author="ana", comment="safety first")
    loaded = load_profile(ws, "ai")
    assert loaded["version"] == first["version"] == 1 and loaded["author"] == "ana"
    assert loaded["profile"]["ai_weights"] == {"task_completion": 0.5, "relevance": 0.3, "safety": 0.6}
    second = save_profile(ws, "ai", {**loaded["profile"], "outcome_values": {"checkout_helper": 1.5},
                                     "shadow_min_days": 14}, author="bo")
    assert second["version"] == 2
    again = load_profile(ws, "ai")["profile"]
    assert again["outcome_values"] == {"checkout_helper": 1.5} and again["shadow_min_days"] == 14
    assert again["ai_weights"]["safety"] == 0.6
    assert load_profile(ws, "ai", version=1)["profile"]["shadow_min_days"] == 7  # a version reads the same forever
    changed = {setting for setting, *_ in profile_diff(ws, "ai", 1, 2)}
    assert changed and all(s.startswith(("outcome_values", "shadow_min_days")) for s in changed), changed


@pytest.mark.parametrize(("given", "named"), [
    ({"ai_weights": {"helpfulness": 1}}, "ai_weights.helpfulness"),
    ({"ai_weights": {"relevance": 101}}, "ai_weights.relevance"),
    ({"ai_weights": {"relevance": True}}, "ai_weights.relevance"),
    ({"outcome_values": {"f": -1}}, "outcome_values.f"),
    ({"outcome_values": {"": 1}}, "outcome_values"),
    ({"shadow_min_days": -1}, "shadow_min_days"),
])
def test_bad_ai_knobs_are_refused_naming_them(given, named):
    with pytest.raises(IngestError) as refused:
        resolve_profile(given)
    assert named in str(refused.value)
