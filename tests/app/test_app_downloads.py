"""Downloads on the Ranked, Retro and Governance pages (app/downloads.py): each button is there, its file
has a sensible name and type, and its bytes are what the CLI or the notebook-side writer makes, spreadsheet
formulas neutralised. Deferred downloads are made here as a click would (MediaFileManager.execute_deferred)."""

import io
import json
import shutil

import pandas as pd
import pytest
from journeylens.notebooks.retro.governance import audit_entries
from journeylens.notebooks.workspace.versions import save_version
from test_playwright import browser, chromium_path, serve  # noqa: F401

RANKED, RETRO, GOVERNANCE = "views/ranked.py", "views/retro.py", "views/governance.py"
HOSTILE = "=HYPERLINK(\"http://evil\",\"x\")"


@pytest.fixture
def managers(monkeypatch):
    """Every MediaFileManager AppTest makes (one a run): the last one holds the page's downloads."""
    from streamlit.testing.v1 import app_test

    made = []

    class Kept(app_test.MediaFileManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(app_test, "MediaFileManager", Kept)
    return made


def downloads(at, managers) -> dict:
    """{file name: (mime type, bytes)} of every download button on the page, made as a click makes them."""
    manager, offered = managers[-1], {}
    for button in at.get("download_button"):
        proto = button.proto
        if proto.HasField("deferred_file_id"):
            url = manager.execute_deferred(proto.deferred_file_id)
        else:
            url = proto.url
        stored = manager._storage.get_file(url.rsplit("/", 1)[-1].split(".")[0])
        offered[stored.filename] = (stored.mimetype, stored.content)
    return offered


def test_the_ranked_page_offers_the_queue_and_ranked_alerts_the_cli_writes(app_sample_copy, open_page, managers,
                                                                            tmp_path):
    from journeylens.app.cli import main

    at = open_page(RANKED)
    offered = downloads(at, managers)
    assert offered["ranked_queue.csv"][0] == "text/csv" and offered["ranked_alerts.csv"][0] == "text/csv"
    queue = pd.read_csv(io.BytesIO(offered["ranked_queue.csv"][1]))
    alerts = pd.read_csv(io.BytesIO(offered["ranked_alerts.csv"][1]))
    assert queue["rank"].tolist() == list(range(1, len(queue) + 1)) and queue["entry_id"].is_unique
    assert (alerts["kind"] == "alert_group").all() and alerts["group_id"].is_unique
    assert alerts["alert_count"].sum() == 249  # every alert of the sample, in one row per group
    assert len(queue) < len(alerts) + 60  # entries: incident candidates fold groups, signals join them
    ws = str(app_sample_copy)
    assert main(["rank", "--workspace", ws, "--queue", "--out", str(tmp_path / "q.csv")]) == 0
    assert main(["rank", "--workspace", ws, "--out", str(tmp_path / "a.csv")]) == 0
    assert offered["ranked_queue.csv"][1] == (tmp_path / "q.csv").read_bytes()
    assert offered["ranked_alerts.csv"][1] == (tmp_path / "a.csv").read_bytes()


def test_ranked_downloads_neutralise_formulas(app_sample_copy, open_page, managers, monkeypatch):
    import journeylens.notebooks.queue.queue_view as queue_view

    real_entries, real_alerts = queue_view.queue_entries, queue_view.alerts_only
    monkeypatch.setattr("journeylens.app.downloads.queue_entries",
                        lambda frame: real_entries(frame).assign(name=HOSTILE, service="@evil"))
    monkeypatch.setattr("journeylens.app.downloads.alerts_only",
                        lambda frame: real_alerts(frame).assign(name="+cmd", service="-2+3"))
    offered = downloads(open_page(RANKED), managers)
    queue = pd.read_csv(io.BytesIO(offered["ranked_queue.csv"][1]))
    alerts = pd.read_csv(io.BytesIO(offered["ranked_alerts.csv"][1]))
    assert set(queue["name"]) == {"'" + HOSTILE} and set(queue["service"]) == {"'@evil"}
    assert set(alerts["name"]) == {"'+cmd"} and set(alerts["service"]) == {"'-2+3"}


def test_the_retro_page_offers_md_csv_and_an_offline_html(app_sample_copy, open_page, managers):
    offered = downloads(open_page(RETRO), managers)
    assert {name: mime for name, (mime, _) in offered.items()} == {
        "retro.md": "text/markdown", "retro_stages.csv": "text/csv", "retro.html": "text/html"}
    page = offered["retro.html"][1].decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<title>journeylens retro: all data</title>" in page
    assert "vegaEmbed" in page and "<script src" not in page
    stages = pd.read_csv(io.BytesIO(offered["retro_stages.csv"][1]))
    assert set(stages["stage"]) == {"discovery", "signup", "onboarding", "checkout", "renewal"}
    assert offered["retro.md"][1].decode("utf-8").startswith("# journeylens retro: all data")


def test_the_governance_page_offers_the_audit_log_and_version_diffs(app_sample_copy, open_page, managers):
    ws = app_sample_copy
    save_version(ws, "thresholds", "journey", {"overrides": {"checkout/all/conversion": {"z_min": 3.0}}}, "=1+1",
                 HOSTILE)
    save_version(ws, "thresholds", "journey", {"overrides": {"checkout/all/conversion": {"z_min": 2.5}}}, "ana",
                 "retro: cuts noise")
    at = open_page(GOVERNANCE)
    offered = downloads(at, managers)
    mime, log = offered["audit.jsonl"]
    assert mime == "application/x-ndjson" and log == (ws / "audit.jsonl").read_bytes()
    assert [json.loads(line)["action"] for line in log.decode().splitlines()][-1] == "threshold.saved"
    mime, table = offered["audit_log.csv"]
    table = pd.read_csv(io.BytesIO(table))
    assert mime == "text/csv" and len(table) == len(audit_entries(ws)) == len(log.splitlines())
    assert table.iloc[1]["why"] == "'" + HOSTILE  # newest first; the saved version's comment
    versions = pd.read_csv(io.BytesIO(offered["thresholds_journey_versions.csv"][1]))
    assert versions["version"].tolist() == [1, 2] and versions["author"].tolist() == ["'=1+1", "ana"]
    diff = pd.read_csv(io.BytesIO(offered["thresholds_journey_v1_to_v2.csv"][1]), dtype=str)
    assert diff.to_dict("records") == [{"setting": "overrides.checkout/all/conversion.z_min", "old": "3.0",
                                        "new": "2.5"}]
    # another pair of versions: the diff offered follows the choice
    at.selectbox(key="gov_thresholds_old").set_value(0)
    at.run()
    offered = downloads(at, managers)
    assert "thresholds_journey_v0_to_v2.csv" in offered and not at.exception


def test_governance_offers_profile_and_map_versions(app_sample_copy, open_page, managers):
    from journeylens.notebooks.queue.profiles import load_profile, save_profile

    profile = load_profile(app_sample_copy, "default")["profile"]
    save_profile(app_sample_copy, "strict", {**profile, "threshold": 42.0}, "ana", "stricter")
    at = open_page(GOVERNANCE)
    at.selectbox(key="gov_profiles_name").set_value("strict")  # the first name is picked at first
    at.run()
    offered = downloads(at, managers)
    diff = pd.read_csv(io.BytesIO(offered["profiles_strict_v0_to_v1.csv"][1]), dtype=str)
    assert "threshold" in set(diff["setting"]) and diff.set_index("setting").loc["threshold", "new"] == "42.0"
    assert pd.read_csv(io.BytesIO(offered["profiles_strict_versions.csv"][1]))["comment"].tolist() == ["stricter"]


def click_download(page, link: str, label: str) -> tuple:
    """(file name, text) of what clicking the button `label` on the page `link` downloads."""
    from playwright.sync_api import expect

    page.get_by_role("link", name=link).click()
    button = page.get_by_role("button", name=label)
    expect(button).to_be_visible(timeout=90_000)
    with page.expect_download(timeout=90_000) as got:
        button.click()
    return got.value.suggested_filename, open(got.value.path(), encoding="utf-8").read()


@pytest.mark.browser
def test_a_click_in_chromium_downloads_the_file_made_on_click(tmp_path, sample_dir, browser):  # noqa: F811
    """Deferred data with on_click="ignore" in a real browser: the click yields the file, named as offered."""
    workspace = tmp_path / "ws"
    shutil.copytree(sample_dir, workspace)
    with serve(workspace) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        try:
            page.goto(url)
            name, text = click_download(page, "Ranked", "Download the queue (ranked_queue.csv)")
            assert name == "ranked_queue.csv" and text.startswith("rank,kind,lane,entry_id,")
            name, text = click_download(page, "Retro", "Download retro.html")
            assert name == "retro.html" and text.startswith("<!DOCTYPE html>")
        finally:
            page.close()
