"""notebooks/workspace/spark_sql.py: every SQL file of sql/ becomes one Spark statement with no macro call and no
$parameter left, except those the README lists; an expanded macro answers as the macro does (checked in DuckDB
itself, so the expansion is tested apart from Spark); what cannot be carried over is refused by file name."""

import re

import duckdb
import pytest
import sqlglot
from journeylens.notebooks.workspace.snapshot import new_connection
from journeylens.notebooks.workspace.spark_sql import NotTranspiled, expand_macros, macros, to_spark
from journeylens.notebooks.workspace.sql_files import SQL_DIR

# what Spark cannot run as written (the README's "Running on Apache Spark" lists them, and why)
# 07_feed_fields unpivots every column of the stored tables (DuckDB's UNPIVOT with COLUMNS(*)): feed health reads
# the workspace's own upload register, on DuckDB only, never on Spark
NOT_TRANSPILED = {"11_otel_genai_spans.sql": "TRY", "12_langfuse_traces.sql": "TRY",
                  "07_feed_fields.sql": "sqlglot cannot read it"}
QUERIES = sorted(p for p in SQL_DIR.glob("*/*.sql") if p.parent.name != "workspace")


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_query_becomes_one_spark_statement(path):
    if path.name in NOT_TRANSPILED:
        with pytest.raises(NotTranspiled, match=re.escape(path.name)):
            to_spark(path.read_text(), path.name)
        return
    spark = to_spark(path.read_text(), path.name)
    assert ";" not in re.sub(r"'[^']*'", "", spark)  # one statement (Spark's own parser: test_spark_engine)
    left = {m.lower() for m in re.findall(r"\b(jl_\w+)\s*\(", spark, re.IGNORECASE)}
    assert not left & set(macros()), f"macro calls left: {left}"
    assert "$" not in re.sub(r"'[^']*'", "", spark), "a DuckDB $parameter was left in"


def test_there_are_macros_and_each_is_read():
    names = {p.stem.split("_macro_", 1)[1] for p in (SQL_DIR / "workspace").glob("*_macro_*.sql")}
    assert names == set(macros()) and len(names) >= 10


VALUES = ["'critical'", "'P2'", "'sev-3'", "'nonsense'", "null", "'team=core;env=prod'", "'a:b,c:d'",
          "'[\"x:1\", \"y\"]'", "'{\"k\": \"v\"}'", "'  '"]
CALLS = ["jl_severity_rank({v})", "jl_severity_label(jl_severity_rank({v}))", "jl_labels({v})",
         "jl_status({v})", "jl_bool({v})", "jl_completed({v} is not null, {v} = 'P2', {v}, false)",
         "jl_score_precedence({v})"]


@pytest.mark.parametrize("call", CALLS)
def test_an_expanded_macro_answers_as_the_macro(call):
    con = new_connection()
    try:
        for value in VALUES:
            sql = f"select {call.format(v=value)}"
            expanded = expand_macros(sqlglot.parse_one(sql, read="duckdb")).sql("duckdb")
            assert "jl_" not in expanded.lower()
            try:
                want = con.execute(sql).fetchall()
            except duckdb.Error:  # the macro refuses the value: so must its expansion
                with pytest.raises(duckdb.Error):
                    con.execute(expanded).fetchall()
                continue
            assert con.execute(expanded).fetchall() == want, (sql, expanded)
    finally:
        con.close()


def test_a_parameter_becomes_a_named_marker_and_a_wrong_call_is_refused():
    assert ":w_task" in to_spark("select $w_task * 2 as x")
    with pytest.raises(NotTranspiled, match="jl_completed takes 4 arguments, not 1"):
        to_spark("select jl_completed(true)")
    with pytest.raises(NotTranspiled, match="2 statements"):
        to_spark("select 1; select 2")


def test_rows_from_a_rows_columns_and_a_list_with_its_positions_become_lateral_views():
    spark = to_spark("select k.id, p.name, generate_subscripts(string_split(p.cell, ';'), 1) as i, "
                     "unnest(string_split(p.cell, ';')) as part from t as k "
                     "cross join lateral (values ('a', k.x), ('b', k.y)) as p(name, cell)")
    assert "VALUES" not in spark and "GENERATE_SUBSCRIPTS" not in spark
    stack, positions = spark.index("LATERAL VIEW STACK(2, 'a', k.x, 'b', k.y) p AS name, cell"), \
        spark.index("LATERAL VIEW POSEXPLODE(")
    assert stack < positions, "the rows are made before their lists are unnested"
    assert re.search(r"_jl_position_\d+ \+ 1 AS i", spark), "positions counted from 1, as DuckDB's"


@pytest.mark.parametrize("sql", [
    "select generate_subscripts(l, 1) as i from t",  # no unnest beside it
    "select unnest(l) as v, generate_subscripts(l, 2) as i from t",  # another dimension
    "select * from t cross join lateral (values (t.a)) as p(x) join u on u.x = p.x",  # not the last join
])
def test_what_has_no_lateral_view_form_is_refused(sql):
    with pytest.raises(NotTranspiled):
        to_spark(sql)
