"""The Governance page's "Stages to recalibrate" (notebooks/retro/changes.py) through Streamlit's AppTest."""

GOVERNANCE = "views/governance.py"


def test_governance_flags_only_a_stage_whose_change_shifted_it_and_a_review_clears_it(app_sample_copy, open_page):
    at = open_page(GOVERNANCE)
    status = next(df.value for df in at.dataframe if "why" in df.value.columns and "status" in df.value.columns)
    status = status.set_index("stage")
    assert (status["status"] == "to recalibrate").sum() < len(status)
    assert status.loc["checkout", "status"] == "changed, no shift"
    assert status.loc["onboarding", "status"] == "to recalibrate" and "v2.7.0" in status.loc["onboarding", "why"]
    pick = next(s for s in at.selectbox if s.label == "Reviewed stage")
    assert pick.options[0] == "onboarding" and "checkout" in pick.options  # flagged first; any changed stage
    pick.select("onboarding")
    next(t for t in at.text_input if t.label == "What was checked").input("thresholds fit the new importer")
    next(b for b in at.button if "Mark reviewed" in str(b.label)).click()
    at.run()
    assert not at.exception
    status = next(df.value for df in at.dataframe if "why" in df.value.columns and "status" in df.value.columns)
    row = status.set_index("stage").loc["onboarding"]
    assert row["status"] == "ok" and row["why"] == "no change since the last review"
    assert "thresholds fit the new importer" in (app_sample_copy / "audit.jsonl").read_text()
