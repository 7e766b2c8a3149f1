"""notebooks/retro/suggestions.py: noise to suppress, late detection, playbooks; and accepting one."""

import shutil

from journeylens.notebooks.queue.ranking import ranked_alerts
from journeylens.notebooks.retro.governance import decide
from journeylens.notebooks.retro.suggestions import late_stages, playbook_hints, quiet_touchpoints
from journeylens.notebooks.retro.weekly import retro_context


def test_sample_suggestions_carry_evidence_and_effect(sample_dir):
    context = retro_context(sample_dir)
    quiet = quiet_touchpoints(context)
    assert quiet and all(s["kind"] == "suppress" and "never preceded harm" in s["evidence"] for s in quiet)
    assert all(s["stage"] not in ("checkout", "signup", "onboarding") for s in quiet)  # the incident stages stay
    hints = playbook_hints(context)
    assert any(h["incident_id"] == "INC-1007" and h["playbook"] == "psp-failover" for h in hints)
    assert late_stages(context) == []  # every sample incident was preceded by one of its alerts
    # a week without the incidents has no playbook hints
    assert playbook_hints(context, "2026-W42") == []


def test_accepting_a_suppression_suggestion_suppresses_those_groups(sample_dir, tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(sample_dir, ws)
    suggestion = quiet_touchpoints(retro_context(ws))[0]
    before = ranked_alerts(ws)
    target = before[(before["service"] == suggestion["service"]) & ~before["suppressed"]]
    assert len(target)
    decide(ws, {k: v for k, v in suggestion.items() if k not in ("evidence", "effect")}, True, "ana", "noise")
    after = ranked_alerts(ws)
    moved = after[after["group_id"].isin(target["group_id"])]
    assert moved["suppressed"].all() and moved["suppressed_reason"].str.startswith("retro: never preceded harm").all()
