"""The formula the Ranked page's controls show (queue/score_formula.py) is the score's: its terms multiply
back to scoring.reference_score, which tests/queue/test_scoring.py holds equal to the SQL."""

import random

import pytest
from journeylens.notebooks.queue.score_formula import (
    harm_factor,
    harm_words,
    signal,
    stage_at_stake,
    suppression_words,
    weight_shares,
)
from journeylens.notebooks.queue.scoring import COMPONENTS, DEFAULT_PROFILE, reference_score, resolve_profile


def test_the_shown_terms_multiply_to_the_score():
    rng = random.Random(15)
    for _ in range(200):
        weights = {k: rng.choice([0.0, rng.uniform(0.01, 1)]) for k in DEFAULT_PROFILE["weights"]}
        weights["severity"] = rng.uniform(0.01, 1)  # a weight of 0 counts for nothing, all of them 0 is no signal
        profile = resolve_profile({"weights": weights,
                                   "corroboration": rng.random(), "harm_exponent": rng.uniform(0.2, 2.0)})
        row = {"impact": rng.uniform(1, 10), "sensitivity": rng.random(), "harm": rng.random(),
               **{c: rng.random() for c in COMPONENTS}}
        shown = (100 * stage_at_stake(row["impact"], row["sensitivity"]) * signal(profile, row)
                 * harm_factor(profile, row["harm"]))
        assert shown == pytest.approx(reference_score(row, profile), rel=1e-12)


def test_weights_count_by_their_share():
    shares = weight_shares(DEFAULT_PROFILE)
    assert shares == pytest.approx({"severity": 0.3, "exposure": 0.3, "confidence": 0.15, "duration": 0.15,
                                    "recurrence": 0.1})
    doubled = resolve_profile({"weights": {k: 2 * v for k, v in DEFAULT_PROFILE["weights"].items()}})
    assert weight_shares(doubled) == pytest.approx(shares), "twice every weight is the same queue"
    assert list(shares) == ["severity", "exposure", "confidence", "duration", "recurrence"]
    assert weight_shares(resolve_profile({"weights": dict.fromkeys(DEFAULT_PROFILE["weights"], 0.0)})) == {}


def test_the_harm_factor_in_words_uses_the_profiles_numbers():
    assert harm_factor(DEFAULT_PROFILE, 0.0) == pytest.approx(0.1)
    assert harm_factor(DEFAULT_PROFILE, 1.0) == pytest.approx(1.0)
    words = harm_words(DEFAULT_PROFILE)
    assert "measured and fine keeps 10% of its score" in words
    assert "half harm keeps 74%" in words  # 0.1 + 0.9 * sqrt(0.5)
    assert "default harm (0.35) keeps 63%" in words  # 0.1 + 0.9 * sqrt(0.35)
    assert "keeps 100% of its score" in harm_words(resolve_profile({"corroboration": 0.0}))


def test_the_suppression_rule_in_words():
    words = suppression_words(DEFAULT_PROFILE)
    assert words.startswith("An alert group scoring below 5 is suppressed") and "unless its stage" in words
    assert "Critical and high alerts on services no touchpoint claims" in words
    strict = suppression_words(resolve_profile({"threshold_spares_harm": False, "needs_mapping_spares_rank": 0,
                                                "suppress": [{"match": {"service": "ci-*"}}]}))
    assert "even when its stage measurably got worse" in strict and "touchpoint" not in strict
    assert "1 suppression rule of the profile" in strict
