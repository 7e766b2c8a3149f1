"""The SQL files: macros behave as documented, every DDL matches the kinds contract, no file is dead."""

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from journeylens.notebooks.workspace.contract import KINDS
from journeylens.notebooks.workspace.snapshot import SQL_DIR, canonical_columns, new_connection

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def con():
    connection = new_connection()
    yield connection
    connection.close()


def value(con, sql, **params):
    return con.execute(f"select {sql}", params).fetchall()[0][0]


@pytest.mark.parametrize("text, expected", [
    ("2026-01-02T03:04:05Z", datetime(2026, 1, 2, 3, 4, 5)),
    ("2026-01-02T03:04:05-05:00", datetime(2026, 1, 2, 8, 4, 5)),
    ("2026-01-02", datetime(2026, 1, 2)),
    ("1767323045", datetime(2026, 1, 2, 3, 4, 5)),
    ("1767323045000", datetime(2026, 1, 2, 3, 4, 5)),
    ("  1767323045 ", datetime(2026, 1, 2, 3, 4, 5)),
    ("next tuesday", None),
    ("", None),
])
def test_jl_ts(con, text, expected):
    assert value(con, "jl_ts($t)", t=text) == expected


@pytest.mark.parametrize("text, rank", [
    ("CRITICAL", 1), ("Sev 1", 1), ("p-1", 1), ("error", 2), ("Warning", 3), ("average", 3), ("minor", 4),
    ("none", 5), ("success", 5), ("P5", 5), ("urgent-ish", None), ("6", None),
])
def test_jl_severity_rank(con, text, rank):
    assert value(con, "jl_severity_rank($t)", t=text) == rank


@pytest.mark.parametrize("p", [0.5, 0.2, 0.05, 1e-2, 1e-3, 1e-5, 1e-9, 1e-40])
def test_jl_normal_isf_is_the_normal_upper_quantile(con, p):
    from scipy.stats import norm

    assert value(con, "jl_normal_isf($p)", p=p) == pytest.approx(float(norm.isf(p)), abs=5e-4)


def test_jl_normal_isf_clamps_what_is_no_tail_probability(con):
    assert value(con, "jl_normal_isf(0.9)") == pytest.approx(0.0, abs=5e-4)  # read as 0.5
    assert 37 < value(con, "jl_normal_isf(0.0)") < 38  # read as 1e-300, finite


def test_jl_severity_label(con):
    assert [value(con, f"jl_severity_label({r})") for r in range(1, 6)] == [
        "critical", "high", "medium", "low", "info"]


@pytest.mark.parametrize("fingerprint, expected", [("f1", "f1"), (" f1 ", " f1 "), ("", None), ("  ", None), (None, None)])
def test_jl_key_fingerprint_keys_by_a_fingerprint_only_when_it_is_not_blank(con, fingerprint, expected):
    assert value(con, "jl_key_fingerprint($f)", f=fingerprint) == expected


def test_jl_time_bucket_numbers_buckets_as_wide_as_asked(con):
    assert value(con, "jl_time_bucket(timestamp '1970-01-01 02:59:59', 3600)") == 2
    assert value(con, "jl_time_bucket(timestamp '1970-01-01 03:00:00', 3600)") == 3
    assert value(con, "jl_time_bucket(timestamp '1970-01-01 00:00:01', 0.5)") == 2


@pytest.mark.parametrize("text, expected", [
    ("TRUE", True), ("yes", True), ("1", True), ("y", True), ("false", False), ("No", False), ("0", False),
    ("maybe", None),
])
def test_jl_bool(con, text, expected):
    assert value(con, "jl_bool($t)", t=text) is expected


@pytest.mark.parametrize("text, expected", [
    ("env=prod;team=pay", '{"env":"prod","team":"pay"}'),
    ("env:prod,service:checkout", '{"env":"prod","service":"checkout"}'),
    ('{"a": 1}', '{"a":1}'),
    # tag arrays (Datadog, Opsgenie): key and value split on the first ':' or '='; a bare tag is a key
    ('["env:prod", "team=pay", "canary", "url:http://x"]', '{"env":"prod","team":"pay","canary":"","url":"http://x"}'),
    ("[]", "{}"),
    ("[1, 2]", '{"1":"","2":""}'),
    ("[1, 2", None),
])
def test_jl_labels(con, text, expected):
    assert value(con, "jl_labels($t)", t=text) == expected


def test_jl_distinct_keys_keeps_first_of_repeated_keys(con):
    got = value(con, "jl_distinct_keys([{'k': 'a', 'v': '1'}, {'k': 'a', 'v': '2'}, {'k': 'b', 'v': '3'}])")
    assert got == [{"k": "a", "v": "1"}, {"k": "b", "v": "3"}]


@pytest.mark.parametrize("text", ["team:a,team:b", "team=a;team=b", 'team=a;x="q";team=b'])
def test_repeated_label_key_reads_as_its_first_value(con, text):
    assert value(con, "jl_labels($t)::json ->> 'team'", t=text) == "a"


def first_wins(pairs):
    out = {}
    for key, val in pairs:
        out.setdefault(key, val)
    return out


@settings(max_examples=int(__import__("os").environ.get("JL_EXAMPLES", "300")), deadline=None)
@given(st.text(alphabet="ab =:;,\"\\\t{", max_size=24))
def test_jl_labels_simple_agrees_with_the_general_path(text):
    con = new_connection()
    simple, general = con.execute("select jl_labels_simple($t), jl_labels_pairs($t)", {"t": text}).fetchall()[0]
    con.close()
    if simple is not None:
        assert json.loads(simple, object_pairs_hook=first_wins) == json.loads(general, object_pairs_hook=first_wins)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_canonical_table_has_every_column_of_its_kind(con, kind):
    columns = {name for name, _ in canonical_columns(con, KINDS[kind]["table"])}
    assert {c.name for c in KINDS[kind]["columns"]} <= columns
    assert "upload_id" in columns


def test_every_sql_file_is_used():
    """Macros are called somewhere else, the workspace folder (macros, then canonical DDL) is run whole by
    new_connection, and every other query is named by a notebook."""
    notebooks = "\n".join(p.read_text() for p in (ROOT / "notebooks").rglob("*.py"))
    for path in sorted(SQL_DIR.glob("*/*.sql")):
        stem = path.stem.split("_", 1)[1]
        others = notebooks + "\n".join(p.read_text() for p in SQL_DIR.glob("*/*.sql") if p != path)
        if path.parent.name == "workspace":
            assert stem.startswith(("macro_", "canonical_")), path.name
            if stem.startswith("macro_"):
                assert f"{stem.removeprefix('macro_')}(" in others, path.name
        else:
            named = f'"{stem}"' in notebooks or f"'{stem}'" in notebooks
            assert named, f"{path.name} is not used by any notebook"


def test_sql_files_are_numbered_in_order_and_named_once():
    """sql/<room>/<NN>_<what it produces>.sql: within a room the numbers run 01, 02, ... with no gap or
    repeat (the run order), and no two files anywhere produce the same name (sql_text finds one)."""
    rooms = {path.parent.name for path in SQL_DIR.glob("*/*.sql")}
    assert rooms <= {"workspace", "ingest", "signals", "ai", "queue", "retro"}
    for room in rooms:
        numbers = [int(path.name[:2]) for path in sorted((SQL_DIR / room).glob("*.sql"))]
        assert numbers == list(range(1, len(numbers) + 1)), room
    stems = [path.stem.split("_", 1)[1] for path in SQL_DIR.glob("*/*.sql")]
    assert len(stems) == len(set(stems))
    assert not list(SQL_DIR.glob("*.sql")), "every SQL file lives in a room folder"


def test_every_sql_file_a_text_names_exists():
    """Code, tests, SQL comments and the docs name SQL files by path or file name: after a renumbering
    those names must still be right."""
    files = {f"{p.parent.name}/{p.name}" for p in SQL_DIR.glob("*/*.sql")}
    names = {p.name for p in SQL_DIR.glob("*/*.sql")}
    texts = [*ROOT.glob("*.md"), *SQL_DIR.glob("*/*.sql")] + [
        p for folder in ("app", "notebooks", "tests", "bench") for p in (ROOT / folder).rglob("*.py")]
    wrong = []
    for path in texts:
        text = path.read_text()
        wrong += [f"{path.name}: sql/{m}" for m in re.findall(r"sql/(\w+/\d\d_\w+\.sql)", text) if m not in files]
        wrong += [f"{path.name}: {m}" for m in re.findall(r"(?<![/\w])(\d\d_[a-z_]+\.sql)", text) if m not in names]
    assert wrong == []


@pytest.mark.parametrize("text, expected", [
    ("firing", "firing"), (" Re-Triggered ", "firing"), ("No Data", "firing"), ("INSUFFICIENT_DATA", "firing"),
    ("trigger", "firing"), ("open", "firing"), ("acknowledge", "acknowledged"), ("ACK", "acknowledged"),
    ("resolve", "resolved"), ("Recovered", "resolved"), ("OK", "resolved"), ("closed", "resolved"),
    ("maybe", None), ("", None),
])
def test_jl_status(con, text, expected):
    assert value(con, "jl_status($t)", t=text) == expected


def test_jl_notice_id_tells_a_null_from_a_shifted_value(con):
    a = value(con, "jl_notice_id('k', 'firing', null, null, null, 'x', null, null)")
    b = value(con, "jl_notice_id('k', 'firing', null, null, null, null, 'x', null)")
    assert a != b and len(a) == 32


def test_sql_text_reads_the_file_each_time_and_finds_one_that_moved(tmp_path, monkeypatch):
    """sql_text remembers where each file lives (globbing per query cost a page run tens of ms) but reads
    it each time, and looks again when a file was renumbered or added since."""
    from journeylens.notebooks.workspace import sql_files

    (tmp_path / "queue").mkdir()
    first = tmp_path / "queue" / "1_answer.sql"
    first.write_text("select 1")
    monkeypatch.setattr(sql_files, "SQL_DIR", tmp_path)
    sql_files._sql_files.cache_clear()
    try:
        assert sql_files.sql_text("answer") == "select 1"
        first.write_text("select 2")  # an analyst's edit shows at once
        assert sql_files.sql_text("answer") == "select 2"
        first.rename(tmp_path / "queue" / "2_answer.sql")  # renumbered
        assert sql_files.sql_text("answer") == "select 2"
        (tmp_path / "queue" / "3_later.sql").write_text("select 3")  # added
        assert sql_files.sql_text("later") == "select 3"
        with pytest.raises(FileNotFoundError, match="no single SQL file named 'missing'"):
            sql_files.sql_text("missing")
    finally:
        sql_files._sql_files.cache_clear()
