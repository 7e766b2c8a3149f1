"""The AI page's statistics hold their figures: K-S, chi-square, Wasserstein, Jensen-Shannon, Cohen's kappa
and the bootstrap intervals, on fixed inputs and on the sample workspace.

The expected numbers were captured from the hand-written implementations (commit 34075bf) before they were
replaced by scipy; the deterministic ones agree to floating-point error (rel 1e-9). The shadow bootstrap draws
exactly as before; the agreement bootstrap draws in another order (see test_agreement_bootstrap_interval)."""

import numpy as np
import pandas as pd
import pytest
from journeylens.notebooks.ai.shadow import drift, ks_test, paired_scores, shadow_verdict
from journeylens.notebooks.ai.validation import agreement, kappa_rates, workspace_agreement
from journeylens.notebooks.workspace.snapshot import connect
from test_ai_shadow import pairs
from test_ai_validation import synthetic

EXACT = {"rel": 1e-9, "abs": 1e-15}


def samples() -> dict:
    rng = np.random.default_rng(20261201)
    return {
        "num_a": pd.Series(rng.normal(0, 1, 60)), "num_b": pd.Series(rng.normal(0.3, 1.2, 80)),
        "ties_a": pd.Series(rng.integers(0, 5, 40).astype(float)),
        "ties_b": pd.Series(rng.integers(1, 6, 50).astype(float)),
        "big_a": pd.Series(rng.gamma(2.0, 1.0, 1500)), "big_b": pd.Series(rng.gamma(2.2, 1.1, 1800)),
        "cat_a": pd.Series(rng.choice(["up", "down", "none"], 300, p=[.5, .2, .3])),
        "cat_b": pd.Series(rng.choice(["up", "down", "none"], 250, p=[.4, .3, .3])),
        "bigcat_a": pd.Series(rng.choice(list("abcd"), 2000, p=[.4, .3, .2, .1])),
        "bigcat_b": pd.Series(rng.choice(list("abce"), 1200, p=[.3, .3, .3, .1])),
    }


def test_ks_statistic_and_p_value():
    data = samples()
    d, p = ks_test(data["num_a"].to_numpy(), data["num_b"].to_numpy())
    assert d == pytest.approx(0.2041666666666666, **EXACT) and p == pytest.approx(0.10001702600800659, **EXACT)
    d, p = ks_test(data["ties_a"].to_numpy(), data["ties_b"].to_numpy())  # ties: D counts equal values once
    assert d == pytest.approx(0.25, **EXACT) and p == pytest.approx(0.10474109253962702, **EXACT)


@pytest.mark.parametrize(("before", "after", "test", "value", "drifted"), [
    ("num_a", "num_b", "K-S p", 0.10001702600800659, False),
    ("ties_a", "ties_b", "K-S p", 0.10474109253962702, False),
    ("big_a", "big_b", "Wasserstein / SD", 0.2717314641891834, True),
    ("cat_a", "cat_b", "chi-square p", 2.083231717331756e-05, True),
    ("bigcat_a", "bigcat_b", "Jensen-Shannon", 0.11134024964251331, True),
])
def test_drift_figures(before, after, test, value, drifted):
    data = samples()
    found = drift(data[before], data[after])
    assert found["test"] == test and found["drift"] == drifted
    assert found["value"] == pytest.approx(value, **EXACT)
    assert (found["n_before"], found["n_after"]) == (len(data[before]), len(data[after]))


def test_chi_square_tail_reference_points():
    # 50/50 against 60/40: chi2 = 2 x 25/55 + 2 x 25/45 = 2.0202 on 1 degree of freedom, no continuity correction
    one = drift(pd.Series(["a"] * 50 + ["b"] * 50), pd.Series(["a"] * 60 + ["b"] * 40))
    assert one["test"] == "chi-square p" and one["value"] == pytest.approx(0.15521848968468432, **EXACT)
    same = drift(pd.Series(["a"] * 10), pd.Series(["a"] * 12))
    assert same["value"] == pytest.approx(1.0) and not same["drift"]


def test_cohen_kappa_from_the_contingency_table():
    judge = np.array([True] * 40 + [False] * 10 + [True] * 5 + [False] * 45)
    human = np.array([True] * 50 + [False] * 50)
    assert kappa_rates(judge, human) == {"tp": 40, "tn": 45, "fp": 5, "fn": 10, "n": 100, "kappa": pytest.approx(0.7),
                                         "tpr": 0.8, "tnr": 0.9}
    # one side constant: chance agreement is the observed one, kappa 0; a missing class leaves its rate empty
    single = kappa_rates(np.array([True] * 10), np.array([True] * 7 + [False] * 3))
    assert (single["tp"], single["fp"], single["kappa"], single["tpr"], single["tnr"]) == (7, 3, 0.0, 1.0, 0.0)
    empty = kappa_rates(np.array([], dtype=bool), np.array([], dtype=bool))
    assert empty["n"] == 0 and np.isnan(empty["kappa"]) and np.isnan(empty["tpr"])


def within(found: tuple, held: tuple, share: float = 0.1) -> bool:
    """Two bootstrap intervals of the same statistic agree when each end moved less than `share` of the
    held interval's width. Why 10%: with B = 2000 resamples the Monte Carlo standard error of a 2.5% or
    97.5% percentile is about sqrt(0.025 x 0.975 / B) / phi(1.96) = 0.06 bootstrap SDs, i.e. 1.5% of a
    95% interval's width (3.92 SDs); two independent draws differ by about 2.2% of it, so 10% is more than
    four standard errors: drawn differently, the same interval passes; a changed statistic does not."""
    width = held[1] - held[0]
    return abs(found[0] - held[0]) < share * width and abs(found[1] - held[1]) < share * width


def test_shadow_bootstrap_interval():
    for shift, low, high, delta in ((0.0, -0.002846322192214513, 0.002630186213175342, -2.6502799572503122e-05),
                                    (-0.1, -0.10249601823800238, -0.09689963585620798, -0.07858195282483416),
                                    (0.03, 0.025991214543634428, 0.031618655293684475, 0.0227615486535917)):
        verdict = shadow_verdict(pairs(shift))
        assert verdict["delta"] == pytest.approx(delta, **EXACT)
        assert (verdict["ci_low"], verdict["ci_high"]) == (pytest.approx(low, **EXACT), pytest.approx(high, **EXACT))
    assert shadow_verdict(pairs(0.0)) == shadow_verdict(pairs(0.0))  # seeded: the same interval every time


def test_agreement_bootstrap_interval():
    # scipy.stats.bootstrap draws its resamples in another order than the hand-written loop did (all rounds
    # of the pairs, then all of the judged interactions, in batches of 100): the same seed gives another,
    # equally valid interval. Held: the new interval exactly, and its agreement with the old one (`within`).
    stats = agreement(synthetic())
    assert stats["corrected_pass_rate"] == pytest.approx(0.6741319755006807, **EXACT)
    assert (stats["ci_low"], stats["ci_high"]) == (pytest.approx(0.6206459975926888, **EXACT),
                                                   pytest.approx(0.7245377956946253, **EXACT))
    assert within((stats["ci_low"], stats["ci_high"]), (0.6173733679569129, 0.724124833046045))
    again = agreement(synthetic())
    assert (again["ci_low"], again["ci_high"]) == (stats["ci_low"], stats["ci_high"])  # seeded: reproducible
    small = agreement(synthetic(labelled=40, n=300, seed=9))
    assert small["corrected_pass_rate"] == pytest.approx(0.635897435897436, **EXACT)
    assert (small["ci_low"], small["ci_high"]) == (pytest.approx(0.4363545454545454, **EXACT),
                                                   pytest.approx(0.808807261911365, **EXACT))
    assert within((small["ci_low"], small["ci_high"]), (0.42999836601307206, 0.8038248348348348))


def test_sample_workspace_figures(sample_dir):
    stats = workspace_agreement(sample_dir)["agreement"]
    assert (stats["tp"], stats["tn"], stats["fp"], stats["fn"], stats["judged"]) == (281, 48, 7, 14, 3368)
    assert stats["kappa"] == pytest.approx(0.7846469381775563, **EXACT)
    assert stats["corrected_pass_rate"] == pytest.approx(0.916113679865323, **EXACT)
    assert (stats["ci_low"], stats["ci_high"]) == (pytest.approx(0.8843788742972546, **EXACT),
                                                   pytest.approx(0.9474829254756432, **EXACT))
    assert within((stats["ci_low"], stats["ci_high"]), (0.8836132358523188, 0.946661078656006))
    con = connect(sample_dir)
    try:
        verdict = shadow_verdict(paired_scores(con))
    finally:
        con.close()
    assert verdict["pairs"] == 139 and verdict["promote"]
    assert (verdict["ci_low"], verdict["ci_high"]) == (pytest.approx(-0.02411291860125753, **EXACT),
                                                       pytest.approx(0.06863542642786831, **EXACT))
