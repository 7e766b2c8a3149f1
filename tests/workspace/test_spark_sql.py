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
NOT_TRANSPILED = {"11_otel_genai_spans.sql": "TRY", "12_langfuse_traces.sql": "TRY"}
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
