"""Version tables and diffs of versioned configuration (notebooks/workspace/version_diff.py)."""

import pandas as pd
import pytest
from journeylens.notebooks.workspace.version_diff import diff_frame, value_text, version_diff, version_table
from journeylens.notebooks.workspace.versions import save_version


@pytest.fixture
def workspace(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    save_version(ws, "thresholds", "journey", {"overrides": {"checkout/all/conversion": {"z_min": 3.0}}}, "ana",
                 "first")
    save_version(ws, "thresholds", "journey", {"overrides": {"checkout/all/conversion": {"z_min": 2.5},
                                                             "signup/all/conversion": {"z_min": 4.0}}}, "bo",
                 "retro: cuts noise")
    return ws


def test_the_version_table_lists_who_when_and_why(workspace):
    table = version_table(workspace, "thresholds", "journey")
    assert list(table.columns) == ["version", "saved_at", "author", "comment"]
    assert table["version"].tolist() == [1, 2] and table["author"].tolist() == ["ana", "bo"]
    assert table["comment"].tolist() == ["first", "retro: cuts noise"] and table["saved_at"].notna().all()


def test_an_unsaved_name_has_no_versions(workspace):
    assert version_table(workspace, "thresholds", "other").empty


def test_the_diff_between_two_versions(workspace):
    diff = version_diff(workspace, "thresholds", "journey", 1, 2)
    assert diff.to_dict("records") == [
        {"setting": "overrides.checkout/all/conversion.z_min", "old": "3.0", "new": "2.5"},
        {"setting": "overrides.signup/all/conversion", "old": "", "new": '{"z_min": 4.0}'},
    ]
    assert version_diff(workspace, "thresholds", "journey", 2, 2).empty


def test_version_zero_is_nothing_saved(workspace):
    diff = version_diff(workspace, "thresholds", "journey", 0, 1)
    assert diff.to_dict("records") == [{"setting": "overrides", "old": "", "new": '{"checkout/all/conversion": '
                                                                               '{"z_min": 3.0}}'}]


def test_a_missing_version_is_refused(workspace):
    with pytest.raises(KeyError, match="no version 9"):
        version_diff(workspace, "thresholds", "journey", 1, 9)


def test_values_as_text():
    assert [value_text(v) for v in (None, "x", 1.5, True, [2, 1], {"b": 1, "a": None})] == [
        "", "x", "1.5", "true", "[2, 1]", '{"a": null, "b": 1}']
    frame = diff_frame([("weights.severity", 0.3, 0.5)])
    assert frame.equals(pd.DataFrame({"setting": ["weights.severity"], "old": ["0.3"], "new": ["0.5"]}))
