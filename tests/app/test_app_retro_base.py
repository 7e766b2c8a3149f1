"""app/retro_base.py: one shared retro base per workspace state; a decision that changes the configuration
is worked out in the background while the page shows the figures from before it, and says so."""

import time

import pytest
from journeylens.app import retro_base as keeper_module
from journeylens.app.retro_base import RetroBases
from journeylens.notebooks.retro.governance import decide
from journeylens.notebooks.retro.report import assemble_retro
from journeylens.notebooks.retro.retro_base import retro_base

RETRO = "views/retro.py"


@pytest.fixture
def counted(monkeypatch):
    """retro_base as the keeper calls it, counting each run."""
    runs = []

    def counting(workspace):
        runs.append(str(workspace))
        return retro_base(workspace)

    monkeypatch.setattr(keeper_module, "retro_base", counting)
    return runs


def settle(keeper: RetroBases, ws: str, limit_s: float = 300) -> None:
    deadline = time.monotonic() + limit_s
    while not keeper.ready(ws):
        assert time.monotonic() < deadline, "the background retro never finished"
        time.sleep(0.2)


def test_the_base_is_worked_out_once_per_state_and_anew_in_the_background_after_a_decision(app_sample_copy, counted):
    ws, keeper = str(app_sample_copy), RetroBases()
    state, base, fresh = keeper.get(ws)
    assert fresh and counted == [ws]
    assert keeper.get(ws)[1] is base and counted == [ws]
    threshold = next(s for s in assemble_retro(ws, base=base)["suggestions"] if s["kind"] == "threshold")
    decide(ws, threshold, False, "ana", "not now")
    assert keeper.get(ws)[1] is base and len(counted) == 1, "a rejection changes nothing the base reads"
    decide(ws, threshold, True, "ana", "cuts noise")
    old_state, shown, fresh = keeper.get(ws)
    assert (old_state, shown, fresh) == (state, base, False), "the figures from before, while the new ones are made"
    time.sleep(0.5)
    assert len(counted) == 1, "the new base waits for the page's first poll: its answer is sent first"
    settle(keeper, ws)
    new_state, new_base, fresh = keeper.get(ws)
    assert fresh and new_state != state and new_base is not base and len(counted) == 2


def test_a_failed_base_raises_and_is_tried_again(app_sample_copy, monkeypatch):
    ws, keeper, runs = str(app_sample_copy), RetroBases(), []

    def failing_once(workspace):
        runs.append(1)
        if len(runs) == 1:
            raise OSError("disk went away")
        return retro_base(workspace)

    monkeypatch.setattr(keeper_module, "retro_base", failing_once)
    with pytest.raises(OSError, match="disk went away"):
        keeper.get(ws)
    assert keeper.get(ws)[2] and len(runs) == 2


def test_the_page_answers_a_threshold_decision_at_once_and_catches_up(app_sample_copy, open_page, counted):
    at = open_page(RETRO)
    assert counted == [str(app_sample_copy)]
    at.selectbox(key="retro_week").set_value("2026-W44")
    at.run()
    assert len(counted) == 1, "a week switch reads the shared base"
    at.text_input(key="retro_who").input("ana")
    next(b for b in at.button if str(b.key).startswith("accept-")).click()
    at.run()
    assert not at.exception
    assert any("being worked out again" in i.value for i in at.info), "the page says its figures are from before"
    settle(keeper_module.retro_bases(), str(app_sample_copy))
    at.run()
    assert not at.exception and not any("being worked out again" in i.value for i in at.info)
    assert len(counted) == 2
