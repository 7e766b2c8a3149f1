"""notebooks/ingest/piece_store.py: the alert pieces a workspace keeps per upload give the same groups as piecing
every alert afresh, through folds across uploads, removals, another gap and another journey map."""

import json
import random
from datetime import datetime, timedelta

import pytest
from journeylens.notebooks.ingest import piece_store
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.queue.groups import create_alert_groups, groups_select
from journeylens.notebooks.workspace.snapshot import connect, remove_upload
from stored_rows import write_csv

HEADER = ["alert_id", "alert_key", "status", "event_at", "fired_at", "resolved_at", "service", "name", "severity",
          "fingerprint", "labels"]
T0 = datetime(2026, 3, 2, 8, 0)
MAP = """\
journey: shop
stages:
  - {id: checkout, impact: 9, sensitivity: 1.0}
  - {id: signup, impact: 5, sensitivity: 1.0}
touchpoints:
  - {stage: checkout, touchpoint: cart, match: {service: "cart-*", labels.team: "pay*"}}
  - {stage: signup, touchpoint: form, match: {service: "signup-*"}}
"""
MAP_BY_NAME = MAP.replace('match: {service: "signup-*"}', 'match: {name: "Slow*", region: "eu-*"}')


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def write(path, rows):
    return write_csv(path, HEADER, rows)


def random_alerts(seed: int, n: int, prefix: str) -> list:
    """Alerts of a few keys (some without a fingerprint) firing close together, some resolved, some not."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        fired = rng.randrange(0, 600, 10)  # alerts of a key fire in the same second: a hash of the id orders them
        rows.append({
            "alert_id": f"{prefix}{i}", "fired_at": at(fired),
            "resolved_at": at(fired + rng.uniform(0, 90)) if rng.random() < 0.7 else "",
            "service": rng.choice(["cart-api", "cart-web", "signup-form", "search"]),
            "name": rng.choice(["SlowCheckout", "Errors"]), "severity": rng.choice(["critical", "warning", "info"]),
            "fingerprint": rng.choice(["", "f1", "f2", "f3", "  "]),
            "labels": json.dumps({"team": rng.choice(["payments", "growth"]), "instance": f"h{rng.randint(1, 3)}"}),
        })
    return rows


def groups(ws, gap: float = 60, store: bool = True, monkeypatch=None) -> list:
    monkeypatch.setenv(piece_store.STORE_ENV, "on" if store else "off")
    con = connect(ws)
    try:
        create_alert_groups(con, gap_minutes=gap)
        cursor = con.execute(groups_select())
        return cursor.fetchall()
    finally:
        con.close()
        piece_store.wait_for_kept_pieces()  # the files of pieces the ranking made are written beside it


def kept_files(ws) -> set:
    return {p.relative_to(ws) for p in (ws / ".cache" / "pieces").glob("*/*.parquet")}


def assert_same_as_afresh(ws, monkeypatch, gap: float = 60) -> list:
    afresh = groups(ws, gap, store=False, monkeypatch=monkeypatch)
    assert afresh, "the world has groups"
    assert groups(ws, gap, monkeypatch=monkeypatch) == afresh  # made and kept where missing
    assert groups(ws, gap, monkeypatch=monkeypatch) == afresh  # read back
    return afresh


@pytest.fixture
def world(tmp_path):
    ws = tmp_path / "ws"
    (tmp_path / "map.yaml").write_text(MAP)
    ingest_file(ws, "journey-map", tmp_path / "map.yaml")
    first = ingest_file(ws, "alerts", write(tmp_path / "a.csv", random_alerts(1, 300, "a")))
    second = ingest_file(ws, "alerts", write(tmp_path / "b.csv", random_alerts(2, 200, "b")))
    return ws, first["upload_id"], second["upload_id"]


def test_kept_pieces_give_the_groups_of_every_alert_pieced_afresh(world, monkeypatch):
    ws, first, second = world
    assert_same_as_afresh(ws, monkeypatch)
    assert {p.parts[2] for p in kept_files(ws)} == {first, second}
    before = {p: (ws / p).stat().st_mtime_ns for p in kept_files(ws)}

    def never(*args, **kwargs):
        raise AssertionError("kept pieces were made again")

    monkeypatch.setattr(piece_store, "write_upload_pieces", never)
    groups(ws, monkeypatch=monkeypatch)  # a second ranking only reads
    assert set(before) == kept_files(ws)


def test_a_later_upload_that_folds_an_earlier_alert_pieces_it_again_and_removal_undoes_it(world, tmp_path, monkeypatch):
    ws, first, _ = world
    afresh = assert_same_as_afresh(ws, monkeypatch)
    earlier = {p for p in kept_files(ws) if p.parts[2] == first}
    # a resolve of one of the first upload's alerts, and a re-notification of another: they fold across uploads
    resolve = {"alert_id": "a5", "status": "resolved", "fired_at": random_alerts(1, 300, "a")[5]["fired_at"],
               "resolved_at": at(900), "service": "cart-api", "name": "Errors", "severity": "critical"}
    third = ingest_file(ws, "alerts", write(tmp_path / "c.csv", [resolve, *random_alerts(3, 50, "c")]))
    folded = assert_same_as_afresh(ws, monkeypatch)
    assert folded != afresh
    assert {p for p in kept_files(ws) if p.parts[2] == first} - earlier, "the first upload's pieces were made again"
    # one more of the first upload's alerts folds: its pieces change again
    again = {**resolve, "alert_id": "a7", "fired_at": random_alerts(1, 300, "a")[7]["fired_at"], "resolved_at": at(950)}
    fourth = ingest_file(ws, "alerts", write(tmp_path / "d.csv", [again]))
    assert assert_same_as_afresh(ws, monkeypatch) != folded
    remove_upload(ws, fourth["upload_id"])
    assert (ws / ".cache" / "pieces" / third["upload_id"]).is_dir()
    remove_upload(ws, third["upload_id"])
    assert not (ws / ".cache" / "pieces" / third["upload_id"]).exists()  # its pieces went with its files
    assert assert_same_as_afresh(ws, monkeypatch) == afresh


def test_another_gap_and_another_journey_map_piece_alike(world, tmp_path, monkeypatch):
    ws, _, _ = world
    assert_same_as_afresh(ws, monkeypatch, gap=15)
    assert_same_as_afresh(ws, monkeypatch, gap=240)
    (tmp_path / "map2.yaml").write_text(MAP_BY_NAME)  # the rules now read name and region too
    ingest_file(ws, "journey-map", tmp_path / "map2.yaml")
    assert_same_as_afresh(ws, monkeypatch)
    assert len({p.name for p in kept_files(ws)}) == 3  # one signature per gap and map ranked


def test_the_ingest_command_pieces_new_uploads_under_the_plan_of_the_last_ranking(world, tmp_path, monkeypatch,
                                                                                   capsys):
    from journeylens.app.cli import main

    ws, _, _ = world
    assert not (ws / ".cache" / "pieces" / "plan.json").exists()  # never ranked: nothing planned
    assert piece_store.keep_workspace_pieces(ws) == 0 and kept_files(ws) == set()
    groups(ws, gap=30, monkeypatch=monkeypatch)
    assert json.loads((ws / ".cache" / "pieces" / "plan.json").read_text())["bucket_seconds"] == 1800
    assert main(["ingest", "alerts", str(write(tmp_path / "d.csv", random_alerts(4, 80, "d"))),
                 "--workspace", str(ws)]) == 0
    assert "kept the alert pieces of 3 uploads" in capsys.readouterr().err
    fourth = [p for p in (ws / "uploads").iterdir() if p.name not in {k.parts[2] for k in kept_files(ws)}]
    assert [p.name for p in fourth if (p / "alerts.parquet").exists()] == []  # every upload of alerts pieced
    monkeypatch.setattr(piece_store, "write_upload_pieces", lambda *a, **k: pytest.fail("pieced again"))
    assert groups(ws, gap=30, monkeypatch=monkeypatch)


def test_a_workspace_that_cannot_keep_pieces_ranks_the_same(world, monkeypatch):
    ws, _, _ = world
    afresh = groups(ws, store=False, monkeypatch=monkeypatch)
    blocked = ws / ".cache" / "pieces"
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_text("not a folder")  # every write under it fails
    assert groups(ws, monkeypatch=monkeypatch) == afresh


@pytest.mark.parametrize("plan", [
    {"bucket_seconds": 3600, "columns": ['labels; drop table x; --']},
    {"bucket_seconds": -1, "columns": []},
    {"bucket_seconds": "x", "columns": []},
    {"columns": []},
    [1, 2],
])
def test_a_plan_journeylens_did_not_write_is_ignored(world, plan, tmp_path):
    ws, _, _ = world
    (ws / ".cache" / "pieces").mkdir(parents=True, exist_ok=True)
    (ws / ".cache" / "pieces" / "plan.json").write_text(json.dumps(plan))
    assert piece_store.read_plan(ws) is None
    ingest_file(ws, "alerts", write(tmp_path / "e.csv", random_alerts(5, 20, "e")))
    assert piece_store.keep_workspace_pieces(ws) == 0 and kept_files(ws) == set()


def test_pieces_a_ranking_made_are_written_beside_it_and_their_table_let_go(world, monkeypatch):
    ws, first, second = world
    con = connect(ws)
    try:
        create_alert_groups(con)
        assert con.execute("select count(*) from alert_groups").fetchall()[0][0] > 0
        piece_store.wait_for_kept_pieces()
        held = con.execute("select table_name from duckdb_tables() where table_name like 'made_pieces_%'").fetchall()
    finally:
        con.close()
    assert held == []  # the writers dropped what they held once the ranking let it go
    assert {p.parts[2] for p in kept_files(ws)} == {first, second}


def test_a_command_closing_its_snapshot_while_pieces_are_written_waits_for_them(world, monkeypatch):
    """`journeylens rank` closes its snapshot right after ranking, while the pieces it made are still being
    written on a cursor of it: DuckDB refuses to close a busy connection, so the close waits for the writers."""
    from journeylens.notebooks.ingest import piece_writer
    from journeylens.notebooks.queue.ranking import ranked_alerts

    ws, first, second = world
    write = piece_writer.write_piece_file

    def slow_write(cursor, table, target):  # a write that is still running when the ranking is done
        cursor.execute("select sum(hash(i)) from range(150000000) as t(i)").fetchall()
        return write(cursor, table, target)

    monkeypatch.setenv(piece_store.STORE_ENV, "on")
    monkeypatch.setattr(piece_writer, "write_piece_file", slow_write)
    queue = ranked_alerts(ws)  # no ResourceInUseException from closing a connection with a busy cursor
    assert len(queue) > 0
    assert {p.parts[2] for p in kept_files(ws)} == {first, second}  # written before the command returned
