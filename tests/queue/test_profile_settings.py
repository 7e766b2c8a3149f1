"""`profile set`'s logic (notebooks/queue/profile_settings.py): KEY=VALUE parsed as bounded YAML, dotted
keys into mapping settings, unknown keys and bad values refused with nothing saved, one version a set."""

import pytest
import yaml
from journeylens.notebooks.queue.profile_settings import (
    apply_assignments,
    history_with_diffs,
    parse_assignment,
    profile_yaml,
    set_settings,
    show_record,
)
from journeylens.notebooks.queue.profiles import load_profile
from journeylens.notebooks.queue.scoring import DEFAULT_PROFILE, resolve_profile
from journeylens.notebooks.workspace.contract import IngestError


def test_parse_values_as_yaml():
    assert parse_assignment("threshold=7") == (("threshold",), 7)
    assert parse_assignment("threshold_spares_harm=false") == (("threshold_spares_harm",), False)
    assert parse_assignment(" ai_weights.relevance = 0.4") == (("ai_weights", "relevance"), 0.4)
    assert parse_assignment("incident_splits=[g1, g2]") == (("incident_splits",), ["g1", "g2"])
    assert parse_assignment("outcome_values={a: 1.5}") == (("outcome_values",), {"a": 1.5})
    assert parse_assignment("ai_latency_budgets.search=1.5e3") == (("ai_latency_budgets", "search"), 1500.0)
    assert parse_assignment("outcome_values.x=2e3") == (("outcome_values", "x"), 2000.0)  # YAML 1.1 says text
    assert parse_assignment("outcome_values.checkout.helper=2") == (("outcome_values", "checkout.helper"), 2)


@pytest.mark.parametrize("text, column", [
    ("threshhold=5", "threshhold"),
    ("weights.severty=0.2", "weights.severty"),
    ("ai_weights.speed=0.2", "ai_weights.speed"),
    ("threshold.x=1", "threshold.x"),
    ("threshold", None),
    ("threshold=", "threshold"),
    ("threshold=[1, 2", "threshold"),  # broken YAML
])
def test_bad_keys_and_text_refused(text, column):
    with pytest.raises(IngestError) as err:
        parse_assignment(text)
    assert err.value.column == column


def test_unknown_key_names_it_and_lists_the_valid_ones():
    with pytest.raises(IngestError) as err:
        apply_assignments(resolve_profile(None), ["ai_weight.safety=0.3"])
    text = str(err.value)
    assert "ai_weight.safety" in text and "shadow_min_days" in text and "ai_weights.task_completion|" in text
    assert "outcome_values.<feature>" in text


@pytest.mark.parametrize("text", ["ai_weights.relevance=-1", "threshold=.inf", "shadow_min_days=1000",
                                  "threshold_spares_harm=maybe", "weights.severity=high", "ai_latency_budgets.x=0"])
def test_bad_values_refused_by_the_profile_checks(text):
    with pytest.raises(IngestError):
        apply_assignments(resolve_profile(None), [text])


def test_dotted_update_keeps_the_other_entries():
    start = resolve_profile({"outcome_values": {"a": 1.0, "b": 2.0}, "ai_weights": {"safety": 0.6}})
    got = apply_assignments(start, ["outcome_values.b=3", "ai_weights.relevance=0.4", "weights.severity=0.2"])
    assert got["outcome_values"] == {"a": 1.0, "b": 3}
    assert got["ai_weights"] == {"task_completion": 0.5, "relevance": 0.4, "safety": 0.6}
    assert got["weights"] == {**DEFAULT_PROFILE["weights"], "severity": 0.2}
    assert start["outcome_values"] == {"a": 1.0, "b": 2.0}  # the input is not changed
    removed = apply_assignments(got, ["outcome_values.a=null", "ai_weights.relevance=null"])
    assert removed["outcome_values"] == {"b": 3} and removed["ai_weights"]["relevance"] == 0.3
    whole = apply_assignments(got, ["outcome_values={c: 1}", "ai_weights={safety: 1}"])
    assert whole["outcome_values"] == {"c": 1}
    assert whole["ai_weights"] == {"task_completion": 0.5, "relevance": 0.3, "safety": 1}


def test_same_key_twice_refused():
    with pytest.raises(IngestError, match="given twice"):
        apply_assignments(resolve_profile(None), ["threshold=1", "threshold=2"])


def test_set_saves_one_version_or_nothing(tmp_path):
    ws = tmp_path / "ws"
    done = set_settings(ws, ["ai_weights.relevance=0.4", "shadow_min_days=14"], author="ana", why="trial")
    assert done["saved"] and done["version"] == 1
    assert {s for s, *_ in done["changes"]} == {"ai_weights.relevance", "shadow_min_days"}
    record = load_profile(ws)
    assert record["author"] == "ana" and "trial" in record["comment"]
    assert record["profile"]["ai_weights"]["relevance"] == 0.4 and record["profile"]["shadow_min_days"] == 14
    same = set_settings(ws, ["shadow_min_days=14"], why="again")
    assert not same["saved"] and same["version"] == 1
    for bad in (["shadow_min_days=15", "threshold=-1"], ["nope=1"]):
        with pytest.raises(IngestError):
            set_settings(ws, bad, why="x")
    with pytest.raises(IngestError):
        set_settings(ws, ["threshold=6"], why=" ")
    assert load_profile(ws)["version"] == 1 and load_profile(ws)["profile"]["shadow_min_days"] == 14
    with pytest.raises(KeyError):
        set_settings(ws, ["threshold=6"], name="strict", why="x")
    made = set_settings(ws, ["threshold=6"], name="strict", why="x", new=True)
    assert made["version"] == 1 and load_profile(ws, "strict")["profile"]["threshold"] == 6
    with pytest.raises(IngestError):
        set_settings(ws, ["threshold=7"], name="strict", why="x", new=True)


def test_show_and_history(tmp_path):
    ws = tmp_path / "ws"
    set_settings(ws, ["outcome_values.checkout_helper=2.5"], author="ana", why="ROI")
    set_settings(ws, ["ai_weights.safety=0.4"], author="bo", why="safer")
    text = profile_yaml(show_record(ws))
    assert text.startswith("# weight profile default, version 2\n# saved by bo at ")
    assert yaml.safe_load(text) == load_profile(ws)["profile"]
    assert show_record(ws, version=1)["profile"]["ai_weights"]["safety"] == 0.2
    assert show_record(ws, version=0)["profile"] == resolve_profile(None)
    with pytest.raises(KeyError):
        show_record(ws, version=3)
    with pytest.raises(KeyError):
        show_record(tmp_path / "empty", version=2)
    rows = history_with_diffs(ws)["versions"]
    assert [r["version"] for r in rows] == [1, 2]
    assert rows[0]["changes"] == [("outcome_values.checkout_helper", None, 2.5)]
    assert rows[1]["changes"] == [("ai_weights.safety", 0.2, 0.4)]
