"""The Overview page (the app's first page) through Streamlit's AppTest: the funnel says the queue's counts, the
top five entries link to their drill-downs on the Ranked page, and an empty workspace offers the two first steps."""

from pathlib import Path
from urllib.parse import parse_qs

import pytest
from journeylens.app.ui import ENTRY
from journeylens.notebooks.queue.queue_view import queue_counts, queue_entries, ranked_frame
from journeylens.notebooks.workspace.snapshot import list_uploads
from streamlit.testing.v1 import AppTest


def first_page(timeout: float = 180) -> AppTest:
    """The app as it opens: no page switched to, so the default page runs."""
    at = AppTest.from_file(str(ENTRY), default_timeout=timeout)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def on_sample(sample_dir, monkeypatch, clear_streamlit_caches) -> Path:
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(sample_dir))  # the page only reads
    return sample_dir


@pytest.fixture
def on_empty(tmp_path, monkeypatch, clear_streamlit_caches) -> Path:
    ws = tmp_path / "ws"
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(ws))
    return ws


def test_overview_is_the_first_page_and_its_funnel_is_the_queues_counts(on_sample):
    at = first_page()
    assert at.title[0].value == "Overview"
    frame = ranked_frame(on_sample)
    counts = queue_counts(frame)
    assert at.subheader[0].value == (f"{counts['alerts']:,} alerts became {counts['alert_groups']:,} alert groups "
                                     f"and {counts['in_queue']:,} queue entries worth a look")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Alerts"] == f"{counts['alerts']:,}"
    assert metrics["Alert groups"] == f"{counts['alert_groups']:,}"
    assert metrics["Worth a look"] == f"{counts['in_queue']:,}"
    assert any(c.value.startswith("All the data (") and f"Counted {counts['alerts']:,} alerts" in c.value
               for c in at.caption)


def test_the_top_five_link_to_their_drill_downs(on_sample):
    at = first_page()
    entries = queue_entries(ranked_frame(on_sample))
    expected = list(entries[~entries["suppressed"]].head(5)["entry_id"].astype(str))
    links = [link for link in at.get("page_link") if "entry=" in link.proto.query_string]
    assert len(links) == 5
    assert [parse_qs(link.proto.query_string)["entry"][0] for link in links] == expected
    assert all(link.proto.page.endswith("ranked") or "ranked" in link.proto.page for link in links), \
        [link.proto.page for link in links]
    assert [link.value.split(".")[0] for link in links] == ["1", "2", "3", "4", "5"]
    whys = [c.value for c in at.caption if " · score " in c.value]
    assert len(whys) == 5 and all("harm" in w for w in whys)
    text = " ".join(m.value for m in at.markdown)
    assert "conversion" in text and "signal" in text  # the journey at a glance
    metrics = {m.label: m.value for m in at.metric}  # AI outcomes: the sample has AI interactions
    assert metrics["Task completion"].endswith("%") and metrics["Cost per success"].endswith("per 1,000")
    assert "open retro suggestion" in text


def test_an_empty_workspace_offers_the_two_first_steps_and_loads_the_sample(on_empty):
    at = first_page()
    assert not at.metric, "no funnel on an empty workspace"
    assert [b.label for b in at.button] == ["Load the sample world"]
    upload = [link for link in at.get("page_link") if link.value == "Upload your exports"]
    assert len(upload) == 1 and "data" in upload[0].proto.page
    at.button(key="load_sample").click().run(timeout=300)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert len(list_uploads(on_empty)) >= 5
    assert "alerts became" in at.subheader[0].value
    assert at.success[0].value == "Loaded the sample world into this workspace."
