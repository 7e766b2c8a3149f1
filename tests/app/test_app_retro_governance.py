"""The Retro and Governance pages through Streamlit's AppTest."""

import json
from pathlib import Path

import pytest
from journeylens.notebooks.retro.governance import decisions

RETRO, GOVERNANCE = "views/retro.py", "views/governance.py"


@pytest.fixture
def workspace(app_sample_copy) -> Path:
    """A private copy of the sample: these tests store labels, decisions or edit the audit log."""
    return app_sample_copy


def test_retro_page_shows_the_week_and_records_a_decision(workspace, open_page):
    at = open_page(RETRO)
    assert at.title[0].value == "Retro" and not at.error
    labels = {m.label: m.value for m in at.metric}
    assert labels["Alerts"] == "249" and labels["Top 10 actioned"] == "9"
    stages = next(df.value for df in at.dataframe if "restore_min" in df.value.columns)
    assert set(stages["stage"]) == {"discovery", "signup", "onboarding", "checkout", "renewal"}
    at.selectbox(key="retro_week").set_value("2026-W44")
    at.run()
    assert not at.exception
    stages = next(df.value for df in at.dataframe if "restore_min" in df.value.columns)
    assert stages.set_index("stage").loc["checkout", "incidents"] == 1
    accept = [b for b in at.button if str(b.key).startswith("accept-")]
    assert accept, "the sample's history offers thresholds to tune"
    at.text_input(key="retro_who").input("ana")
    accept[0].click()
    at.run()
    assert not at.exception and len(decisions(workspace)) == 1


def test_a_decision_leaves_the_open_list_and_shows_what_was_decided(workspace, open_page):
    at = open_page(RETRO)
    titles = [m.value for m in at.markdown if m.value.startswith("**") and "z_min" in m.value]
    assert titles, "the sample's history offers thresholds to tune"
    chosen = titles[0].split("**")[1]
    at.text_input(key="retro_who").input("ana")
    next(t for t in at.text_input if str(t.key).startswith("why-")).input("cuts noise")  # the first card's
    at.run()
    next(b for b in at.button if str(b.key).startswith("accept-")).click()
    at.run()
    assert not at.exception and not [e for e in at.error if "Suppression would have hidden" not in e.value]
    left = [m.value for m in at.markdown if m.value.startswith("**") and "z_min" in m.value]
    assert len(left) == len(titles) - 1 and not any(m.startswith(f"**{chosen}**") for m in left)
    assert not [t.value for t in at.text_input if str(t.key).startswith("why-") and t.value]  # no why slid over
    decided = next(df.value for df in at.dataframe if "decision" in df.value.columns)
    assert decided.iloc[0][["suggestion", "decision", "who", "why"]].tolist() == [chosen, "accepted", "ana",
                                                                                    "cuts noise"]
    at = open_page(RETRO)  # a reload reads the decision store: still gone, still decided
    again = [m.value for m in at.markdown if m.value.startswith("**") and "z_min" in m.value]
    assert again == left


def test_a_decision_without_a_name_is_refused_on_its_card_and_records_nothing(workspace, open_page):
    at = open_page(RETRO)
    cards = [m.value for m in at.markdown if m.value.startswith("**") and "z_min" in m.value]
    next(b for b in at.button if str(b.key).startswith("accept-")).click()
    at.run()
    assert not at.exception and decisions(workspace).empty
    assert [e.value for e in at.error if "name" in e.value] == ["Give your name first: every decision records who made it."]
    assert [m.value for m in at.markdown if m.value.startswith("**") and "z_min" in m.value] == cards
    at.run()  # the refusal is said once, not on every later run
    assert not [e for e in at.error if "name" in e.value]


def test_a_decision_that_cannot_be_stored_says_so_without_a_traceback(workspace, open_page, monkeypatch):
    def full_disk(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr("journeylens.notebooks.retro.governance.decide", full_disk)  # the page imports it
    at = open_page(RETRO)
    at.text_input(key="retro_who").input("ana")
    next(b for b in at.button if str(b.key).startswith("accept-")).click()
    at.run()
    assert not at.exception and decisions(workspace).empty
    assert any("recording the decision: No space left on device" in e.value for e in at.error)
    assert not [s for s in at.success if s.value.startswith("Accepted")]


def test_retro_page_counts_the_queue_the_ranked_page_counts_and_its_coverage_gaps(workspace, open_page):
    from journeylens.notebooks.queue.queue_view import counts_text, queue_counts, ranked_frame

    at = open_page(RETRO)
    assert not at.error
    counts = queue_counts(ranked_frame(workspace))
    assert counts_text(counts) in "\n".join(c.value for c in at.caption)
    gaps = next(df.value for df in at.dataframe if "urgent_groups" in df.value.columns)
    assert gaps["groups"].sum() == counts["needs_mapping"] and "backup-cron" in set(gaps["service"])
    assert any(h.value.startswith(f"Coverage gaps ({counts['needs_mapping']} unmapped groups") for h in at.subheader)


def test_the_page_offers_the_retro_md_the_cli_writes(workspace, open_page, tmp_path, monkeypatch):
    """One assembly (report.assemble_retro) and one writer (report.write_retro): the Markdown the Retro page
    offers for download is the file `journeylens retro` writes, suggestions of every kind included."""
    from journeylens.app.cli import main
    from streamlit.testing.v1 import app_test

    stores = []

    class KeptStorage(app_test.MemoryMediaFileStorage):  # AppTest's media store, kept to read the download
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            stores.append(self)

    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", KeptStorage)
    at = open_page(RETRO)
    button = next(b for b in at.get("download_button") if b.proto.label == "Download retro.md")
    offered = stores[-1].get_file(Path(button.proto.url).stem).content.decode("utf-8")
    assert main(["retro", "--workspace", str(workspace), "--out", str(tmp_path / "retro")]) == 0
    written = (tmp_path / "retro" / "retro.md").read_text(encoding="utf-8")
    assert offered == written
    suggestions = written.split("## Suggestions")[1].split("\n## ")[0]
    assert "| threshold |" in suggestions and "| suppress |" in suggestions and "| playbook |" in suggestions


def test_governance_page_reports_the_chain(workspace, open_page):
    at = open_page(GOVERNANCE)
    assert any("Audit chain intact" in s.value for s in at.success)
    log = (workspace / "audit.jsonl").read_text().splitlines()
    entry = json.loads(log[0])
    entry["who"] = "someone else"
    (workspace / "audit.jsonl").write_text("\n".join([json.dumps(entry), *log[1:]]) + "\n")
    at = open_page(GOVERNANCE)
    assert any("Audit chain broken" in e.value for e in at.error)
    problems = next(df.value for df in at.dataframe if "problem" in df.value.columns)
    assert problems.iloc[0]["line"] == 1 and problems.iloc[0]["problem"] == "edited"
    # the repair runs only once confirmed, then the chain is intact again
    at.text_input(key="repair_why").input("someone edited line 1")
    at.checkbox(key="repair_sure").check()
    next(b for b in at.button if "Repair" in str(b.label)).click()
    at.run()
    assert not at.exception and any("Trail repaired" in s.value for s in at.success)
    assert any("Audit chain intact" in s.value for s in at.success)
    assert (workspace / "quarantine").is_dir()


def test_governance_page_filters_the_audit_log(workspace, open_page):
    at = open_page(GOVERNANCE)
    log = next(df.value for df in at.dataframe if "action" in df.value.columns and "why" in df.value.columns)
    at.text_input(key="audit_filter").input("JOURNEY-MAP")
    at.run()
    shown = next(df.value for df in at.dataframe if "action" in df.value.columns and "why" in df.value.columns)
    assert 0 < len(shown) < len(log) and shown["what"].str.contains("kind: journey-map").all()


def test_accepting_a_mapping_in_the_retro_makes_a_map_version_the_governance_page_diffs(
        tmp_path, monkeypatch, clear_streamlit_caches, open_page):
    from journeylens.notebooks.ingest.upload import ingest_file
    from journeylens.notebooks.queue.map_versions import map_versions

    ws = tmp_path / "ws"
    (tmp_path / "map.yaml").write_text("journey: shop\nstages:\n  - {id: checkout, impact: 9, sensitivity: 1.0}\n"
                                       "touchpoints:\n  - {stage: checkout, match: {service: payments-api}}\n")
    ingest_file(ws, "journey-map", tmp_path / "map.yaml")
    (tmp_path / "alerts.csv").write_text("fired_at,service,name,severity\n2026-01-05T10:00:00Z,payments-api,E,critical\n"
                                         "2026-01-05T10:05:00Z,payments-ledger,L,warning\n")
    ingest_file(ws, "alerts", tmp_path / "alerts.csv")
    monkeypatch.setenv("JOURNEYLENS_WORKSPACE", str(ws))
    at = open_page(RETRO)
    at.text_input(key="retro_who").input("ana")
    at.run()
    next(b for b in at.button if str(b.key).startswith("map-accept-")).click()
    at.run()
    assert not at.exception and not at.error
    assert len(map_versions(ws)) == 2
    at = open_page(GOVERNANCE)
    diff = next(df.value for df in at.dataframe if "change" in df.value.columns and "part" in df.value.columns)
    assert list(diff["change"]) == ["added"] and "payments-*" in diff["detail"][0]
