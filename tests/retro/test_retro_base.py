"""notebooks/retro/retro_base.py (retro_base, week_retro, recent_record): what every week shares is worked out once per state of
the data and the configuration, and a retro assembled over it equals one assembled from scratch."""

import shutil

import pandas as pd
import pytest
from journeylens.notebooks.retro.governance import decide
from journeylens.notebooks.retro.report import assemble_retro
from journeylens.notebooks.retro.retro_base import recent_record, retro_base, retro_state, week_retro
from journeylens.notebooks.retro.weekly import data_weeks, retro


@pytest.fixture(scope="module")
def base(sample_dir):
    return retro_base(sample_dir)


def same(left, right, where: str = "") -> None:
    """Equal, frames and nested dicts and lists of them included."""
    if isinstance(left, pd.DataFrame):
        pd.testing.assert_frame_equal(left.reset_index(drop=True), right.reset_index(drop=True), obj=where)
    elif isinstance(left, dict):
        assert set(left) == set(right), where
        for key in left:
            same(left[key], right[key], f"{where}.{key}")
    elif isinstance(left, list):
        assert len(left) == len(right), where
        for i, (a, b) in enumerate(zip(left, right, strict=True)):
            same(a, b, f"{where}[{i}]")
    else:
        assert left == right, where


def test_every_week_over_the_base_equals_the_week_worked_out_alone(sample_dir, base):
    weeks = data_weeks(sample_dir)
    assert set(base["weeks"]) == {None, *weeks}
    for week in (None, weeks[0], weeks[-1]):
        alone = retro(sample_dir, week)
        kept = {k: v for k, v in week_retro(sample_dir, week, base).items()
                if k not in ("trends", "suggestions", "feed_health")}
        same({k: v for k, v in alone.items() if k not in ("changes", "uploads")},
             {k: v for k, v in kept.items() if k not in ("changes", "uploads")})


def test_assembled_over_the_base_equals_assembled_from_scratch(sample_dir, base):
    week = data_weeks(sample_dir)[1]
    same(assemble_retro(sample_dir, week), assemble_retro(sample_dir, week, base=base))


def test_a_week_read_from_the_base_is_a_copy(sample_dir, base):
    found = week_retro(sample_dir, None, base)
    found["volume"] = "changed"
    assert base["weeks"][None]["volume"] != "changed"


def test_the_state_changes_with_the_configuration_not_with_a_rejection(sample_dir, tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(sample_dir, ws)
    before = retro_state(ws)
    suggestion = next(s for s in assemble_retro(ws)["suggestions"] if s["kind"] == "threshold")
    decide(ws, suggestion, False, "ana", "not now")
    assert retro_state(ws) == before, "a rejection changes nothing the ranking reads"
    assert len(recent_record(ws)["changes"]) > 0
    decide(ws, suggestion, True, "ana", "cuts noise")
    assert retro_state(ws) != before, "an accepted threshold is a new thresholds version"
