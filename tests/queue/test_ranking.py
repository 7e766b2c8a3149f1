"""The ranked queue: real incidents first on the sample world, suppression kept and explained,
playbooks attached, versioned profiles, and the `journeylens rank` verb."""

import csv
import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from journeylens.notebooks.ingest.playbook_file import load_playbooks, parse_playbooks
from journeylens.notebooks.ingest.sample_workspace import SAMPLE_DIR, build_sample_workspace
from journeylens.notebooks.queue.profiles import load_profile, profile_diff, profile_history, save_profile
from journeylens.notebooks.queue.ranking import (
    RANKED_COLUMNS,
    queue_select,
    rank_alerts,
    ranked_alerts,
    rerank,
)
from journeylens.notebooks.queue.scoring import DEFAULT_PROFILE, resolve_profile
from journeylens.notebooks.workspace.snapshot import connect

JOURNEYLENS = str(Path(sys.executable).parent / "journeylens")
REAL_OUTCOMES = ("actioned", "escalated", "auto_mitigated")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    workspace = tmp_path_factory.mktemp("sample") / "ws"
    build_sample_workspace(workspace)
    return workspace


def incident_alert_keys(workspace) -> dict:
    """{incident_id: set of alert ids and fingerprints} of the sample's real incidents."""
    con = connect(workspace)
    rows = con.execute("select incident_id, alert_ids, fingerprints from incidents where outcome in "
                       "('actioned', 'escalated', 'auto_mitigated')").fetchall()
    con.close()
    return {i: {k for part in (a, f) if part for k in part.split(";") if k} for i, a, f in rows}


def group_keys(row, fingerprints: dict) -> set:
    ids = set(row["alert_ids"].split(";"))
    return ids | {fingerprints[i] for i in ids if fingerprints.get(i)}


def test_real_incidents_top_the_sample_queue(sample):
    queue = ranked_alerts(sample, include_suppressed=False)
    con = connect(sample)
    fingerprints = dict(con.execute("select alert_id, fingerprint from alerts").fetchall())
    con.close()
    incidents = incident_alert_keys(sample)
    assert len(incidents) >= 4
    related = [any(group_keys(row, fingerprints) & keys for keys in incidents.values())
               for _, row in queue.iterrows()]
    precision_at_10 = sum(related[:10]) / 10
    assert precision_at_10 >= 0.8, queue.head(10)[["service", "name", "score"]]
    top20 = [group_keys(row, fingerprints) for _, row in queue.head(20).iterrows()]
    found = [i for i, keys in incidents.items() if any(g & keys for g in top20)]
    assert len(found) >= len(incidents) - 1, (found, list(incidents))


def test_internal_criticals_never_outrank_customer_stages(sample):
    queue = ranked_alerts(sample)
    internal = queue[queue["service"].isin(["ci-runner", "backup-cron", "ldap-internal"])]
    assert len(internal) and internal["stage"].isna().all()
    assert internal["rank"].min() > 20


def test_csv_columns_and_every_score_explained_by_its_row(sample):
    queue = ranked_alerts(sample)
    assert list(queue.columns) == list(RANKED_COLUMNS)
    assert queue["rank"].tolist() == list(range(1, len(queue) + 1))
    unsuppressed = queue[~queue["suppressed"]]
    assert (unsuppressed["score"].diff().dropna() <= 1e-9).all()
    assert queue["suppressed"].iloc[len(unsuppressed):].all(), "suppressed groups rank last"
    recomputed = 100 * queue["stage_factor"] * queue["signal"] * queue["corroboration"]
    assert (recomputed - queue["score"]).abs().max() < 1e-9
    below = queue[queue["score"] < DEFAULT_PROFILE["threshold"]]
    noise = below[~below["harm_observed"]]
    # below the threshold without harm is suppressed, except the needs-mapping lane's critical and high groups
    spared = (noise["lane"] == "needs_mapping") & noise["severity"].isin(["critical", "high"])
    assert len(noise) and noise.loc[~spared, "suppressed"].all() and not noise.loc[spared, "suppressed"].any()
    assert noise.loc[~spared, "suppressed_reason"].str.contains("below the threshold").all()
    # a low score never hides observed harm: such a group stays in the queue, ranked by its score
    assert not below[below["harm_observed"]]["suppressed"].any()
    assert (queue["harm_observed"] <= (queue["harm"] > 0)).all()


def test_suppression_rules_mark_and_keep(sample, tmp_path):
    before = ranked_alerts(sample)
    save_profile(sample, "maintenance", {"suppress": [
        {"match": {"service": "payments-*"}, "from": "2026-10-26T14:00:00", "until": "2026-10-26T16:00:00",
         "reason": "PSP maintenance window"}]}, author="ana", comment="planned PSP work")
    after = ranked_alerts(sample, "maintenance")
    assert len(after) == len(before), "suppressed groups are never deleted"
    hidden = after[after["suppressed_reason"] == "PSP maintenance window"]
    assert len(hidden) >= 3 and (hidden["service"] == "payments-gateway").all()
    assert hidden["rank"].min() > (~after["suppressed"]).sum()


def test_playbooks_attach_first_match(sample):
    catalogue = load_playbooks(sample)
    assert [p["id"] for p in catalogue][:2] == ["psp-failover", "checkout-degradation"]
    queue = ranked_alerts(sample).set_index("service")
    assert queue.loc["payments-gateway", "playbook"].iloc[0] == "psp-failover"
    assert queue.loc["checkout-web", "playbook"].iloc[0] == "checkout-degradation"
    assert set(queue["automation_tier"].dropna()) <= {"auto-mitigate", "human-review", "incident-room"}
    assert queue["playbook"].notna().all(), "the catch-all review applies to everything else"


def test_playbook_catalogue_is_validated():
    with pytest.raises(Exception, match="tier"):
        parse_playbooks("playbooks:\n  - {id: x, action: a, tier: sometimes, owner: o}\n")


def test_profiles_are_named_versioned_and_diffable(tmp_path):
    ws = tmp_path / "ws"
    assert load_profile(ws)["version"] == 0
    save_profile(ws, "ops", {"weights": {"severity": 0.5}}, author="sam", comment="severity matters more")
    save_profile(ws, "ops", {"weights": {"severity": 0.5}, "threshold": 25}, author="ana", comment="quieter")
    history = profile_history(ws, "ops")
    assert [(h["version"], h["author"], h["comment"]) for h in history] == [
        (1, "sam", "severity matters more"), (2, "ana", "quieter")]
    assert load_profile(ws, "ops", 1)["profile"]["threshold"] == DEFAULT_PROFILE["threshold"]
    assert load_profile(ws, "ops")["profile"]["threshold"] == 25
    assert profile_diff(ws, "ops", 1, 2) == [("threshold", DEFAULT_PROFILE["threshold"], 25)]
    assert ("weights.severity", 0.3, 0.5) in profile_diff(ws, "ops", 0, 1)
    with pytest.raises(KeyError, match="no weight profile named 'nope'"):
        load_profile(ws, "nope")


def test_rank_verb_writes_the_csv(sample, tmp_path):
    out = tmp_path / "ranked.csv"
    result = subprocess.run([JOURNEYLENS, "rank", "--workspace", str(sample), "--top", "10", "--out", str(out)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 10 and rows[0]["rank"] == "1"
    for column in ("rank", "group_id", "alert_ids", "service", "name", "stage", "touchpoint", "first_fired_at",
                   "last_fired_at", "alert_count", "severity", "score", "suppressed", "suppressed_reason"):
        assert column in rows[0]
    stdout = subprocess.run([JOURNEYLENS, "rank", "--workspace", str(sample), "--top", "3"],
                            capture_output=True, text=True, timeout=300)
    assert len(pd.read_csv(io.StringIO(stdout.stdout))) == 3
    refused = subprocess.run([JOURNEYLENS, "rank", "--workspace", str(sample), "--profile", "nope"],
                             capture_output=True, text=True, timeout=300)
    assert refused.returncode == 2 and "no weight profile" in refused.stderr and "Traceback" not in refused.stderr


def test_sample_playbooks_file_ships():
    assert (SAMPLE_DIR / "playbooks.yaml").is_file()


def test_a_workspace_without_a_journey_map_still_ranks_by_signal(tmp_path):
    from journeylens.notebooks.ingest.upload import ingest_file

    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    ingest_file(tmp_path / "ws", "alerts", fixtures / "alertmanager_payloads.jsonl")
    queue = ranked_alerts(tmp_path / "ws")
    assert len(queue) == 4 and queue["stage"].isna().all()
    assert queue.iloc[0]["severity"] == "critical" and not queue.iloc[0]["suppressed"]
    assert (~queue["suppressed"]).sum() >= 3, "no map is no reason to call everything noise"
    assert ranked_alerts(tmp_path / "empty").empty


def test_a_weight_change_keeps_the_routed_rows_and_a_rule_change_routes_them_again(sample):
    """route_groups joins the groups to their rules once per rule set (routed_groups): a weight change
    re-scores the routed rows in place, a new suppression rule routes them again and suppresses its matches."""
    con = connect(sample)
    try:
        playbooks = load_playbooks(sample)
        rank_alerts(con, resolve_profile(None), playbooks)

        def routed() -> int:
            return con.execute("select table_oid from duckdb_tables() where table_name = 'routed_groups'").fetchone()[0]

        first, before = routed(), con.execute(queue_select(details=False)).df()
        heavier = {"weights": {"severity": 0.9}}
        rerank(con, resolve_profile(heavier), playbooks)
        after = con.execute(queue_select(details=False)).df()
        assert routed() == first, "a weight change routes nothing again"
        assert not before["score"].equals(after["score"]), "but every score follows the new weight"
        rule = {"match": {"service": "payments-*"}, "reason": "PSP known noise"}
        rerank(con, resolve_profile({**heavier, "suppress": [rule]}), playbooks)
        ruled = con.execute(queue_select(details=False)).df()
        assert routed() != first
        hidden = ruled[ruled["suppressed_reason"] == "PSP known noise"]
        assert len(hidden) and hidden["service"].str.startswith("payments-").all()
        assert ruled["playbook"].notna().all(), "the playbooks are routed again with the rules"
    finally:
        con.close()
