"""The `journeylens` console script: ingest, uploads, remove, and refusals with exit status 2."""

import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
JOURNEYLENS = str(Path(sys.executable).parent / "journeylens")


def run(*args, cwd=None):
    return subprocess.run([JOURNEYLENS, *map(str, args)], capture_output=True, text=True, timeout=300, cwd=cwd)


def test_ingest_then_reingest_says_already_stored(tmp_path):
    ws = tmp_path / "ws"
    first = run("ingest", "alerts", FIXTURES / "alertmanager_payloads.jsonl", "--workspace", ws)
    assert first.returncode == 0, first.stderr
    assert "stored 6 rows from alertmanager_payloads.jsonl (alertmanager_webhook, jsonl)" in first.stdout
    again = run("ingest", "alerts", FIXTURES / "alertmanager_payloads.jsonl", "--workspace", ws)
    assert again.returncode == 0 and "already stored" in again.stdout and "nothing added" in again.stdout


def test_ingest_several_files_and_list_uploads(tmp_path):
    ws = tmp_path / "ws"
    result = run("ingest", "changes", FIXTURES / "changes.csv", FIXTURES / "pagerduty_change_events.jsonl",
                 "--workspace", ws)
    assert result.returncode == 0, result.stderr
    listing = run("uploads", "--workspace", ws)
    assert "changes.csv" in listing.stdout and "pagerduty_change_events.jsonl" in listing.stdout


def test_map_option_and_format_override(tmp_path):
    source = tmp_path / "export.txt"
    source.write_text("When,Svc,Alert,Level\n2026-11-01T00:00:00Z,checkout,Down,P1\n")
    result = run("ingest", "alerts", source, "--workspace", tmp_path / "ws", "--format", "csv",
                 "--map", "fired_at=When", "--map", "service=Svc", "--map", "name=Alert")
    assert result.returncode == 0, result.stderr
    assert "stored 1 row " in result.stdout


def test_refusal_exits_2_with_file_row_column_and_no_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("fired_at,service,name,severity\n2026-11-01T00:00:00Z,s,n,info\nnot-a-time,s,n,info\n")
    result = run("ingest", "alerts", bad, "--workspace", tmp_path / "ws")
    assert result.returncode == 2
    assert "bad.csv, row 2, column fired_at" in result.stderr and "'not-a-time'" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "no uploads" in run("uploads", "--workspace", tmp_path / "ws").stdout


def test_remove_an_upload(tmp_path):
    ws = tmp_path / "ws"
    run("ingest", "incidents", FIXTURES / "incidents.csv", "--workspace", ws)
    upload_id = run("uploads", "--workspace", ws).stdout.splitlines()[1].split()[0]
    removed = run("remove", upload_id, "--why", "wrong week", "--workspace", ws)
    assert removed.returncode == 0 and "removed upload" in removed.stdout
    assert "no uploads" in run("uploads", "--workspace", ws).stdout
    unknown = run("remove", "u-nope", "--workspace", ws)
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr


def test_bad_map_syntax_is_a_refusal(tmp_path):
    result = run("ingest", "alerts", FIXTURES / "datadog_events.csv", "--workspace", tmp_path, "--map", "oops")
    assert result.returncode == 2 and "canonical=Their Column" in result.stderr
