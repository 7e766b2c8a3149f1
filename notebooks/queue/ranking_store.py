"""A full ranking kept on disk, per workspace snapshot, settings and code, so that a server started again (a
deploy, a second replica, the next morning) opens a ranked snapshot without ranking it again.

A full ranking of a million alerts costs its DuckDB tens of seconds; its tables (groups, components,
incident links, the open ranking's order) take about a second to read back. notebooks/queue/live_queue.py
saves them after each full ranking and looks for them before the next one. A saved ranking is found only
under the same key:

- the snapshot: the upload ids the connection read, and every versioned configuration's latest version
  (thresholds, severity maps, decisions...: versions.config_state) but the profiles' and playbooks': what a
  ranking reads of those is the profile's settings below, and the rules and playbooks a re-rank applies;
- the profile's settings that a full ranking reads (grouping and scoring; the weights, threshold and
  suppression rules are applied afresh on the fast path);
- whether signals are queued, and the code: a digest of journeylens' SQL and notebook modules, so that an
  upgrade never reads a ranking an older version made.

Writes go to a private file renamed into place, so a kill mid-save leaves no half ranking to read, and only
the KEEP most recently used rankings of a workspace stay. The folder is a cache: deleting it loses nothing."""

import contextlib
import hashlib
import json
import logging
import os
import re
import time
from functools import cache
from pathlib import Path

import duckdb
from journeylens.notebooks.workspace.paths import CONFIG_KINDS, forget_old_cache_files, workspace_dirs
from journeylens.notebooks.workspace.sql_files import on_duckdb
from journeylens.notebooks.workspace.versions import config_state

log = logging.getLogger("journeylens.ranking_store")
CACHE_FOLDER = ".cache"  # under the workspace; paths.STORED_NAMES keeps outputs out of it
STORE_ENV = "JOURNEYLENS_RANKING_STORE"
# The saved tables a re-rank writes or adds to, copied when a ranking is opened; the others are read in place.
# ranking.rerank replaces RESCORED (a row or a rule each); the app's open ranking also rewrites its order and
# adds to known_details. routed_groups and route_rules change with the rules only: replace_table replaces them
# then, views over the file or not.
RESCORED = ("score_weights", "suppression_rules", "playbook_rules", "rank_settings")
REWRITTEN = (*RESCORED, "live_group_order", "live_entry_order", "known_details")
# Steps of a scoring that nothing reads once it is done (a re-scoring makes them again): not saved.
NOT_SAVED = ("incident_links", "incident_island_pairs", "incident_labels", "incident_splits", "group_windows",
             "group_journey_impact", "metric_hourly", "harm_z_table")
# What a full ranking reads of the versioned configuration: the profile's settings are keyed one by one, and a
# re-rank applies the weights, rules and playbooks, so saving a profile or a catalogue keeps the ranking.
RANKED_CONFIG = tuple(kind for kind in CONFIG_KINDS if kind not in ("profiles", "playbooks"))
KEEP = 3  # saved rankings per workspace: the current one and a couple of grouping settings tried
CODE_ROOT = Path(__file__).resolve().parents[2]  # the journeylens package: notebooks/ and sql/


def store_enabled() -> bool:
    """Whether the app keeps rankings on disk: yes, unless JOURNEYLENS_RANKING_STORE=off (the tests turn
    it off so that every test ranks afresh, except those of this module)."""
    return os.environ.get(STORE_ENV, "on").strip().lower() not in ("off", "0", "false", "no")


@cache
def code_digest() -> str:
    """A digest of every SQL file and notebook module: a ranking is only read back by the code that made it."""
    digest = hashlib.sha256()
    for path in sorted([*CODE_ROOT.glob("sql/**/*.sql"), *CODE_ROOT.glob("notebooks/**/*.py")]):
        digest.update(path.relative_to(CODE_ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ranking_key(con, workspace, settings: str, signals: bool) -> str:
    """The key a ranking on `con` (a snapshot of `workspace`) under `settings` (the profile's grouping and
    scoring settings, as live_queue.settings_key gives them) is saved under."""
    uploads = [row[0] for row in con.execute("select upload_id from uploads order by upload_id").fetchall()]
    state = {"uploads": uploads, "config": config_state(workspace, RANKED_CONFIG), "settings": settings,
             "signals": bool(signals), "code": code_digest()}
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()[:32]


def ranking_file(workspace, key: str) -> Path:
    return workspace_dirs(workspace, create=False)["root"] / CACHE_FOLDER / "rankings" / f"{key}.duckdb"


def temp_objects(con) -> tuple[list, list]:
    """([temp table names], [temp view SQL]) on `con`, in the order they were made."""
    tables = [r[0] for r in con.execute("select table_name from duckdb_tables() where temporary "
                                        "order by table_oid").fetchall()]
    views = [r[0] for r in con.execute(
        "select sql from duckdb_views() where temporary and not internal and sql not like '%pandas_scan(%' "
        "and sql not like '%arrow_scan(%' order by view_oid").fetchall()]  # a registered frame is no view to keep
    return tables, views


def save_ranking(con, workspace, key: str, profile: dict) -> Path | None:
    """Writes every temp table and view on `con` (a LiveQueue's, after a full ranking) and the profile it
    ranked under; returns the file, or None when the workspace cannot take it (read-only, full disk)."""
    target = ranking_file(workspace, key)
    partial = target.with_name(f".{target.stem}-{os.getpid()}-{time.monotonic_ns()}.partial")
    tables, views = temp_objects(con)
    tables = [t for t in tables if t not in NOT_SAVED]
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        con.execute("attach ? as saved_ranking", [str(partial)])
        try:
            for table in tables:
                con.execute(f'create table saved_ranking."{table}" as select * from temp."{table}"')
            con.execute("create table saved_ranking.saved_views (position integer, sql varchar)")
            con.executemany("insert into saved_ranking.saved_views values (?, ?)", list(enumerate(views)))
            con.execute("create table saved_ranking.saved_profile as select ? as profile",
                        [json.dumps(profile, sort_keys=True, default=str)])
        finally:
            con.execute("detach database if exists saved_ranking")
        os.replace(partial, target)
    except (OSError, duckdb.Error) as exc:  # a cache: a workspace that cannot take it (read-only, full) ranks again
        log.warning("could not save the ranking in %s (%s)", target.parent, type(exc).__name__)
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
            partial.with_name(partial.name + ".wal").unlink(missing_ok=True)
        return None
    forget_old_rankings(target.parent)
    return target


def load_ranking(con, workspace, key: str, rewritten: tuple = REWRITTEN) -> dict | None:
    """Opens the ranking saved under `key` on `con`: its tables as temp views over the saved file, read in
    place (nothing is copied: DuckDB reads the pages a query needs), except those a re-rank rewrites or
    adds to (`rewritten`: REWRITTEN for the app's open ranking, RESCORED for a reader that only re-ranks
    once), copied; then its views. Returns the profile it was ranked under, or None when
    there is none, or it cannot be read (it is then removed). Before anything rewrites the other tables
    (a re-scoring, a full ranking), hold_saved_tables copies them."""
    source = ranking_file(workspace, key)
    if not source.is_file():
        return None
    try:
        con.execute("attach ? as saved_ranking (read_only)", [str(source)])
        tables = [r[0] for r in con.execute(
            "select table_name from duckdb_tables() where database_name = 'saved_ranking' and table_name not in "
            "('saved_views', 'saved_profile') order by table_oid").fetchall()]
        for table in tables:
            kind = "table" if table in rewritten else "view"
            con.execute(f'create or replace temp {kind} "{table}" as select * from saved_ranking."{table}"')
        views = [r[0] for r in con.execute("select sql from saved_ranking.saved_views order by position").fetchall()]
        profile = json.loads(con.execute("select profile from saved_ranking.saved_profile").fetchone()[0])
        for text in views:  # in the order they were made, so a view over another finds it
            con.execute(re.sub(r"^\s*create\s+(temporary\s+|temp\s+)?view", "create or replace temp view", text,
                               flags=re.IGNORECASE))
    except duckdb.Error as exc:  # a damaged or foreign file is a miss, never an error: the caller ranks in full
        log.warning("could not open the saved ranking %s (%s): ranking in full", source.name, type(exc).__name__)
        con.execute("detach database if exists saved_ranking")
        source.unlink(missing_ok=True)
        return None
    os.utime(source)  # most recently used: kept longest
    return profile


def hold_saved_tables(con) -> None:
    """Copies every table load_ranking left as a view over the saved file into a temp table of its name, and
    lets the file go: a re-scoring or full ranking replaces them, and a view cannot be replaced by a table."""
    if not con.execute("select count(*) from duckdb_databases() where database_name = 'saved_ranking'").fetchone()[0]:
        return
    names = [r[0] for r in con.execute("select table_name from duckdb_tables() where database_name = 'saved_ranking' "
                                       "and table_name not in ('saved_views', 'saved_profile')").fetchall()]
    for name in (n for n in names if n not in REWRITTEN):
        replace_table(con, name, f'select * from saved_ranking."{name}"')
    con.execute("detach saved_ranking")


def replace_table(con, name: str, text: str, params: dict | None = None) -> None:
    """Replaces the temp table `name` with the rows of `text`, also where load_ranking left it a view over
    the saved file: a view cannot be replaced by a table. Another engine's connection (spark_engine) has no
    saved ranking: it replaces the table."""
    if not on_duckdb(con):
        con.execute(f'create or replace temp table "{name}" as {text}', params or {})
        return
    con.execute(f'create or replace temp table "{name}__next" as {text}', params or {})
    kind = "view" if con.execute("select count(*) from duckdb_views() where temporary and view_name = $name",
                                 {"name": name}).fetchone()[0] else "table"
    con.execute(f'drop {kind} if exists "{name}"')
    con.execute(f'alter table "{name}__next" rename to "{name}"')


def forget_old_rankings(folder: Path, keep: int = KEEP) -> None:
    """Removes all but the `keep` most recently used rankings in `folder`, and partial files of dead saves."""
    forget_old_cache_files(folder, "*.duckdb", keep)
