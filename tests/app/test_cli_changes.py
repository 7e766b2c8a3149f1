"""app/cli_changes.py: `journeylens changes` prints which stages a change shifted, writes them, records reviews."""

import csv

from change_world import alert_rows, deploy, metric_rows, world
from journeylens.app.cli import main


def test_changes_prints_and_writes_the_status_and_a_review_clears_it(tmp_path, capsys):
    ws = world(tmp_path, alert_rows("cart-service", 0.5, 3.0), metric_rows("checkout", 1000, 0.6, 0.6, seed=3),
               [deploy(description="v2 rollout")])
    out = tmp_path / "changes.csv"
    assert main(["changes", "--workspace", str(ws), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("1 of 2 stages to recalibrate")
    assert "  checkout: to recalibrate - alert rate 0.50/h -> 3.00/h after deploy of cart-service" in printed
    rows = {r["stage"]: r for r in csv.DictReader(out.open())}
    assert rows["checkout"]["status"] == "to recalibrate" and rows["browse"]["status"] == "ok"
    assert main(["changes", "--workspace", str(ws), "--review", "checkout", "--why", "raised the alert thresholds"]) == 0
    assert "checkout: reviewed (was to recalibrate: alert rate" in capsys.readouterr().out
    assert main(["changes", "--workspace", str(ws)]) == 0
    assert "  checkout: ok - no change since the last review" in capsys.readouterr().out


def test_changes_refuses_a_bad_stage_a_missing_why_and_a_folder_that_is_no_workspace(tmp_path, capsys):
    ws = world(tmp_path, alert_rows("cart-service", 1.0, 1.0), metric_rows("checkout", 1000, 0.6, 0.6, seed=3),
               [deploy()])
    assert main(["changes", "--workspace", str(ws), "--review", "chekout", "--why", "x"]) == 2
    assert "no stage named 'chekout' (stages: browse, checkout)" in capsys.readouterr().err
    assert main(["changes", "--workspace", str(ws), "--review", "checkout"]) == 2
    assert "say what was checked" in capsys.readouterr().err
    assert main(["changes", "--workspace", str(ws), "--why", "x"]) == 2
    assert main(["changes", "--workspace", str(tmp_path / "nothing")]) == 2
    assert "is no journeylens workspace" in capsys.readouterr().err
    assert "stage.reviewed" not in (ws / "audit.jsonl").read_text()
