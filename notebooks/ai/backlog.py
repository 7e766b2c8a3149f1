import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import json
    import re

    import pandas as pd

    from journeylens.notebooks.workspace.paths import acting_as, is_workspace
    from journeylens.notebooks.workspace.picker import require_workspace, workspace_picker
    from journeylens.notebooks.workspace.safe_output import csv_text, write_text
    from journeylens.notebooks.workspace.snapshot import close_snapshot, connect, sql_text
    from journeylens.notebooks.workspace.store import append_audit, writer_lock
    from journeylens.notebooks.workspace.trail import read_lines

    DEFAULT_SINCE = "24h"  # the window of the open backlog, before the latest interaction in the data
    LOW_JUDGE_SCORE = 0.5  # a task_completion evaluation below this is a low judge score (SPEC §4.2)
    TRIAGED = "backlog.triaged"  # the audit action: the entry is the record of a triage
    SINCE_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
    SINCE_TEXT = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*", re.IGNORECASE)
    COLUMNS = ["feature", "interaction_id", "ts", "segment", "task_type", "model_version", "why", "user_signal",
               "judge_score", "judge_source", "judge_reason", "prompt", "output", "reasons", "triaged",
               "triaged_at", "triaged_by", "triage_why"]
    TRIAGE_COLUMNS = ["interaction_id", "triaged_at", "triaged_by", "triage_why"]


@app.function
def parse_since(text) -> float | None:
    """Seconds of a window such as '90m', '24h', '7d', '2w'; None for 'all' (all time). Anything else is a
    ValueError that says what is accepted."""
    value = str(text if text is not None else "").strip()
    if value.lower() == "all":
        return None
    found = SINCE_TEXT.fullmatch(value)
    if not found or float(found.group(1)) <= 0:
        raise ValueError(f"--since {value!r} is not a duration: give a positive number of minutes, hours, days "
                         "or weeks (90m, 24h, 7d, 2w) or 'all'")
    return float(found.group(1)) * SINCE_UNITS[found.group(2).lower()]


@app.function
def backlog_items(con, since: str | None = DEFAULT_SINCE) -> pd.DataFrame:
    """Production interactions of the window (`since` before the latest interaction in the data, not the
    wall clock) that are thumbs-down, intent mismatches or have a low judge score (human over llm), with
    the user's signal, the judge's reason and why each is in the backlog; features with the most items
    first, then the worst (most reasons, lowest score) first (sql/ai/11_backlog_items.sql)."""
    params = {"since_seconds": parse_since(since), "low_score": LOW_JUDGE_SCORE}
    return con.execute(sql_text("backlog_items"), params).df().drop(columns=["feature_items"])


@app.function
def triage_log(workspace) -> pd.DataFrame:
    """Each triaged interaction once (its latest triage): when, by whom and why, read from the audit trail
    (an append a kill cut short is not a triage)."""
    lines, _torn = read_lines(workspace)
    rows = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("action") == TRIAGED and isinstance(entry.get("what"), dict):
            for interaction_id in entry["what"].get("interaction_ids") or []:
                rows.append({"interaction_id": str(interaction_id), "triaged_at": entry.get("at"),
                             "triaged_by": entry.get("who"), "triage_why": entry.get("why", "")})
    log = pd.DataFrame(rows, columns=TRIAGE_COLUMNS)
    return log.drop_duplicates("interaction_id", keep="last").reset_index(drop=True)


@app.function
def with_triage(items: pd.DataFrame, log: pd.DataFrame, include_triaged: bool = False) -> pd.DataFrame:
    """The items with their triage (triaged, when, who, why); without `include_triaged`, the open ones only."""
    merged = items.merge(log, on="interaction_id", how="left")
    merged["triaged"] = merged["triaged_at"].notna()
    if not include_triaged:
        merged = merged[~merged["triaged"]]
    return merged[COLUMNS].reset_index(drop=True)


@app.function
def require_backlog_workspace(workspace) -> None:
    """A folder that is no workspace is refused (ValueError), never read as an empty backlog."""
    if not is_workspace(workspace):
        raise ValueError(f"{workspace} is not a journeylens workspace (`journeylens ingest` or `journeylens demo` "
                         "makes one)")


@app.function
def workspace_backlog(workspace, since: str | None = DEFAULT_SINCE, include_triaged: bool = False,
                      feature: str | None = None) -> pd.DataFrame:
    """The backlog of a workspace: backlog_items with their triage, optionally of one feature."""
    require_backlog_workspace(workspace)
    con = connect(workspace, tables=("ai_interactions", "eval_scores"))
    try:
        items = backlog_items(con, since)
    finally:
        close_snapshot(con)
    if feature:
        items = items[items["feature"] == feature]
    return with_triage(items, triage_log(workspace), include_triaged)


@app.function
def backlog_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per feature, in the backlog's order: items, how many are thumbs-down, intent mismatches and low
    judge scores (an item may be several), the lowest judge score and the newest item."""
    counted = frame.assign(thumbs_down=frame["why"].str.contains("thumbs-down", regex=False),
                           intent_mismatch=frame["why"].str.contains("intent mismatch", regex=False),
                           low_judge=frame["why"].str.contains("low judge score", regex=False))
    summary = counted.groupby("feature", sort=False).agg(
        items=("interaction_id", "count"), thumbs_down=("thumbs_down", "sum"),
        intent_mismatch=("intent_mismatch", "sum"), low_judge_score=("low_judge", "sum"),
        lowest_judge_score=("judge_score", "min"), newest=("ts", "max"))
    return summary.reset_index()


@app.function
def mark_triaged(workspace, interaction_ids, why: str = "", who: str | None = None) -> dict:
    """Records in the audit trail that `who` triaged these interactions (they leave the open backlog).
    Unknown ids are refused (ValueError) and nothing is recorded; ids already triaged are not recorded
    again. Returns {recorded: [ids], already: [ids], entry}."""
    wanted = list(dict.fromkeys(str(i).strip() for i in interaction_ids if str(i).strip()))
    if not wanted:
        raise ValueError("which interactions were triaged? give at least one interaction id")
    require_backlog_workspace(workspace)
    con = connect(workspace, tables=("ai_interactions",))
    try:
        known = {row[0] for row in con.execute(
            "select distinct interaction_id from ai_interactions where interaction_id in (select unnest($ids))",
            {"ids": wanted}).fetchall()}
    finally:
        close_snapshot(con)
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise ValueError(f"no AI interaction {', '.join(repr(i) for i in unknown[:5])} in {workspace}: nothing "
                         "was marked triaged")
    with acting_as(who), writer_lock(workspace):
        done = set(triage_log(workspace)["interaction_id"])
        fresh = [i for i in wanted if i not in done]
        entry = append_audit(workspace, TRIAGED, {"interaction_ids": fresh},
                             (why or "").strip() or "triaged from the prompt backlog") if fresh else None
    return {"recorded": fresh, "already": [i for i in wanted if i in done], "entry": entry}


@app.function
def backlog_records(frame: pd.DataFrame) -> list:
    """The backlog as JSON-ready dicts: times in ISO 8601, empty values null."""
    shown = frame.astype(object).where(frame.notna(), None)
    records = shown.to_dict("records")
    for record in records:
        for key, value in record.items():
            if isinstance(value, pd.Timestamp):
                record[key] = value.isoformat()
    return records


@app.function
def backlog_jsonl(frame: pd.DataFrame) -> str:
    """JSON Lines, one item a line (the text kept as it is: JSON is not run by a spreadsheet)."""
    return "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in backlog_records(frame))


@app.function
def backlog_csv(frame: pd.DataFrame) -> str:
    """CSV whose text cells cannot run as spreadsheet formulas (safe_output.csv_text)."""
    return csv_text(frame)


@app.function
def write_backlog(frame: pd.DataFrame, path, fmt: str) -> None:
    """Writes the backlog whole or not at all as 'csv' or 'jsonl'."""
    write_text(path, backlog_jsonl(frame) if fmt == "jsonl" else backlog_csv(frame))


@app.cell(hide_code=True)
def _():
    import marimo as mo

    mo.md(
        r"""
        # Prompt backlog

        Production interactions that went wrong, per feature, for whoever improves the prompts: a
        thumbs-down, an intent mismatch, or a low judge score (the task_completion evaluation below 0.5;
        a human evaluation wins over an llm one). The window is counted back from the **latest interaction
        in the data**, not from now, so an old export still has a backlog. Items triaged in the app or with
        `journeylens backlog --triage ID` leave the open backlog; the audit trail holds who and why.
        """
    )
    return (mo,)


@app.cell
def _(mo):
    workspace_path = workspace_picker(mo)
    workspace_path
    return (workspace_path,)


@app.cell
def _(mo):
    picks = mo.ui.dictionary({
        "since": mo.ui.dropdown(["24h", "7d", "30d", "all"], value=DEFAULT_SINCE, label="Window"),
        "triaged": mo.ui.checkbox(False, label="Show triaged items"),
    })
    picks
    return (picks,)


@app.cell
def _(mo, picks, workspace_path):
    ws = require_workspace(mo, workspace_path.value)
    backlog = workspace_backlog(ws, picks.value["since"], include_triaged=picks.value["triaged"])
    mo.stop(backlog.empty, mo.callout(mo.md("The backlog is empty for this window."), kind="info"))
    mo.vstack([
        mo.md(f"**{len(backlog)} backlog items** in {backlog['feature'].nunique()} features"),
        mo.ui.table(backlog_summary(backlog), selection=None),
        mo.ui.table(backlog, selection=None),
    ])
    return (backlog,)


if __name__ == "__main__":
    app.run()
