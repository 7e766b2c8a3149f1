"""Patterns DuckDB reads that Spark reads otherwise, for spark_sql.py's rewrites: a glob (GLOB) as a Java regular
expression, a strftime format as a Spark datetime pattern, and a JSON pointer as the JSON path Spark's
GET_JSON_OBJECT reads. Each is SQL or text that spark_sql puts in a transpiled query."""

import sqlglot
from sqlglot import exp

# strftime directives as Spark's datetime pattern letters
STRFTIME_TO_SPARK = {"%Y": "yyyy", "%m": "MM", "%d": "dd", "%H": "HH", "%M": "mm", "%S": "ss", "%f": "SSSSSS",
                     "%%": "%"}


# a JSON pointer of one key (/key, ~1 for / and ~0 for ~) as the JSON path Spark's GET_JSON_OBJECT reads
POINTER_TO_PATH = sqlglot.parse_one(
    "case when left(pointer, 1) = '/' then concat('$[\\'', replace(replace(substring(pointer, 2), '~1', '/'), "
    "'~0', '~'), '\\']') else pointer end", read="spark")


def spark_time_pattern(strftime: str) -> str | None:
    """DuckDB's strftime format as Spark's DATE_FORMAT pattern, letters outside a directive quoted ('T');
    None when it holds a directive not listed here."""
    out, i = [], 0
    while i < len(strftime):
        char = strftime[i]
        if char == "%":
            directive = strftime[i:i + 2]
            if directive not in STRFTIME_TO_SPARK:
                return None
            out.append(STRFTIME_TO_SPARK[directive])
            i += 2
            continue
        out.append("''" if char == "'" else f"'{char}'" if char.isalpha() else char)
        i += 1
    return "".join(out)


def glob_regex(pattern: exp.Expression) -> exp.Expression:
    """SQL making the glob `pattern` a Java regular expression that matches what DuckDB's GLOB matches: the
    whole value; * any run of characters, ? one, [...] a class, [!...] its complement ([^...] is a class of ^
    and the rest); a backslash makes the next character plain, and a pattern ending in a lone one matches
    nothing. Steps: an escaped character is marked (U+0001 before it); the characters regular expressions
    give a meaning to are escaped where unmarked; unmarked *, ? and [! become .*, . and [^; a lone trailing
    backslash becomes (?!); marks go, a marked letter or digit plain, any other escaped; anchored at both
    ends ((?s): . matches a newline, as * does in a glob)."""
    def call(name: str, *args) -> exp.Expression:
        return exp.Anonymous(this=name, expressions=list(args))

    def replace(value, regex: str, replacement: str) -> exp.Expression:
        return call("REGEXP_REPLACE", value, exp.Literal.string(regex), exp.Literal.string(replacement))

    mark = "\u0001"  # the texts below are the strings Spark gets: sqlglot escapes their backslashes
    steps = ((r"(?s)\\(.)", mark + "$1"), (rf"(?<!{mark})([.^$+(){{}}|])", r"\\$1"), (rf"(?<!{mark})\*", ".*"),
             (rf"(?<!{mark})\?", "."), (rf"(?<!{mark})\[!", "[^"), (rf"(?<!{mark})\\$", "(?!)"),
             (rf"{mark}([A-Za-z0-9])", "$1"), (mark, r"\\"))
    regex = pattern
    for find, put in steps:
        regex = replace(regex, find, put)
    return call("CONCAT", exp.Literal.string("(?s)^"), regex, exp.Literal.string("$"))
