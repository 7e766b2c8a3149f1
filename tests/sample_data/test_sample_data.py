"""The sample world regenerates byte for byte and keeps the promises its README makes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from journeylens.sample_data.generate import FILES, files_json, generate

ROOT = Path(__file__).resolve().parents[2] / "sample_data"
WORLD = ROOT / "world"
KINDS = {"alerts", "journey-map", "metrics", "ai", "scores", "incidents", "changes"}
END = pd.Timestamp("2026-11-16T00:00:00Z")


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("world")
    generate(out)
    return out


def _listed() -> list[dict]:
    return json.loads((ROOT / "files.json").read_text())


def test_files_json_lists_every_world_file_in_load_order():
    listed = _listed()
    assert listed == FILES
    assert (ROOT / "files.json").read_text() == files_json()
    assert {f["kind"] for f in listed} <= KINDS
    assert listed[0]["kind"] == "journey-map"
    names = {Path(f["file"]).name for f in listed}
    assert "journey_map.yaml" in names
    assert names == {p.name for p in WORLD.iterdir()}


def test_regeneration_is_byte_identical(regenerated):
    names = {Path(f["file"]).name for f in _listed()} | {"journey_map.yaml"}
    for name in sorted(names):
        assert (regenerated / name).read_bytes() == (WORLD / name).read_bytes(), name


def test_world_stays_small():
    assert sum(p.stat().st_size for p in WORLD.iterdir()) < 7_000_000
    assert max(p.stat().st_size for p in WORLD.iterdir()) < 5_000_000


@pytest.fixture(scope="module")
def journey() -> dict:
    return yaml.safe_load((WORLD / "journey_map.yaml").read_text())


def test_journey_map_has_stages_rules_and_segments(journey):
    assert journey["journey"] == "storefront"
    stages = journey["stages"]
    assert len(stages) >= 5
    for s in stages:
        assert 1 <= s["impact"] <= 10 and 0 <= s["sensitivity"] <= 1
    ids = {s["id"] for s in stages}
    assert {"discovery", "signup", "onboarding", "checkout", "renewal"} <= ids
    values = [v for t in journey["touchpoints"] for v in t["match"].values()]
    keys = [k for t in journey["touchpoints"] for k in t["match"]]
    assert all(t["stage"] in ids for t in journey["touchpoints"])
    assert any("*" in v for v in values) and any(v.startswith("re:") for v in values)
    assert any(k.startswith("labels.") for k in keys)
    assert {s["id"]: s["weight"] for s in journey["segments"]} == {"free": 1.0, "pro": 1.3, "enterprise": 2.0}


def _alertmanager() -> list[dict]:
    lines = (WORLD / "alertmanager.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_three_alert_sources_over_thirty_days():
    payloads = _alertmanager()
    assert all(p["version"] == "4" and p["alerts"] for p in payloads)
    am = pd.to_datetime([a["startsAt"] for p in payloads for a in p["alerts"]], utc=True)
    pd_events = json.loads((WORLD / "pagerduty_events.json").read_text())
    assert {e["event_action"] for e in pd_events} == {"trigger", "resolve"}
    pdt = pd.to_datetime([e["payload"]["timestamp"] for e in pd_events], utc=True)
    dd = pd.read_csv(WORLD / "datadog_events.csv")
    assert list(dd.columns) == ["id", "date_happened", "title", "alert_type", "priority", "host", "service", "tags",
                                "monitor_id", "source_type_name"]
    ddt = pd.to_datetime(dd["date_happened"], unit="s", utc=True)
    for times in (am, pdt, ddt):
        assert times.min() >= END - pd.Timedelta(days=30) and times.max() < END
        assert times.max() - times.min() >= pd.Timedelta(days=28)


def test_alertmanager_renotifies_and_resolves():
    seen: dict[tuple, list[str]] = {}
    for p in _alertmanager():
        for a in p["alerts"]:
            seen.setdefault((a["fingerprint"], a["startsAt"]), []).append(a["status"])
            assert (a["endsAt"] == "0001-01-01T00:00:00Z") == (a["status"] == "firing")
    assert sum(1 for s in seen.values() if s.count("firing") > 1) >= 5
    resolved = sum(1 for s in seen.values() if "resolved" in s)
    assert resolved / len(seen) > 0.8
    flapping = {fp for fp, _ in seen}
    assert len(flapping) < len(seen)  # one labelset firing again and again


def test_internal_systems_are_unmapped_on_purpose(journey):
    services = {a["labels"]["service"] for p in _alertmanager() for a in p["alerts"]}
    rules = " ".join(str(v) for t in journey["touchpoints"] for v in t["match"].values())
    for internal in ("ci-runner", "backup-cron", "ldap-internal"):
        assert internal not in rules
    assert "ci-runner" in services


@pytest.fixture(scope="module")
def metrics() -> pd.DataFrame:
    m = pd.read_csv(WORLD / "journey_metrics.csv")
    m["ts"] = pd.to_datetime(m["ts"], utc=True)
    return m


def test_metrics_are_hourly_and_consistent(metrics):
    assert list(metrics.columns) == ["ts", "stage", "segment", "entered", "completed", "time_to_value_s",
                                     "satisfaction"]
    assert (metrics["completed"] <= metrics["entered"]).all() and (metrics["completed"] >= 0).all()
    assert metrics["ts"].nunique() == 30 * 24
    assert len(metrics) == 30 * 24 * metrics["stage"].nunique() * 3
    by_hour = metrics.groupby(metrics["ts"].dt.hour)["entered"].sum()
    assert by_hour.loc[3] < 0.2 * by_hour.loc[14]  # quiet nights


def _conversion(metrics: pd.DataFrame, stage: str, segment: str | None = None) -> pd.Series:
    m = metrics[metrics["stage"] == stage]
    if segment:
        m = m[m["segment"] == segment]
    g = m.groupby("ts")[["entered", "completed"]].sum()
    return g["completed"] / g["entered"]


@pytest.mark.parametrize("stage,when", [("checkout", "2026-10-26T14:00:00Z"), ("signup", "2026-11-03T10:00:00Z"),
                                        ("signup", "2026-11-03T11:00:00Z")])
def test_named_incidents_dent_conversion(metrics, stage, when):
    conv = _conversion(metrics, stage)
    t = pd.Timestamp(when)
    same_hour_of_week = conv[(conv.index.day_of_week == t.day_of_week) & (conv.index.hour == t.hour)].drop(t)
    assert len(same_hour_of_week) >= 3
    assert conv.loc[t] < 0.7 * same_hour_of_week.min()


def test_checkout_outage_hurts_enterprise_most(metrics):
    t = pd.Timestamp("2026-10-26T14:00:00Z")
    drops = {}
    for seg in ("free", "pro", "enterprise"):
        conv = _conversion(metrics, "checkout", seg)
        base = conv[(conv.index.day_of_week == 0) & (conv.index.hour.isin([13, 14, 15, 16]))].drop(t).median()
        drops[seg] = conv.loc[t] / base
    assert drops["enterprise"] == min(drops.values()) and drops["enterprise"] < 0.4


def test_onboarding_slowdown_raises_time_to_value(metrics):
    m = metrics[(metrics["stage"] == "onboarding") & (metrics["segment"] == "pro")].set_index("ts")
    ttv = m["time_to_value_s"]
    during = ttv.loc["2026-11-10T11:00:00Z":"2026-11-10T17:00:00Z"].mean()
    assert during > 2 * ttv.loc["2026-11-03T11:00:00Z":"2026-11-03T17:00:00Z"].mean()


@pytest.fixture(scope="module")
def ai() -> pd.DataFrame:
    parts = [pd.read_json(WORLD / name, lines=True, dtype=False)
             for name in ("ai_interactions_2026h2a.jsonl", "ai_interactions_2026h2b.jsonl")]
    return pd.concat(parts, ignore_index=True)


def test_ai_volume_span_and_genai_names(ai):
    prod = ai[~ai["shadow"]]
    assert len(prod) >= 10_000
    ts = pd.to_datetime(ai["ts"], utc=True)
    assert ts.max() - ts.min() >= pd.Timedelta(days=120) and ts.max() < END
    for col in ("gen_ai.request.model", "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens"):
        assert col in ai.columns
    assert "model_version" not in ai.columns
    assert set(ai["feedback"].dropna()) == {"up", "down"} and ai["feedback"].isna().any()
    assert ai["edited_output"].notna().sum() == ai["edited"].sum()


def test_shadow_rows_pair_with_production(ai):
    shadow = ai[ai["shadow"]]
    assert len(shadow) >= 200
    prod = ai[~ai["shadow"]].set_index("interaction_id")
    twins = prod.loc[shadow["shadow_of"]]
    assert (twins["user_id"].to_numpy() == shadow["user_id"].to_numpy()).all()
    assert (twins["prompt"].to_numpy() == shadow["prompt"].to_numpy()).all()
    assert shadow["gen_ai.request.model"].nunique() == 1
    assert pd.to_datetime(shadow["ts"], utc=True).min() >= END - pd.Timedelta(days=22)


def test_model_change_hurts_enterprise_only(ai):
    prod = ai[~ai["shadow"]]
    before = prod[prod["gen_ai.request.model"] == "gpt-small-2026-07"]
    after = prod[prod["gen_ai.request.model"] == "gpt-small-2026-09"]
    assert len(before) and len(after)
    for col in ("fallback", "edited"):
        rate = {k: d.groupby("segment")[col].mean() for k, d in (("b", before), ("a", after))}
        assert rate["a"]["enterprise"] > 1.5 * rate["b"]["enterprise"]
        assert rate["a"]["free"] < 1.3 * rate["b"]["free"]
    assert after["latency_ms"].quantile(0.95) <= before["latency_ms"].quantile(0.95)


def test_scores_have_llm_and_human_and_silent_failures(ai):
    s = pd.read_csv(WORLD / "eval_scores.csv")
    assert set(s["name"]) == {"task_completion", "relevance", "safety"}
    assert s["value"].between(0, 1).all()
    human = s[s["source"] == "human"]
    assert len(human["interaction_id"].unique()) >= 200
    tc = s[s["name"] == "task_completion"]
    pivot = tc.pivot_table(index="interaction_id", columns="source", values="value")
    both = pivot.dropna()
    assert ((both["llm"] >= 0.5) != (both["human"] >= 0.5)).sum() >= 5  # humans sometimes disagree
    prod = ai[~ai["shadow"]].set_index("interaction_id")
    completed = prod["accepted"] & ~prod["fallback"] & (prod["feedback"] != "down") & ~prod["intent_mismatch"]
    llm = tc[tc["source"] == "llm"].set_index("interaction_id")["value"]
    judged = llm[llm.index.isin(completed[completed].index)]
    assert (judged < 0.5).sum() >= 100


def test_incidents_and_changes_tell_the_story():
    inc = pd.read_csv(WORLD / "incidents.csv", dtype=str, keep_default_na=False)
    assert set(inc["outcome"]) <= {"actioned", "auto_mitigated", "escalated", "noise", "duplicate"}
    assert {"actioned", "escalated", "noise", "duplicate"} <= set(inc["outcome"])
    fingerprints = {a["fingerprint"] for p in _alertmanager() for a in p["alerts"]}
    fingerprints |= {e["dedup_key"] for e in json.loads((WORLD / "pagerduty_events.json").read_text())}
    dd_ids = set(pd.read_csv(WORLD / "datadog_events.csv", dtype=str)["id"])
    for _, row in inc.iterrows():
        assert row["fingerprints"] or row["alert_ids"]
        assert set(filter(None, row["fingerprints"].split(";"))) <= fingerprints
        assert set(filter(None, row["alert_ids"].split(";"))) <= dd_ids
    checkout = inc[(inc["stage"] == "checkout") & (inc["outcome"] == "actioned")].iloc[0]
    assert checkout["opened_at"].startswith("2026-10-26T14:")
    ch = pd.read_csv(WORLD / "changes.csv")
    assert set(ch["kind"]) == {"deploy", "config", "feature_flag", "pricing", "ui"}
    ch["ts"] = pd.to_datetime(ch["ts"], utc=True)
    for svc, start in (("payments-gateway", "2026-10-26T14:05:00Z"), ("notify-mailer", "2026-11-03T09:30:00Z"),
                       ("workspace-provisioner", "2026-11-10T10:00:00Z")):
        t = pd.Timestamp(start)
        before = ch[(ch["service"] == svc) & (ch["kind"] == "deploy") & (ch["ts"] < t)]
        assert (t - before["ts"].max()) <= pd.Timedelta(minutes=30)


def test_readme_names_the_real_incidents_and_their_alerts():
    readme = (ROOT / "README.md").read_text()
    inc = pd.read_csv(WORLD / "incidents.csv", dtype=str, keep_default_na=False)
    real = inc[inc["outcome"].isin(["actioned", "escalated", "auto_mitigated", "duplicate"])]
    assert len(real) >= 4
    for _, row in real.iterrows():
        assert row["incident_id"] in readme
        for ref in filter(None, (row["fingerprints"] + ";" + row["alert_ids"]).split(";")):
            assert f"`{ref}`" in readme, ref
    assert "python -m sample_data.generate" in readme
