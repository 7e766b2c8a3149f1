"""The AI outcomes page through Streamlit's AppTest: the skeptic's comparison, slices, shadow verdict,
agreement, and the labelling form."""

import json
from pathlib import Path

import pytest
from journeylens.notebooks.ai.validation import workspace_agreement

PAGE = "views/ai.py"


@pytest.fixture
def workspace(app_sample_copy) -> Path:
    """A private copy of the sample: these tests store labels, decisions or edit the audit log."""
    return app_sample_copy


def frames(at):
    return [df.value for df in at.dataframe]


def test_page_contrasts_infrastructure_with_outcomes(workspace, open_page):
    at = open_page(PAGE)
    assert at.title[0].value == "AI outcomes" and not at.error
    labels = {m.label: m.value for m in at.metric}
    assert float(labels["Availability"].rstrip("%")) > 95  # green dashboard...
    assert float(labels["Task completion"].rstrip("%")) < 85  # ...while users fail more often
    slices = next(f for f in frames(at) if "examples" in f.columns)
    assert set(slices["segment"]) == {"enterprise"}
    assert any("non-inferior" in m.value for m in at.markdown)
    specs = [c.proto.spec for c in (at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart"))]
    assert any("against its band" in s and "band_lower" in s for s in specs)  # trend with its band
    metrics = next(f for f in frames(at) if "task_completion_rate" in f.columns and "interactions" in f.columns)
    assert {"free", "pro", "enterprise", "all"} <= set(metrics["segment"])
    cohorts = next(f for f in frames(at) if "cohort" in f.columns)  # retention_90d per signup cohort
    assert cohorts["eligible"].sum() > 0 and cohorts["retention_90d"].dropna().between(0, 1).all()
    drift = next(f for f in frames(at) if "drift" in f.columns)  # the two latest production models compared
    assert list(drift["column"]) == ["latency_ms", "cost_usd", "accepted", "feedback"]
    assert any("Drift from gpt-small-2026-07 to gpt-small-2026-09" in c.value for c in at.caption)
    at.radio(key="ai_slice").set_value("model_version")
    at.run()
    metrics = next(f for f in frames(at) if "task_completion_rate" in f.columns and "interactions" in f.columns)
    assert "gpt-small-2026-09" in set(metrics["segment"])


def test_the_page_draws_a_readable_2x2_and_shows_rates_as_percentages(workspace, open_page):
    at = open_page(PAGE)
    charts = {c.proto.spec: json.loads(c.proto.spec) for c in (at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart"))}
    matrix = next(spec for text, spec in charts.items() if "Silent failures" in text)
    assert matrix["autosize"]["type"] == "pad" and matrix["width"]["step"] > 0 and matrix["height"]["step"] > 0
    assert matrix["title"]["text"] == "Silent failures" and matrix["title"]["offset"] > 0
    trend = next(spec for text, spec in charts.items() if "against its band" in text)
    assert trend["autosize"]["type"] == "pad" and trend["title"]["anchor"] == "start"
    table = next(df for df in at.dataframe if "task_completion_rate" in df.value.columns and "interactions" in
                 df.value.columns)
    config = json.loads(table.proto.columns)
    assert config["task_completion_rate"]["label"] == "Task completion"
    assert config["task_completion_rate"]["type_config"]["format"] == "percent"
    assert config["cost_per_success"]["type_config"]["format"].startswith("$%.6")
    assert not any("0.0001" in c.value for c in at.caption)


def test_labelling_form_stores_human_labels(workspace, open_page):
    before = workspace_agreement(workspace)["agreement"]["n"]
    at = open_page(PAGE)
    at.text_input(key="reviewer").input("ana")
    radios = [r for r in at.radio if str(r.key).startswith("label-")]
    assert len(radios) == 10
    radios[0].set_value("fail")
    radios[1].set_value("pass")
    submit = next(b for b in at.button if b.label == "Save labels")
    submit.click()
    at.run()
    assert not at.exception and not at.error
    assert workspace_agreement(workspace)["agreement"]["n"] == before + 2


def test_page_without_interactions_says_what_to_do(tmp_path, monkeypatch, clear_streamlit_caches, open_page):
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(tmp_path / "empty"))
    at = open_page(PAGE)
    assert any("No AI interactions yet" in i.value for i in at.info) and not at.error
