import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    from pathlib import Path

    import altair as alt
    import pandas as pd

    from journeylens.notebooks.queue.queue_view import counts_text
    from journeylens.notebooks.retro.scope import retro_scope_note, scoped
    from journeylens.notebooks.retro.coverage_gaps import gaps_section
    from journeylens.notebooks.retro.pages import html_page, markdown_page
    from journeylens.notebooks.retro.suggestions import suggestion_title
    from journeylens.notebooks.retro.retro_base import recent_record, retro_base, week_retro
    from journeylens.notebooks.retro.weekly import data_weeks
    from journeylens.notebooks.workspace.picker import require_workspace, workspace_picker
    from journeylens.notebooks.workspace.safe_output import check_output_folder, write_csv, write_text

    RETRO_FILES = ("retro_stages.csv", "retro.md", "retro.html")
    STAGE_COLUMNS = ("stage", "incidents", "noise_incidents", "mtta_min", "mttr_min", "restore_min")
    ALL_DATA = "all data"


@app.function
def assemble_retro(workspace, week: str | None = None, profile_name: str | None = None,
                   base: dict | None = None, spark: dict | None = None) -> dict:
    """The weekly retro, assembled once for `journeylens retro`, the Retro page and this notebook:
    week_retro (what the data and the configuration say) and recent_record (what people did). `base`
    (retro_base of the same workspace state) saves ranking again; `spark` ranks on Apache Spark."""
    base = base or retro_base(workspace, profile_name, spark=spark, week=week)
    return {**week_retro(workspace, week, base), **recent_record(workspace, week)}


@app.function
def text(value, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return f"{value:,.{digits}f}" if isinstance(value, float) else str(value)


@app.function
def retro_sections(found: dict) -> list:
    """The retro as [(heading, intro, columns, rows)], shared by retro.md and retro.html."""
    volume, precision = found["volume"], found["precision"]
    hidden = volume["actioned_hidden_by_suppression"]
    sections = [(
        "Per stage (retro_stages.csv)", "incidents: outcome not noise or duplicate; the means are minutes from "
        f"opened to acknowledged, resolved and journey restored. Incidents without a stage: "
        f"{found['incidents_without_stage']}.", list(STAGE_COLUMNS),
        [[text(r[c]) for c in STAGE_COLUMNS] for r in found["stages"].to_dict("records")],
    ), (
        "Volume and noise", f"{volume['alerts']:,} alerts fired -> {volume['groups']:,} groups -> "
        f"{volume['unsuppressed']:,} unsuppressed -> {volume['reached_people']:,} linked to an incident. Noise "
        f"reduction {text(100 * volume['noise_reduction'] if volume['noise_reduction'] is not None else None)}%. "
        f"Actioned incidents any suppression would have hidden: {len(hidden)} of {volume['actioned']}"
        + (f" (MUST be 0: {', '.join(hidden)})" if hidden else " (as it must be)."), [], [],
    ), (
        "What was counted", scoped(found["scope"], counts_text(found["counts"])) + " "
        + retro_scope_note(None if found["week"] == "all data" else found["week"]),
        [], [],
    ), gaps_section(found["coverage_gaps"]), (
        "Precision of the queue", f"{precision['top_linked_to_actioned']} of the top {precision['top']} unsuppressed "
        f"groups became actioned incidents. Actioned incidents that ranked below {precision['k']} or not at all:",
        ["incident", "best rank"], [[r["incident_id"], str(r["best_rank"])] for r in precision["ranked_low"]]
        + [[i, "not in the queue"] for i in precision["not_in_queue"]],
    ), (
        "Conversion stability", "Variance of each stage's hourly conversion (hours with at least 30 entries), its "
        "deepest drop below its baseline and how many hours that drop lasted, and the hours it spent more than "
        "10% below.", ["stage", "variance", "deepest drop", "its hours", "hours 10% below"],
        [[r["stage"], text(r["conversion_variance"], 4), text(r["deepest_drop"], 2), str(r["deepest_drop_hours"]),
          str(r["hours_below_10pct"])] for r in found["stability"].to_dict("records")],
    ), (
        "What changed", "Profiles, maps, thresholds, playbooks and labels changed in the window (from the audit "
        "log), with who, when and why.", ["when", "who", "what", "why"],
        [[str(r["at"])[:16], str(r["who"]), f"{r['action']} {r['what']}"[:160], str(r["why"])]
         for r in found["changes"].to_dict("records")],
    )]
    if found.get("feed_health"):  # notebooks/signals/feed_health.py: a silent feed is no quiet queue
        sections.append(found["feed_health"])
    ai = found.get("ai_week_over_week")
    if ai is not None and len(ai):
        shown = ["task_completion_rate", "silent_failure_rate", "weighted_score", "cost_per_success"]
        sections.append((
            "AI outcomes, week over week", "SPEC §4.2 metrics of the week against the week before, per feature and "
            "segment (change in points; empty when a week had no interactions).",
            ["feature", "segment", "interactions", *[f"{m} (change)" for m in shown]],
            [[r["feature"], r["segment"], text(r["interactions"], 0), *[
                f"{text(r[m], 3)} ({text(r[f'{m}_change'], 3)})" for m in shown]] for r in ai.to_dict("records")],
        ))
    due = found.get("assumptions_due") or []
    if due:
        sections.append(("Assumptions due for review", "From the assumptions register (Governance page).",
                         ["id", "assumption", "owner", "review by"],
                         [[a["id"], a["statement"], a["owner"], a["review_by"]] for a in due]))
    suggestions = found.get("suggestions") or []
    if suggestions:
        sections.append(("Suggestions", "Each with its evidence and expected effect; accept or reject them on the "
                         "Retro page (decisions are recorded).", ["kind", "suggestion", "evidence", "expected effect"],
                         [[s["kind"], suggestion_title(s), s["evidence"], s.get("effect", "")] for s in suggestions]))
    trends = found.get("trends")
    if trends is not None and len(trends):
        mttr = [c for c in trends.columns if c.startswith("mttr_")]
        sections.append((
            "Week over week", "Past retros: noise reduction, how many of the top 10 became actioned incidents, and "
            "MTTR per stage (minutes); unmapped: alert groups on services no touchpoint claims (critical/high).",
            ["week", "alerts", "noise reduction", "top 10 actioned", "unmapped (critical/high)", *mttr],
            [[r["week"], str(r["alerts"]), text(100 * r["noise_reduction"] if r["noise_reduction"] is not None
                                                 else None) + "%", str(r["top_actioned"]),
              f"{r['unmapped_groups']} ({r['unmapped_urgent']})", *[text(r[c]) for c in mttr]]
             for r in trends.to_dict("records")],
        ))
    return sections


@app.function
def retro_charts(found: dict) -> list:
    stages = found["stages"].melt(id_vars=["stage"], value_vars=["mtta_min", "mttr_min", "restore_min"],
                                  var_name="measure", value_name="minutes").dropna()
    chart = alt.Chart(stages).mark_bar().encode(
        x=alt.X("stage:N", title="Stage"), xOffset="measure:N",
        y=alt.Y("minutes:Q", title="Mean minutes from opened"), color=alt.Color("measure:N", title=None),
        tooltip=["stage:N", "measure:N", alt.Tooltip("minutes:Q", format=",.1f")],
    ).properties(title="Time to acknowledge, resolve and restore the journey, per stage", width=600, height=260)
    charts = [("Restoring the journey", chart)]
    trends = found.get("trends")
    if trends is not None and len(trends):
        lines = alt.Chart(trends).mark_line(point=True).encode(
            x=alt.X("week:N", title="ISO week"), y=alt.Y("noise_reduction:Q", title="Noise reduction",
                                                        axis=alt.Axis(format="%")),
            tooltip=["week:N", alt.Tooltip("noise_reduction:Q", format=".1%"), "top_actioned:Q", "alerts:Q"],
        ).properties(title="Noise reduction, week over week", width=600, height=220)
        charts.append(("Week over week", lines))
    return charts


@app.function
def retro_markdown(found: dict) -> str:
    """retro.md: the sections of retro.html as Markdown tables, every text escaped (pages.markdown_page)."""
    return markdown_page(f"journeylens retro: {found['week']}", "Charts are in retro.html.", retro_sections(found))


@app.function
def retro_page(found: dict, bundle: str | None = None) -> str:
    """retro.html: the same sections with their charts, every text escaped and the Vega JavaScript inlined
    (pages.html_page; `bundle` replaces it, tests pass a stub), so the page opens offline."""
    return html_page(f"journeylens retro: {found['week']}", retro_sections(found), retro_charts(found), bundle)


@app.function
def write_retro(found: dict, out, bundle: str | None = None, workspace=None) -> list:
    """Writes retro_stages.csv, retro.md and retro.html (self-contained) into `out`; returns the paths.
    The targets are checked first (safe_output.check_output_folder: never onto the stored state of
    `workspace` or of a workspace `out` lies in); CSV cells are neutralised, the Markdown is escaped."""
    stages, markdown, page = check_output_folder(out, RETRO_FILES, workspace)
    stages.parent.mkdir(parents=True, exist_ok=True)
    write_csv(found["stages"], stages)
    write_text(markdown, retro_markdown(found))
    write_text(page, retro_page(found, bundle))
    return [Path(out) / name for name in RETRO_FILES]


@app.cell(hide_code=True)
def _():
    import marimo as mo

    mo.md(
        r"""
        # The weekly calibration retro

        Did the alerts that reached people matter, how fast was the journey restored, and what should
        we tune? For an ISO week (Monday 00:00 UTC to the next Monday) or all the data, read-only:

        - **per stage** (SPEC §4.3): incidents = incidents whose outcome is not noise or duplicate;
          MTTA, MTTR and restore = mean minutes from `opened_at` to `acknowledged_at`, `resolved_at`
          and `journey_restored_at` over those incidents that have the timestamp;
        - **noise reduction** = 1 − unsuppressed groups / alerts, and the actioned incidents a
          suppression would have hidden (must be none);
        - **precision** = how many of the top 10 unsuppressed groups are linked to an actioned
          incident (by its alert ids or fingerprints, else by stage and time: fired from 30 minutes
          before it opened until it resolved, or 2 hours);
        - **what was counted**, in the words the app and `journeylens rank` use, and the **coverage
          gaps**: alert groups on services no touchpoint claims (critical/high among them), per service
          with the suggested rule;
        - **conversion stability** per stage: variance of the hourly conversion (hours with at least
          30 entries), deepest drop = min(conversion / baseline − 1) and how many hours it lasted;
        - **suggestions**, each with evidence and expected effect: thresholds, unmapped services,
          touchpoints that never preceded harm, stages found late, playbooks not used.

        `journeylens retro --out DIR` writes the same report (`assemble_retro`, then `write_retro`);
        decisions are made on the app's Retro page.
        """
    )
    return (mo,)


@app.cell
def _(mo):
    workspace_path = workspace_picker(mo)
    workspace_path
    return (workspace_path,)


@app.cell
def _(mo, workspace_path):
    # read-only: a mistyped folder is said so, never created
    workspace = Path(require_workspace(mo, workspace_path.value))
    week_picker = mo.ui.dropdown(options=[ALL_DATA, *data_weeks(workspace)], value=ALL_DATA, label="ISO week")
    week_picker
    return week_picker, workspace


@app.cell
def _(week_picker, workspace):
    found = assemble_retro(workspace, None if week_picker.value == ALL_DATA else week_picker.value)
    return (found,)


@app.cell
def _(found, mo):
    volume, precision = found["volume"], found["precision"]
    headline = mo.hstack([
        mo.stat(f"{volume['alerts']:,}", label="Alerts"), mo.stat(f"{volume['groups']:,}", label="Groups"),
        mo.stat(f"{volume['unsuppressed']:,}", label="Unsuppressed"),
        mo.stat(f"{volume['reached_people']:,}", label="Linked to incidents"),
        mo.stat(f"{precision['top_linked_to_actioned']} of {precision['top']}", label="Top 10 actioned"),
        mo.stat(f"{found['coverage_gaps']['unmapped_groups']:,}", label="Unmapped groups",
                caption=f"{found['coverage_gaps']['unmapped_urgent']:,} critical/high"),
    ])
    tables = {heading: mo.vstack([mo.plain_text(intro), mo.ui.table(pd.DataFrame(rows, columns=columns),
                                                                    selection=None)])
              if columns else mo.plain_text(intro) for heading, intro, columns, rows in retro_sections(found)}
    charts = [mo.ui.altair_chart(chart) for _, chart in retro_charts(found)]
    download = mo.download(retro_markdown(found).encode(), filename="retro.md", label="Download retro.md")
    mo.vstack([headline, *charts, mo.ui.tabs(tables), download])
    return


if __name__ == "__main__":
    app.run()
