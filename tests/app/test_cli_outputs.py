"""What the `journeylens` command line writes is safe for whoever reads it: CSV a spreadsheet will not run,
Markdown and HTML that render hostile names as text, a terminal that is never steered, a pipe whose
reader left, output targets that would overwrite a workspace's stored state, and an app that stops what
it started.

The data is hostile and goes in through the command line, as a team's export would. The command is this
checkout's (`python -m journeylens.app.cli`, the console script's own main)."""

import csv
import hashlib
import io
import json
import os
import pty
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import markdown
import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
FORMULA = '=HYPERLINK("http://evil","x")'
SCRIPT = "<script>alert(1)</script>"
LINK = "[click](javascript:alert(1))"
ANSI = "\x1b[31mRED\x1b[0m"
BIDI = "abc\u202eevil"
UPLOAD_NAME = "<img src=x onerror=alert(1)>.json"


def command(*args) -> list:
    return [sys.executable, "-m", "journeylens.app.cli", *map(str, args)]


def run(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(command(*args), capture_output=True, text=True, timeout=300, env=ENV, cwd=cwd)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """A workspace whose stage, alert, service, incident and upload names attack the reader."""
    base = tmp_path_factory.mktemp("hostile")
    journey_map = base / "map.yaml"
    journey_map.write_text(json.dumps({
        "journey": "storefront",
        "stages": [{"id": FORMULA, "name": "Evil", "impact": 4, "sensitivity": 0.4},
                   {"id": "checkout", "name": "Checkout", "impact": 9, "sensitivity": 1.0}],
        "touchpoints": [{"stage": "checkout", "match": {"service": "payments-*"}},
                        {"stage": FORMULA, "match": {"service": "search-*"}}]}))
    names = [FORMULA, SCRIPT, LINK, ANSI, BIDI]
    alerts = [{"fired_at": f"2026-11-09T14:0{i}:00Z", "service": "payments-api", "name": name,
               "severity": "critical", "fingerprint": f"fp{i}"} for i, name in enumerate(names)]
    alerts += [{"fired_at": "2026-11-09T15:00:00Z", "service": "=cmd|' /C calc'!A0", "name": "-2+3",
                "severity": "info", "fingerprint": "fp-unmapped"},
               {"fired_at": "2026-11-09T16:00:00Z", "service": "search-api", "name": "@SUM(1+1)",
                "severity": "high", "fingerprint": "fp-search"}]
    (base / UPLOAD_NAME).write_text(json.dumps(alerts))
    incidents = base / "incidents.csv"
    with incidents.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["incident_id", "opened_at", "acknowledged_at", "resolved_at", "stage", "outcome", "notes"])
        writer.writerow(["INC-1", "2026-11-09T14:06:00Z", "2026-11-09T14:10:00Z", "2026-11-09T15:20:00Z",
                         "checkout", "actioned", LINK])
        for i, name in enumerate((SCRIPT, LINK, FORMULA)):  # actioned, with no alert near: "not in the queue"
            writer.writerow([name, f"2026-11-2{i}T03:00:00Z", "", "", FORMULA, "actioned", ""])
    ws = base / "ws"
    for kind, file in (("journey-map", journey_map), ("alerts", base / UPLOAD_NAME), ("incidents", incidents)):
        result = run("ingest", kind, file, "--workspace", ws)
        assert result.returncode == 0, result.stderr
    return ws


def rows_of(text: str) -> list:
    return list(csv.DictReader(io.StringIO(text)))


def assert_no_formula_cells(rows: list) -> None:
    """Every cell that starts like a formula is a plain number (a negative score, say)."""
    def plain_number(value):
        try:
            return float(value) is not None
        except ValueError:
            return False

    formulas = [v for row in rows for v in row.values() if v[:1] in "=+-@\t\r" and v and not plain_number(v)]
    assert not formulas, f"cells a spreadsheet would run: {formulas}"


def test_rank_csv_neutralises_formula_cells_in_files_and_pipes(hostile, tmp_path):
    out = tmp_path / "ranked.csv"
    written = run("rank", "--workspace", hostile, "--out", out)
    assert written.returncode == 0, written.stderr
    piped = run("rank", "--workspace", hostile)
    assert piped.returncode == 0, piped.stderr
    for text in (out.read_text(encoding="utf-8"), piped.stdout):
        rows = rows_of(text)
        assert_no_formula_cells(rows)
        names = {r["name"] for r in rows}
        assert {"'" + FORMULA, "'-2+3", "'@SUM(1+1)"} <= names
        assert {"'=cmd|' /C calc'!A0"} <= {r["service"] for r in rows}
        assert {ANSI, BIDI, SCRIPT} <= names  # a file or a pipe keeps the data itself
        assert float(rows[0]["score"]) > 0 and rows[0]["rank"] == "1"  # numbers stay numbers


def test_rank_out_to_a_pipe_writes_in_place(hostile):
    """--out /dev/stdout is a pipe here, not a file to replace through a rename."""
    result = run("rank", "--workspace", hostile, "--out", "/dev/stdout")
    assert result.returncode == 0, result.stderr
    assert "'" + FORMULA.replace('"', '""') in result.stdout and result.stdout.startswith("rank,group_id,")


@pytest.fixture(scope="module")
def audited(hostile, tmp_path_factory) -> Path:
    """The audit's --out folder, from the hostile files."""
    files, out = hostile.parent, tmp_path_factory.mktemp("audit") / "out"
    result = run("audit", "--alerts", files / UPLOAD_NAME, "--journey-map", files / "map.yaml",
                 "--incidents", files / "incidents.csv", "--out", out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def retro_out(hostile, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("retro") / "out"
    result = run("retro", "--workspace", hostile, "--out", out)
    assert result.returncode == 0, result.stderr
    return out


def assert_markdown_renders_as_text(text: str) -> None:
    assert SCRIPT not in text and LINK not in text and "<img" not in text
    assert "\x1b" not in text and "\u202e" not in text
    rendered = markdown.markdown(text, extensions=["tables"])
    assert "<script" not in rendered and "<a " not in rendered and "<img" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered and LINK in rendered  # shown, as text


def assert_html_is_inert(page: str) -> None:
    assert SCRIPT not in page and "<img src=x" not in page and 'href="javascript' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and LINK in page  # shown, as text


def test_audit_csv_neutralises_formula_cells(audited):
    rows = rows_of((audited / "ranked_alerts.csv").read_text(encoding="utf-8"))
    assert_no_formula_cells(rows)
    assert "'" + FORMULA in {r["name"] for r in rows} and SCRIPT in {r["name"] for r in rows}


def test_report_md_renders_hostile_names_as_text(audited):
    assert_markdown_renders_as_text((audited / "report.md").read_text(encoding="utf-8"))


def test_report_html_keeps_hostile_names_inert(audited):
    page = (audited / "report.html").read_text(encoding="utf-8")
    assert_html_is_inert(page)
    assert "&lt;img src=x onerror=alert(1)&gt;.json" in page  # the upload's file name


def test_retro_stages_csv_neutralises_formula_cells(retro_out):
    stages = rows_of((retro_out / "retro_stages.csv").read_text(encoding="utf-8"))
    assert_no_formula_cells(stages)
    assert "'" + FORMULA in {r["stage"] for r in stages}


def test_retro_md_renders_hostile_names_as_text(retro_out):
    assert_markdown_renders_as_text((retro_out / "retro.md").read_text(encoding="utf-8"))


def test_retro_html_keeps_hostile_names_inert(retro_out):
    assert_html_is_inert((retro_out / "retro.html").read_text(encoding="utf-8"))


def run_on_terminal(*args) -> tuple:
    """Runs the command with standard output on a pseudo-terminal: (status, what the terminal got)."""
    primary, secondary = pty.openpty()
    process = subprocess.Popen(command(*args), stdout=secondary, stderr=subprocess.DEVNULL, env=ENV)
    os.close(secondary)
    received = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # EIO: the process closed its end of the terminal
            break
        if not chunk:
            break
        received += chunk
    os.close(primary)
    return process.wait(120), received.decode("utf-8")


def test_rank_writes_the_ranked_queue_neutralised_and_says_what_it_counted(hostile, tmp_path):
    """--queue-out beside ranked_alerts.csv, and --queue instead of it: one row per entry, every kind, the
    alert groups in the order of ranked_alerts.csv; standard error says what both hold."""
    from journeylens.notebooks.queue.queue_view import QUEUE_COLUMNS

    groups_csv, queue_csv = tmp_path / "ranked_alerts.csv", tmp_path / "ranked_queue.csv"
    result = run("rank", "--workspace", hostile, "--out", groups_csv, "--queue-out", queue_csv)
    assert result.returncode == 0, result.stderr
    groups, queue = rows_of(groups_csv.read_text(encoding="utf-8")), rows_of(queue_csv.read_text(encoding="utf-8"))
    assert_no_formula_cells(queue)
    assert list(queue[0]) == list(QUEUE_COLUMNS) and "'" + FORMULA in {r["name"] for r in queue}
    assert [r["rank"] for r in queue] == [str(i) for i in range(1, len(queue) + 1)]
    in_queue = [g for r in queue if r["kind"] in ("alert_group", "incident") for g in r["member_group_ids"].split(";")]
    assert in_queue == [r["group_id"] for r in groups], "one queue: the groups in the same order"
    counted = [line for line in result.stderr.splitlines() if line.startswith("Counted ")]
    assert len(counted) == 1
    alerts = sum(int(r["alert_count"]) for r in groups)
    assert f"Counted {alerts} alerts in {len(groups)} alert groups" in counted[0]
    assert f"{len(queue)} queue entries" in counted[0]
    unmapped = [r for r in groups if r["lane"] == "needs_mapping"]
    assert unmapped and f"needs mapping: {len(unmapped)} groups" in counted[0]
    piped = run("rank", "--workspace", hostile, "--queue", "--top", "2")
    assert piped.returncode == 0 and rows_of(piped.stdout) == queue[:2]


def test_rank_on_a_terminal_shows_control_characters_escaped(hostile):
    status, shown = run_on_terminal("rank", "--workspace", hostile)
    assert status == 0
    assert "\x1b" not in shown and "\u202e" not in shown
    assert "\\x1b[31mRED\\x1b[0m" in shown and "abc\\u202eevil" in shown
    assert "'" + FORMULA.replace('"', '""') in shown  # and formulas neutralised, as in a file


@pytest.mark.parametrize("verb", ["rank", "uploads"])
def test_a_reader_that_goes_away_ends_the_verb_quietly(hostile, verb):
    """`journeylens rank | head`: head exits once it has its lines; journeylens ends with 0 and no noise."""
    process = subprocess.Popen(command(verb, "--workspace", hostile), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=ENV)
    process.stdout.close()  # the reader is gone before the first line
    errors = process.stderr.read().decode()
    assert process.wait(120) == 0, errors
    # rank says what it counted on standard error, before any row; nothing else is said
    assert [line for line in errors.splitlines() if not line.startswith("Counted ")] == []


def snapshot(folder: Path) -> dict:
    """Every file under `folder` (symlinks not followed): its content hash or where it points."""
    return {str(p.relative_to(folder)): (os.readlink(p) if p.is_symlink() else
                                         hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir")
            for p in sorted(folder.rglob("*"))}


def nab_data(base: Path) -> Path:
    data = base / "nab"
    (data / "corpus").mkdir(parents=True)
    lines = ["timestamp,value"] + [f"2026-01-01 00:{m:02d}:00,{m % 7}" for m in range(60)]
    (data / "corpus" / "file.csv").write_text("\n".join(lines) + "\n")
    return data


def refused_cases(ws: Path, tmp: Path, files: Path) -> dict:
    """verb arguments whose output would land on the workspace's stored state (or the data being read)."""
    (tmp / "link.csv").symlink_to(ws / "audit.head")
    (tmp / "retro").mkdir()
    (tmp / "retro" / "retro.md").symlink_to(ws / "audit.jsonl")
    audit = ["audit", "--alerts", files / UPLOAD_NAME, "--journey-map", files / "map.yaml"]
    data = nab_data(tmp)
    return {
        "rank into uploads": ["rank", "--workspace", ws, "--out", ws / "uploads" / "ranked.csv"],
        "rank over the audit log": ["rank", "--workspace", ws, "--out", ws / "audit.jsonl"],
        "rank through ..": ["rank", "--workspace", ws, "--out", ws / ".trash" / ".." / "audit.jsonl"],
        "rank through a symlink": ["rank", "--workspace", ws, "--out", tmp / "link.csv"],
        "audit into a workspace it lies in": [*audit, "--out", ws / "judge"],
        "retro into profiles": ["retro", "--workspace", ws, "--out", ws / "profiles" / "retro"],
        "retro file symlinked to the log": ["retro", "--workspace", ws, "--out", tmp / "retro"],
        "nab score into uploads": ["nab", "score", data, "--out", ws / "uploads" / "nab"],
        "nab score over its own data": ["nab", "score", data, "--out", data],
    }


CASES = ["rank into uploads", "rank over the audit log", "rank through ..", "rank through a symlink",
         "audit into a workspace it lies in", "retro into profiles", "retro file symlinked to the log",
         "nab score into uploads", "nab score over its own data"]


@pytest.mark.parametrize("case", CASES)
def test_outputs_onto_stored_state_are_refused_before_anything_is_written(hostile, tmp_path, case):
    ws = tmp_path / "ws"
    shutil.copytree(hostile, ws, symlinks=True)
    args = refused_cases(ws, tmp_path, hostile.parent)[case]
    before, data_before = snapshot(ws), snapshot(tmp_path / "nab")
    result = run(*args)
    assert result.returncode == 2, result.stderr
    assert "refused:" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(ws) == before and snapshot(tmp_path / "nab") == data_before
    assert not (tmp_path / "retro" / "retro_stages.csv").exists()


def test_messages_show_echoed_control_characters_escaped(tmp_path):
    bad = tmp_path / "bad\x1b[31m\u202e.csv"
    bad.write_text("fired_at,service,name,severity\nnot-a-time,s,n,info\n")
    result = run("audit", "--alerts", bad, "--journey-map", FIXTURES / "journey_map.yaml", "--out", tmp_path / "o")
    assert result.returncode == 2
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    assert "bad\\x1b[31m\\u202e.csv, row 1, column fired_at" in result.stderr
    # ingest (refused and stored) and remove echo the file name too
    ws = tmp_path / "ws"
    refused = run("ingest", "alerts", bad, "--workspace", ws)
    assert refused.returncode == 2 and "\x1b" not in refused.stderr and "bad\\x1b[31m" in refused.stderr
    bad.write_text("fired_at,service,name,severity\n2026-01-01T00:00:00Z,s,n,info\n")
    stored = run("ingest", "alerts", bad, "--workspace", ws)
    assert stored.returncode == 0 and "\x1b" not in stored.stdout + stored.stderr and "bad\\x1b[31m" in stored.stdout
    upload_id = stored.stdout.split("as upload ")[1].split()[0].rstrip(".")
    removed = run("remove", upload_id, "--workspace", ws)
    assert removed.returncode == 0 and "\x1b" not in removed.stdout and "bad\\x1b[31m" in removed.stdout


@pytest.mark.parametrize("verb", ["rank", "retro"])
def test_a_profile_name_that_is_a_path_is_a_refusal(hostile, tmp_path, verb):
    out = ["--out", tmp_path / "out"] if verb == "retro" else []
    result = run(verb, "--workspace", hostile, "--profile", "../../etc/passwd", *out)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()


def test_retro_with_an_unknown_profile_is_a_refusal(hostile, tmp_path):
    result = run("retro", "--workspace", hostile, "--profile", "nope", "--out", tmp_path / "out")
    assert result.returncode == 2 and "no weight profile named 'nope'" in result.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children_of(pid: int) -> list:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the Streamlit child through /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stopping_the_app_stops_its_streamlit_child(tmp_path, signum):
    port = free_port()
    log = tmp_path / "app.log"
    with log.open("w") as handle:
        app = subprocess.Popen(command("app", "--port", port, "--workspace", tmp_path / "ws"),
                               stdout=handle, stderr=subprocess.STDOUT, env=ENV)
    children = []
    try:
        deadline = time.monotonic() + 120
        while True:
            assert app.poll() is None and time.monotonic() < deadline, log.read_text()
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read()
                break
            except OSError:
                time.sleep(0.5)
        children = children_of(app.pid)
        assert children, "journeylens app started no child"
        app.send_signal(signum)
        status = app.wait(60)
        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(alive(pid) for pid in children), "the Streamlit child outlived journeylens"
        assert not port_open(port)
        assert status == 0 and "Stopping..." in log.read_text()  # asked to stop, not killed
    finally:
        for pid in children:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        if app.poll() is None:
            app.kill()
            app.wait()
