"""queue/explain.py: the score's parts add back up to it, and the sentence names what moved it most."""

import math

import pytest
from journeylens.notebooks.queue.explain import (
    HARM_LABEL,
    breakdown,
    duration_words,
    explain,
    fraction_words,
    harm_state,
    harm_words,
    linked_incidents,
    member_alerts,
    sentence,
    source_link,
    waterfall,
)
from journeylens.notebooks.queue.scoring import COMPONENTS, reference_score, resolve_profile

PROFILE = resolve_profile(None)


def row(**changes) -> dict:
    """A critical checkout alert whose conversion dropped 53% in its window (the sample's outage)."""
    base = {"impact": 9.0, "sensitivity": 1.0, "stage_factor": 0.9, "severity_component": 1.0, "exposure": 1.0,
            "confidence_component": 0.7, "duration_component": 0.79, "recurrence_component": 0.0, "harm": 1.0,
            "harm_observed": True, "harm_metric": "conversion", "harm_value": 0.3333, "harm_baseline": 0.7094,
            "stage": "checkout", "severity": "critical", "duration_min": 75.0, "alert_count": 1}
    return {**base, **changes}


@pytest.mark.parametrize("changes", [
    {}, {"harm": 0.0, "harm_observed": False, "harm_metric": None}, {"harm": 0.35, "harm_value": math.nan},
    {"impact": 1.0, "sensitivity": 0.1, "stage_factor": 0.055}, {"recurrence_component": 0.6, "harm": 0.4},
])
@pytest.mark.parametrize("profile", [PROFILE, resolve_profile({"weights": {"severity": 1.0, "exposure": 0.05},
                                                                "corroboration": 0.5, "harm_exponent": 1.3})])
def test_the_parts_add_up_to_the_score(changes, profile):
    r = row(**changes)
    parts = breakdown(r, profile)
    assert list(parts["factor"]) == [*COMPONENTS, "harm"]
    assert parts["points"].sum() == pytest.approx(reference_score(r, profile), rel=1e-9)
    assert (parts["points"].iloc[:-1] >= 0).all() and parts["points"].iloc[-1] <= 0


def test_the_parts_add_up_to_the_sql_score_on_the_sample(sample_dir):
    from journeylens.notebooks.ingest.playbook_file import load_playbooks
    from journeylens.notebooks.queue.live_queue import LiveQueue
    from journeylens.notebooks.queue.profiles import load_profile

    live = LiveQueue(sample_dir)
    try:
        live.update(load_profile(sample_dir)["profile"], load_playbooks(sample_dir))
        queue, profile = live.queue(), live.profile
    finally:
        live.close()
    for record in queue.to_dict("records"):
        parts, said = explain(record, profile)
        assert parts["points"].sum() == pytest.approx(record["score"], rel=1e-6, abs=1e-6), record["group_id"]
        assert said.endswith(".") and f"{record['score']:.1f}" in said


def test_no_measured_harm_says_it_cut_the_score_to_a_tenth():
    r = row(harm=0.0, harm_observed=False, harm_metric=None, harm_value=0.69, harm_baseline=0.66)
    parts = breakdown(r, PROFILE)
    assert parts.iloc[-1]["label"] == HARM_LABEL and parts.iloc[-1]["value"] == pytest.approx(0.1)
    assert sentence(r, PROFILE).startswith("No measured harm in its window cut this score to a tenth")


def test_unmeasured_harm_is_named_as_the_default():
    r = row(harm=0.35, harm_observed=False, harm_metric=None, harm_value=math.nan)
    assert harm_state(r) == "unmeasured"
    assert "no journey metric could be read" in sentence(r, PROFILE).lower()


def test_observed_harm_names_the_strongest_component_and_the_drop():
    said = sentence(row(), PROFILE)
    assert said.startswith("Critical severity and a 53% conversion drop at checkout drove this score")


def test_a_row_on_no_customer_stage_says_little_is_at_stake():
    said = sentence(row(impact=1.0, sensitivity=0.1, stage_factor=0.055, stage=None), PROFILE)
    assert said.startswith("Little is at stake on no mapped customer stage")


def test_words():
    assert [fraction_words(x) for x in (0.1, 0.5, 0.37)] == ["a tenth", "half", "37%"]
    assert [duration_words(m) for m in (45, 120, 90)] == ["45 min", "2 h", "1 h 30 min"]
    assert harm_words(row(harm_metric="time_to_value_s", harm_value=2200.0, harm_baseline=936.0)) == (
        "time to value up 135% at checkout")
    assert harm_words(row(harm_metric=None)) == ""


def test_the_waterfall_chains_the_parts_and_ends_at_the_score():
    r = row(harm=0.0, harm_observed=False)
    steps = waterfall(breakdown(r, PROFILE))
    assert steps["start"].iloc[0] == 0
    assert steps["start"].iloc[1:-1].to_numpy() == pytest.approx(steps["end"].iloc[:-2].to_numpy())
    assert list(steps["kind"])[-2:] == ["harm cut", "score"]
    assert steps["end"].iloc[-1] == pytest.approx(reference_score(r, PROFILE)) == pytest.approx(steps["end"].iloc[-2])


def test_source_link_finds_a_tools_own_page():
    assert source_link('{"a": 1}', '{"payload": {"links": [{"href": "https://grafana.example/d/1"}]}}') == (
        "https://grafana.example/d/1")
    assert source_link('{"generatorURL": "http://prom:9090/graph"}') == "http://prom:9090/graph"
    assert source_link(None, "not json", '{"url": "ftp://nope"}') is None


def test_member_alerts_and_the_incident_that_names_them():
    import duckdb

    con = duckdb.connect()
    con.execute("create table alerts as select * from (values "
                "('a1', timestamp '2026-01-01 10:00', null::timestamp, 'am', 'pay', 'Err', 'critical', 'eu', 'fp1', "
                "'error rate 38%', '{}', '{\"generatorURL\": \"http://prom/g\"}'), "
                "('a2', timestamp '2026-01-01 09:00', null, 'pd', 'pay', 'Err', 'high', 'eu', 'fp2', 'm2', '{}', '{}'), "
                "('a3', timestamp '2026-01-01 11:00', null, 'pd', 'cart', 'X', 'low', 'eu', 'fp3', 'm3', '{}', '{}')) "
                "t(alert_id, fired_at, resolved_at, source, service, name, severity, region, fingerprint, message, "
                "labels, extra)")
    con.execute("create table incidents as select * from (values "
                "('INC-1', timestamp '2026-01-01 10:05', null::timestamp, 'actioned', 'checkout', 'rollback', 'n', "
                "null::varchar, 'fp1'), "
                "('INC-2', timestamp '2026-01-01 12:00', null, 'noise', null, null, 'n', 'a3', null)) "
                "t(incident_id, opened_at, resolved_at, outcome, stage, playbook, notes, alert_ids, fingerprints)")
    alerts, count = member_alerts(con, "a1;a2")
    assert count == 2 and list(alerts["alert_id"]) == ["a2", "a1"], "first fired first"
    assert alerts["link"].isna().tolist() == [True, False] and alerts["link"].iloc[1] == "http://prom/g"
    assert list(linked_incidents(con, alerts, "a1;a2")["incident_id"]) == ["INC-1"]
    assert list(linked_incidents(con, *member_alerts(con, "a3")[:1], "a3")["incident_id"]) == ["INC-2"]
    empty, none = member_alerts(con, "")
    assert none == 0 and empty.empty and linked_incidents(con, empty, "").empty
