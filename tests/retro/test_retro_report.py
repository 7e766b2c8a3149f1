"""notebooks/retro/report.py: the retro assembled once (every suggestion kind), and the notebook an analyst
opens on the real workspace, run headless on the sample."""

from pathlib import Path
from types import SimpleNamespace

import pytest
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.queue.queue_view import counts_text, queue_counts, ranked_frame
from journeylens.notebooks.retro import report
from journeylens.notebooks.retro.report import assemble_retro, retro_markdown
from journeylens.notebooks.retro.suggestions import decision_of, map_suggestions, suggestion_title

MAP = """\
journey: shop
stages:
  - {id: checkout, impact: 9, sensitivity: 1.0}
touchpoints:
  - {stage: checkout, match: {service: payments-api}}
"""


@pytest.fixture(scope="module")
def sample_retro(sample_dir):
    return assemble_retro(sample_dir)


def test_the_sample_retro_holds_every_part_the_report_and_the_page_show(sample_retro):
    found = sample_retro
    assert found["week"] == "all data" and found["volume"]["alerts"] == 249
    assert {"trends", "assumptions_due", "suggestions", "stages", "stability", "changes"} <= set(found)
    kinds = {s["kind"] for s in found["suggestions"]}
    assert {"threshold", "suppress", "playbook"} <= kinds  # the sample's history offers these
    for suggestion in found["suggestions"]:
        assert suggestion["evidence"] and suggestion["effect"] and suggestion_title(suggestion)
    text = retro_markdown(found)
    section = text.split("## Suggestions")[1].split("\n## ")[0]
    assert "| threshold | Tighten discovery · all · time to value (s) |" in section
    assert "| suppress | Suppress billing-service on renewal/billing |" in section


def test_the_retro_counts_the_queue_rank_and_the_app_count(sample_dir, sample_retro):
    """All data: the retro's counts are those of `journeylens rank` (queue_view.ranked_frame), in the same
    words; its coverage gaps are the needs-mapping lane of that queue, per service."""
    counts = queue_counts(ranked_frame(sample_dir))
    assert sample_retro["counts"] == counts
    text = retro_markdown(sample_retro)
    assert counts_text(counts) in text
    gaps = sample_retro["coverage_gaps"]
    assert (gaps["unmapped_groups"], gaps["unmapped_urgent"]) == (counts["needs_mapping"], counts["needs_mapping_urgent"])
    assert gaps["services"]["groups"].sum() == gaps["unmapped_groups"]
    section = text.split("## Coverage gaps")[1].split("\n## ")[0]
    assert f"{len(gaps['services'])} services need a touchpoint" in section and "| backup-cron |" in section
    weekly = sample_retro["trends"]
    assert weekly["unmapped_groups"].sum() == gaps["unmapped_groups"]  # every group fired in one week


def test_a_week_keeps_the_history_wide_suggestions_and_its_own(sample_dir, sample_retro):
    week = assemble_retro(sample_dir, "2026-W44")
    assert week["week"] == "2026-W44" and week["volume"]["alerts"] < sample_retro["volume"]["alerts"]
    thresholds = [s for s in week["suggestions"] if s["kind"] == "threshold"]
    assert thresholds == [s for s in sample_retro["suggestions"] if s["kind"] == "threshold"]


def test_map_suggestions_and_what_a_decision_records(tmp_path):
    ws = tmp_path / "ws"
    (tmp_path / "map.yaml").write_text(MAP)
    ingest_file(ws, "journey-map", tmp_path / "map.yaml")
    (tmp_path / "alerts.csv").write_text("fired_at,service,name,severity\n2026-01-05T10:00:00Z,payments-api,E,critical\n"
                                         "2026-01-05T10:05:00Z,payments-ledger,L,warning\n")
    ingest_file(ws, "alerts", tmp_path / "alerts.csv")
    [found] = map_suggestions(ws)
    assert found["service"] == "payments-ledger" and found["stage"] == "checkout"
    assert found["match"] == {"service": "payments-*"} and "1 of 1 alerts" in found["evidence"]
    assert decision_of(found) == {"kind": "map", "stage": "checkout", "match": {"service": "payments-*"},
                                  "service": "payments-ledger"}
    assert [s for s in assemble_retro(ws)["suggestions"] if s["kind"] == "map"] == [found]


def test_a_decision_records_what_it_decided_never_the_evidence():
    threshold = {"kind": "threshold", "action": "tighten", "stage": "checkout", "segment": "all",
                 "metric": "conversion", "z_min_now": 4.0, "z_min_suggested": 6.0, "evidence": "e", "effect": "f"}
    assert decision_of(threshold) == {"kind": "threshold", "stage": "checkout", "segment": "all",
                                      "metric": "conversion", "z_min_now": 4.0, "z_min_suggested": 6.0}
    playbook = {"kind": "playbook", "incident_id": "INC-1", "playbook": "p", "evidence": "e", "effect": "f"}
    assert decision_of(playbook) == {"kind": "playbook", "incident_id": "INC-1", "playbook": "p"}
    assert suggestion_title(threshold) == "Tighten checkout · all · conversion"


def test_the_notebook_opens_on_the_real_workspace_and_shows_its_retro(sample_dir, monkeypatch):
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(sample_dir))
    outputs, defs = report.app.run()
    assert defs["found"]["week"] == "all data" and defs["found"]["volume"]["alerts"] == 249
    assert defs["week_picker"].value == "all data"
    assert {"2026-W44", "2026-W45", "2026-W46"} <= set(defs["week_picker"].options)
    shown = outputs[-1].text
    assert "249" in shown and "Top 10 actioned" in shown and "Per stage (retro_stages.csv)" in shown
    assert "retro.md" in shown  # the download of the same writer's Markdown


def test_the_notebook_shows_the_week_picked(sample_dir):
    picked = {"workspace": Path(sample_dir), "week_picker": SimpleNamespace(value="2026-W44")}
    _, defs = report.app.run(defs=picked)
    assert defs["found"]["week"] == "2026-W44"
    assert defs["found"]["stages"].set_index("stage").loc["checkout", "incidents"] == 1


def test_the_notebook_never_creates_a_mistyped_workspace(tmp_path, monkeypatch):
    missing = tmp_path / "no-such-workspace"
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(missing))
    outputs, defs = report.app.run()
    assert "found" not in defs and not missing.exists()
    assert any(o is not None and "is no journeylens workspace" in o.text for o in outputs)
