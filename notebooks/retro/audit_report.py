"""The one-off audit: `journeylens audit`.

run_audit ingests a team's files into a throw-away workspace, saves the weight profile and playbooks
given, ranks the alerts as the app does and writes what a first look at an alert stream needs:
`ranked_alerts.csv` (SPEC §4.1), `ranked_queue.csv` (the queue the app shows: one row per entry, every
kind), `report.md` and a self-contained `report.html` (Vega-Lite charts with the JavaScript inlined, so
it opens offline), with `ai_metrics.csv` when AI interactions were given and `journey_signals.csv` when
journey signals fired. The report (audit_sections.py) says what was uploaded and what was counted, how
much of the stream the journey map covers (mapped share = mapped alerts / alerts, with rules suggested
for the biggest unmapped services), the needs-mapping lane, the top queue entries, the top ranked groups
with every factor of their score, and the noise reduction: alerts -> groups -> unsuppressed groups
(1 - unsuppressed / alerts), with suppressed groups counted by reason.
"""

import re
import tempfile
from pathlib import Path

import altair as alt
import pandas as pd
from journeylens.notebooks.ingest.playbook_file import parse_playbooks, save_playbooks
from journeylens.notebooks.ingest.upload import ingest_file
from journeylens.notebooks.ingest.yaml_input import load_yaml, read_yaml_text
from journeylens.notebooks.queue.mapping import coverage
from journeylens.notebooks.queue.profile_checks import check_profile
from journeylens.notebooks.queue.profiles import save_profile
from journeylens.notebooks.queue.queue_view import (
    alerts_only,
    needs_mapping,
    queue_counts,
    queue_entries,
)
from journeylens.notebooks.queue.scoring import DEFAULT_PROFILE, resolve_profile
from journeylens.notebooks.retro.audit_sections import TOP_GROUPS, UNMAPPED, report_sections
from journeylens.notebooks.retro.engine_outputs import engine_outputs
from journeylens.notebooks.retro.pages import html_page, markdown_page
from journeylens.notebooks.workspace.contract import IngestError
from journeylens.notebooks.workspace.safe_output import check_output_folder, write_csv, write_text
from journeylens.notebooks.workspace.snapshot import close_snapshot, connect, list_uploads

AUDIT_PROFILE = "audit"
# Every file an audit may write into its --out folder (the last two only with AI data / fired signals).
REPORT_FILES = ("ranked_alerts.csv", "ranked_queue.csv", "report.md", "report.html", "ai_metrics.csv",
                "journey_signals.csv")


def read_profile_file(path) -> dict:
    """A partial weight profile from a JSON or YAML file (JSON is YAML), read bounded (yaml_input), checked
    against the settings of DEFAULT_PROFILE and their ranges (profile_checks) and completed with
    resolve_profile. A bad file raises IngestError."""
    name = Path(path).name
    document = load_yaml(read_yaml_text(path, name), name)
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise IngestError(name, None, None, "a mapping of profile settings", type(document).__name__)
    for key, value in document.items():
        if key not in DEFAULT_PROFILE:
            raise IngestError(name, None, key, "a profile setting: " + ", ".join(DEFAULT_PROFILE), repr(key))
        # a mapping setting whose defaults name its keys (weights, ai_weights) takes only those keys; one
        # with empty defaults (outcome_values, ai_latency_budgets) names its own, checked by check_profile
        named = DEFAULT_PROFILE[key] if isinstance(DEFAULT_PROFILE[key], dict) else {}
        for part in value if named and isinstance(value, dict) else ():
            if part not in named:
                raise IngestError(name, None, f"{key}.{part}", f"a setting of {key}: " + ", ".join(named), repr(part))
    check_profile(document, name)
    profile = resolve_profile(document)
    for key in ("weights", "ai_weights"):
        if not any(profile[key].values()):
            raise IngestError(name, None, key, "at least one weight above 0", "every weight 0")
    return profile


def reason_kind(reason) -> str:
    """A suppression reason without the group's own score, so reasons can be counted:
    "score 6.4 below the threshold 10.0" -> "score below the threshold 10.0"."""
    return re.sub(r"^score -?[\d.]+ below", "score below", str(reason or "suppressed"))


def stage_day_counts(con) -> pd.DataFrame:
    """Alerts per stage per day (day as YYYY-MM-DD, stage "unmapped" when no rule claims the alert),
    from `mapped_alerts` on `con` (coverage() builds it)."""
    return con.execute(
        f"select strftime(fired_at, '%Y-%m-%d') as day, coalesce(stage, '{UNMAPPED}') as stage, "
        "count(*) as alerts from mapped_alerts where fired_at is not null group by all order by day, stage"
    ).df()


def noise_summary(ranked: pd.DataFrame) -> dict:
    """alerts -> groups -> unsuppressed groups, and suppressed groups counted by reason (reason_kind).
    reduction = 1 - unsuppressed / alerts: the share of alerts nobody has to look at one by one."""
    alerts = int(ranked["alert_count"].sum()) if len(ranked) else 0
    groups = len(ranked)
    unsuppressed = int((~ranked["suppressed"].astype(bool)).sum()) if groups else 0
    suppressed = ranked[ranked["suppressed"].astype(bool)] if groups else ranked
    by_reason = (suppressed["suppressed_reason"].map(reason_kind).value_counts().sort_index()
                 .sort_values(ascending=False, kind="stable"))
    return {"alerts": alerts, "groups": groups, "unsuppressed": unsuppressed, "suppressed": groups - unsuppressed,
            "reduction": 1 - unsuppressed / alerts if alerts else None,
            "suppressed_by_reason": [{"reason": r, "groups": int(n)} for r, n in by_reason.items()]}


def audit_summary(workspace, profile_name: str | None = None, ai_given: bool = False,
                  spark: dict | None = None) -> dict:
    """Everything the audit report says about a workspace: {uploads, coverage, unmapped, ranked, top,
    noise, daily, profile_name, ai_metrics, signals, queue, counts, needs_mapping}. Ranked as the app ranks
    (queue_view.ranked_frame): `ranked` is ranked_alerts.csv (the alert groups, RANKED_COLUMNS first), `top`
    its first TOP_GROUPS rows as records, `queue` the ranked queue (ranked_queue.csv), `counts` what was
    counted (queue_view.queue_counts) and `needs_mapping` the lane, suggested rules filled from coverage.
    `spark` computes the ranking, the AI metrics and the signals on Apache Spark (engine_outputs)."""
    computed = engine_outputs(workspace, profile_name, ai_given, spark)
    frame = computed["frame"]
    ranked, entries = alerts_only(frame), queue_entries(frame)
    con = connect(workspace)
    try:
        cover = coverage(con)
        daily = stage_day_counts(con)
    finally:
        close_snapshot(con)
    uploads = list_uploads(workspace).iloc[::-1]  # in the order they were stored
    upload_columns = ["file_name", "kind", "layout", "format", "rows"]
    return {
        "uploads": uploads[upload_columns].to_dict("records") if len(uploads) else [],
        "coverage": cover["summary"],
        "unmapped": cover["unmapped"].to_dict("records"),
        "ranked": ranked,
        "top": ranked.head(TOP_GROUPS).to_dict("records"),
        "noise": noise_summary(ranked),
        "daily": daily,
        "profile_name": profile_name or "default",
        "ai_metrics": computed["ai_metrics"],
        "signals": computed["signals"],
        "queue": entries,
        "counts": queue_counts(frame, entries),
        "needs_mapping": needs_mapping(frame, cover["unmapped"]),
    }


def audit_charts(summary: dict) -> list:
    """[(title, altair chart)]: score by rank (bar per group, colored by stage) and alerts per stage
    per day (stacked bars)."""
    ranked = summary["ranked"]
    scores = pd.DataFrame({
        "rank": ranked["rank"].astype(int), "score": ranked["score"].astype(float).round(2),
        "stage": ranked["stage"].fillna(UNMAPPED).astype(str), "service": ranked["service"].astype(str),
        "name": ranked["name"].astype(str), "suppressed": ranked["suppressed"].astype(bool),
    })
    by_rank = alt.Chart(scores).mark_bar(clip=True).encode(
        x=alt.X("rank:Q", title="rank", scale=alt.Scale(domain=[0, max(len(scores), 1) + 1], nice=False)), y=alt.Y("score:Q", title="score"),
        color=alt.Color("stage:N", title="stage"),
        tooltip=["rank", "score", "stage", "service", "name", "suppressed"],
    ).properties(width=640, height=240)
    daily = summary["daily"]
    per_day = alt.Chart(pd.DataFrame({"day": daily["day"].astype(str), "stage": daily["stage"].astype(str),
                                      "alerts": daily["alerts"].astype(int)})).mark_bar().encode(
        x=alt.X("day:T", title="day", timeUnit="yearmonthdate"), y=alt.Y("sum(alerts):Q", title="alerts"),
        color=alt.Color("stage:N", title="stage"), tooltip=["day", "stage", "alerts"],
    ).properties(width=640, height=240)
    return [("Score by rank", by_rank), ("Alerts per stage per day", per_day)]


def report_markdown(summary: dict) -> str:
    """report.md: the same sections as report.html, as Markdown tables (charts only in the HTML)."""
    return markdown_page("journeylens audit", "Charts (score by rank, alerts per stage per day) are in report.html.",
                         report_sections(summary))


def report_html(summary: dict, bundle: str | None = None) -> str:
    """report.html: one self-contained page (report_page.html_page), charts embedded as Vega-Lite."""
    return html_page("journeylens audit", report_sections(summary), audit_charts(summary), bundle)


def write_report(summary: dict, out) -> list:
    """Writes ranked_alerts.csv, ranked_queue.csv, report.md and report.html into `out` (created),
    ai_metrics.csv when AI
    interactions were given and journey_signals.csv when signals fired; returns the paths.

    Every target is checked before anything is written (safe_output.check_output_folder: never onto a
    workspace's stored state); CSV cells are neutralised for spreadsheets, the Markdown is escaped."""
    tables = {"ranked_alerts.csv": summary["ranked"], "ranked_queue.csv": summary["queue"]}
    if summary.get("ai_metrics") is not None:
        tables["ai_metrics.csv"] = summary["ai_metrics"]
    if summary.get("signals") is not None and len(summary["signals"]):
        tables["journey_signals.csv"] = summary["signals"]
    pages = {"report.md": report_markdown(summary), "report.html": report_html(summary)}
    names = [name for name in REPORT_FILES if name in tables or name in pages]
    targets = check_output_folder(out, names)
    targets[0].parent.mkdir(parents=True, exist_ok=True)
    for name, target in zip(names, targets, strict=True):
        if name in tables:
            write_csv(tables[name], target)
        else:
            write_text(target, pages[name])
    return [Path(out) / name for name in names]


def run_audit(files: list, out, profile_file=None, playbooks_file=None, progress=None, note=None,
              spark: dict | None = None) -> dict:
    """The whole audit: stores `files` = [(kind, path)] in that order (the journey map first) in a
    throw-away workspace, saves the weight profile (`profile_file`, JSON or YAML, partial:
    read_profile_file) and the playbook catalogue (`playbooks_file`, YAML) given, ranks and writes the
    report into `out` (write_report); the workspace is deleted after. The --out folder is checked before
    any work (never onto a workspace's stored state nor over an input) and a bad profile or catalogue is
    refused before anything is stored: IngestError, as for a refused file. `progress(file name)` gives a
    file's ingest progress callback; `note(text)` hears each step; `spark` ranks on Apache Spark
    (engine_outputs). Returns {summary, paths}."""
    note = note or (lambda text: None)
    inputs = [file for _, file in files] + [f for f in (profile_file, playbooks_file) if f]
    check_output_folder(out, REPORT_FILES, inputs=inputs)
    profile = read_profile_file(profile_file) if profile_file else None
    playbooks_name = Path(playbooks_file).name if playbooks_file else None
    playbooks = parse_playbooks(read_yaml_text(playbooks_file, playbooks_name), playbooks_name) if playbooks_file else []
    with tempfile.TemporaryDirectory(prefix="journeylens-audit-") as tmp:
        workspace = Path(tmp) / "workspace"
        for kind, file in files:
            result = ingest_file(workspace, kind, file, progress=progress(Path(file).name) if progress else None)
            note(result["message"])
        if profile is not None:
            save_profile(workspace, AUDIT_PROFILE, profile, comment=f"from {Path(profile_file).name}")
        if playbooks:
            save_playbooks(workspace, playbooks, comment=f"from {playbooks_name}")
        note("audit: ranking" + (" on Apache Spark" if spark is not None else ""))
        summary = audit_summary(workspace, AUDIT_PROFILE if profile is not None else None,
                                ai_given=any(kind == "ai" for kind, _ in files), spark=spark)
        note(f"audit: writing {out}")
        paths = write_report(summary, out)
    return {"summary": summary, "paths": paths}
