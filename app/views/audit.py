"""Audit: the one-off audit of `journeylens audit`, from uploads. Never touches this session's workspace.

The uploads are copied to a temporary folder (DuckDB reads files, not buffers) and audited by
notebooks/retro/one_off_audit.run_in_scratch into a throw-away workspace and output folder; both temporary
folders are gone when the audit ends. The page keeps the headline, the report's sections and the files'
bytes for this session, for display and download."""

import shutil
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st
from journeylens.app.ui import show_error
from journeylens.notebooks.retro.one_off_audit import AUDIT_KINDS, audit_files, run_in_scratch
from journeylens.notebooks.workspace.paths import plain_file_name
from journeylens.notebooks.workspace.safe_output import markdown_text

RESULT = "_audit_result"
UPLOADERS = {  # kind: (label, help)
    "journey-map": ("Journey map (YAML, required)", "The stages and touchpoint rules that map alerts to stages."),
    "alerts": ("Alerts (required; one or more files)",
               "Alertmanager, Grafana, PagerDuty, Opsgenie, Datadog or CSV; CSV, Parquet, JSON or JSON Lines."),
    "metrics": ("Journey metrics", "Per-stage traffic, conversion and latency rows."),
    "ai": ("AI interactions", "OpenTelemetry GenAI, Langfuse or CSV; several files are read as one."),
    "scores": ("Evaluation scores", "Langfuse or CSV evaluation scores."),
    "incidents": ("Incidents", "Past incidents, to link alert groups."),
    "changes": ("Changes", "Deploys, config changes and flags."),
}
MIME = {".html": "text/html", ".csv": "text/csv"}


def saved_uploads(chosen: dict, folder: Path) -> tuple[dict, dict]:
    """({kind: [paths]}, {path: file name}): each upload written under `folder`/kind/n/ with its own name
    (two kinds may hold files of the same name); the second maps paths back to what the user chose."""
    by_kind, names = {}, {}
    for kind, files in chosen.items():
        for index, uploaded in enumerate(files):
            name = plain_file_name(uploaded.name)  # a browser's name is never a path
            path = folder / kind / str(index) / name
            path.parent.mkdir(parents=True)
            path.write_bytes(uploaded.getvalue())
            by_kind.setdefault(kind, []).append(path)
            names[str(path)] = name
    return by_kind, names


def progress_bar(bar, total: int):
    """run_audit's `progress(file name)`: a callback per file moving one bar over all the files."""
    done = {"files": 0}

    def for_file(name: str):
        index = done["files"]
        done["files"] += 1

        def report(fraction: float, text: str) -> None:
            share = min(1.0, (index + max(0.0, min(fraction, 1.0))) / max(total, 1))
            bar.progress(0.9 * share, text=f"{name}: {text}")

        return report

    return for_file


def run(chosen: dict) -> None:
    """Audits the chosen uploads; the result (or the error, shown) replaces the previous one."""
    st.session_state.pop(RESULT, None)
    folder = Path(tempfile.mkdtemp(prefix="journeylens-audit-upload-"))
    names = {}
    try:
        by_kind, names = saved_uploads(chosen, folder)
        files = audit_files(by_kind)
        bar = st.progress(0.0, text="Starting the audit…")
        with st.status("Auditing in a throw-away workspace…", expanded=False) as status:
            result = run_in_scratch(files, progress=progress_bar(bar, len(files)),
                                    note=lambda text: status.write(markdown_text(text, line_start=True)))
            status.update(label="Audit done", state="complete")
        bar.progress(1.0, text="Audit done")
        st.session_state[RESULT] = result
    except Exception as exc:  # the page boundary: a refused file is a message naming it, never a traceback
        show_error(exc, "running the audit", rename={**names, str(folder): "upload"})
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def show_result(result: dict) -> None:
    st.success(result["headline"], icon=":material/task_alt:")
    st.caption(markdown_text(result["counted"]))
    columns = st.columns(len(result["downloads"]) or 1)
    for column, (name, data) in zip(columns, result["downloads"].items(), strict=False):
        column.download_button(f"Download {name}", data=data, file_name=name,
                               mime=MIME.get(Path(name).suffix, "application/octet-stream"),
                               key=f"download-{name}", icon=":material/download:")
    for heading, intro, header, rows in result["sections"]:
        st.subheader(heading, anchor=False)
        st.markdown(markdown_text(intro))
        if header and rows:
            st.dataframe(pd.DataFrame(rows, columns=header), hide_index=True)
        elif header:
            st.caption("None.")


st.title("Audit")
st.write("A one-off audit of exports, as `journeylens audit` runs it: upload the files, get the report. The files "
         "go into a throw-away workspace, not this one, and are deleted when the audit ends.")
chosen = {}
for kind in AUDIT_KINDS:
    label, help_text = UPLOADERS[kind]
    many = kind != "journey-map"
    picked = st.file_uploader(label, accept_multiple_files=many, key=f"audit-{kind}", help=help_text)
    chosen[kind] = list(picked or ()) if many else ([picked] if picked is not None else [])
ready = bool(chosen["journey-map"]) and bool(chosen["alerts"])
if st.button("Run the audit", type="primary", disabled=not ready, icon=":material/play_arrow:"):
    run({kind: files for kind, files in chosen.items() if files})
if not ready:
    st.info("An audit needs a journey map and at least one alerts file.")
if RESULT in st.session_state:
    show_result(st.session_state[RESULT])
