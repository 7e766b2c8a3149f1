"""The Ranked alerts page through Streamlit's AppTest: rank, re-weight, save a profile, drill down."""

from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from journeylens.app.queue_tables import PAGE_SIZE, VIEW, entries_of
from journeylens.notebooks.ingest.playbook_file import load_playbooks
from journeylens.notebooks.queue.live_queue import LiveQueue
from journeylens.notebooks.queue.profiles import load_profile, profile_history
from streamlit.testing.v1 import AppTest

PAGE = "views/ranked.py"


@pytest.fixture
def workspace(sample_dir, monkeypatch, clear_streamlit_caches) -> Path:
    """A pointer at the shared sample, read-only: a test that saves a profile opens app_sample_copy."""
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(sample_dir))
    return sample_dir


@pytest.fixture
def start(open_page):
    return lambda: open_page(PAGE, timeout=60)


def ranked_table(at: AppTest):
    tables = [df.value for df in at.dataframe if "score" in df.value.columns and "rank" in df.value.columns]
    assert tables, "the ranked table is shown"
    return tables[0]


def page_entries(at: AppTest) -> pd.DataFrame:
    """The entries of the table's page as the server holds them (the browser gets the columns on screen only)."""
    shown = at.session_state["_live_queue"].entries(0, PAGE_SIZE, include_suppressed=at.toggle(
        key="show_suppressed").value)
    assert shown["rank"].tolist() == ranked_table(at)["rank"].tolist(), "the table shows the page's entries"
    return shown


def number(text: str) -> int:
    return int(str(text).replace(",", ""))


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def test_page_ranks_payments_gateway_first(workspace, start):
    at = start()
    assert at.title[0].value == "Ranked alerts"
    assert not at.error, texts(at.error)
    table = page_entries(at)
    # journey signals are queued on their stage (service journey:<stage>): the outage's joined its entry
    # the checkout outage is one entry: its members include the payments-gateway groups
    first = table.iloc[0]
    assert "payments-gateway" in str(first.get("services", first["service"])), table.head(3)
    assert "journey:checkout" in str(first.get("services", "")), table.head(3)
    labels = {m.label: number(m.value) for m in at.metric}
    assert set(labels) >= {"Entries", "In the queue", "Suppressed", "Incident candidates"}
    assert labels["Entries"] == labels["In the queue"] + labels["Suppressed"]
    assert not table["suppressed_reason"].notna().any(), "suppressed entries are hidden until asked for"
    assert len(table) == min(labels["In the queue"], PAGE_SIZE)

    at.toggle(key="show_suppressed").set_value(True)
    at.run()
    assert len(ranked_table(at)) == min(labels["Entries"], PAGE_SIZE)
    assert f"of {labels['Entries']:,}, best first" in texts(at.caption)


def test_every_weight_has_a_control(workspace, start):
    at = start()
    keys = {s.key for s in at.sidebar.slider}
    for weight in ("severity", "exposure", "confidence", "duration", "recurrence"):
        assert f"knob-weights.{weight}" in keys
    for setting in ("corroboration", "harm_exponent", "harm_observed_min", "threshold", "group_gap_minutes",
                    "default_exposure", "default_harm", "default_confidence", "harm_full_drop", "min_entered"):
        assert f"knob-{setting}" in keys


def test_the_harm_switch_decides_whether_a_high_threshold_hides_harmed_groups(workspace, start):
    at = start()
    assert at.sidebar.checkbox(key="knob-threshold_spares_harm").value is True
    at.slider(key="knob-threshold").set_value(100.0)
    at.run()
    kept = page_entries(at)
    # the needs-mapping lane's critical and high groups are never suppressed; the queue keeps only harm
    queue = kept[kept["lane"] == "queue"] if "lane" in kept else kept
    assert len(queue) and queue["harm_observed"].all(), "only groups with observed harm survive a threshold of 100"
    at.sidebar.checkbox(key="knob-threshold_spares_harm").uncheck()
    at.run()
    assert not at.exception and not at.error, texts(at.error)
    left = page_entries(at)
    assert (left["lane"] == "needs_mapping").all() if "lane" in left else left.empty, left


def test_changing_a_weight_reranks(workspace, start):
    at = start()
    before = ranked_table(at)[["service", "name", "score"]].reset_index(drop=True)
    at.slider(key="knob-corroboration").set_value(0.0)
    at.slider(key="knob-weights.severity").set_value(1.0)
    at.run()
    assert not at.exception and not at.error, texts(at.error)
    after = ranked_table(at)[["service", "name", "score"]].reset_index(drop=True)
    assert not before.equals(after), "the queue re-ranks"


def test_saving_a_profile_creates_version_1_and_lists_it(app_sample_copy, start):
    workspace = app_sample_copy
    at = start()
    at.slider(key="knob-weights.severity").set_value(0.9)
    at.run()
    at.text_input(key="save_name").input("severe-first")
    at.text_input(key="save_author").input("tester")
    at.text_input(key="save_comment").input("severity matters most")
    at.sidebar.button[0].click()
    at.run()
    assert not at.exception and not at.error, texts(at.error)
    assert "version 1" in texts(at.success)
    assert [h["version"] for h in profile_history(workspace, "severe-first")] == [1]
    picker = at.selectbox(key="profile_pick")
    assert "severe-first" in picker.options
    assert picker.value == "severe-first"
    assert at.slider(key="knob-weights.severity").value == pytest.approx(0.9)
    frames = [d.value for d in at.dataframe]
    history = next(f for f in frames if "comment" in f.columns)
    assert list(history["version"]) == [1] and list(history["author"]) == ["tester"]
    diff = next(f for f in frames if list(f.columns) == ["setting", "old", "new"])
    assert ("weights.severity", "0.3", "0.9") in set(map(tuple, diff.values))


def test_bad_profile_name_is_an_error_message_not_a_traceback(workspace, start):
    at = start()
    at.text_input(key="save_name").input("no spaces allowed")
    at.sidebar.button[0].click()
    at.run()
    assert not at.exception
    # a bad name is a refusal that says what a name may be, and nothing is stored
    assert "Refused: profile name" in texts(at.error) and "no spaces allowed" in texts(at.error)
    assert "Nothing was stored" in texts(at.error)


def chart_specs(at: AppTest) -> list:
    charts = at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")  # the name changed over versions
    return [c.proto.spec for c in charts]


def drill_into(at, needle: str) -> str:
    """Opens the drill-down of the first queue entry whose label holds `needle`; the stage chart's spec."""
    box = at.selectbox(key="drill_group")
    box.select(next(o for o in box.options if needle in o))
    at.run()
    assert not at.exception and not at.error, texts(at.error)
    stage = [s for s in chart_specs(at) if "Conversion at stage" in s]
    assert stage, "the stage chart is drawn"
    return stage[0]


def test_drill_down_shows_chart_and_playbook(workspace, start):
    at = start()
    # the first alert group (journey-signal entries of the queue come first on the sample)
    spec = drill_into(at, "payments-gateway")
    assert "Conversion at stage checkout" in spec and "Hour (UTC)" in spec
    shown = texts(at.markdown)
    assert "Suggested playbook: psp-failover" in shown
    assert "auto-mitigate" in shown
    assert "Segments below their baseline" in shown
    # the changes are the profile's window (change_lookback_minutes, 120) and the query that linked the queue's
    assert "Changes in the 2 h before the first alert" in shown


def test_the_drill_down_lists_the_changes_the_queue_linked(workspace, start):
    at = start()
    table = page_entries(at)
    linked = table[table["change_at"].notna() & table["members"].eq(1)]  # a lone group: its window is the entry's
    assert len(linked), "the sample links changes to groups"
    row = linked.iloc[0]
    box = at.selectbox(key="drill_group")
    box.select(next(o for o in box.options if o.startswith(f"#{row['rank']} ·")))
    at.run()
    assert not at.exception and not at.error, texts(at.error)
    changes = next(d.value for d in at.dataframe if "change_rank" in d.value.columns)
    assert changes["change_rank"].tolist() == list(range(1, len(changes) + 1))
    first = changes.iloc[0]
    assert (first["change_at"], first["change_service"], first["change_description"]) == (
        row["change_at"], row["change_service"], row["change_description"])
    first_fired = row["first_fired_at"]
    assert (changes["change_at"] <= first_fired).all()
    assert (changes["change_at"] >= first_fired - pd.Timedelta(minutes=120)).all()


def full_ranking(workspace, profile: dict) -> pd.DataFrame:
    """The unsuppressed entries of a fresh full ranking under `profile`, as the page shows them."""
    live = LiveQueue(workspace)
    try:
        assert live.update(profile, load_playbooks(workspace)) == "full"
        queue = entries_of(live.queue())
    finally:
        live.close()
    return queue[~queue["suppressed"]].reset_index(drop=True)


def same_queue(shown: pd.DataFrame, expected: pd.DataFrame) -> None:
    columns = ["entry_id", "rank", "score", "suppressed", "harm", "member_group_ids", "playbook", "change_at"]
    pd.testing.assert_frame_equal(shown.reset_index(drop=True)[columns], expected[columns])


@pytest.mark.parametrize("setting, value, path", [
    ("weights.severity", 1.0, "rerank"),  # a weight: re-score the components and re-rank
    ("threshold", 20.0, "rerank"),
    ("default_harm", 0.8, "score"),  # how harm is read: score the same groups again
    ("group_gap_minutes", 240, "full"),  # how alerts group: rank in full
])
def test_a_slider_takes_the_shortest_path_to_the_same_queue(workspace, start, setting, value, path):
    at = start()
    live = at.session_state["_live_queue"]
    assert (live.last_path, live.full_rankings) == ("full", 1)
    at.slider(key=f"knob-{setting}").set_value(value)
    at.run()
    assert not at.exception and not at.error, texts(at.error)
    live = at.session_state["_live_queue"]
    assert live.last_path == path
    assert live.full_rankings == (2 if path == "full" else 1)
    profile = load_profile(workspace)["profile"]
    section, _, name = setting.partition(".")
    if name:
        profile[section][name] = value
    else:
        profile[section] = value
    same_queue(page_entries(at), full_ranking(workspace, profile).head(PAGE_SIZE))
    # a rerun that changes nothing ranks nothing
    at.toggle(key="show_suppressed").set_value(True)
    at.run()
    assert at.session_state["_live_queue"].last_path == "unchanged"


def test_a_journey_signal_entry_drills_down_to_its_stage(workspace, start):
    at = start()
    table = page_entries(at)
    # a journey signal that joined no outage is its own entry (service journey:<stage>); on the sample every
    # fired signal joined its outage, whose entry lists it among its services and drills down to the stage
    alone = table[table["service"].astype(str).str.startswith("journey:")]
    if len(alone):
        stage = alone["stage"].iloc[0]
        assert f"Conversion at stage {stage}" in drill_into(at, str(alone["service"].iloc[0]))
    else:
        holding = table[table["services"].astype(str).str.contains("journey:checkout")]
        assert len(holding) == 1
        assert "Conversion at stage checkout" in drill_into(at, str(holding["service"].iloc[0]))


def test_empty_workspace_shows_info(tmp_path, monkeypatch, start):
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(tmp_path / "empty"))
    st.cache_data.clear()
    at = start()
    assert "No alerts to rank yet" in texts(at.info)
    assert not at.error, texts(at.error)
    assert not at.dataframe


def test_drill_down_into_an_unmapped_group(workspace, start):
    at = start()
    at.toggle(key="show_suppressed").set_value(True)
    at.run()
    box = at.selectbox(key="drill_group")
    unmapped = [label for label in box.options if label.endswith("· unmapped")]
    assert unmapped, "the sample has alerts no touchpoint claims"
    box.set_value(unmapped[0])
    at.run()
    assert not at.exception and not at.error, texts(at.error)
    assert "maps to no journey stage" in texts(at.caption)


def lane_table(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "suggested_rule" in d.value.columns
                and "entry_id" not in d.value.columns)


def open_tab(at: AppTest, name: str) -> str:
    """Opens the tab whose label starts with `name` (what a click on it sends); its label."""
    label = next(t.label for t in at.tabs if t.label.startswith(name))
    at.session_state[VIEW] = label
    at.run()
    assert not at.exception and not at.error, texts(at.error)
    return label


def test_the_counts_line_is_the_command_lines(workspace, start):
    """The page says what it counted in the words `journeylens rank` prints, for the same queue."""
    from journeylens.notebooks.queue.queue_view import counts_text, queue_counts, ranked_frame

    at = start()
    said = texts(at.caption)
    assert counts_text(queue_counts(ranked_frame(workspace))) in said
    assert "journey signals" in said and "needs mapping:" in said


def test_the_needs_mapping_lane_is_visible_and_never_hidden_by_the_threshold(workspace, start, monkeypatch):
    read = []
    monkeypatch.setattr(LiveQueue, "lane", lambda self, *a, real=LiveQueue.lane: read.append(1) or real(self, *a))
    at = start()
    assert not read and not [d for d in at.dataframe if "suggested_rule" in d.value.columns], \
        "the lane is read when its tab is opened, not on every run"
    header = open_tab(at, "Needs mapping")
    lane = lane_table(at)
    assert read and not [d for d in at.dataframe if d.key == "ranked_table"], "the queue's tab is not drawn"
    assert len(lane) and lane["service"].isin(["backup-cron", "ci-runner"]).any()  # the sample's unmapped services
    urgent = lane["severity"].isin(["critical", "high"])
    assert urgent.any() and urgent.tolist() == sorted(urgent, reverse=True), "critical/high first"
    assert header == f"Needs mapping ({len(lane)} groups, {int(urgent.sum())} critical/high)"
    at.slider(key="knob-threshold").set_value(100.0)
    at.sidebar.checkbox(key="knob-threshold_spares_harm").uncheck()
    at.run()
    assert not at.exception and not at.error, texts(at.error)
    # the Queue tab's label changed (its count): the lane's tab stays open all the same
    still = lane_table(at)
    assert len(still) == len(lane), "the lane lists every unmapped group whatever the threshold"
    # only the lane's critical and high groups stay in the queue: a missing mapping never hides them
    assert open_tab(at, "Queue") == f"Queue ({int(urgent.sum())} entries)"
    assert number({m.label: m.value for m in at.metric}["In the queue"]) == int(urgent.sum())


def test_groups_of_one_outage_are_one_entry_with_their_members(workspace, start):
    """Groups the ranking correlates into one incident (the sample's checkout outage: payments-gateway
    alerts from Alertmanager, PagerDuty and Datadog, and the checkout journey signal) are one row of the
    queue, with members, sources and instances."""
    at = start()
    table = ranked_table(at)
    outage = table[table["service"].eq("payments-gateway")]
    assert len(outage) == 1, "one row for the outage"
    entry = outage.iloc[0]
    assert entry["kind"] == "incident" and entry["members"] >= 3
    assert {"alertmanager", "pagerduty", "datadog"} <= set(entry["sources"].split(";"))
    assert entry["instances"], "the instances of its members are listed"
    assert {m.label: number(m.value) for m in at.metric}["Incident candidates"] >= 1
    box = at.selectbox(key="drill_group")
    box.select(next(o for o in box.options if "payments-gateway" in o))
    at.run()
    assert not at.exception and not at.error, texts(at.error)
    label = box.value
    assert f"{entry['members']} groups" in label and entry["instances"].split(";")[0] in label
    members = next(d.value for d in at.dataframe if "group_id" in d.value.columns and "source" in d.value.columns)
    parts = {p for cell in members["instances"].fillna("") for p in str(cell).split(";") if p}
    assert len(members) == entry["members"] and parts == set(entry["instances"].split(";"))
    assert "One incident candidate of" in texts(at.markdown)


# -- the queue explains itself: a row click, a link or the Overview opens the drill-down with the breakdown --

def breakdown_specs(at: AppTest) -> list:
    return [s for s in chart_specs(at) if "Points of the score" in s]


def open_heading(at: AppTest) -> str:
    return next((m.value for m in at.markdown if str(m.value).startswith("#### #")), "")


def test_a_row_click_opens_its_drill_down_with_the_breakdown(workspace, start):
    at = start()
    assert not breakdown_specs(at) and not open_heading(at), "nothing is open before a click"
    table = page_entries(at)
    entry = table.iloc[2]
    at.session_state["ranked_table"] = {"selection": {"rows": [2], "columns": []}}  # what a row click sends
    at.run()
    assert not at.exception and not at.error, texts(at.error)
    assert open_heading(at) == f"#### #{entry['rank']} · {entry['service']} · {entry['name']}"
    assert len(breakdown_specs(at)) == 1, "the score's breakdown is drawn"
    said = texts(at.markdown)
    assert f"**Score {entry['score']:.1f}.**" in said and ("drove this score" in said or "this score" in said)
    # the link of what is open, and the picker in step with it
    assert at.query_params["entry"] in (entry["entry_id"], [entry["entry_id"]])
    assert at.selectbox(key="drill_group").value.startswith(f"#{entry['rank']} ·")
    # the picker, used next, wins over the row still selected
    box = at.selectbox(key="drill_group")
    other = next(o for o in box.options if o.startswith("#1 ·"))
    box.select(other)
    at.run()
    assert open_heading(at).startswith("#### #1 ·")


def a_harmless_entry(at: AppTest) -> pd.Series:
    """A suppressed alert-group entry on a stage whose metrics were measured and fine (no harm)."""
    entries = entries_of(at.session_state["_live_queue"].queue())
    fine = entries[entries["kind"].eq("alert_group") & entries["harm"].eq(0) & entries["stage"].notna()
                   & entries["suppressed"]]
    assert len(fine), "the sample has alerts on stages that were fine"
    return fine.iloc[0]


def test_the_url_names_the_entry_to_open_even_a_suppressed_one(workspace, start):
    at = start()
    entry = a_harmless_entry(at)
    at.query_params["entry"] = entry["entry_id"]
    at.run()
    assert not at.exception and not at.error, texts(at.error)
    assert open_heading(at).startswith(f"#### #{entry['rank']} · {entry['service']}")
    # why it sank: the harm evidence (none measured) kept a tenth of the score, said plainly and drawn
    assert "No measured harm in its window cut this score to a tenth" in texts(at.markdown)
    spec = breakdown_specs(at)[0]
    assert "Harm evidence (corroboration)" in spec and "harm cut" in spec


def test_the_overview_opens_a_drill_down_through_session_state(workspace, start):
    at = start()
    entry = page_entries(at).iloc[0]
    at.session_state["drill_entry"] = entry["entry_id"]
    at.run()
    assert open_heading(at).startswith(f"#### #1 · {entry['service']}")
    assert breakdown_specs(at) and "Linked incident" in texts(at.markdown)
    alerts = next(d.value for d in at.dataframe if "message" in d.value.columns)
    entries = entries_of(at.session_state["_live_queue"].queue()).set_index("entry_id")
    ids = set(entries.loc[entry["entry_id"], "alert_ids"].split(";"))
    assert set(alerts["alert_id"]) == ids and alerts["message"].notna().any(), "every member alert, by its id"
    assert alerts["link"].astype(str).str.startswith("http").any(), "Alertmanager's generatorURL is the source link"


def test_an_unknown_entry_in_the_url_is_a_warning(workspace, start):
    at = start()
    at.query_params["entry"] = "no-such-entry"
    at.run()
    assert not at.exception and not at.error
    assert "No entry no-such-entry" in texts(at.warning) and not open_heading(at)


def test_the_queue_table_has_human_headers(workspace, start):
    at = start()
    table = next(d for d in at.dataframe if d.key == "ranked_table" or "entry_id" in d.value.columns)
    config = {c.get("label") for c in __import__("json").loads(table.proto.columns).values()}
    assert {"Score", "Stage", "Service", "Alert", "Lasted", "Harm"} <= config
    assert "alert_ids" not in table.value.columns, "the member alerts' ids stay on the server"
    assert table.value["lasted"].str.match(r"^(\d+ (min|h)( \d+ min)?|—)$").all()


def test_the_breakdown_chart_fits_its_data():
    from journeylens.app.charts import breakdown_chart
    from journeylens.notebooks.queue.explain import breakdown, waterfall
    from journeylens.notebooks.queue.scoring import resolve_profile

    row = {"impact": 9.0, "sensitivity": 1.0, "severity_component": 1.0, "exposure": 0.8, "confidence_component": 0.7,
           "duration_component": 0.5, "recurrence_component": 0.2, "harm": 0.0}
    steps = waterfall(breakdown(row, resolve_profile(None)))
    spec = breakdown_chart(steps, "Score, factor by factor").to_dict()
    bars, labels = spec["layer"]
    low, high = bars["encoding"]["x"]["scale"]["domain"]
    top = steps[["start", "end"]].max().max()
    assert low == 0 and top <= high <= top * 1.25, "the x axis runs from 0 to just past the highest bar"
    assert bars["encoding"]["y"]["sort"] == list(steps["label"]), "every factor has its row, in order"
    assert bars["mark"]["size"] > 0 and labels["mark"]["fontSize"] > 0
    assert bars["encoding"]["x"]["title"] and spec["title"] == "Score, factor by factor"
    widths = (steps["end"] - steps["start"]).abs()
    assert (widths > 0).all(), "no factor of this row is drawn as a zero-width bar"
