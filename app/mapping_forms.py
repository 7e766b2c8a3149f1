"""The Data page's mapping and truth-telling parts: the mapping editor (paths, value maps, constants, as
`journeylens ingest --map/--map-values/--set` take them), the workspace's severity map, the preview with
what storing would refuse marked, and a refusal's list of problems. Asks and shows only: the reading
and checking are in notebooks/ingest/."""

import streamlit as st
from journeylens.app.ui import flash, show_error
from journeylens.notebooks.ingest.preview import marked_frame, problems_table
from journeylens.notebooks.ingest.severity_map import (
    LABELS,
    add_mappings,
    parse_severity_map,
    save_severity_map,
    severity_map_record,
)
from journeylens.notebooks.ingest.value_maps import (
    parse_column_pairs,
    parse_constant_pairs,
    parse_value_pairs,
)
from journeylens.notebooks.workspace.contract import IngestError

EMPTY = {"mapping": {}, "values": {}, "constants": {}}
MARK_STYLE = "background-color: #fde2e1; color: #9b1c1c"


def held_mapping(owner: tuple) -> dict:
    """The mapping chosen for this file and kind: {mapping, values, constants}; empty otherwise."""
    held = st.session_state.get("_mapping")
    if not held or held["for"] != owner:
        return {k: {} for k in EMPTY}
    return {k: dict(held.get(k) or {}) for k in EMPTY}


def keep_mapping(owner: tuple, **parts) -> None:
    current = held_mapping(owner)
    st.session_state["_mapping"] = {"for": owner, **current, **parts}


def lines(text: str) -> list:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def mapping_editor(kind: str, owner: tuple, held: dict) -> None:
    """Paths, value maps and constants, one a line, as the command line takes them."""
    used = any(held[k] for k in ("values", "constants")) or any("." in s for s in held["mapping"].values())
    with st.expander("Map paths, values and constants", expanded=used), st.form(f"advanced-{owner[0]}-{kind}"):
        st.caption("The same as `journeylens ingest --map`, `--map-values` and `--set`. A path reads inside a "
                    "column holding JSON (`service=labels.team`, `service=payload.custom_details.service`); a "
                    "value map replaces a value before it is checked, matched trimmed and in any case.")
        columns = st.text_area("Columns and paths (canonical=source, one a line)",
                               "\n".join(f"{c}={s}" for c, s in held["mapping"].items()), key=f"adv-map-{owner[0]}")
        values = st.text_area("Value maps (column=from:to, one a line; e.g. severity=严重:critical)",
                              "\n".join(f"{c}={f}:{t}" for c, pairs in held["values"].items() for f, t in pairs.items()),
                              key=f"adv-values-{owner[0]}")
        constants = st.text_area("Constants (column=value, one a line; e.g. source=grafana)",
                                 "\n".join(f"{c}={v}" for c, v in held["constants"].items()),
                                 key=f"adv-set-{owner[0]}")
        if st.form_submit_button("Preview with these"):
            try:
                parts = {"mapping": parse_column_pairs(lines(columns)), "values": parse_value_pairs(lines(values)),
                         "constants": parse_constant_pairs(lines(constants))}
            except IngestError as exc:
                show_error(exc)
                return
            keep_mapping(owner, **parts)
            st.rerun()


def show_refusal(exc: BaseException, doing: str = "", rename: dict | None = None) -> None:
    """A refusal's message (the first problem), then every problem found as a table."""
    show_error(exc, doing, rename=rename)
    problems = getattr(exc, "problems", [])
    if isinstance(exc, IngestError) and len(problems) > 1:
        st.caption(f"{len(problems)} problems found (in file order, at most 20):")
        st.dataframe(problems_table(problems), hide_index=True)


def show_rows(preview: dict) -> None:
    """The first rows as they will be stored; a value storing would refuse is shown as the file holds it,
    marked, with a `problems` column saying row, column, expected and found."""
    frame = preview["frame"]
    if not preview.get("marks"):
        st.dataframe(frame, hide_index=True)
        return
    shown, cells = marked_frame(preview)
    marked = set(cells)

    def style(column):
        return [MARK_STYLE if (index, column.name) in marked else "" for index in column.index]

    st.dataframe(shown.style.apply(style), hide_index=True)


def show_problems(preview: dict, name: str) -> bool:
    """What storing would refuse, before storing. True when the file as it is would be refused."""
    problems = preview.get("problems") or []
    if not problems:
        if preview.get("checked") == "rows":
            st.caption("The file is large: only the rows shown were checked; every row is checked when you store.")
        return False
    first = problems[0]
    where = f"row {first['row']}, column {first['column']}"
    scope = "" if preview.get("checked") == "file" else " (in the rows shown; the file is too large to check here)"
    st.error(f"Storing {name} would be refused{scope}: {name}, {where}: expected {first['expected']}, found "
             f"{first['found']}. Fix the file, or map the values above.", icon=":material/block:")
    st.caption(f"{len(problems)} problem{'s' if len(problems) > 1 else ''} found (in file order, at most 20):")
    st.dataframe(problems_table(problems), hide_index=True)
    return preview.get("checked") == "file"


def severity_map_section(ws) -> None:
    """The workspace's severity map: what it holds, add a value, or replace it from a YAML or JSON file."""
    record = severity_map_record(ws)
    entries = record["payload"]["entries"] if record else {}
    if entries:
        st.dataframe([{"value": k, "level": v} for k, v in entries.items()], hide_index=True)
        st.caption(f"Version {record['version']}, saved by {record['author']} at {record['saved_at'][:16]}. "
                   "Values are matched trimmed and in any case, before they are checked.")
    else:
        st.caption("No severity map yet: only the built-in spellings (critical, high, error, warning, P1-P5…).")
    with st.form("severity-map-add"):
        left, right = st.columns([3, 1])
        value = left.text_input("Value in your files (e.g. 严重, page, P0)", key="sev_value")
        level = right.selectbox("Level", LABELS, key="sev_level")
        why = st.text_input("Why (kept in the audit trail)", key="sev_why")
        if st.form_submit_button("Add to the severity map"):
            try:
                add_mappings(ws, {value: level}, comment=why or f"{value} -> {level}")
            except IngestError as exc:
                show_error(exc)
                return
            flash(f"The severity map now maps {value.strip()!r} to {level}.")
            st.rerun()
    with st.expander("Replace the whole map from a file"):
        uploaded = st.file_uploader("YAML or JSON: {\"严重\": critical, page: high}", key="sev_file")
        if uploaded is not None and st.button("Replace the severity map", key="sev_replace"):
            try:
                text = uploaded.getvalue().decode("utf-8")
                save_severity_map(ws, parse_severity_map(text, uploaded.name), comment=f"set from {uploaded.name}")
            except (IngestError, UnicodeDecodeError) as exc:
                show_error(exc if isinstance(exc, IngestError) else IngestError(uploaded.name, None, None,
                                                                               "UTF-8 text", "other bytes"))
                return
            flash(f"The severity map is now the one of {uploaded.name}.")
            st.rerun()
