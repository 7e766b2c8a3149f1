"""app/ai_signals_view.py on the AI page (AppTest, the sample workspace): the outcome signals beyond task
completion, their trend against its band, and the actions with the exact judge command."""

PAGE = "views/ai.py"


def test_ai_page_shows_outcome_signals_and_their_actions(app_sample_copy, open_page):
    at = open_page(PAGE)
    assert "Outcome signals beyond task completion" in [s.value for s in at.subheader]
    frames = [df.value for df in at.dataframe]
    signals = next(f for f in frames if {"kind", "slice", "title"} <= set(f.columns))
    assert "p95 latency" in set(signals["kind"])  # the sample's support_answer runs over its 2 s budget
    assert any("over its 2,000 ms budget" in t for t in signals["title"])
    actions = next(f for f in frames if {"action", "evidence"} <= set(f.columns))
    assert {"tighten", "re-evaluate"} <= set(actions["action"])
    commands = [c.value for c in at.code]
    assert any(c.startswith(f"journeylens judge --workspace {app_sample_copy} --limit ") for c in commands)
    specs = [c.proto.spec for c in (at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart"))]
    assert any("against its band" in s and "budget 2,000 ms" not in s for s in specs)
    # another signal kind, feature and slice: the chart follows
    at.selectbox(key="ai_kind").set_value("p95_latency").run()
    at.selectbox(key="ai_kind_feature").set_value("support_answer").run()
    assert not at.exception
    specs = [c.proto.spec for c in (at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart"))]
    assert any("support_answer \\u00b7 all: p95 latency against its band (budget 2,000 ms)" in s for s in specs)
