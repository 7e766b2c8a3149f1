"""notebooks/ai/shadow.py: paired shadow comparison with non-inferiority, and drift tests."""

import numpy as np
import pandas as pd
import pytest
from journeylens.notebooks.ai.shadow import drift, ks_test, paired_scores, shadow_verdict
from journeylens.notebooks.workspace.snapshot import new_connection


def pairs(shift, n=300, seed=1):
    rng = np.random.default_rng(seed)
    production = np.clip(rng.normal(0.8, 0.1, n), 0, 1)
    return pd.DataFrame({"production": production, "shadow": np.clip(production * (1 + shift) + rng.normal(0, 0.02, n),
                                                                      0, 1)})


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
