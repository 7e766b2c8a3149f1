"""The queue notebooks as an analyst opens them: run headless (app.run()) on the sample workspace, and on a
mistyped path, which they refuse without creating it. Each test checks what the notebook shows; widgets are
set by overriding the cell that defines them (app.run(defs=...))."""

import html as html_text
import shutil

import pandas as pd
import pytest
from journeylens.notebooks.ingest.playbook_file import load_playbooks
from journeylens.notebooks.queue.groups import group_alerts
from journeylens.notebooks.queue.live_queue import LiveQueue
from journeylens.notebooks.queue.mapping import coverage
from journeylens.notebooks.queue.profiles import save_profile
from journeylens.notebooks.queue.ranking import ranked_alerts
from journeylens.notebooks.queue.scoring import DEFAULT_PROFILE, reference_score, resolve_profile
from journeylens.notebooks.workspace.snapshot import connect
from notebook_views import run_notebook, shown

NOTEBOOKS = ("mapping", "groups", "scoring", "ranking")


def run(name: str, workspace, monkeypatch, **widgets) -> tuple:
    """(everything shown as text, definitions) of notebooks/queue/<name>.py run top to bottom on `workspace`;
    `widgets` replace the cells that define them (each value gets a `.value`)."""
    outputs, defs = run_notebook(f"queue.{name}", workspace, monkeypatch, **widgets)
    return html_text.unescape(shown(outputs)), defs


def full_queue(workspace, profile: dict | None, signals: bool = True) -> pd.DataFrame:
    live = LiveQueue(workspace, signals=signals)
    try:
        live.update(profile, load_playbooks(workspace))
        return live.queue()
    finally:
        live.close()


def same_rows(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    columns = ["rank", "group_id", "score", "suppressed", "suppressed_reason", "playbook"]
    pd.testing.assert_frame_equal(got.reset_index(drop=True)[columns], expected.reset_index(drop=True)[columns])


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_a_mistyped_workspace_is_refused_and_not_created(name, tmp_path, monkeypatch):
    typo = tmp_path / "worksapce"
    text, defs = run(name, typo, monkeypatch)
    assert "is no journeylens workspace" in text
    assert not typo.exists()
    assert not {"con", "groups", "live", "queue"} & set(defs)


def test_mapping_shows_the_workspace_coverage(sample_dir, monkeypatch):
    text, defs = run("mapping", sample_dir, monkeypatch)
    con = connect(sample_dir)
    try:
        expected = coverage(con)
    finally:
        con.close()
    assert defs["result"]["summary"] == expected["summary"] == {"alerts": 249, "mapped": 209,
                                                                "mapped_share": 209 / 249}
    assert "209 of 249 alerts mapped (84%)" in text
    assert "mapped and unmapped" in text and "payments-gateway" in text  # the chart, per service
    assert "ci-runner" in text  # the top unmapped services, with their suggestions


def test_mapping_coverage_follows_the_edited_rules(sample_dir, monkeypatch):
    text, defs = run("mapping", sample_dir, monkeypatch,
                     rules_editor="touchpoints:\n  - {stage: checkout, match: {service: 'payments-*'}}\n")
    assert "The rules cannot be used" not in text
    assert 0 < defs["result"]["summary"]["mapped"] < 209
    assert set(defs["result"]["by_service"].query("mapped > 0")["service"]) == {"payments-gateway"}


def test_groups_follow_the_gap_and_flap_sliders(sample_dir, monkeypatch):
    text, defs = run("groups", sample_dir, monkeypatch)
    pd.testing.assert_frame_equal(defs["groups"], group_alerts(sample_dir))
    assert f"249 alerts form {len(defs['groups'])} groups; 10 of them flap" in text
    assert "Alert groups over time" in text
    wide = run("groups", sample_dir, monkeypatch, gap=240, flap_window=60, flap_cycles=3)[1]
    narrow = run("groups", sample_dir, monkeypatch, gap=5, flap_window=60, flap_cycles=3)[1]
    assert len(wide["groups"]) < len(defs["groups"]) < len(narrow["groups"])
    assert wide["groups"]["alert_count"].sum() == narrow["groups"]["alert_count"].sum() == 249
    strict = run("groups", sample_dir, monkeypatch, gap=60, flap_window=60, flap_cycles=10)[1]
    assert len(strict["flapping"]) < 10


def test_scoring_sliders_rerank_the_real_queue(sample_dir, monkeypatch):
    text, defs = run("scoring", sample_dir, monkeypatch)
    same_rows(defs["queue"], full_queue(sample_dir, None))
    first = defs["queue"].iloc[0]
    assert defs["explained"] == pytest.approx(first["score"], rel=1e-9)
    assert defs["explained"] == reference_score(first.to_dict(), resolve_profile(None))
    assert f"The top group, {first['service']}" in text and f"{first['score']:.1f}</strong>" in text
    assert "groups in the queue, the rest suppressed" in text and "top groups under these settings" in text
    # drag: severity counts most, harm corroborates nothing, a higher threshold
    settings = {"weights": dict(DEFAULT_PROFILE["weights"], severity=1.0), "corroboration": 0.0,
                "harm_exponent": 0.5, "threshold": 20.0, "threshold_spares_harm": True}
    text, moved = run("scoring", sample_dir, monkeypatch, settings=settings, top=10)
    assert moved["path"] == "rerank", "a weight or threshold change takes the fast path"
    expected = full_queue(sample_dir, {**DEFAULT_PROFILE, **settings})
    same_rows(moved["queue"], expected)
    assert not moved["queue"][["group_id", "rank"]].equals(defs["queue"][["group_id", "rank"]])
    assert len(moved["kept"]) == 10 and "moved" in moved["kept"].columns


def test_ranking_shows_the_queue_of_the_picked_profile(sample_dir, tmp_path, monkeypatch):
    picks = {"profile": "default", "suppressed": False, "top": 30}
    text, defs = run("ranking", sample_dir, monkeypatch)
    same_rows(defs["queue"], ranked_alerts(sample_dir))  # what `journeylens rank` writes
    assert len(defs["shown"]) == 30 and not defs["shown"]["suppressed"].any()
    assert "Profile default v0" in text and "Groups per stage" in text
    with_signals = run("ranking", sample_dir, monkeypatch, with_signals=True, picks=picks)[1]
    assert with_signals["queue"]["service"].str.startswith("journey:").any()
    # a saved profile, picked (on a copy: tests never write into the sample)
    ws = tmp_path / "ws"
    shutil.copytree(sample_dir, ws)
    save_profile(ws, "quiet", {"threshold": 30}, author="ana", comment="only the loud ones")
    text, quiet = run("ranking", ws, monkeypatch, with_signals=False, picks=dict(picks, profile="quiet"))
    assert "Profile quiet v1" in text and "only the loud ones" in text
    same_rows(quiet["queue"], ranked_alerts(ws, "quiet"))
    assert quiet["queue"]["suppressed"].sum() > defs["queue"]["suppressed"].sum()
