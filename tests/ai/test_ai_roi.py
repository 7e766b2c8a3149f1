"""notebooks/ai/outcomes.py: ROI from outcome values per feature (issue 18 §4), the features a value can be
set for, and weight_effect (what moving the AI weights does to weighted_score)."""

import pytest
from journeylens.notebooks.ai.outcomes import ai_features, ai_metrics, ai_views, weight_effect
from test_ai_outcomes import load, random_world


def completed(row) -> bool:
    return (row["accepted"] is True and row["fallback"] is not True and row["feedback"] != "down"
            and row["intent_mismatch"] is not True)


def test_roi_is_empty_until_a_feature_has_a_value():
    interactions, scores = random_world(4)
    con = load(interactions, scores)
    none = ai_views(con)
    assert none["roi"].isna().all() and none["outcome_value_usd"].isna().all()
    views = ai_views(con, outcome_values={"search": 0.5}).set_index("feature")
    search = [r for r in interactions if not r["shadow"] and r["feature"] == "search"]
    value = 0.5 * sum(completed(r) for r in search)
    cost = sum(r["cost_usd"] or 0 for r in search)
    assert views.loc["search", "outcome_value_usd"] == pytest.approx(value)
    assert views.loc["search", "roi"] == pytest.approx((value - cost) / cost)
    assert views.loc[["support"], "roi"].isna().all()  # no value set: no ROI, not a loss
    # overall: over the features that have a value, so a feature without one does not read as pure cost
    assert views.loc["all", "roi"] == pytest.approx((value - cost) / cost)
    both = ai_views(con, outcome_values={"search": 0.5, "support": 0.0}).set_index("feature")
    assert both.loc["support", "roi"] == pytest.approx(-1.0) and both.loc["all", "roi"] < views.loc["all", "roi"]


def test_features_and_the_effect_of_the_weights():
    interactions, scores = random_world(5)
    con = load(interactions, scores)
    assert ai_features(con) == ["search", "support"]
    task_only = {"task_completion": 1, "relevance": 0, "safety": 0}
    effect = weight_effect(con, None, task_only).set_index("feature")
    assert list(effect.index) == ["search", "support", "all"]
    overall = lambda w: ai_metrics(con, w).set_index(["feature", "segment"]).loc[("all", "all"), "weighted_score"]  # noqa: E731
    assert effect.loc["all", "weighted_before"] == pytest.approx(overall(None))
    assert effect.loc["all", "weighted_after"] == pytest.approx(overall(task_only))
    assert effect.loc["all", "change"] == pytest.approx(overall(task_only) - overall(None))
    assert (weight_effect(con, None, None)["change"].abs() < 1e-12).all()
