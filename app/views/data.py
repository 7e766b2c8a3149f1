"""Data: what this workspace holds, adding an export of any kind, and removing one.

The page only calls `journeylens.notebooks.ingest.upload` and `journeylens.notebooks.workspace.snapshot`; all reading, checking and storing is there."""

import contextlib
import json
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd
import streamlit as st
from journeylens.app.launch import open_ahead
from journeylens.app.mapping_forms import (
    held_mapping,
    keep_mapping,
    mapping_editor,
    severity_map_section,
    show_problems,
    show_refusal,
    show_rows,
)
from journeylens.app.table_labels import column_config, show_table
from journeylens.app.ui import flash, guard, held_summary, show_flash, workspace_path
from journeylens.notebooks.ingest.severity_map import load_severity_map
from journeylens.notebooks.ingest.upload import ingest_file, preview_file
from journeylens.notebooks.workspace.contract import KIND_NAMES, KINDS, IngestError, expected_text
from journeylens.notebooks.workspace.paths import plain_file_name
from journeylens.notebooks.workspace.snapshot import list_uploads, remove_upload

UPLOAD_PREFIX = "journeylens-upload-"
FORMATS = ("auto", "csv", "parquet", "json", "jsonl")
KIND_LABELS = {
    "alerts": "alerts (Alertmanager, Grafana, PagerDuty, Opsgenie, Datadog, CSV)",
    "journey-map": "journey map (YAML)",
    "metrics": "journey metrics",
    "ai": "AI interactions (OpenTelemetry GenAI, Langfuse, CSV)",
    "scores": "evaluation scores (Langfuse, CSV)",
    "incidents": "incidents",
    "changes": "changes (deploys, config, flags)", "tickets": "support tickets (Zendesk, Jira SM, CSV)",
}
UPLOAD_COLUMNS = ("file_name", "kind", "rows", "layout", "format", "stored_at", "stored_by", "upload_id",
                  "sha256")
TABLE_LABELS = {
    "alerts": "Alerts", "stages": "Journey stages", "touchpoints": "Touchpoints", "segments": "Segments",
    "journey_metrics": "Journey metric rows", "ai_interactions": "AI interactions",
    "eval_scores": "Evaluation scores", "incidents": "Incidents", "changes": "Changes", "tickets": "Tickets",
}


# -- the uploaded file -------------------------------------------------------------------------------

def saved_upload(uploaded) -> Path:
    """The upload as a file on disk (DuckDB reads files, not buffers), under its original name.

    Written once per chosen file and kept for the session's next runs; replaced when another file is
    chosen, deleted when the uploader is cleared."""
    held = st.session_state.get("_upload_file")
    if held and held[0] == uploaded.file_id and Path(held[1]).is_file():
        return Path(held[1])
    discard_upload()
    sweep_abandoned_uploads()
    folder = Path(tempfile.mkdtemp(prefix=UPLOAD_PREFIX))
    path = folder / plain_file_name(uploaded.name)  # a browser's name is never a path
    uploaded.seek(0)
    with open(path, "wb") as handle:
        shutil.copyfileobj(uploaded, handle)
    st.session_state["_upload_file"] = (uploaded.file_id, str(path))
    return path


def sweep_abandoned_uploads(max_age_s: float = 86_400) -> None:
    """Deletes upload copies left by sessions that ended with a file still chosen (a closed tab)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{UPLOAD_PREFIX}*"):
        with contextlib.suppress(OSError):
            if time.time() - folder.stat().st_mtime > max_age_s:
                shutil.rmtree(folder, ignore_errors=True)


def discard_upload() -> None:
    held = st.session_state.pop("_upload_file", None)
    if held:
        shutil.rmtree(Path(held[1]).parent, ignore_errors=True)


@st.cache_data(max_entries=16, show_spinner="Reading and checking the file…")
def cached_preview(kind: str, path: str, fmt: str | None, held: str, file_name: str, workspace: str,
                   severity: tuple) -> dict:
    """preview_file, remembered per (file, kind, format, mapping, severity map in force) so that reruns do
    not re-read the file. A refusal is not cached: it is raised again on every run."""
    held = json.loads(held)
    return preview_file(kind, path, fmt=fmt, mapping=held["mapping"] or None, file_name=file_name,
                        workspace=workspace, map_values=held["values"], map_set=held["constants"])


# -- sections ----------------------------------------------------------------------------------------

def add_file(ws: Path) -> None:
    left, right = st.columns([3, 1])
    kind = left.selectbox("Kind of data", KIND_NAMES, format_func=KIND_LABELS.get, key="kind")
    fmt_choice = right.selectbox("Format", FORMATS, key="format", disabled=kind == "journey-map",
                                 help="auto looks at the content first, then the file name. "
                                      "A journey map is always YAML.")
    fmt = None if fmt_choice == "auto" or kind == "journey-map" else fmt_choice
    upload_key = f"upload-{st.session_state.get('_upload_generation', 0)}"
    uploaded = st.file_uploader("File", key=upload_key,
                                help="CSV, Parquet, JSON or JSON Lines; a journey map is YAML.")
    if uploaded is None:
        discard_upload()
        return

    name = plain_file_name(uploaded.name)
    path = saved_upload(uploaded)
    owner = (uploaded.file_id, kind)
    held = held_mapping(owner)
    mapping = held["mapping"]
    severity = tuple(load_severity_map(ws).items()) if kind == "alerts" else ()
    try:
        preview = cached_preview(kind, str(path), fmt, json.dumps(held, sort_keys=True), name, str(ws), severity)
    except IngestError as exc:
        show_refusal(exc, rename={path: name})
        if kind != "journey-map":
            mapping_editor(kind, owner, held)
        if any(held.values()) and st.button("Clear the mapping", key="clear_mapping"):
            st.session_state.pop("_mapping", None)
            st.rerun()
        return

    st.markdown(f"**{name}** reads as layout **{preview['layout']}**, format **{preview['format']}**.")
    missing = list(preview["missing_required"])
    to_map = list(mapping) + [c for c in missing if c not in mapping]
    if to_map:
        mapping_form(kind, name, preview["source_columns"], to_map, missing, mapping, owner)
    if kind != "journey-map":
        mapping_editor(kind, owner, held)
    if missing:
        st.warning(f"Still missing: {', '.join(missing)}. Map them above to store this file.")
        return

    frame = preview["frame"]
    if frame is not None:
        show_rows(preview)
        st.caption(f"Preview of the first {len(frame):,} rows as they will be stored; a value storing would "
                   "refuse is shown as the file holds it, marked.")
    refused = kind != "journey-map" and show_problems(preview, name)
    preview_detail(preview)

    if not refused and st.button("Store", type="primary", key="store"):
        store(ws, kind, path, fmt, held, name)


def preview_detail(preview: dict) -> None:
    """Detail on demand: how the file's columns were matched, or a journey map's other parts."""
    if "touchpoints" in preview:
        with st.expander("Touchpoints and segments"):
            show_table(preview["touchpoints"])
            if preview.get("segments") is not None and len(preview["segments"]):
                show_table(preview["segments"])
        return
    with st.expander("How the columns were matched"):
        resolved = pd.DataFrame(
            [{"column": c, "from": ", ".join(map(str, s))} for c, s in preview["resolved"].items()],
            columns=["column", "from"])
        show_table(resolved, column="Column", **{"from": "Read from"})
        st.caption("Columns of the file: " + ", ".join(map(str, preview["source_columns"])))


def mapping_form(kind, name, source_columns, to_map, missing, mapping, owner) -> None:
    """One selectbox per canonical column journeylens could not find; submitting re-previews with it."""
    columns = {c.name: c for c in KINDS.get(kind, {}).get("columns", ())}
    with st.form(f"mapping-{owner[0]}-{kind}"):
        if missing:
            st.markdown(f"journeylens could not find **{', '.join(missing)}** in {name}. "
                        "Pick the column of your file that holds each.")
        else:
            st.markdown("Column mapping in use:")
        choices = {}
        # a path chosen in the editor below (labels.team) is offered too, so that this form keeps it
        options = list(source_columns) + [s for s in mapping.values() if s not in source_columns]
        for canonical in to_map:
            spec = columns.get(canonical)
            parser = f" — {expected_text(spec)}" if spec else ""
            chosen = mapping.get(canonical)
            choices[canonical] = st.selectbox(
                f"{canonical}{parser}", options, placeholder="choose a column of the file",
                index=options.index(chosen) if chosen in options else None,
                key=f"map-{owner[0]}-{kind}-{canonical}")
        if st.form_submit_button("Preview with this mapping"):
            keep_mapping(owner, mapping={c: s for c, s in choices.items() if s})
            st.rerun()


def store(ws: Path, kind: str, path: Path, fmt, held: dict, name: str) -> None:
    """Ingests with a progress bar; on success clears the uploader and shows the result after a rerun."""
    bar, shown = st.progress(0.0, text=f"Storing {name}…"), [0.0]

    def progress(fraction: float, text: str = "") -> None:
        shown[0] = min(max(float(fraction), shown[0]), 1.0)  # never moves backwards
        bar.progress(shown[0], text=text or f"Storing {name}…")

    try:
        result = ingest_file(ws, kind, str(path), fmt=fmt, mapping=held["mapping"] or None, progress=progress,
                             file_name=name, map_values=held["values"], map_set=held["constants"])
    except Exception as exc:
        bar.empty()
        show_refusal(exc, f"storing {name}", rename={path: name})
        return
    bar.empty()
    if result["status"] == "duplicate":
        fallback = f"{name} is already stored as upload {result['upload_id']}: nothing added."
        st.info(sentence(result.get("message") or fallback))
        return
    flash(sentence(result.get("message") or f"stored {result['rows']:,} rows from {name}."))
    open_ahead(ws)  # the new snapshot's ranking starts now, not when the Ranked page asks for it
    st.session_state["_upload_generation"] = st.session_state.get("_upload_generation", 0) + 1
    st.session_state.pop("_mapping", None)
    discard_upload()
    st.rerun()


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def when(value) -> str:
    if pd.isna(value):
        return "—"
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def summary(ws: Path) -> None:
    table = held_summary(str(ws), tuple(list_uploads(ws)["upload_id"]))
    stored = table[table["rows"] > 0]
    if stored.empty:
        st.info("Nothing stored yet. Add a file above, or run `journeylens demo` for a sample workspace.")
        return
    cells = st.columns(min(len(stored), 5))
    for i, row in enumerate(stored.itertuples(index=False)):
        span = None if pd.isna(row.first) else f"From {when(row.first)} to {when(row.last)} (UTC)."
        cells[i % len(cells)].metric(TABLE_LABELS.get(row.table, row.table), f"{row.rows:,}", help=span)
    firsts, lasts = stored["first"].dropna(), stored["last"].dropna()
    if len(firsts):
        st.caption(f"Events from {when(firsts.min())} to {when(lasts.max())} (UTC).")
    with st.expander("Rows and time span per table"):
        show_table(table, first="First (UTC)", last="Last (UTC)")


def uploads(ws: Path) -> None:
    register = list_uploads(ws)
    if register.empty:
        st.caption("No uploads yet.")
        return
    shown = register.assign(stored_at=pd.to_datetime(register["stored_at"], utc=True, format="ISO8601"))
    st.dataframe(shown, hide_index=True, column_order=UPLOAD_COLUMNS, column_config=column_config(shown))
    with st.expander("Remove an upload"):
        labels = {r.upload_id: f"{r.file_name} · {r.kind} · {r.rows:,} rows · {r.upload_id}"
                  for r in register.itertuples(index=False)}
        choice = st.selectbox("Upload to remove", list(labels), format_func=labels.get, index=None,
                              placeholder="choose an upload", key="remove_choice")
        why = st.text_input("Why (kept in the audit log)", key="remove_why")
        sure = st.checkbox("Yes, remove this upload and every row it brought", key="remove_confirm")
        if st.button("Remove upload", disabled=not (choice and sure), key="remove"):
            try:
                manifest = remove_upload(ws, choice, why=why)
            except KeyError:
                st.warning(f"Upload {choice} is no longer in the workspace; it was removed elsewhere.")
                return
            for key in ("remove_choice", "remove_why", "remove_confirm"):
                st.session_state.pop(key, None)
            flash(f"Removed {manifest['file_name']} ({manifest['rows']:,} rows, upload {choice}).")
            open_ahead(ws)
            st.rerun()


# -- the page: title, what it answers, controls, answer, detail ------------------------------------

st.title("Data")
st.write("What does this workspace hold, and does this export load? Upload a file of any kind, check how "
         "journeylens reads it, then store it. Refused files change nothing.")
workspace = workspace_path()
show_flash()

st.subheader("Add a file")
with guard("reading the uploaded file"):
    add_file(workspace)

st.subheader("Severity map")
st.caption("Your own severity words on the scale (critical, high, medium, low, info), applied to every alerts "
           "file stored from now on; `journeylens severity-map` does the same from the command line.")
with guard("reading the severity map"):
    severity_map_section(workspace)

st.subheader("What is stored")
with guard("reading the workspace summary"):
    summary(workspace)

st.subheader("Uploads")
with guard("listing the uploads"):
    uploads(workspace)
