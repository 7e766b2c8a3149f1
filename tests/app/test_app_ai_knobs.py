"""The AI page's knobs (app/ai_weight_controls.py) through AppTest: the weighted-score sliders move the
page's numbers live and save a new profile version with author and comment; outcome values make ROI
show; the shortest shadow run holds a promotion."""

import pytest
from journeylens.notebooks.queue.profiles import load_profile, profile_history
from journeylens.notebooks.retro.weekly import read_audit

PAGE = "views/ai.py"


def overall_weighted(at) -> float:
    metrics = next(d.value for d in at.dataframe if "task_completion_rate" in d.value.columns
                   and "interactions" in d.value.columns)
    return float(metrics[(metrics["feature"] == "all") & (metrics["segment"] == "all")]["weighted_score"].iloc[0])


def views_table(at):
    return next(d.value for d in at.dataframe if "roi" in d.value.columns)


def test_sliders_move_the_weighted_score_and_save_a_new_version(app_sample_copy, open_page):
    at = open_page(PAGE, timeout=180)
    assert not at.error, [e.value for e in at.error]
    assert {f"ai-weight-{n}" for n in ("task_completion", "relevance", "safety")} <= {s.key for s in at.sidebar.slider}
    assert at.sidebar.slider(key="ai-weight-task_completion").value == 0.5
    assert any("task completion 50%, relevance 30%, safety 20%" in c.value for c in at.sidebar.caption)
    before = overall_weighted(at)
    assert views_table(at)["roi"].isna().all()  # no outcome value set yet
    at.sidebar.slider(key="ai-weight-relevance").set_value(0.0)
    at.sidebar.slider(key="ai-weight-safety").set_value(0.0)
    at.run(timeout=180)
    assert not at.exception and not at.error
    after = overall_weighted(at)
    assert after != before  # the page measures with the sliders, before anything is saved
    effect = next(d.value for d in at.sidebar.dataframe if "weighted_after" in d.value.columns).set_index("feature")
    assert effect.loc["all", "weighted_before"] == pytest.approx(before)
    assert effect.loc["all", "weighted_after"] == pytest.approx(after)
    at.sidebar.number_input(key="ai-value-checkout_helper").set_value(2.0)
    at.sidebar.text_input(key="ai_save_name").input("ai-knobs")
    at.sidebar.text_input(key="ai_save_author").input("ana")
    at.sidebar.text_input(key="ai_save_comment").input("task completion only")
    next(b for b in at.sidebar.button if b.label == "Save as new version").click()
    at.run(timeout=180)
    assert not at.exception and not at.error, [e.value for e in at.error]
    saved = load_profile(app_sample_copy, "ai-knobs")
    assert saved["version"] == 1 and saved["author"] == "ana" and saved["comment"] == "task completion only"
    assert saved["profile"]["ai_weights"] == {"task_completion": 0.5, "relevance": 0.0, "safety": 0.0}
    assert saved["profile"]["outcome_values"] == {"checkout_helper": 2.0}
    assert len(profile_history(app_sample_copy, "ai-knobs")) == 1
    assert any("ai-knobs" in str(entry) for entry in read_audit(app_sample_copy).to_dict("records"))
    assert at.sidebar.selectbox(key="ai_profile_pick").value == "ai-knobs"  # the saved version is picked
    roi = views_table(at).set_index("feature")["roi"]
    assert roi["checkout_helper"] > 0 and roi[["product_search_assistant", "support_answer"]].isna().all()
    assert overall_weighted(at) == pytest.approx(after)


def test_a_shadow_run_shorter_than_the_minimum_is_held(app_sample_copy, open_page):
    at = open_page(PAGE, timeout=180)
    said = " ".join(m.value for m in at.markdown)
    assert "paired interactions over 20.6 days (shortest run 7 days)" in said and "non-inferior" in said
    at.sidebar.number_input(key="ai-shadow-min-days").set_value(30)
    at.run(timeout=180)
    said = " ".join(m.value for m in at.markdown)
    assert "hold: run too short, 20.6 of 30 days" in said
