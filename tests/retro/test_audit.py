"""`journeylens audit`: a one-off audit in a throw-away workspace, and the report functions it uses."""

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.queue.queue_view import QUEUE_COLUMNS, counts_text
from journeylens.notebooks.retro.audit_report import (
    audit_charts,
    audit_summary,
    read_profile_file,
    reason_kind,
    report_html,
    report_markdown,
    run_audit,
    write_report,
)
from journeylens.notebooks.workspace.contract import IngestError
from queue_csvs import counts_of_csvs

JOURNEYLENS = str(Path(sys.executable).parent / "journeylens")
SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
SPEC_COLUMNS = ("rank", "group_id", "alert_ids", "service", "name", "stage", "touchpoint", "first_fired_at",
                "last_fired_at", "alert_count", "severity", "score", "suppressed", "suppressed_reason",
                "severity_component", "exposure", "confidence_component", "duration_component",
                "recurrence_component")


def run(*args):
    return subprocess.run([JOURNEYLENS, *map(str, args)], capture_output=True, text=True, timeout=300)


def sample_files(kind: str) -> list:
    return [SAMPLE / entry["file"] for entry in json.loads((SAMPLE / "files.json").read_text())
            if entry["kind"] == kind]


def audit_args(out, alerts=None, extra=()):
    args = ["audit", "--alerts", *(alerts or sample_files("alerts")), "--journey-map", *sample_files("journey-map")]
    for kind in ("metrics", "incidents", "changes"):
        args += [f"--{kind}", sample_files(kind)[0]]
    return [*args, *extra, "--out", out]


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    out = tmp_path_factory.mktemp("audit") / "out"
    result = run(*audit_args(out))
    return result, out


def test_audit_writes_the_three_files(audited):
    result, out = audited
    assert result.returncode == 0, result.stderr
    for name in ("ranked_alerts.csv", "ranked_queue.csv", "report.md", "report.html"):
        assert (out / name).is_file()
    assert not (out / "ai_metrics.csv").exists()
    assert "stored" in result.stderr  # progress and ingest messages go to stderr


def test_ranked_alerts_csv_follows_the_spec(audited):
    _, out = audited
    with open(out / "ranked_alerts.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert set(SPEC_COLUMNS) <= set(rows[0])
    assert rows[0]["rank"] == "1" and rows[0]["service"] == "payments-gateway"
    assert len(rows) > 10 and [int(r["rank"]) for r in rows] == list(range(1, len(rows) + 1))


def test_report_md_has_coverage_top_groups_and_noise(audited):
    _, out = audited
    text = (out / "report.md").read_text()
    assert "## Mapping coverage" in text and "mapped share" in text
    assert "backup-cron" in text  # the biggest unmapped service of the sample world
    assert "## Top 10 ranked groups" in text and "payments-gateway" in text
    assert "## Noise reduction" in text and "alerts ->" in text and "groups ->" in text
    assert "datadog_events.csv" in text and "journey_map.yaml" in text


def test_report_html_is_self_contained(audited):
    _, out = audited
    page = (out / "report.html").read_text()
    assert "vegaEmbed" in page and "vega-lite" in page.lower()
    assert len(page) > 300_000  # the vega, vega-lite and vega-embed bundle is inlined
    specs = json.loads(re.search(r'<script type="application/json" id="vega-specs">(.*?)</script>', page, re.S)[1])
    assert len(specs) == 2 and all(spec["spec"]["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
                                   for spec in specs)
    assert not re.search(r"<script[^>]*\bsrc\s*=", page)
    assert not re.search(r"<link[^>]*href\s*=\s*[\"']?https?://", page)
    assert "cdn.jsdelivr" not in page and "unpkg.com" not in page


def test_bad_alerts_file_is_refused_and_nothing_written(tmp_path):
    rows = (SAMPLE / "world" / "datadog_events.csv").read_text().splitlines()[:3]
    fields = rows[2].split(",")
    fields[1] = "yesterday"  # date_happened
    bad = tmp_path / "bad_datadog.csv"
    bad.write_text("\n".join([rows[0], rows[1], ",".join(fields)]) + "\n")
    out = tmp_path / "out"
    result = run(*audit_args(out, alerts=[*sample_files("alerts")[:1], bad]))
    assert result.returncode == 2
    assert "bad_datadog.csv" in result.stderr and "row 2" in result.stderr and "date_happened" in result.stderr
    assert not out.exists()


def test_ai_and_scores_give_ai_metrics_csv(tmp_path):
    out = tmp_path / "out"
    result = run(*audit_args(out, alerts=sample_files("alerts")[:1],
                             extra=["--ai", *sample_files("ai")[:1], "--scores", sample_files("scores")[0]]))
    assert result.returncode == 0, result.stderr
    with open(out / "ai_metrics.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    spec = ["feature", "segment", "interactions", "with_user_signal", "acceptance_rate", "edit_rate", "fallback_rate",
            "task_completion_rate", "silent_failure_rate", "weighted_score", "cost_per_success", "p95_latency_ms",
            "retention_90d"]
    assert list(rows[0])[: len(spec)] == spec
    overall = [r for r in rows if r["feature"] == "all"]
    assert len(overall) == 1 and overall[0]["segment"] == "all"
    assert int(overall[0]["interactions"]) == sum(int(r["interactions"]) for r in rows
                                                  if r["segment"] == "all" and r["feature"] != "all")
    assert 0 < float(overall[0]["weighted_score"]) < 1
    assert "AI outcome metrics" in (out / "report.md").read_text()


def test_profile_file_is_used(tmp_path):
    profile = tmp_path / "strict.yaml"
    profile.write_text("threshold: 1000\nthreshold_spares_harm: false\n")
    out = tmp_path / "out"
    result = run(*audit_args(out, alerts=sample_files("alerts")[:1], extra=["--profile", profile]))
    assert result.returncode == 0, result.stderr
    with open(out / "ranked_alerts.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert any(row["harm_observed"] == "True" for row in rows)  # so the second key was read too
    # every group is suppressed but the needs-mapping lane's critical and high ones (never hidden)
    spared = [r for r in rows if r["lane"] == "needs_mapping" and r["severity"] in ("critical", "high")]
    assert all(row["suppressed"] == "True" for row in rows if row not in spared)
    assert all(row["suppressed"] == "False" for row in spared)
    assert "weight profile 'audit'" in (out / "report.md").read_text()


def test_bad_profile_file_is_refused(tmp_path):
    profile = tmp_path / "bad.json"
    profile.write_text('{"treshold": 5}')
    out = tmp_path / "out"
    result = run(*audit_args(out, alerts=sample_files("alerts")[:1], extra=["--profile", profile]))
    assert result.returncode == 2 and "bad.json" in result.stderr and "treshold" in result.stderr
    assert not out.exists()


def test_read_profile_file_accepts_json_and_partial_weights(tmp_path):
    path = tmp_path / "p.json"
    path.write_text('{"weights": {"severity": 0.5}}')
    profile = read_profile_file(path)
    assert profile["weights"]["severity"] == 0.5 and profile["weights"]["exposure"] == 0.30
    path.write_text('{"weights": {"severity": "high"}}')
    with pytest.raises(IngestError, match="weights.severity"):
        read_profile_file(path)


def test_reason_kind_drops_the_group_score():
    assert reason_kind("score 6.4 below the threshold 10.0") == "score below the threshold 10.0"
    assert reason_kind("maintenance window") == "maintenance window"


def test_report_of_an_empty_workspace_and_escaping(tmp_path):
    summary = audit_summary(tmp_path / "ws")
    assert summary["noise"]["alerts"] == 0 and summary["top"] == []
    assert len(audit_charts(summary)) == 2
    summary["uploads"] = [{"file_name": "<script>alert(1)</script>.csv", "kind": "alerts", "layout": "columns",
                           "format": "csv", "rows": 1}]
    page = report_html(summary, bundle="/* bundle */")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "| " in report_markdown(summary)
    paths = write_report({**summary, "ranked": summary["ranked"]}, tmp_path / "out")
    assert [p.name for p in paths] == ["ranked_alerts.csv", "ranked_queue.csv", "report.md", "report.html"]


def test_audit_routes_with_a_playbook_catalogue(tmp_path):
    world = Path(__file__).resolve().parents[2] / "sample_data"
    out = tmp_path / "out"
    result = subprocess.run(
        [JOURNEYLENS, "audit", "--alerts", str(world / "world" / "alertmanager.jsonl"),
         "--journey-map", str(world / "world" / "journey_map.yaml"),
         "--playbooks", str(world / "playbooks.yaml"), "--out", str(out)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader((out / "ranked_alerts.csv").open()))
    assert any(r["playbook"] == "psp-failover" for r in rows) and all(r["playbook"] for r in rows)


def test_run_audit_stores_ranks_writes_and_leaves_no_workspace(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # where the throw-away workspace goes
    (tmp_path / "tmp").mkdir()
    notes, progressed = [], set()
    files = [("journey-map", sample_files("journey-map")[0]), ("alerts", sample_files("alerts")[0])]
    out = tmp_path / "out"
    done = run_audit(files, out, playbooks_file=SAMPLE / "playbooks.yaml", note=notes.append,
                     progress=lambda name: lambda fraction, text: progressed.add(name))
    assert [p.name for p in done["paths"]] == ["ranked_alerts.csv", "ranked_queue.csv", "report.md", "report.html"]
    assert all(p.is_file() for p in done["paths"])
    assert notes[0].startswith("stored") and "journey_map.yaml" in notes[0] and "alertmanager.jsonl" in notes[1]
    assert notes[2:] == ["audit: ranking", f"audit: writing {out}"]
    assert progressed == {"journey_map.yaml", "alertmanager.jsonl"}
    assert done["summary"]["profile_name"] == "default" and done["summary"]["ai_metrics"] is None
    assert all(row["playbook"] for row in done["summary"]["top"])  # the catalogue was saved and used
    assert not list((tmp_path / "tmp").iterdir())


def test_run_audit_refuses_before_storing_anything(tmp_path):
    notes = []
    files = [("journey-map", sample_files("journey-map")[0]), ("alerts", sample_files("alerts")[0])]
    profile = tmp_path / "bad.yaml"
    profile.write_text("weights: {bogus: 1}\n")
    with pytest.raises(IngestError, match="weights.bogus"):
        run_audit(files, tmp_path / "out", profile_file=profile, note=notes.append)
    ingest_file(tmp_path / "ws", "journey-map", sample_files("journey-map")[0])
    with pytest.raises(IngestError, match="outside what a workspace stores"):
        run_audit(files, tmp_path / "ws" / "uploads", note=notes.append)
    assert notes == [] and not (tmp_path / "out").exists()


def test_ranked_queue_csv_agrees_with_ranked_alerts_and_the_report(audited):
    """One queue: every alert group of ranked_alerts.csv is in exactly one entry of ranked_queue.csv, in the
    same order, and report.md and the command line say what the two files hold, in the same words."""
    result, out = audited
    groups, queue = pd.read_csv(out / "ranked_alerts.csv"), pd.read_csv(out / "ranked_queue.csv")
    assert list(queue.columns) == list(QUEUE_COLUMNS)
    assert queue["rank"].tolist() == list(range(1, len(queue) + 1))
    assert {"alert_group", "journey_signal"} <= set(queue["kind"])  # signals queued, as the app does
    members = queue.assign(group_id=queue["member_group_ids"].str.split(";")).explode("group_id")
    # an incident's members may include the signals of its outage: ranked_alerts.csv holds alert groups only
    members = members[~members["group_id"].str.match(r"(sig|ai|slo)-")]
    assert sorted(members.loc[members["kind"].isin(["alert_group", "incident"]), "group_id"]) == sorted(
        groups["group_id"])
    # an entry stands where its best member stands: unsuppressed entries by score, each at least its groups'
    open = queue[queue["suppressed"].astype(str) == "False"]
    assert (open["score"].astype(float).diff().dropna() <= 1e-9).all(), "entries keep the queue's order"
    best = groups.assign(score=groups["score"].astype(float)).set_index("group_id")["score"]
    entry_score = members.set_index("group_id")["score"].astype(float).groupby(level=0).max()
    assert (entry_score.to_numpy() >= best.reindex(entry_score.index).to_numpy() - 1e-9).all()
    line = counts_text(counts_of_csvs(groups, queue))
    report = (out / "report.md").read_text()
    assert line in report and line in result.stderr


def test_the_report_lists_the_needs_mapping_lane_critical_first(audited):
    _, out = audited
    groups = pd.read_csv(out / "ranked_alerts.csv")
    unmapped = groups[groups["stage"].isna()]
    assert len(unmapped) and unmapped["lane"].eq("needs_mapping").all()
    report = (out / "report.md").read_text()
    section = report.split("## Needs mapping")[1].split("\n## ")[0]
    assert f"{len(unmapped)} alert groups on services no touchpoint claims" in section
    rows = [line.split(" | ") for line in section.splitlines() if line.startswith("| ") and "---" not in line][1:]
    severities = [cells[3] for cells in rows]
    urgent = [s in ("critical", "high") for s in severities]
    assert urgent and urgent == sorted(urgent, reverse=True), "critical/high first"
    assert "## Top 10 queue entries (ranked_queue.csv)" in report
