"""app/cli_notify.py over notebooks/notify/: `journeylens notify set|rules|run|deliveries` on a copy of the sample
workspace against real local destinations (fake_hooks.py). A config is stored through the audit trail and read
back as written; a bad one is refused naming the field (exit 2, no traceback, nothing stored); a run sends each
change once, a second run nothing; a dry run sends and writes nothing; failures exit 3 and are retried; no
secret is ever printed or stored."""

import argparse
import json

import pytest
from journeylens.app.cli_notify import add_notify_parser
from journeylens.notebooks.notify.config import load_config
from journeylens.notebooks.notify.deliver import deliveries, notification_rules
from journeylens.notebooks.workspace.store import verify_workspace
from notify_configs import SECRETS, config_dict, config_text, text_under


def cli(*argv) -> int:
    """`journeylens notify ARGV…` through add_notify_parser, as app/cli.py wires it."""
    parser = argparse.ArgumentParser(prog="journeylens")
    verbs = parser.add_subparsers(dest="verb", required=True)

    def with_workspace(p):
        p.add_argument("--workspace", default="workspace")
        return p

    add_notify_parser(verbs, with_workspace)
    args = parser.parse_args(["notify", *map(str, argv)])
    return args.run(args)


def trail_actions(ws) -> list:
    return [json.loads(line)["action"] for line in (ws / "audit.jsonl").read_text().splitlines()]


def test_set_rules_run_twice_and_deliveries(ws, hooks, tmp_path, capsys):
    config = tmp_path / "notify.yaml"
    config.write_text(config_text())
    assert cli("set", config, "--workspace", ws, "--why", "on-call rota") == 0
    said = capsys.readouterr()
    assert "stored notification config version 1" in said.out and said.err == "", "every variable it names is set"
    assert (ws / "notify" / "config" / "v0001.yaml").read_bytes() == config.read_bytes(), "kept as written"
    assert load_config(ws)["config"]["rules"][0]["bands"] == [60.0, 75.0]

    assert cli("run", "--dry-run", "--workspace", ws) == 0
    dry = capsys.readouterr().out
    assert "would send to oncall (slack): journeylens top-outages: 5 fired" in dry and hooks.requests == []
    assert "FIRED [checkout] payments-gateway · PaymentGatewayErrorRate — rank 1, score 79.3" in dry

    assert cli("run", "--workspace", ws) == 0
    first = capsys.readouterr().out
    assert "6 fired, 0 escalated, 0 resolved; 7 messages sent, 0 failed, 0 deferred" in first
    assert len(hooks.requests) == 7
    assert cli("run", "--workspace", ws) == 0
    assert "0 fired, 0 escalated, 0 resolved; 0 messages sent" in capsys.readouterr().out
    assert len(hooks.requests) == 7, "the same data again sends nothing"

    assert cli("rules", "--workspace", ws) == 0
    listed = capsys.readouterr().out
    assert "top-outages" in listed and "shadow" in listed
    assert notification_rules(ws).set_index("rule")["firing"].to_dict() == {"top-outages": 5, "shadow": 1}
    assert cli("deliveries", "--workspace", ws, "--limit", "3") == 0
    assert capsys.readouterr().out.count(" sent ") == 3
    assert trail_actions(ws)[-8:] == ["notify.config"] + ["notify.sent"] * 7
    assert verify_workspace(ws)["ok"], "the trail agrees with the workspace"
    printed = dry + first + listed + text_under(ws)
    assert not [s for s in SECRETS if s in printed], "no secret printed or stored"


def test_a_failed_message_exits_3_and_the_next_run_sends_it(ws, hooks, tmp_path, capsys, monkeypatch):
    config = tmp_path / "notify.yaml"
    config.write_text(config_text(queue=False, attempts=2))
    monkeypatch.delenv("JL_TEST_PD_KEY")
    assert cli("set", config, "--workspace", ws) == 0
    assert "note: JL_TEST_PD_KEY is not set here" in capsys.readouterr().err
    hooks.answer("/hook", (502, "bad gateway"), (502, "bad gateway"))
    assert cli("run", "--workspace", ws) == 3
    said = capsys.readouterr()
    assert "failed to hooks (webhook)" in said.err and "after 2 attempt(s): HTTP 502: bad gateway" in said.err
    assert cli("run", "--workspace", ws) == 0
    assert "1 message sent" in capsys.readouterr().out
    assert list(deliveries(ws)["status"]) == ["sent", "failed"]
    assert trail_actions(ws)[-2:] == ["notify.failed", "notify.sent"]
    assert len(hooks.sent("/hook")) == 3


BAD = [
    ({"destinations": [{"id": "oncall", "type": "slack", "url": "https://hooks.slack.com/services/T0/B0/x"}]},
     "destinations[1].url: expected no secret in the config"),
    ({"destinations": [{"id": "oncall", "type": "slack"}]}, "destinations[1].url_env: expected the name of an "),
    ({"rules": [{"id": "r", "kind": "outage", "destinations": ["oncall"]}]}, "rules[1].kind: expected one of queue"),
    ({"rules": [{"id": "r", "kind": "queue", "min_score": "high", "destinations": ["oncall"]}]},
     "rules[1].min_score: expected a number from 0 to 1000, found 'high'"),
    ({"rules": [{"id": "r", "kind": "queue", "bands": [80, 60], "destinations": ["oncall"]}]}, "rules[1].bands"),
    ({"rules": [{"id": "r", "kind": "shadow", "destinations": ["nowhere"]}]}, "rules[1].destinations"),
    ({"rules": [{"id": "r", "kind": "shadow", "destinations": ["oncall"]}] * 2}, "rules[2].id: expected an id"),
    ({"retries": 3}, "field retries: expected one of app_url, destinations, rules, retry"),
]


@pytest.mark.parametrize(("change", "said"), BAD, ids=[said.split(":")[0] for _, said in BAD])
def test_a_bad_config_is_refused_naming_the_field(ws, tmp_path, capsys, change, said):
    bad = tmp_path / "bad.yaml"
    bad.write_text(json.dumps({**config_dict(), **change}))
    before = (ws / "audit.jsonl").read_bytes()
    assert cli("set", bad, "--workspace", ws) == 2
    err = capsys.readouterr().err
    assert err.startswith("refused: bad.yaml: field ") and said in err and "Traceback" not in err
    assert not (ws / "notify").exists() and (ws / "audit.jsonl").read_bytes() == before, "nothing stored"


def test_yaml_that_is_no_yaml_is_refused_with_its_line(ws, tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("destinations:\n  - id: oncall\n    type: [slack\n")
    assert cli("set", bad, "--workspace", ws) == 2
    assert "refused: bad.yaml, row " in capsys.readouterr().err


def test_without_a_config_nothing_happens_and_a_folder_that_is_no_workspace_is_refused(tmp_path, capsys):
    assert cli("run", "--workspace", tmp_path) == 0 and cli("rules", "--workspace", tmp_path) == 0
    out = capsys.readouterr().out
    assert "no notification config" in out and not (tmp_path / "notify").exists()
    good = tmp_path / "notify.yaml"
    good.write_text(config_text())
    assert cli("set", good, "--workspace", tmp_path / "typo") == 2
    assert "expected a journeylens workspace" in capsys.readouterr().err and not (tmp_path / "typo").exists()
