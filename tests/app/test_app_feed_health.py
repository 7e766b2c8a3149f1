"""Feed health on the Overview (app/feed_health_view.py) through AppTest, and `journeylens feeds`."""

import csv

import pandas as pd
from journeylens.app.cli import main
from journeylens.app.ui import ENTRY
from journeylens.notebooks.ingest.upload import ingest_file
from streamlit.testing.v1 import AppTest


def write_alerts(path, start: str, hours: int, source: str = "zabbix"):
    times = pd.date_range(start, periods=hours, freq="h")
    pd.DataFrame({"fired_at": [t.isoformat() for t in times], "service": "web", "name": "cpu",
                  "severity": "warning", "source": source}).to_csv(path, index=False)
    return path


def test_the_overview_shows_a_stale_feed(app_sample_copy, tmp_path):
    # a tool that sent alerts every hour for two days, then nothing while the other feeds went on
    ingest_file(app_sample_copy, "alerts", write_alerts(tmp_path / "zabbix.csv", "2026-10-20 00:00", 48))
    at = AppTest.from_file(str(ENTRY), default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    assert "Feed health" in [s.value for s in at.subheader]
    lines = [m.value for m in at.markdown if "alerts from zabbix" in m.value]
    assert len(lines) == 1 and ": no data for " in lines[0] and "expected hours (last 2026-10-21 23:00 UTC" in lines[0]
    assert any("feed problems:" in c.value and "1 stale" in c.value for c in at.caption)


def test_feeds_on_the_command_line(tmp_path, capsys):
    ws = tmp_path / "ws"
    ingest_file(ws, "alerts", write_alerts(tmp_path / "a.csv", "2026-10-01 00:00", 24 * 10, source="nagios"))
    ingest_file(ws, "alerts", write_alerts(tmp_path / "b.csv", "2026-10-01 00:00", 24 * 4, source="zabbix"))
    out = tmp_path / "feeds.csv"
    assert main(["feeds", "--workspace", str(ws), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("1 feed problem: 1 stale.")
    assert "alerts from zabbix: no data for 143 expected hours (last 2026-10-04 23:00 UTC" in printed
    rows = list(csv.DictReader(out.open()))
    assert [(r["check"], r["feed"]) for r in rows] == [("stale", "alerts from zabbix")]


def test_feeds_refuses_a_folder_that_is_no_workspace(tmp_path, capsys):
    assert main(["feeds", "--workspace", str(tmp_path / "nothing")]) == 2
    assert "is no journeylens workspace" in capsys.readouterr().err
    assert not (tmp_path / "nothing").exists()


def test_the_retro_has_a_feed_health_section(tmp_path):
    ws = tmp_path / "ws"
    ingest_file(ws, "alerts", write_alerts(tmp_path / "a.csv", "2026-10-01 00:00", 24 * 10, source="nagios"))
    ingest_file(ws, "alerts", write_alerts(tmp_path / "b.csv", "2026-10-01 00:00", 24 * 4, source="zabbix"))
    assert main(["retro", "--workspace", str(ws), "--out", str(tmp_path / "retro")]) == 0
    markdown = (tmp_path / "retro" / "retro.md").read_text()
    assert "Feed health" in markdown and "1 feed problem: 1 stale." in markdown
    assert "alerts from zabbix: no data for 143 expected hours" in markdown
    assert "alerts from zabbix: no data for 143 expected hours" in (tmp_path / "retro" / "retro.html").read_text()


def test_feeds_follows_the_profile_and_refuses_an_unknown_one(tmp_path, capsys):
    from journeylens.notebooks.queue.profiles import save_profile

    ws = tmp_path / "ws"
    ingest_file(ws, "alerts", write_alerts(tmp_path / "a.csv", "2026-10-01 00:00", 24 * 10, source="nagios"))
    ingest_file(ws, "alerts", write_alerts(tmp_path / "b.csv", "2026-10-01 00:00", 24 * 4, source="zabbix"))
    save_profile(ws, "patient", {"feed_stale_periods": 200}, author="test", comment="a slow tool")
    assert main(["feeds", "--workspace", str(ws), "--profile", "patient"]) == 0
    assert capsys.readouterr().out.startswith("Every feed looks healthy")
    assert main(["feeds", "--workspace", str(ws), "--profile", "nobody"]) == 2
    assert "refused" in capsys.readouterr().err
