"""notebooks/workspace/versions.py: config_state, what caches of configuration-dependent answers key on."""

from journeylens.notebooks.workspace.versions import config_state, save_version


def test_config_state_names_the_latest_version_of_each_kind_asked_for(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    assert config_state(ws, ("profiles", "thresholds")) == ()
    save_version(ws, "profiles", "default", {"weights": {}}, "ana", "first")
    save_version(ws, "decisions", "s-1", {"accepted": False}, "ana", "not in the state")
    first = config_state(ws, ("profiles", "thresholds"))
    assert first == (("profiles", "default", "v0001.json"),)
    save_version(ws, "profiles", "default", {"weights": {"severity": 1}}, "ana", "second")
    save_version(ws, "thresholds", "journey", {"overrides": {}}, "ana", "first")
    assert config_state(ws, ("profiles", "thresholds")) == (("profiles", "default", "v0002.json"),
                                                              ("thresholds", "journey", "v0001.json"))
