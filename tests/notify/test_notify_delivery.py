"""notebooks/notify/deliver.py on the sample workspace's real rule readings, against real local destinations
(fake_hooks.py): one message per entry per state change, escalation and resolve, retries, failures retried at
the next evaluation, the rate limit, dry runs, and the records (audit trail, delivery log) with no secret in them."""

import json
from datetime import UTC, datetime, timedelta

from journeylens.notebooks.notify.deliver import deliver, deliveries
from journeylens.notebooks.notify.state import load_state
from journeylens.notebooks.workspace.store import verify_workspace
from notify_configs import ROUTING_KEY, SECRETS, checked, text_under

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def actions(ws) -> list:
    return [json.loads(line)["action"] for line in (ws / "audit.jsonl").read_text().splitlines()]


def slack_texts(hooks) -> list:
    return [" ".join(b.get("text", {}).get("text", "") if b["type"] != "context" else b["elements"][0]["text"]
                     for b in r["json"]["blocks"]) for r in hooks.sent("/slack")]


def test_each_change_is_sent_once_and_the_same_data_again_sends_nothing(ws, hooks, found):
    config = checked()
    entries = found(config)
    assert [e["level"] for e in entries["top-outages"]] == [3, 2, 1, 1, 1], "the sample's five scores ≥ 35"
    first = deliver(ws, config, entries, now=T0)
    assert (first["fired"], first["sent"], first["failed"], first["deferred"]) == (6, 7, 0, 0)
    slack, pd, hook = hooks.sent("/slack"), hooks.sent("/pd"), hooks.sent("/hook")
    assert len(slack) == 1, "five entries of one rule are one Slack message"
    blocks = slack[0]["json"]["blocks"]
    assert blocks[0]["text"]["text"] == "journeylens · top-outages: 5 fired"
    assert len([b for b in blocks if b["type"] == "section"]) == 3 and "and 2 more in the app" in blocks[-1]["elements"][0]["text"]
    assert "stage *checkout*" in blocks[1]["text"]["text"] and "/ranked?entry=6c9e531a399cdbfb|" in blocks[1]["text"]["text"]
    assert len(pd) == 5 and {r["json"]["event_action"] for r in pd} == {"trigger"}, "PagerDuty: one event per entry"
    assert {r["json"]["routing_key"] for r in pd} == {ROUTING_KEY}
    assert pd[0]["json"]["payload"]["severity"] == "critical" and pd[0]["json"]["payload"]["group"] == "checkout"
    assert len(hook) == 1 and hook[0]["json"]["changes"][0]["title"].startswith("Shadow gpt-small-2026-11-rc is ready")

    again = deliver(ws, config, found(config), now=T0 + timedelta(minutes=5))
    assert (again["fired"], again["escalated"], again["resolved"], again["sent"]) == (0, 0, 0, 0)
    assert len(hooks.requests) == 7, "nothing more was sent"
    assert actions(ws).count("notify.sent") == 7 and verify_workspace(ws)["ok"]
    log = deliveries(ws)
    assert len(log) == 7 and set(log["status"]) == {"sent"} and log["at"].is_monotonic_decreasing
    assert log.iloc[-1]["changes"] == "5 fired" and log.iloc[-1]["destination"] == "oncall"


def test_a_score_past_a_higher_band_escalates_and_an_entry_gone_resolves(ws, hooks, found):
    deliver(ws, checked(shadow=False), found(checked(shadow=False)), now=T0)
    hooks.reset()
    # the same queue read with a band added at 50: the four entries scoring 50 or more are a level higher
    config = checked(shadow=False, bands=(50, 60, 75))
    raised = deliver(ws, config, found(config), now=T0 + timedelta(minutes=2))
    assert (raised["escalated"], raised["fired"], raised["sent"]) == (4, 0, 5)
    assert "journeylens · top-outages: 4 escalated" in slack_texts(hooks)[0]
    assert "ESCALATED* (level 3 → 4)" in slack_texts(hooks)[0]
    pd = hooks.sent("/pd")
    assert len(pd) == 4 and all(r["json"]["event_action"] == "trigger" for r in pd)
    hooks.reset()
    # a page score of 60: three entries drop out of the rule (one escalated, two not)
    config = checked(shadow=False, min_score=60, bands=(75,))
    gone = deliver(ws, config, found(config), now=T0 + timedelta(minutes=4))
    assert (gone["resolved"], gone["fired"], gone["escalated"]) == (3, 0, 0)
    assert "RESOLVED" in slack_texts(hooks)[0] and "3 resolved" in slack_texts(hooks)[0]
    assert "no longer found by the rule; when told: rank 3, score 53.3" in slack_texts(hooks)[0]
    resolves = hooks.sent("/pd")
    assert [r["json"]["event_action"] for r in resolves] == ["resolve"] * 3
    assert resolves[0]["json"]["dedup_key"].startswith("journeylens/ws/top-outages/")
    assert {k for (_, k, _) in load_state(ws)["entries"]} == {"6c9e531a399cdbfb", "658b86402c78c8a2"}


def test_server_errors_are_retried_and_retry_after_is_respected(ws, hooks, found):
    config = checked(shadow=False, top=1)
    hooks.answer("/slack", (500, "internal_error"), (200, "ok"))
    hooks.answer("/pd", (429, '{"status":"throttle"}', {"Retry-After": "1"}))
    result = deliver(ws, config, found(config), now=T0)
    assert result["sent"] == 2 and result["failed"] == 0
    assert len(hooks.sent("/slack")) == 2 and len(hooks.sent("/pd")) == 2
    first, second = hooks.sent("/pd")
    assert second["at"] - first["at"] >= 0.9, "waited as Retry-After asked"
    assert set(deliveries(ws)["attempts"]) == {2}


def test_a_failed_message_is_recorded_and_sent_at_the_next_evaluation(ws, hooks, found, monkeypatch):
    config = checked(shadow=False, top=2, attempts=2)
    hooks.answer("/slack", (503, "service unavailable"), (503, "service unavailable"))
    monkeypatch.setenv("JL_TEST_PD_URL", "http://127.0.0.1:9/pd/" + ROUTING_KEY)  # nothing listens on port 9
    failed = deliver(ws, config, found(config), now=T0)
    assert (failed["sent"], failed["failed"]) == (0, 3) and actions(ws).count("notify.failed") == 3
    assert load_state(ws)["entries"] == {}, "a failed change is still owed"
    log = deliveries(ws)
    assert set(log["status"]) == {"failed"} and "HTTP 503" in " ".join(log["error"])
    assert "Connection refused" in " ".join(log["error"])
    monkeypatch.setenv("JL_TEST_PD_URL", hooks.url("/pd/v2/enqueue"))
    hooks.reset()
    retried = deliver(ws, config, found(config), now=T0 + timedelta(minutes=1))
    assert (retried["fired"], retried["sent"], retried["failed"]) == (2, 3, 0)
    assert len(hooks.sent("/slack")) == 1 and len(hooks.sent("/pd")) == 2
    everything = text_under(ws) + str(failed) + str(retried)
    assert not [s for s in SECRETS if s in everything], "no secret in the records or the results"


def test_the_rate_limit_defers_what_is_over_it_to_later_evaluations(ws, hooks, found):
    config = checked(shadow=False, pd_per_minute=2)
    first = deliver(ws, config, found(config), now=T0)
    assert (first["sent"], first["deferred"]) == (3, 3), "Slack 1, PagerDuty 2 of 5"
    within = deliver(ws, config, found(config), now=T0 + timedelta(seconds=30))
    assert (within["sent"], within["deferred"]) == (0, 3), "the minute is not over"
    later = deliver(ws, config, found(config), now=T0 + timedelta(seconds=61))
    last = deliver(ws, config, found(config), now=T0 + timedelta(seconds=122))
    assert (later["sent"], later["deferred"], last["sent"], last["deferred"]) == (2, 1, 1, 0)
    keys = [r["json"]["dedup_key"] for r in hooks.sent("/pd")]
    assert len(keys) == len(set(keys)) == 5, "every entry paged once, none lost"


def test_a_dry_run_says_what_would_be_sent_and_sends_and_writes_nothing(ws, hooks, found):
    config = checked(pd_per_minute=3)
    before = {p.relative_to(ws): p.stat().st_mtime_ns for p in ws.rglob("*")}
    result = deliver(ws, config, found(config), dry_run=True, now=T0)
    assert hooks.requests == [] and {p.relative_to(ws): p.stat().st_mtime_ns for p in ws.rglob("*")} == before
    assert (result["sent"], result["deferred"]) == (0, 2)
    would = [m["would"] for m in result["messages"]]
    assert would.count("send") == 5 and would.count("defer") == 2
    slack = next(m for m in result["messages"] if m["type"] == "slack")
    assert slack["payload"]["blocks"][0]["text"]["text"] == "journeylens · top-outages: 5 fired"
    assert len(slack["changes"]) == 5 and not [s for s in SECRETS if s in json.dumps(result)]


def test_a_rule_that_cannot_be_read_resolves_nothing(ws, hooks, found):
    config = checked(shadow=False, top=2)
    deliver(ws, config, found(config), now=T0)
    result = deliver(ws, config, {"top-outages": KeyError("no weight profile named 'gone'")},
                     now=T0 + timedelta(minutes=1))
    assert result["errors"] == [{"rule": "top-outages", "error": "KeyError: \"no weight profile named 'gone'\""}]
    assert (result["resolved"], result["sent"]) == (0, 0) and len(load_state(ws)["entries"]) == 4


def test_an_unset_variable_fails_naming_it(ws, hooks, found, monkeypatch):
    monkeypatch.delenv("JL_TEST_PD_KEY")
    config = checked(shadow=False, top=1)
    result = deliver(ws, config, found(config), now=T0)
    assert (result["sent"], result["failed"]) == (1, 1) and hooks.sent("/pd") == []
    failure = next(d for d in result["deliveries"] if d["status"] == "failed")
    assert failure["error"] == "the environment variable JL_TEST_PD_KEY (the PagerDuty routing key) is not set"


def test_an_answer_echoing_the_secret_is_masked_and_a_bad_request_is_not_retried(ws, hooks, found):
    config = checked(shadow=False, top=1)
    hooks.answer("/pd", (400, json.dumps({"status": "invalid event", "errors": [f"routing key {ROUTING_KEY} unknown"]})))
    hooks.answer("/slack", (404, f"no_service for /services/{SECRETS[0]}"))
    result = deliver(ws, config, found(config), now=T0)
    assert result["failed"] == 2 and len(hooks.requests) == 2, "a 4xx other than 429 is not retried now"
    errors = " ".join(deliveries(ws)["error"])
    assert "HTTP 400" in errors and "routing key *** unknown" in errors and "no_service for /services/***/***/***" in errors
    assert not [s for s in SECRETS if s in text_under(ws) + json.dumps(result)]


def test_a_timeout_is_retried(ws, hooks, found):
    config = checked(shadow=False, top=1, timeout=0.3)
    hooks.answer("/slack", ("hang", 1.0))
    hooks.answer("/pd", ("hang", 1.0))
    result = deliver(ws, config, found(config), now=T0)
    assert (result["sent"], result["failed"]) == (2, 0)
    assert len(hooks.sent("/slack")) == 2 and len(hooks.sent("/pd")) == 2
    assert list(deliveries(ws)["attempts"]) == [2, 2]
