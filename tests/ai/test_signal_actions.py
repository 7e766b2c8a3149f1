"""notebooks/ai/signal_actions.py: a sustained low edit rate suggests tightening, a fallback spike flags the
feature, model drift proposes judging a sample with the exact command; all of them join the one queue."""

import shlex

import pytest
from journeylens.app.cli import build_parser
from journeylens.notebooks.ai.signal_actions import ai_actions
from journeylens.notebooks.queue.ranking import rank_alerts
from journeylens.notebooks.queue.scoring import resolve_profile
from journeylens.notebooks.workspace.snapshot import close_snapshot, connect
from signal_worlds import build_world


def actions_of(ws, profile=None):
    con = connect(ws)
    try:
        return ai_actions(con, profile, str(ws))
    finally:
        close_snapshot(con)


@pytest.fixture(scope="module")
def steady(tmp_path_factory):
    return build_world(tmp_path_factory.mktemp("steady"), features=("steady",))


def test_a_steady_world_suggests_nothing(steady):
    assert actions_of(steady).empty  # edit rate ~20%, above the 10% target; one model; no spike


def test_an_edit_rate_below_its_target_for_the_days_asked_suggests_tightening(steady):
    actions = actions_of(steady, {"ai_edit_rate_target": 0.3, "ai_edit_rate_days": 14})
    assert list(actions["action"]) == ["tighten"] and actions.iloc[0]["feature"] == "steady"
    assert "tighten its threshold" in actions.iloc[0]["title"] and "below 30%" in actions.iloc[0]["title"]
    # not sustained for longer than the data holds
    assert actions_of(steady, {"ai_edit_rate_target": 0.3, "ai_edit_rate_days": 200}).empty


def test_a_fallback_spike_flags_its_feature_for_investigation(tmp_path):
    actions = actions_of(build_world(tmp_path, features=("falls",)))
    assert list(actions["action"]) == ["investigate"]
    assert "fallback spike ('timeout')" in actions.iloc[0]["title"]


def test_model_drift_proposes_the_exact_judge_command_for_a_sample(tmp_path):
    ws = build_world(tmp_path, features=("steady",), drift=True)
    actions = actions_of(ws, {"ai_rejudge_sample": 50})
    drift = actions[actions["action"] == "re-evaluate"].iloc[0]
    assert "m1 → m2" in drift["title"] and "latency_ms" in drift["title"]
    argv = shlex.split(drift["command"])
    assert argv[0] == "journeylens"
    args = build_parser().parse_args(argv[1:])  # a command the CLI takes as it is
    assert args.workspace == str(ws) and args.limit > 0
    con = connect(ws)
    try:  # the judge takes the oldest `limit` interactions: they hold exactly 50 of the new version
        ids = con.execute("select model_version from ai_interactions order by ts, interaction_id limit $n",
                          {"n": args.limit}).fetchall()
    finally:
        close_snapshot(con)
    assert sum(v == ("m2",) for v in ids) == 50 and ids[-1] == ("m2",)


def test_signals_and_actions_join_the_queue_on_the_feature_stage(tmp_path):
    ws = build_world(tmp_path, features=("edits", "falls", "steady"))
    con = connect(ws)
    try:
        rank_alerts(con, resolve_profile(None), signals=True)
        entries = con.execute("select name, stage, service from alert_groups where kind = 'ai_signal'").df()
    finally:
        close_snapshot(con)
    entries = entries[~entries["name"].str.contains(" task completion ")]  # task completion: test_ai_signals
    names = list(entries["name"])
    assert any(n.startswith("edits edit rate up ") for n in names)
    assert any(n.startswith("falls fallback 'timeout' up ") for n in names)
    assert any("investigate the feature" in n for n in names)
    assert not any(n.startswith("steady ") for n in names)
    assert set(entries["stage"]) == {"checkout"} and set(entries["service"]) <= {"ai:edits", "ai:falls"}
