"""notebooks/signals/feed_health.py as an analyst opens it: run headless on the sample workspace, and on a
mistyped path, which it refuses without creating it."""

from notebook_views import run_notebook, shown


def test_the_notebook_shows_the_sample_feeds(sample_dir, monkeypatch):
    outputs, defs = run_notebook("signals.feed_health", sample_dir, monkeypatch)
    text = shown(outputs)
    # the sample's second AI export carries a source field the first did not: the one problem it has
    assert defs["problems"]["check"].tolist() == ["schema"]
    assert "new column shadow_of" in defs["problems"]["text"].iloc[0]
    assert "1 feed problem: 1 schema change." in text and "learned cadence" in text
    cadences = defs["cadences"]
    assert set(cadences.loc[cadences["feed"].eq("metrics"), "period_s"]) == {3600}


def test_a_mistyped_workspace_is_refused_and_not_created(tmp_path, monkeypatch):
    typo = tmp_path / "worksapce"
    outputs, defs = run_notebook("signals.feed_health", typo, monkeypatch)
    assert "is no journeylens workspace" in shown(outputs)
    assert not typo.exists() and "problems" not in defs
