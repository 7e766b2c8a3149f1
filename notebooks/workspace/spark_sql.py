"""The SQL files of sql/, written for DuckDB, as Spark SQL: journeylens' macros expanded, then sqlglot's
DuckDB -> Spark transpiler. There is no second copy of any query; what the transpiler cannot carry over
is rewritten here, in one place, and listed in the README ("Running on Apache Spark").

Why sqlglot: it parses DuckDB's dialect (QUALIFY, $name parameters, list and struct functions) into one
tree and writes Spark's, which a hand-kept regex table never would for the ~60 queries here.

Rewrites made here, beyond sqlglot's own:
- macros (sql/workspace/*_macro_*.sql, DuckDB's CREATE MACRO): each call is replaced by the macro's body,
  its parameters by the call's arguments, until no macro call is left (macros call macros);
- $name parameters become Spark's :name markers (spark.sql(text, args=...) binds them; nothing is pasted
  into the text);
- functions Spark names otherwise (spark_functions);
- rows made from a row's own columns (lateral_values), and a list unnested with its positions
  (positional_unnest);
- UNION BY NAME as a plain UNION of the same columns in the same order (union_by_name).
sqlglot writes QUALIFY as a derived table with a helper column `_w`; spark_engine drops it from what a
query gives back."""

import functools
import re

import sqlglot
from journeylens.notebooks.workspace.spark_patterns import POINTER_TO_PATH, glob_regex, spark_time_pattern
from journeylens.notebooks.workspace.sql_files import SQL_DIR
from sqlglot import exp

MACRO = re.compile(r"create\s+or\s+replace\s+macro\s+(\w+)\s*\(([^)]*)\)\s+as\s+\((.*)\)\s*;?\s*$",
                   re.IGNORECASE | re.DOTALL)
MAX_EXPANSIONS = 32  # macros nest a few deep; a macro that called itself would loop


# DuckDB's to_days(n), to_hours(n)... as the argument of Spark's MAKE_DT_INTERVAL(days, hours, minutes, seconds)
INTERVAL_PARTS = {"to_days": 0, "to_hours": 1, "to_minutes": 2, "to_seconds": 3}


class NotTranspiled(ValueError):
    """A query Spark cannot run as written: names the query and what in it."""


@functools.cache
def macros() -> dict:
    """{name: (parameter names, body expression)} of every macro in sql/workspace/."""
    found = {}
    for path in sorted((SQL_DIR / "workspace").glob("*_macro_*.sql")):
        text = "\n".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith("--"))
        match = MACRO.search(text.strip())
        if match is None:
            raise NotTranspiled(f"{path.name}: not one CREATE MACRO name(params) AS (body)")
        name, params, body = match.groups()
        found[name.lower()] = ([p.strip().lower() for p in params.split(",") if p.strip()],
                               sqlglot.parse_one(body, read="duckdb"))
    return found


def expand_macros(tree: exp.Expression) -> exp.Expression:
    """`tree` with every macro call replaced by the macro's body over the call's arguments."""
    known = macros()
    for _ in range(MAX_EXPANSIONS):
        calls = [node for node in tree.find_all(exp.Anonymous) if str(node.this).lower() in known]
        if not calls:
            return tree
        for call in calls:
            params, body = known[str(call.this).lower()]
            if len(call.expressions) != len(params):
                raise NotTranspiled(f"{call.this} takes {len(params)} arguments, not {len(call.expressions)}")
            arguments = dict(zip(params, call.expressions, strict=True))

            def bind(node, arguments=arguments):
                if isinstance(node, exp.Column) and not node.table and node.name.lower() in arguments:
                    return exp.Paren(this=arguments[node.name.lower()].copy())
                return node

            call.replace(exp.Paren(this=body.copy().transform(bind)))
    raise NotTranspiled(f"macros nest deeper than {MAX_EXPANSIONS} calls (does one call itself?)")


def named_markers(tree: exp.Expression) -> exp.Expression:
    """DuckDB's $name parameters as Spark's :name markers (sqlglot reads both as placeholders)."""
    for node in tree.find_all(exp.Parameter):
        node.replace(exp.Placeholder(this=node.name))
    return tree


def spark_functions(tree: exp.Expression) -> exp.Expression:
    """DuckDB functions whose Spark namesake differs: a list's subscript x[i] (from 1 in DuckDB, from 0 in
    Spark, where it also fails out of range: DuckDB gives null) is Spark's TRY_ELEMENT_AT(x, i); GROUPING(a, b),
    DuckDB's bit vector, is GROUPING(a) * 2 + GROUPING(b) (Spark's GROUPING takes one column, and its
    GROUPING_ID must name every grouping column), and PERCENTILE_CONT(x, p), DuckDB's interpolated
    quantile, is Spark's exact PERCENTILE(x, p) (the same linear interpolation). Spark has no 128-bit or
    unsigned integers: HUGEINT is DECIMAL(38, 0) and UBIGINT DECIMAL(20, 0) (jl_order_key's order of alerts),
    a hexadecimal string cast to UBIGINT ('0x' || digits) is CONV(digits, 16, 10), and EPOCH_US(ts) is
    UNIX_MICROS(ts); EPOCH(ts) is UNIX_MICROS(ts) / 1e6 as a double, seconds with their fraction as DuckDB
    gives them (sqlglot's UNIX_TIMESTAMP drops it). TO_MINUTES(n) (and TO_DAYS, TO_HOURS, TO_SECONDS) is MAKE_DT_INTERVAL with n in
    its place; ISFINITE(x) is ABS(x) < infinity (NaN is not, NULL stays NULL). HASH(...) is XXHASH64(...),
    64 bits as DuckDB's (Spark's HASH has 32): other values, so the queries use a hash as an identity only
    (incident islands), never as an order or an output. STRFTIME(ts, format) is DATE_FORMAT with the
    format's letters quoted (spark_time_pattern). A JSON path that is a bound value may be a JSON pointer
    (/key: DuckDB reads both), which Spark's GET_JSON_OBJECT does not: it is spelled $['key'] in SQL. Spark has no GLOB: `a GLOB p` is `a RLIKE` the pattern made a regular expression
    (glob_regex), in SQL, since the pattern is often a bound parameter."""

    def rewrite(node):
        if isinstance(node, exp.Cast) and node.to.is_type(exp.DataType.Type.UBIGINT, exp.DataType.Type.INT128):
            digits = 20 if node.to.is_type(exp.DataType.Type.UBIGINT) else 38
            value = node.this.unnest()
            if (isinstance(value, exp.DPipe) and isinstance(value.this, exp.Literal)
                    and value.this.this.lower() == "0x"):
                value = exp.Anonymous(this="CONV", expressions=[value.expression.copy(), exp.Literal.number(16),
                                                                exp.Literal.number(10)])
            # a node returned here is not walked again: what it holds is rewritten now
            return exp.Cast(this=value.copy().transform(rewrite), to=exp.DataType.build(f"DECIMAL({digits}, 0)"))
        if isinstance(node, exp.Glob):
            return exp.RegexpLike(this=node.this.copy().transform(rewrite),
                                  expression=glob_regex(node.expression.copy().transform(rewrite)))
        if isinstance(node, exp.Anonymous) and str(node.this).lower() in INTERVAL_PARTS and len(node.expressions) == 1:
            part = INTERVAL_PARTS[str(node.this).lower()]  # DuckDB's to_minutes(n) and kin: n minutes
            amount = node.expressions[0].copy().transform(rewrite)
            return exp.Anonymous(this="MAKE_DT_INTERVAL", expressions=[
                amount if i == part else exp.Literal.number(0) for i in range(4)])
        if isinstance(node, exp.Anonymous) and str(node.this).lower() == "isfinite" and len(node.expressions) == 1:
            # Spark orders NaN above infinity: only a finite number is below it, and NULL stays NULL
            return exp.LT(this=exp.Abs(this=node.expressions[0].copy().transform(rewrite)),
                          expression=exp.Cast(this=exp.Literal.string("Infinity"), to=exp.DataType.build("DOUBLE")))
        if isinstance(node, exp.TimeToUnix) and not node.args.get("format"):
            # DuckDB's epoch(ts) keeps the fraction of a second; Spark's UNIX_TIMESTAMP drops it
            micros = exp.Anonymous(this="UNIX_MICROS", expressions=[
                exp.Cast(this=node.this.copy().transform(rewrite), to=exp.DataType.build("TIMESTAMP"))])
            return exp.Paren(this=exp.Div(this=exp.Cast(this=micros, to=exp.DataType.build("DOUBLE")),
                                          expression=exp.Literal.number(1000000)))
        if isinstance(node, exp.TimeToStr) and isinstance(node.args.get("format"), exp.Literal):
            pattern = spark_time_pattern(node.args["format"].this)
            if pattern is not None:  # sqlglot leaves literal letters (the T of ISO 8601) unquoted
                return exp.Anonymous(this="DATE_FORMAT", expressions=[node.this.copy().transform(rewrite),
                                                                      exp.Literal.string(pattern)])
        if isinstance(node, exp.JSONExtractScalar) and not isinstance(node.expression, (exp.Literal, exp.JSONPath)):
            # a path that is a value (a bound parameter): a JSON pointer (/key, DuckDB's) becomes $['key']
            path = node.expression.copy()
            spelled = POINTER_TO_PATH.transform(
                lambda n: path.copy() if isinstance(n, exp.Column) and n.name == "pointer" else n)
            return node.__class__(this=node.this.copy().transform(rewrite), expression=spelled)
        if isinstance(node, exp.Anonymous) and str(node.this).lower() == "hash":
            return exp.Anonymous(this="XXHASH64", expressions=[e.copy().transform(rewrite) for e in node.expressions])
        if isinstance(node, exp.Anonymous) and str(node.this).lower() == "epoch_us":
            return exp.Anonymous(this="UNIX_MICROS", expressions=[e.copy() for e in node.expressions])
        if isinstance(node, exp.Bracket) and len(node.expressions) == 1:
            index = node.expressions[0]
            if not (isinstance(index, exp.Literal) and index.is_string):  # a list's position, not a map's key
                if isinstance(index, exp.Literal):  # sqlglot keeps a literal position counted from 0
                    index = exp.Literal.number(int(index.this) + 1)
                return exp.Anonymous(this="TRY_ELEMENT_AT", expressions=[node.this.copy(), index.copy()])
        if isinstance(node, exp.Grouping) and len(node.expressions) > 1:
            width = len(node.expressions)
            bits = [exp.Mul(this=exp.Grouping(expressions=[e.copy()]), expression=exp.Literal.number(2 ** (width - 1 - i)))
                    for i, e in enumerate(node.expressions)]
            total = bits[0]
            for bit in bits[1:]:
                total = exp.Add(this=total, expression=bit)
            return exp.Paren(this=total)
        if isinstance(node, exp.PercentileCont) and node.args.get("expression") is not None:
            return exp.Anonymous(this="PERCENTILE", expressions=[node.this.copy(), node.expression.copy()])
        return node

    return tree.transform(rewrite)


def union_by_name(tree: exp.Expression) -> exp.Expression:
    """DuckDB's UNION [ALL] BY NAME, which Spark SQL lacks, as a plain UNION: each side selects the columns of
    both, by name, in the left side's order and then the right side's own, NULL where a side lacks one. Both
    sides must list their columns (spark_engine spells out their stars first), or it is left as it is."""
    for union in list(tree.find_all(exp.Union)):
        if not union.args.get("by_name"):
            continue
        left, right = union.this, union.expression
        if not (isinstance(left, exp.Select) and isinstance(right, exp.Select)) or "*" in left.named_selects + right.named_selects:
            continue  # left as written (Spark will not parse it): spark_engine spells the stars out first
        names = list(dict.fromkeys(left.named_selects + right.named_selects))
        for side in (left, right):
            have = dict(zip(side.named_selects, side.expressions, strict=True))
            side.set("expressions", [have[name].copy() if name in have else exp.alias_(exp.Null(), name)
                                     for name in names])
        union.set("by_name", None)
    return tree


def lateral_values(tree: exp.Expression) -> exp.Expression:
    """A SELECT's last join, CROSS JOIN LATERAL (VALUES (a, b), (c, d)) AS p(x, y) (rows made from each row's
    own columns), as Spark's LATERAL VIEW STACK(2, a, b, c, d) p AS x, y: Spark evaluates no column of the
    outer row inside an inline table. Only the last join moves after the others, where a lateral view stands;
    one elsewhere is NotTranspiled."""
    for select in list(tree.find_all(exp.Select)):
        joins = select.args.get("joins") or []
        for i, join in enumerate(joins):
            lateral = join.this
            if not (isinstance(lateral, exp.Lateral) and isinstance(lateral.this, exp.Subquery)
                    and isinstance(lateral.this.this, exp.Values)):
                continue
            if i != len(joins) - 1 or join.args.get("on") or join.args.get("kind") not in ("CROSS", None):
                raise NotTranspiled("a LATERAL (VALUES ...) that is not the SELECT's last, plain cross join")
            rows = lateral.this.this.expressions
            cells = [cell.copy() for row in rows for cell in row.expressions]
            select.append("laterals", exp.Lateral(this=exp.Stack(this=exp.Literal.number(len(rows)), expressions=cells),
                                                  view=True, alias=lateral.args["alias"].copy()))
            join.pop()
    return tree


def positional_unnest(tree: exp.Expression) -> exp.Expression:
    """DuckDB's `unnest(x) AS v` beside `generate_subscripts(x, 1) AS i` in one SELECT (each element of the
    list x on a row of its own, with its position from 1) as Spark's LATERAL VIEW POSEXPLODE(x) (positions
    from 0) and i = position + 1: Spark has no generate_subscripts. Rows of an empty or null list vanish in
    both. A subscript without its unnest, or of another dimension than the first, is NotTranspiled."""
    for n, select in enumerate(list(tree.find_all(exp.Select))):
        for subscripts in [e for e in select.expressions if isinstance(e, exp.Alias)
                           and isinstance(e.this, exp.Anonymous) and e.this.name.lower() == "generate_subscripts"]:
            array, *dimension = subscripts.this.expressions
            unnests = [e for e in select.expressions if isinstance(e, exp.Alias) and isinstance(e.this, exp.Explode)
                       and e.this.this == array]
            if dimension != [exp.Literal.number(1)] or len(unnests) != 1:
                raise NotTranspiled(f"generate_subscripts({array.sql('duckdb')}) without one unnest of it beside it")
            position = f"_jl_position_{n}"
            select.append("laterals", exp.Lateral(
                this=exp.Posexplode(this=array.copy()), view=True,
                alias=exp.TableAlias(this=exp.to_identifier(f"_jl_elements_{n}"),
                                     columns=[exp.to_identifier(position), exp.to_identifier(unnests[0].alias)])))
            unnests[0].replace(exp.column(unnests[0].alias))
            subscripts.replace(exp.alias_(exp.Add(this=exp.column(position), expression=exp.Literal.number(1)),
                                          subscripts.alias))
    return tree


def to_spark(duckdb_sql: str, name: str = "query") -> str:
    """One DuckDB statement of journeylens as Spark SQL; NotTranspiled names `name` when it cannot be."""
    try:
        trees = [t for t in sqlglot.parse(duckdb_sql, read="duckdb") if t is not None]
    except sqlglot.errors.ParseError as error:
        raise NotTranspiled(f"{name}: sqlglot cannot read it ({str(error).splitlines()[0]})") from error
    if len(trees) != 1:
        raise NotTranspiled(f"{name}: {len(trees)} statements, not one")
    return tree_to_spark(trees[0], name)


def tree_to_spark(tree: exp.Expression, name: str = "query") -> str:
    """A statement sqlglot has read from DuckDB's dialect (changed in place) as Spark SQL: for a caller that
    has read it already, with no second parse and no DuckDB text written in between."""
    tree = spark_functions(positional_unnest(lateral_values(union_by_name(named_markers(expand_macros(tree))))))
    try:
        return tree.sql("spark", unsupported_level=sqlglot.ErrorLevel.RAISE, comments=False)
    except sqlglot.errors.UnsupportedError as error:
        raise NotTranspiled(f"{name}: {error}") from error
