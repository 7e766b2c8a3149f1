"""notebooks/ai/validation.py: the review queue, human labels, agreement and Rogan-Gladen."""

import numpy as np
import pandas as pd
import pytest
from journeylens.notebooks.ai.validation import (
    agreement,
    kappa_rates,
    review_queue,
    rogan_gladen,
    save_human_labels,
)
from journeylens.notebooks.workspace.snapshot import connect


def test_kappa_and_rates_on_a_known_table():
    judge = np.array([True] * 40 + [False] * 10 + [True] * 5 + [False] * 45)
    human = np.array([True] * 50 + [False] * 50)
    stats = kappa_rates(judge, human)
    assert (stats["tp"], stats["fn"], stats["fp"], stats["tn"]) == (40, 10, 5, 45)
    assert stats["tpr"] == 0.8 and stats["tnr"] == 0.9
    assert stats["kappa"] == pytest.approx((0.85 - 0.5) / 0.5)


def test_rogan_gladen():
    assert rogan_gladen(0.6, 0.9, 0.8) == pytest.approx(0.4 / 0.7)
    assert np.isnan(rogan_gladen(0.6, 0.5, 0.5))  # a judge no better than chance corrects nothing
    assert rogan_gladen(0.99, 0.9, 0.8) == 1.0  # clipped


def synthetic(seed=3, n=4000, labelled=600, truth=0.7, tpr=0.9, tnr=0.75):
    rng = np.random.default_rng(seed)
    real = rng.random(n) < truth
    judge = np.where(real, rng.random(n) < tpr, rng.random(n) >= tnr)
    human = np.full(n, np.nan)
    human[:labelled] = real[:labelled].astype(float)
    return pd.DataFrame({"interaction_id": [f"i{k}" for k in range(n)], "feature": "f", "segment": "s",
                         "shadow": False, "completed": real, "judge": judge.astype(float), "human": human})


def test_corrected_pass_rate_recovers_the_truth_with_an_interval():
    stats = agreement(synthetic(), rounds=400)
    assert stats["judge_pass_rate"] == pytest.approx(0.7 * 0.9 + 0.3 * 0.25, abs=0.03)  # biased by the judge
    assert stats["corrected_pass_rate"] == pytest.approx(0.7, abs=0.04)
    assert stats["ci_low"] < 0.7 < stats["ci_high"] and stats["ci_high"] - stats["ci_low"] < 0.15


def test_review_queue_puts_edge_cases_first_and_skips_labelled():
    frame = synthetic(labelled=100)
    frame.loc[100:109, "judge"] = 0.5  # unsure
    queue = review_queue(frame, size=40)
    assert len(queue) == 40 and queue["human"].isna().all()
    assert set(queue["reason"].head(20)) <= {"judge unsure", "judge pass, user did not complete",
                                             "judge fail, user completed"}
    assert (queue["reason"] == "stratified sample").sum() == 20


def test_human_labels_are_stored_as_human_scores(tmp_path):
    from journeylens.notebooks.ingest.upload import ingest_file
    path = tmp_path / "ai.csv"
    path.write_text("interaction_id,ts,feature,accepted\na1,2026-01-01T00:00:00Z,f,true\n")
    ws = tmp_path / "ws"
    ingest_file(ws, "ai", path)
    save_human_labels(ws, [{"interaction_id": "a1", "name": "task_completion", "label": "partial"}], "ana")
    con = connect(ws)
    try:
        assert con.execute("select value, source, label from eval_scores").fetchall() == [(0.5, "human", "partial")]
    finally:
        con.close()
    with pytest.raises(ValueError, match="pass, partial, fail"):
        save_human_labels(ws, [{"interaction_id": "a1", "name": "task_completion", "label": "great"}], "ana")
