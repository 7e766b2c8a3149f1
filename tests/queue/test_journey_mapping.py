"""notebooks/queue/mapping.py, rule_suggestions.py and sql/queue/01-03 (rule matches, mapped alerts, coverage):
touchpoint rules, coverage, suggestions."""

import csv
import json

import pandas as pd
import pytest
from journeylens.notebooks.ingest.sample_workspace import build_sample_workspace
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.queue.mapping import (
    coverage,
    create_mapped_alerts,
    match_condition,
    parse_rules,
    rule_matches_sql,
    rules_yaml,
    workspace_rules,
)
from journeylens.notebooks.queue.rule_suggestions import glob_literal, name_tokens, suggest_rule
from journeylens.notebooks.workspace.snapshot import connect

COLUMNS = ["alert_id", "fired_at", "resolved_at", "service", "name", "severity", "source", "fingerprint",
           "region", "labels", "message"]

JOURNEY_MAP = """\
journey: shop
stages:
  - id: checkout
    impact: 9
    sensitivity: 1.0
  - id: search
    impact: 5
    sensitivity: 0.5
touchpoints:
  - stage: checkout
    touchpoint: payment-api
    match:
      service: "payments-*"
      labels.endpoint: "re:^/api/pay"
  - stage: checkout
    touchpoint: payment-other
    match:
      service: "payments-*"
  - stage: search
    touchpoint: search
    match:
      service: "search-*"
"""


def write_alerts(path, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for i, row in enumerate(rows, start=1):
            writer.writerow({"alert_id": f"a{i}", "fired_at": f"2026-01-01T00:{i:02d}:00Z",
                             "severity": "warning", "name": "SomethingWrong", "source": "alertmanager",
                             **row})
    return path


def small_workspace(tmp_path, rows):
    ws = tmp_path / "ws"
    (tmp_path / "map.yaml").write_text(JOURNEY_MAP)
    ingest_file(ws, "journey-map", tmp_path / "map.yaml")
    ingest_file(ws, "alerts", write_alerts(tmp_path / "alerts.csv", rows))
    return ws


def stages_by_id(con, rules=None) -> dict:
    create_mapped_alerts(con, rules)
    rows = con.execute("select alert_id, stage, touchpoint, rule_position from mapped_alerts").fetchall()
    return {r[0]: r[1:] for r in rows}


@pytest.fixture()
def con(tmp_path):
    ws = small_workspace(tmp_path, [
        {"service": "payments-gateway", "labels": json.dumps({"endpoint": "/api/pay/x"})},  # a1: rule 1
        {"service": "payments-gateway", "labels": json.dumps({"endpoint": "/health"})},  # a2: rule 2
        {"service": "Payments-Ledger"},  # a3: glob is case-insensitive -> rule 2
        {"service": "search-api", "source": "datadog"},  # a4: rule 3
        {"service": "legacy-payments"},  # a5: glob matches the whole value -> unmapped
        {"service": "ci-runner", "region": "eu", "severity": "P1"},  # a6: unmapped
    ])
    connection = connect(ws)
    yield connection
    connection.close()


def test_workspace_rules_glob_labels_and_first_match(con):
    got = stages_by_id(con)
    assert got["a1"] == ("checkout", "payment-api", 1)  # first match wins over rule 2
    assert got["a2"] == ("checkout", "payment-other", 2)  # labels.endpoint regex fails: the AND fails
    assert got["a3"] == ("checkout", "payment-other", 2)
    assert got["a4"] == ("search", "search", 3)
    assert got["a5"] == (None, None, None)
    assert got["a6"] == (None, None, None)


def test_mapped_alerts_keeps_every_alert_column(con):
    create_mapped_alerts(con)
    alert_columns = [r[0] for r in con.execute("select column_name from (describe alerts)").fetchall()]
    mapped_columns = [r[0] for r in con.execute(
        "select column_name from (describe mapped_alerts)").fetchall()]
    assert mapped_columns == alert_columns + ["stage", "touchpoint", "rule_position", "journey"]
    assert con.execute("select count(*), count(distinct journey) from mapped_alerts").fetchall() == [(6, 1)]


def rule(stage, **match):
    return {"stage": stage, "touchpoint": None, "match": {k.replace("__", "."): v for k, v in match.items()}}


@pytest.mark.parametrize("match, expected", [
    ({"service": "re:^payments"}, {"a1", "a2"}),  # regex is case-sensitive
    ({"service": "re:(?i)^payments"}, {"a1", "a2", "a3"}),
    ({"service": "re:pay"}, {"a1", "a2", "a5"}),  # a regex searches (re.search), anchors are explicit
    ({"service": "PAYMENTS-*"}, {"a1", "a2", "a3"}),  # globs ignore case both ways
    ({"service": "payments-?ateway"}, {"a1", "a2"}),
    ({"labels.endpoint": "/api/*"}, {"a1"}),
    ({"labels.endpoint": "re:health"}, {"a2"}),
    ({"source": "datadog"}, {"a4"}),
    ({"region": "*"}, {"a6"}),  # a missing value matches nothing, not even *
    ({"severity": "critical"}, {"a6"}),  # the normalised label...
    ({"severity": "p1"}, {"a6"}),  # ...or the tool's own text
    ({"service": "payments-*", "name": "Other*"}, set()),  # every key must match
    ({"alert_id": "a[45]"}, {"a4", "a5"}),
])
def test_match_semantics(con, match, expected):
    got = stages_by_id(con, [{"stage": "x", "match": match}])
    assert {a for a, (stage, _, _) in got.items() if stage} == expected


def test_first_match_wins_in_given_order(con):
    got = stages_by_id(con, [rule("b", service="*"), rule("a", service="payments-*")])
    assert {v[0] for v in got.values()} == {"b"}
    got = stages_by_id(con, [rule("a", service="payments-*"), rule("b", service="*")])
    assert got["a1"][0] == "a" and got["a4"][0] == "b"


def test_no_rules_maps_nothing(con):
    assert {v for v in stages_by_id(con, []).values()} == {(None, None, None)}


def test_quotes_and_sql_in_patterns_and_label_keys_are_parameters(tmp_path):
    odd_key = 'it\'s "odd"/~key'
    nasty = "x'; drop table alerts; --"
    ws = small_workspace(tmp_path, [
        {"service": nasty, "labels": json.dumps({odd_key: 'v"a\'l'})},
        {"service": 'svc"quoted', "message": "*literal*"},
    ])
    con = connect(ws)
    rules = [rule("s1", service=nasty), rule("s2", **{"labels." + odd_key: 'v"a\'l'}),
             rule("s3", service='re:"quoted$'), rule("s4", message=glob_literal("*literal*"))]
    text, params, _ = rule_matches_sql(rules)
    assert nasty not in text and odd_key not in text and "quoted" not in text
    assert stages_by_id(con, rules) == {"a1": ("s1", None, 1), "a2": ("s3", None, 3)}
    assert stages_by_id(con, rules[1:]) == {"a1": ("s2", None, 1), "a2": ("s3", None, 2)}
    assert stages_by_id(con, rules[3:]) == {"a1": (None, None, None), "a2": ("s4", None, 1)}
    assert con.execute("select count(*) from alerts").fetchall() == [(2,)]
    with pytest.raises(ValueError):
        match_condition('service" or 1=1 --', "x", "p", {})


def test_parse_rules_and_yaml_round_trip(con):
    rules = workspace_rules(con)
    assert [r["touchpoint"] for r in rules] == ["payment-api", "payment-other", "search"]
    back = parse_rules(rules_yaml(rules), journey="shop")
    assert back == rules
    assert parse_rules("- stage: a\n  match: {service: x}") == [
        {"journey": None, "stage": "a", "touchpoint": None, "match": {"service": "x"}}]
    for bad in ["- stage: a\n  match: {colour: red}", "- stage: a\n  match: {service: 're:('}", "- stage: a"]:
        with pytest.raises(ValueError, match="rule 1"):
            parse_rules(bad)


def test_coverage_numbers(con):
    create_mapped_alerts(con)
    result = coverage(con)
    assert result["summary"] == {"alerts": 6, "mapped": 4, "mapped_share": 4 / 6}
    by_source = result["by_source"].set_index("source")
    assert by_source.loc["alertmanager", ["alerts", "mapped"]].tolist() == [5, 3]
    assert by_source.loc["datadog", "mapped_share"] == 1.0
    by_service = result["by_service"].set_index("service")
    assert by_service.loc["payments-gateway", ["alerts", "mapped", "stages"]].tolist() == [2, 2, "checkout"]
    unmapped = result["unmapped"].set_index("service")
    assert sorted(unmapped.index) == ["ci-runner", "legacy-payments"]
    # shares the word "payment" with the mapped payments-* services
    assert unmapped.loc["legacy-payments", "suggested_stage"] == "checkout"
    assert json.loads(unmapped.loc["legacy-payments", "suggested_rule"]) == {
        "stage": "checkout", "match": {"service": "legacy-payments"}}
    assert unmapped.loc["ci-runner", "suggested_stage"] is None
    assert "internal" in unmapped.loc["ci-runner", "reason"]


def test_suggest_rule_ladder():
    mapped = {"payments-gateway": {"checkout": 5}, "search-api": {"search": 2},
              "cart-service": {"checkout": 1}}
    words = {"checkout": {"checkout", "payment", "cart"}, "signup": {"signup", "email", "verification"}}
    assert suggest_rule("payments-ledger", mapped, words)["match"] == {"service": "payments-*"}
    assert suggest_rule("payments-ledger", mapped, words)["stage"] == "checkout"
    assert suggest_rule("elastic-search", mapped, words) | {"reason": ""} == {
        "stage": "search", "match": {"service": "elastic-search"}, "reason": ""}
    assert suggest_rule("email-sender", mapped, words)["stage"] == "signup"
    assert suggest_rule("ldap-internal", mapped, words)["stage"] is None
    assert name_tokens("Payments_API-v2.prod") == ["payment"]
    assert glob_literal("a*b?[c]") == "a[*]b[?][[]c]"


@pytest.fixture(scope="module")
def sample_con(tmp_path_factory):
    ws = tmp_path_factory.mktemp("sample") / "ws"
    build_sample_workspace(ws)
    connection = connect(ws)
    create_mapped_alerts(connection)
    yield connection
    connection.close()


def test_sample_workspace_mapping(sample_con):
    rows = sample_con.execute(
        "select service, count(*), count(stage), string_agg(distinct stage, ',') from mapped_alerts "
        "group by 1"
    ).fetchall()
    by_service = {service: (alerts, mapped, stages) for service, alerts, mapped, stages in rows}
    for internal in ("ci-runner", "backup-cron", "ldap-internal", "log-shipper"):
        assert by_service[internal][1] == 0, internal
    assert by_service["payments-gateway"][0] == by_service["payments-gateway"][1] > 0
    assert by_service["payments-gateway"][2] == "checkout"
    dunning = sample_con.execute(
        "select name, stage from mapped_alerts where service = 'dunning-worker' group by all").fetchall()
    assert {(n.startswith("Dunning"), s) for n, s in dunning} == {(True, "renewal"), (False, None)}
    unmapped = coverage(sample_con)["unmapped"].set_index("service")
    for internal in ("ci-runner", "backup-cron", "ldap-internal", "log-shipper"):
        assert unmapped.loc[internal, "suggested_stage"] is None


def test_coverage_flags_the_unknown_service_placeholder(tmp_path):
    ws = small_workspace(tmp_path, [{"service": "unknown", "name": "DiskFull"}, {"service": "search-api"}])
    connection = connect(ws)
    try:
        create_mapped_alerts(connection)
        flags = coverage(connection)["by_service"].set_index("service")["flag"]
    finally:
        connection.close()
    assert "no service in the source" in flags["unknown"] and pd.isna(flags["search-api"])
