"""Retro decisions in a real browser: on a copy of the sample workspace, accepting one suggestion and
rejecting another takes both off the open list, lists both under "Decisions so far" with the person's
name, and the audit log the workspace keeps names that person (not the operating-system user).

Served and driven like tests/app/test_playwright.py (its fixtures and helpers are imported)."""

import json
import re
import shutil

import pytest
from test_playwright import browser, chromium_path, serve  # noqa: F401

pytestmark = pytest.mark.browser

PERSON = "Ana Souza"


@pytest.fixture(scope="module")
def served(tmp_path_factory, sample_dir, chromium_path):  # noqa: F811
    """(url, workspace): the app on a private copy of the sample workspace."""
    workspace = tmp_path_factory.mktemp("retro-browser") / "ws"
    shutil.copytree(sample_dir, workspace)
    with serve(workspace) as url:
        yield url, workspace


def open_titles(page) -> list:
    """The titles of the threshold suggestions still open, in the page's order."""
    return page.locator("strong").filter(has_text=re.compile(r"^(Tighten|Loosen) ")).all_inner_texts()


def test_accepted_and_rejected_suggestions_leave_the_list_and_name_the_person(served, browser):  # noqa: F811
    from playwright.sync_api import expect

    url, workspace = served
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(url)
        page.get_by_role("link", name="Retro").click()
        expect(page.get_by_role("heading", name="Decisions so far")).to_be_visible(timeout=90_000)
        before = open_titles(page)
        assert len(before) >= 2, "the sample offers thresholds to tune"
        name = page.get_by_label("Your name (recorded with each decision)")
        name.fill(PERSON)
        name.press("Enter")
        why = page.get_by_placeholder("why (optional)").first
        why.fill("too noisy on free")
        why.press("Enter")
        page.get_by_role("button", name="Accept", exact=True).first.click()
        expect(page.get_by_text(f"Accepted: {before[0]}.")).to_be_visible(timeout=60_000)
        expect(page.locator("strong").filter(has_text=re.compile(r"^(Tighten|Loosen) "))).to_have_count(
            len(before) - 1, timeout=60_000)
        assert open_titles(page) == before[1:]

        page.get_by_role("button", name="Reject", exact=True).first.click()
        expect(page.get_by_text(f"Rejected: {before[1]}.")).to_be_visible(timeout=60_000)
        expect(page.locator("strong").filter(has_text=re.compile(r"^(Tighten|Loosen) "))).to_have_count(
            len(before) - 2, timeout=60_000)
        assert open_titles(page) == before[2:]

        decided = page.get_by_test_id("stMarkdown").filter(has_text=re.compile(r"^(Accepted|Rejected) by "))
        expect(decided).to_have_count(2, timeout=30_000)
        text = "\n".join(decided.all_inner_texts())
        assert f"Accepted by {PERSON}" in text and before[0] in text and "too noisy on free" in text
        assert f"Rejected by {PERSON}" in text and before[1] in text

        page.reload()  # a reload reads the decisions back from the workspace: still gone, still decided
        expect(page.get_by_role("heading", name="Decisions so far")).to_be_visible(timeout=90_000)
        expect(decided).to_have_count(2, timeout=60_000)
        assert open_titles(page) == before[2:]
        assert not page.get_by_test_id("stException").count(), "no traceback on the page"
    finally:
        page.close()
    entries = [json.loads(line) for line in (workspace / "audit.jsonl").read_text().splitlines()]
    decisions = [e for e in entries if e["action"] == "decision.saved"]
    assert len(decisions) == 2 and {e["who"] for e in decisions} == {PERSON}
    assert next(e for e in entries if e["action"] == "threshold.saved")["who"] == PERSON  # what the accept changed
