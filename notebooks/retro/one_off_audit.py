"""The one-off audit as both surfaces start it: `journeylens audit` (app/cli_rank.py) and the app's Audit page
(app/views/audit.py). Files come grouped by kind, several per kind; audit_files puts them in the order
run_audit stores them (the journey map first, so that the alerts are mapped as they arrive).
run_in_scratch runs the audit into a throw-away output folder and keeps what a page shows and offers for
download (the headline, the report's sections and the files' bytes), so that nothing is left on disk."""

import tempfile
from pathlib import Path

from journeylens.notebooks.queue.queue_view import counts_text
from journeylens.notebooks.retro.audit_report import run_audit
from journeylens.notebooks.retro.audit_sections import percent, report_sections

# The order files are stored in: the journey map first, then the alerts, then what enriches them.
AUDIT_KINDS = ("journey-map", "alerts", "metrics", "ai", "scores", "incidents", "changes")
# What the app offers for download, when the audit wrote it (ai_metrics.csv only with AI interactions).
DOWNLOADS = ("report.html", "ranked_alerts.csv", "ranked_queue.csv", "ai_metrics.csv")


def audit_files(by_kind: dict) -> list:
    """[(kind, path)] in AUDIT_KINDS order from {kind: [paths]} (a single path is taken as one file).
    An audit needs exactly one journey map and at least one alerts file: ValueError says what is missing."""
    unknown = sorted(set(by_kind) - set(AUDIT_KINDS))
    if unknown:
        raise ValueError(f"unknown kind of file: {', '.join(unknown)} (expected one of {', '.join(AUDIT_KINDS)})")
    listed = {kind: [f] if isinstance(f, (str, Path)) else list(f or ()) for kind, f in by_kind.items()}
    if len(listed.get("journey-map", ())) != 1:
        raise ValueError("an audit needs one journey map (YAML)")
    if not listed.get("alerts"):
        raise ValueError("an audit needs at least one alerts file")
    return [(kind, file) for kind in AUDIT_KINDS for file in listed.get(kind, ())]


def audit_headline(summary: dict) -> str:
    """One sentence of what the audit found: alerts -> groups -> unsuppressed, and the share of alerts
    nobody has to look at one by one (audit_report.noise_summary)."""
    noise = summary["noise"]
    return (f"{noise['alerts']:,} alerts became {noise['groups']:,} alert groups, {noise['unsuppressed']:,} of them "
            f"unsuppressed: {percent(noise['reduction'])} fewer things to look at one by one.")


def run_in_scratch(files: list, progress=None, note=None, profile_file=None, playbooks_file=None) -> dict:
    """run_audit (files = [(kind, path)]: audit_files) into a temporary output folder, deleted after:
    {headline, counted, sections (audit_sections.report_sections), downloads: {file name: bytes} for each
    of DOWNLOADS the audit wrote}. A refused file raises IngestError naming it, as for the CLI."""
    with tempfile.TemporaryDirectory(prefix="journeylens-audit-out-") as tmp:
        out = Path(tmp) / "report"
        done = run_audit(files, out, profile_file=profile_file, playbooks_file=playbooks_file,
                         progress=progress, note=note)
        downloads = {name: (out / name).read_bytes() for name in DOWNLOADS if (out / name).is_file()}
    summary = done["summary"]
    return {"headline": audit_headline(summary), "counted": counts_text(summary["counts"]),
            "sections": report_sections(summary), "downloads": downloads}
