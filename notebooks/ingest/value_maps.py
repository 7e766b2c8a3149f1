"""A file's mapping beyond column names: nested paths, value maps, constants, the severity map.

One mapping says how a file reads, and it is part of what was stored (the manifest keeps it whole), so
a stored file re-ingested under a corrected mapping is a new upload. Its four parts, as the manifest
names them:

    map          {canonical: source}   a column of the file, or a path into one holding JSON
                                       (`labels.team`, `payload.custom_details.service`)
    map_values   {canonical: {from: to}}  values replaced before parsing (`severity=严重:critical`)
    map_set      {canonical: value}    one value for every row (`source=grafana`)
    severity_map {from: label}         the workspace's severity map in force (alerts only)

Values are never SQL text: the maps and constants go into a temporary table through parameters, and
the conversion looks them up (`jl_value_map`); a path is quoted segment by segment.
"""

import json

from journeylens.notebooks.ingest.layouts import quote_ident
from journeylens.notebooks.ingest.severity_map import map_key
from journeylens.notebooks.workspace.contract import IngestError, kind_spec
from journeylens.notebooks.workspace.snapshot import stored_copies

PARTS = ("map", "map_values", "map_set", "severity_map")
LOOKUP_TABLE = "jl_value_map"
# Names journeylens gives its own columns; never shown to a user as "a column of the file".
INTERNAL_NAMES = {"__row", "__extra"}
INTERNAL_PREFIXES = ("v__", "p__", "s__", "__src_")


class SourceExpr(str):
    """A source of a canonical column that is not one plain column: the text is what a message shows (the
    user's spelling), `.sql` the expression. `origin` is "path", "set" or "value" (a value-mapped
    column); `.inner` is the expression before the value map (for severity_raw)."""

    def __new__(cls, shown: str, sql: str, origin: str, inner: str | None = None):
        obj = super().__new__(cls, shown)
        obj.sql, obj.origin, obj.inner = sql, origin, inner or sql
        return obj


def source_sql(source) -> str:
    """The SQL of one source: its expression, or the quoted column."""
    return source.sql if isinstance(source, SourceExpr) else quote_ident(source)


def visible_columns(columns) -> list:
    """A file's columns as a message or a form may show them: journeylens' own columns left out."""
    return [str(c) for c in columns
            if c not in INTERNAL_NAMES and not str(c).startswith(INTERNAL_PREFIXES) and c != "severity_raw"]


# -- the mapping as data ------------------------------------------------------------------------------

def full_mapping(columns=None, values=None, constants=None, severity=None) -> dict:
    """The four parts, normalised so that equal mappings compare equal (value-map keys as matched)."""
    return {
        "map": {str(k): str(v) for k, v in sorted((columns or {}).items())},
        "map_values": {str(c): {map_key(k): str(v).strip() for k, v in sorted(pairs.items())}
                       for c, pairs in sorted((values or {}).items()) if pairs},
        "map_set": {str(k): str(v) for k, v in sorted((constants or {}).items())},
        "severity_map": dict(sorted((severity or {}).items())),
    }


def as_full(mapping) -> dict:
    """A mapping as given: None, the old `{canonical: source}`, or the four parts (full_mapping)."""
    if not mapping:
        return full_mapping()
    if any(part in mapping and isinstance(mapping[part], dict) for part in PARTS):
        return full_mapping(mapping.get("map"), mapping.get("map_values"), mapping.get("map_set"),
                            mapping.get("severity_map"))
    return full_mapping(mapping)


def manifest_mapping(manifest: dict) -> dict:
    """The mapping an upload was stored with; a manifest older than value maps has only `map`."""
    return as_full({part: manifest.get(part) or {} for part in PARTS})


def find_mapped_duplicate(manifests: list, kind: str, sha256: str, mapping) -> dict | None:
    """The stored upload of the same kind and content read with the same whole mapping, if any."""
    wanted = as_full(mapping)
    return next((m for m in stored_copies(manifests, kind, sha256) if manifest_mapping(m) == wanted), None)


def other_mapped_copies(manifests: list, kind: str, sha256: str, mapping) -> list:
    """Stored uploads of the same content read with another mapping."""
    wanted = as_full(mapping)
    return [m for m in stored_copies(manifests, kind, sha256) if manifest_mapping(m) != wanted]


# -- what a user types: `--map-values severity=严重:critical`, `--set source=grafana` ------------------

def parse_pairs(pairs, flag: str, expected: str) -> dict:
    """{column: text} from `column=text` texts, refused with the flag and the form it expects."""
    parsed = {}
    for pair in pairs or []:
        column, sep, text = str(pair).partition("=")
        if not sep or not column.strip() or not text.strip():
            raise IngestError(flag, None, None, expected, repr(pair))
        parsed[column.strip()] = text.strip()
    return parsed


def parse_column_pairs(pairs) -> dict:
    """{canonical: source} from `canonical=source` texts (a source may be a path: labels.team)."""
    return parse_pairs(pairs, "--map", "canonical=Their Column (or a path such as labels.team)")


def parse_value_pairs(pairs) -> dict:
    """{canonical: {from: to}} from `column=from:to` texts (the last `:` splits, so a value may hold one)."""
    values = {}
    for pair in pairs or []:
        column, sep, rest = str(pair).partition("=")
        source, colon, target = rest.rpartition(":")
        if not sep or not colon or not column.strip() or not source.strip() or not target.strip():
            raise IngestError("--map-values", None, None, "column=from:to, e.g. severity=严重:critical", repr(pair))
        values.setdefault(column.strip(), {})[source.strip()] = target.strip()
    return values


def parse_constant_pairs(pairs) -> dict:
    """{canonical: value} from `column=value` texts."""
    return parse_pairs(pairs, "--set", "column=value, e.g. source=grafana")


def check_mapping(kind: str, mapping, file_name: str) -> dict:
    """Refuses a canonical column the kind does not have, or one both mapped and set."""
    full = as_full(mapping)
    known = [c.name for c in kind_spec(kind)["columns"]]
    for flag, part in (("--map", "map"), ("--map-values", "map_values"), ("--set", "map_set")):
        for canonical in full[part]:
            if canonical not in known:
                raise IngestError(file_name, None, f"{flag} {canonical}", f"a column of {kind}: " + ", ".join(known),
                                  repr(canonical))
    both = sorted(set(full["map"]) & set(full["map_set"]))
    if both:
        raise IngestError(file_name, None, f"--set {both[0]}", "a column either mapped or set, not both",
                          f"--map {both[0]}={full['map'][both[0]]} too")
    return full


# -- the lookup the conversion reads -------------------------------------------------------------------

def value_maps_for(kind: str, full: dict) -> dict:
    """{canonical: {from: to}} applied to a kind: the severity map on its severity columns, then the
    file's own --map-values (which win)."""
    maps = {}
    if full["severity_map"]:
        for column in kind_spec(kind)["columns"]:
            if column.parser == "severity":
                maps[column.name] = dict(full["severity_map"])
    for canonical, pairs in full["map_values"].items():
        maps[canonical] = {**maps.get(canonical, {}), **pairs}
    return maps


def register_lookups(con, kind: str, full: dict) -> dict:
    """Creates the temporary table `jl_value_map(canonical, from_key, to_value)` through parameters
    (a constant has no from_key). Returns the value maps in force {canonical: {from: to}}."""
    maps = value_maps_for(kind, full)
    con.execute(f"create or replace temp table {LOOKUP_TABLE} (canonical varchar, from_key varchar, to_value varchar)")
    rows = [(c, k, v) for c, pairs in maps.items() for k, v in pairs.items()]
    rows += [(c, None, v) for c, v in full["map_set"].items()]
    if rows:
        con.executemany(f"insert into {LOOKUP_TABLE} values (?, ?, ?)", rows)
    return maps


def value_lookup(canonical: str, value_sql: str) -> str:
    """A value replaced by its map entry (matched trimmed and case-insensitively), else kept.
    `canonical` is a contract column name, never user text."""
    return (f"coalesce((select m.to_value from {LOOKUP_TABLE} m where m.canonical = '{canonical}' "
            f"and m.from_key = lower(trim({value_sql}))), {value_sql})")


def constant_source(canonical: str, value: str) -> SourceExpr:
    sql = f"(select m.to_value from {LOOKUP_TABLE} m where m.canonical = '{canonical}' and m.from_key is null)"
    return SourceExpr(f"{canonical}={value} (--set)", sql, "set")


# -- nested paths: `labels.team`, `payload.custom_details.service` -------------------------------------

def split_path(source: str, by_norm: dict, normalise) -> tuple | None:
    """(column, [segments]) for a dotted path whose longest leading part names a column; None otherwise."""
    parts = str(source).split(".")
    for cut in range(len(parts) - 1, 0, -1):
        column = by_norm.get(normalise(".".join(parts[:cut])))
        if column is not None:
            return column, parts[cut:]
    return None


def json_path(segments: list, file_name: str, source: str) -> str:
    """`$."custom_details"."service"`: every key quoted, a whole number an array index."""
    path = "$"
    for segment in segments:
        if segment.isdigit() and len(segment) < 10:
            path += f"[{int(segment)}]"
        elif segment and not any(ch in segment for ch in '"\\') and segment.isprintable():
            path += '."' + segment + '"'
        else:
            raise IngestError(file_name, None, f"--map {source}", "a path of keys separated by dots (no empty key, "
                              "quote or backslash)", repr(segment))
    return path


def path_source(source: str, column: str, segments: list, file_name: str) -> SourceExpr:
    """The text at a path inside a column holding JSON; NULL where the cell is not JSON or lacks it."""
    literal = "'" + json_path(segments, file_name, source).replace("'", "''") + "'"
    cell = quote_ident(column)
    sql = f"(case when json_valid({cell}) then json_extract_string({cell}, {literal}) end)"
    source_expr = SourceExpr(source, sql, "path")
    source_expr.column, source_expr.segments = column, segments
    return source_expr


def check_paths(con, resolution: dict, file_name: str) -> None:
    """Refuses a mapped path that no row holds, naming the keys the column does hold (one pass, only
    when paths are mapped)."""
    paths = [s for sources in resolution["resolved"].values() for s in sources
             if isinstance(s, SourceExpr) and s.origin == "path"]
    if not paths:
        return
    found = con.sql("select " + ", ".join(f"bool_or({p.sql} is not null)" for p in paths) + " from raw_src").fetchall()[0]
    for path, present in zip(paths, found, strict=True):
        if present:
            continue
        cell = quote_ident(path.column)
        keys = con.sql(f"select json_keys({cell}) from raw_src where json_valid({cell}) and "
                       f"json_type({cell}) = 'OBJECT' limit 1").fetchall()
        holds = ("keys " + ", ".join(keys[0][0][:20])) if keys and keys[0][0] else "no JSON object"
        raise IngestError(file_name, "header", f"--map {path}", f"a value at {path} in at least one row (the column "
                          f"{path.column} holds {holds})", "no such path")


def materialise_sources(con, kind: str, resolution: dict, columns: list, maps: dict) -> list:
    """Computes every mapped source (path, constant, value map) once per row, as a column `__src_<n>` of
    `raw_src`, which the conversion then reads like any column. (An expression used inside a macro such as
    jl_severity_rank would be copied into each of its branches: the lookup dozens of times a row.) With
    a value map on the severity, `severity_raw` keeps the file's own word (`严重`), not the mapped
    label. Returns the columns of `raw_src` the plan checks (the `__src_` ones are not the file's)."""
    mapped = [(c, i, s) for c, sources in resolution["resolved"].items() for i, s in enumerate(sources)
              if isinstance(s, SourceExpr)]
    if not mapped:
        return columns
    con.execute("alter view raw_src rename to raw_unmapped")
    computed = []
    for number, (canonical, index, source) in enumerate(mapped):
        name = f"__src_{number}"
        computed.append(f"{source.sql} as {quote_ident(name)}")
        plain = SourceExpr(str(source), quote_ident(name), source.origin, source.inner)
        plain.__dict__.update({k: v for k, v in source.__dict__.items() if k not in ("sql", "origin", "inner")})
        resolution["resolved"][canonical][index] = plain
    select = f"select *, {', '.join(computed)} from raw_unmapped"
    severity = [c.name for c in kind_spec(kind)["columns"] if c.parser == "severity" and c.name in maps]
    sources = resolution["resolved"].get(severity[0], []) if severity else []
    if sources and "severity_raw" not in columns:
        inner = [s.inner if isinstance(s, SourceExpr) else quote_ident(s) for s in sources]
        chosen = [f"case when jl_severity_rank({source_sql(s)}) is not null then {i} end"
                  for s, i in zip(sources, inner, strict=True)]
        texts = [f"case when trim({i}) <> '' then {i} end" for i in inner]
        select = f"select *, coalesce({', '.join(chosen + texts)}) as severity_raw from ({select})"
        columns = [*columns, "severity_raw"]
    con.execute(f"create temp view raw_src as {select}")
    return columns


def mapping_text(full: dict) -> str:
    """The mapping as one line for a message or the audit trail."""
    return json.dumps({k: v for k, v in full.items() if v}, ensure_ascii=False, sort_keys=True)
