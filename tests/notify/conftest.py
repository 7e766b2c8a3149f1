"""Fixtures of the notification tests: the fake destinations (a real local HTTP server) and the environment
variables that point at them, a private copy of the sample workspace, and the sample's rule readings."""

import shutil

import pytest
from fake_hooks import Hooks
from journeylens.notebooks.notify.rules import Reads, rule_entries
from notify_configs import HOOK_SECRET, ROUTING_KEY, SLACK_SECRET


@pytest.fixture
def hooks(monkeypatch):
    """The fake destinations, and the environment variables the test configs name pointing at them."""
    server = Hooks()
    monkeypatch.setenv("JL_TEST_SLACK_URL", server.url(f"/slack/services/{SLACK_SECRET}"))
    monkeypatch.setenv("JL_TEST_PD_URL", server.url("/pd/v2/enqueue"))
    monkeypatch.setenv("JL_TEST_PD_KEY", ROUTING_KEY)
    monkeypatch.setenv("JL_TEST_HOOK_URL", server.url(f"/hook/{HOOK_SECRET}"))
    yield server
    server.close()


@pytest.fixture
def ws(sample_dir, tmp_path, monkeypatch):
    """A private copy of the sample workspace, its ranking kept (as `journeylens` keeps it outside the tests)."""
    monkeypatch.setenv("JOURNEYLENS_RANKING_STORE", "on")
    target = tmp_path / "ws"
    shutil.copytree(sample_dir, target)
    return target


@pytest.fixture(scope="session")
def sample_reads(sample_dir, tmp_path_factory):
    """The sample's readings (its ranked queue, its AI pairs), read once: found(config) gives every rule's
    entries under a config, as rules.evaluate_rules would, without ranking the sample again."""
    copy = tmp_path_factory.mktemp("notify-sample") / "ws"
    shutil.copytree(sample_dir, copy)
    reads = Reads(copy)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JOURNEYLENS_RANKING_STORE", "on")
        reads.queue(None)
    yield reads
    reads.close()


@pytest.fixture
def found(sample_reads):
    def of(config: dict) -> dict:
        return {rule["id"]: rule_entries(sample_reads, rule, config["app_url"]) for rule in config["rules"]}
    return of
