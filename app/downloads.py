"""Download buttons: each file is made by the notebook-side writer its CLI counterpart uses, and only
when the button is clicked (a callable as st.download_button's data), so offering a file costs a page
nothing on a rerun. A click does not rerun the page (on_click="ignore").

CSV goes through safe_output.csv_text (formula cells neutralised, floats to 10 digits), as the CLI's
write_csv does, so a downloaded file equals the one `journeylens rank` writes."""

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st
from journeylens.notebooks.queue.queue_view import alerts_only, queue_entries
from journeylens.notebooks.retro.governance import audit_entries
from journeylens.notebooks.workspace.safe_output import csv_text
from journeylens.notebooks.workspace.trail import TRAIL

CSV, JSONL, HTML, MARKDOWN = "text/csv", "application/x-ndjson", "text/html", "text/markdown"


def offer(label: str, make: Callable[[], str | bytes], file_name: str, mime: str, key: str, where=st) -> None:
    """One download button whose bytes `make()` produces when clicked."""
    where.download_button(label, make, file_name=file_name, mime=mime, key=key, on_click="ignore",
                          icon=":material/download:")


def offer_csv(label: str, frame: pd.DataFrame, file_name: str, key: str, where=st) -> None:
    """`frame` as a neutralised CSV download."""
    offer(label, lambda: csv_text(frame), file_name, CSV, key, where)


def ranked_downloads(live) -> None:
    """The ranked queue (one row per entry, as `journeylens rank --queue` writes it) and ranked_alerts.csv
    (one row per alert group, SPEC §4.1, as `journeylens rank` writes it), from the page's open ranking
    (notebooks/queue/live_queue.py): the whole queue is read only when a button is clicked."""
    left, right = st.columns(2)
    offer("Download the queue (ranked_queue.csv)", lambda: csv_text(queue_entries(live.queue())),
          "ranked_queue.csv", CSV, "dl_ranked_queue", left)
    offer("Download alert groups (ranked_alerts.csv)", lambda: csv_text(alerts_only(live.queue())),
          "ranked_alerts.csv", CSV, "dl_ranked_alerts", right)


def audit_downloads(workspace: Path) -> None:
    """The whole audit log as it is stored (audit.jsonl, one JSON entry a line, hash chain included, to
    verify elsewhere) and as the table the Governance page shows, newest first (audit_log.csv)."""
    left, right = st.columns(2)
    trail = Path(workspace) / TRAIL
    offer("Download audit.jsonl", lambda: trail.read_bytes() if trail.exists() else b"", "audit.jsonl", JSONL,
          "dl_audit_jsonl", left)
    offer("Download audit_log.csv", lambda: csv_text(audit_entries(workspace)), "audit_log.csv", CSV, "dl_audit_csv",
          right)
