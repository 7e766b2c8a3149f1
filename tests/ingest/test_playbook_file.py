"""The playbook catalogue as a versioned workspace configuration: multi-signal conditions and the approval
gate per tier checked, refusals naming the playbook and field (notebooks/ingest/playbook_file.py,
playbook_rules.py)."""

import json

import pytest
import yaml
from journeylens.notebooks.ingest.playbook_file import (
    catalogue_text,
    ingest_playbooks,
    load_catalogue,
    load_playbooks,
    parse_catalogue,
    save_playbooks,
    store_catalogue,
)
from journeylens.notebooks.ingest.playbook_rules import tier_shown
from journeylens.notebooks.workspace.contract import IngestError
from journeylens.notebooks.workspace.versions import save_version

CATALOGUE = """\
tiers:
  auto-mitigate: {approval: required}
playbooks:
  - id: checkout-in-signup-surge
    stage: checkout
    action: Scale checkout, shed recommendations
    tier: auto-mitigate
    owner: payments-oncall
    when:
      within_minutes: 30
      all:
        - {stage: checkout, match: {name: "*Latency*"}}
        - {stage: signup, match: {name: "*Surge*"}}
  - id: review
    action: Triage
    tier: human-review
    owner: sre
"""


def test_a_catalogue_with_when_and_tiers_is_read():
    parsed = parse_catalogue(CATALOGUE)
    first, second = parsed["playbooks"]
    assert first["when"] == {"within_minutes": 30, "all": [{"stage": "checkout", "match": {"name": "*Latency*"}},
                                                           {"stage": "signup", "match": {"name": "*Surge*"}}]}
    assert (first["approval"], second["approval"]) == ("required", "none")
    assert parsed["tiers"]["incident-room"] == {"approval": "none"}
    assert tier_shown(first) == "auto-mitigate (needs approval)" and tier_shown(second) == "human-review"
    again = parse_catalogue(catalogue_text(parsed))
    assert again == parsed, "the editor's YAML reads back to the same catalogue"


def bad(playbook_patch: dict | None = None, tiers=None) -> str:
    entry = {"id": "x", "action": "a", "tier": "auto-mitigate", "owner": "o", **(playbook_patch or {})}
    document = {"playbooks": [{"id": "ok", "action": "a", "tier": "human-review", "owner": "o"}, entry]}
    if tiers is not None:
        document["tiers"] = tiers
    return yaml.safe_dump(document)


@pytest.mark.parametrize("text, row, column", [
    (bad({"when": {"all": []}}), "playbooks[2]", "when.all"),
    (bad({"when": {"all": [{"stage": "checkout", "match": {"colour": "red"}}]}}), "playbooks[2]",
     "when.all[1].match.colour"),
    (bad({"when": {"all": [{"stage": "*"}]}}), "playbooks[2]", "when.all[1]"),
    (bad({"when": {"all": [{"stage": "checkout"}], "within_minutes": -5}}), "playbooks[2]", "when.within_minutes"),
    (bad({"when": {"any": [{"stage": "checkout"}]}}), "playbooks[2]", "when.any"),
    (bad({"approve": "yes"}), "playbooks[2]", "approve"),
    (bad({"id": "ok"}), "playbooks[2]", "id"),
    (bad({"match": {"colour": "red"}}), "playbooks[2]", "match.colour"),
    (bad(tiers={"auto-mitigate": {"approval": "maybe"}}), "tiers", "auto-mitigate.approval"),
    (bad(tiers={"robots": {"approval": "required"}}), "tiers", "robots"),
])
def test_bad_catalogues_are_refused_naming_playbook_and_field(text, row, column):
    with pytest.raises(IngestError) as refused:
        parse_catalogue(text, "team.yaml")
    assert (refused.value.row, refused.value.column) == (row, column)
    assert "team.yaml" in str(refused.value)


def test_ingest_stores_versions_with_an_audit_entry_and_skips_the_same_file(tmp_path):
    ws, file = tmp_path / "ws", tmp_path / "team.yaml"
    file.write_text(CATALOGUE)
    assert ingest_playbooks(ws, file, author="dana") == {"status": "stored", "version": 1, "playbooks": 2}
    assert ingest_playbooks(ws, file)["status"] == "unchanged"
    edited = CATALOGUE.replace("within_minutes: 30", "within_minutes: 45")
    assert store_catalogue(ws, edited, "edited catalogue", why="wider window")["version"] == 2
    catalogue = load_catalogue(ws)
    assert catalogue["version"] == 2 and catalogue["playbooks"][0]["when"]["within_minutes"] == 45
    assert load_catalogue(ws, 1)["author"] == "dana"
    trail = [json.loads(line) for line in (ws / "audit.jsonl").read_text().splitlines()]
    assert [e["what"]["version"] for e in trail if e["action"] == "playbook.saved"] == [1, 2]
    file.write_text("playbooks:\n  - {id: x, action: a, tier: sometimes, owner: o}\n")
    with pytest.raises(IngestError, match="tier"):
        ingest_playbooks(ws, file)
    assert load_catalogue(ws)["version"] == 2, "a refused catalogue stores nothing"


def test_catalogues_saved_before_the_gate_need_no_approval(tmp_path):
    ws = tmp_path / "ws"
    old = {"id": "x", "stage": "*", "match": {}, "action": "a", "tier": "auto-mitigate", "owner": "o"}
    save_version(ws, "playbooks", "catalogue", {"playbooks": [old]})  # as versions before the gate were stored
    assert load_playbooks(ws)[0]["approval"] == "none"
    save_playbooks(ws, [{**old, "approval": "required"}])
    assert load_catalogue(ws)["tiers"]["auto-mitigate"] == {"approval": "required"}
