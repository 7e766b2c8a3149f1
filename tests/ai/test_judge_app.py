"""The AI outcomes page's judge run against bad servers (issue 11 §4): the failed count and an early stop
are a message on the page, never a traceback."""

import json

from fake_openai import FakeOpenAI, completion, refused_url
from test_judge import KEY

PAGE = "views/ai.py"


def run_judge(at, base_url: str, limit: int):
    at.text_input(key="judge_url").input(base_url)
    at.number_input(key="judge_limit").set_value(limit)
    at.button(key="judge_run").click()
    at.run()
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    return [w.value for w in at.warning]


def test_failed_calls_are_counted_on_the_page(app_sample_copy, open_page, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)

    def behaviour(body, n):
        if n == 1:
            return 401, {"error": {"message": "no"}}, {}  # not worth another attempt: one failed call
        label = body["messages"][0]["content"].split("Allowed labels: ")[1].split(" ")[0]
        return 200, completion(json.dumps({"explanation": "fine", "label": label})), {}

    at = open_page(PAGE)
    with FakeOpenAI(behaviour) as server:
        warnings = run_judge(at, server.base_url, 2)
    assert any("Judged 5, failed 1, unparsed 0, not run 0" in w and "HTTP 401" in w for w in warnings), warnings
    assert any("1 failed before" in c.value for c in at.caption)  # the next run retries it


def test_an_early_stop_is_a_message(app_sample_copy, open_page, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    at = open_page(PAGE)
    with refused_url() as url:
        warnings = run_judge(at, url, 3)
    assert any("stopped early after 5 consecutive failures" in w and "connection failed" in w
               and "Judged 0, failed" in w for w in warnings), warnings
