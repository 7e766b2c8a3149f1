"""notebooks/ai/shadow.py: paired shadow comparison with non-inferiority, and drift tests."""

import numpy as np
import pandas as pd
import pytest
from journeylens.notebooks.ai.shadow import drift, ks_test, paired_scores, shadow_verdict
from journeylens.notebooks.workspace.snapshot import new_connection


def pairs(shift, n=300, seed=1, days=14):
    """n pairs spread evenly over `days` days (a run long enough to promote by default)."""
    rng = np.random.default_rng(seed)
    production = np.clip(rng.normal(0.8, 0.1, n), 0, 1)
    ts = pd.Timestamp("2026-01-01") + pd.to_timedelta(np.linspace(0, days, n), unit="D")
    return pd.DataFrame({"ts": ts, "production": production,
                         "shadow": np.clip(production * (1 + shift) + rng.normal(0, 0.02, n), 0, 1)})


def test_promotion_needs_non_inferiority():
    same = shadow_verdict(pairs(0.0))
    assert same["promote"] and same["ci_low"] > -0.05 and "non-inferior" in same["reason"]
    worse = shadow_verdict(pairs(-0.10))
    assert not worse["promote"] and worse["relative"] == pytest.approx(-0.10, abs=0.02)
    assert not shadow_verdict(pairs(0.0, n=5))["promote"]


def test_pairs_by_shadow_of_or_by_request():
    con = new_connection()
    con.execute("create table ai_interactions as select * from (values "
                "('p1', false, 'f', 'u1', 'q1', timestamp '2026-01-01 10:00', 'm1', null::varchar, 's'), "
                "('p1-sh', true, 'f', 'u1', 'q1', timestamp '2026-01-01 10:00', 'm2', '{\"shadow_of\":\"p1\"}', 's'), "
                "('p2', false, 'f', 'u2', 'q2', timestamp '2026-01-02 10:00', 'm1', null, 's'), "
                "('x9', true, 'f', 'u2', 'q2', timestamp '2026-01-02 10:00', 'm2', null, 's')) "
                "t(interaction_id, shadow, feature, user_id, prompt, ts, model_version, extra, segment)")
    completion = {"p1": 1.0, "p1-sh": 0.5, "p2": 1.0, "x9": 1.0}
    rows = [(i, n, v) for i in completion for n, v in
            (("task_completion", completion[i]), ("relevance", 1.0), ("safety", 1.0))]
    con.execute("create table eval_scores (interaction_id varchar, name varchar, value double, source varchar)")
    con.executemany("insert into eval_scores values (?, ?, ?, 'llm')", rows)
    found = paired_scores(con)
    assert list(zip(found["interaction_id"], found["shadow_id"], strict=True)) == [("p1", "p1-sh"), ("p2", "x9")]
    assert found["production"].tolist() == [1.0, 1.0] and found["shadow"].tolist() == [0.75, 1.0]


def test_small_samples_use_classical_tests():
    rng = np.random.default_rng(0)
    a, b = pd.Series(rng.normal(0, 1, 400)), pd.Series(rng.normal(0, 1, 400))
    assert drift(a, b)["test"] == "K-S p" and not drift(a, b)["drift"]
    assert drift(a, b + 0.5)["drift"]
    cats = pd.Series(["up"] * 300 + ["down"] * 100)
    assert drift(cats, cats)["test"] == "chi-square p" and not drift(cats, cats)["drift"]
    assert drift(cats, pd.Series(["up"] * 200 + ["down"] * 200))["drift"]


def test_large_samples_use_distances():
    rng = np.random.default_rng(1)
    a, b = pd.Series(rng.normal(0, 1, 5000)), pd.Series(rng.normal(0, 1, 5000))
    assert drift(a, b)["test"] == "Wasserstein / SD" and not drift(a, b)["drift"]
    assert drift(a, b + 1.0)["drift"] and drift(a, b + 1.0)["value"] > 0.3
    cats = pd.Series(["a"] * 3000 + ["b"] * 2000)
    assert drift(cats, cats)["test"] == "Jensen-Shannon" and drift(cats, cats)["value"] == pytest.approx(0.0)
    assert drift(cats, pd.Series(["a"] * 500 + ["c"] * 4500))["drift"]


def test_ks_reference_values():
    d, p = ks_test(np.arange(100.0), np.arange(100.0) + 50)
    assert d == pytest.approx(0.5) and p < 1e-5


def test_run_length_is_stated_and_a_short_run_is_held():
    long_run = shadow_verdict(pairs(0.0, days=10))
    assert long_run["promote"] and long_run["run_days"] == pytest.approx(10) and long_run["min_days"] == 7
    assert (long_run["first"], long_run["last"]) == (pd.Timestamp("2026-01-01"), pd.Timestamp("2026-01-11"))
    short = shadow_verdict(pairs(0.0, days=3.25))
    assert not short["promote"] and short["run_days"] == pytest.approx(3.25)
    assert short["reason"].startswith("hold: run too short, 3.2 of 7 days (300 pairs)")
    assert short["ci_low"] == pytest.approx(long_run["ci_low"])  # the scores are read all the same
    nearly = shadow_verdict(pairs(0.0, days=6.99))
    assert not nearly["promote"] and "6.9 of 7 days" in nearly["reason"]  # never reads "7 of 7"
    assert shadow_verdict(pairs(0.0, days=3.25), min_days=3)["promote"]  # the configured minimum decides
    assert shadow_verdict(pairs(0.0, days=0), min_days=0)["promote"]  # 0: no minimum
    worse = shadow_verdict(pairs(-0.10, days=30))
    assert not worse["promote"] and not worse["reason"].startswith("hold: run too short")
    untimed = shadow_verdict(pairs(0.0).drop(columns="ts"))
    assert not untimed["promote"] and untimed["run_days"] is None and "unknown of 7 days" in untimed["reason"]


def test_a_world_whose_shadow_pairs_span_few_days_is_held_until_the_minimum():
    """Shadow pairs replayed over 4 days: held at the default 7-day minimum (stated in days and pairs),
    promoted once the run reaches 7 days with the same scores."""
    def world(days):
        con = new_connection()
        rows = []
        for k in range(40):
            ts = pd.Timestamp("2026-03-01 09:00") + pd.Timedelta(days=days * k / 39)
            rows += [(f"p{k}", False, "f", f"u{k}", f"q{k}", ts, "m1", None, "s"),
                     (f"p{k}-sh", True, "f", f"u{k}", f"q{k}", ts, "m2", f'{{"shadow_of":"p{k}"}}', "s")]
        con.execute("create table ai_interactions (interaction_id varchar, shadow boolean, feature varchar, "
                    "user_id varchar, prompt varchar, ts timestamp, model_version varchar, extra varchar, "
                    "segment varchar)")
        con.executemany("insert into ai_interactions values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        con.execute("create table eval_scores (interaction_id varchar, name varchar, value double, source varchar)")
        scores = [(i, n, 0.8 + 0.01 * (k % 5)) for k in range(40) for i in (f"p{k}", f"p{k}-sh")
                  for n in ("task_completion", "relevance", "safety")]
        con.executemany("insert into eval_scores values (?, ?, ?, 'llm')", scores)
        return paired_scores(con)

    few = world(4)
    assert len(few) == 40 and "ts" in few
    held = shadow_verdict(few)
    assert not held["promote"] and held["run_days"] == pytest.approx(4)
    assert held["reason"].startswith("hold: run too short, 4 of 7 days (40 pairs)")
    allowed = shadow_verdict(world(7))
    assert allowed["promote"] and allowed["run_days"] == pytest.approx(7) and "non-inferior" in allowed["reason"]
