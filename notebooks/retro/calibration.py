import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import altair as alt
    import pandas as pd
    from journeylens.notebooks.ingest.playbook_file import load_playbooks
    from journeylens.notebooks.queue.profiles import load_profile
    from journeylens.notebooks.queue.ranking import rank_alerts
    from journeylens.notebooks.retro.calibration_fit import (
        Evaluator,
        candidate_of,
        factor_importance,
        factor_sentences,
        fit,
        label_history,
        leave_one_week_out,
        profile_of,
    )
    from journeylens.notebooks.workspace.picker import require_workspace, workspace_picker
    from journeylens.notebooks.workspace.snapshot import close_snapshot, connect
    from journeylens.notebooks.workspace.versions import diff_payloads

    # The documented minimum of labelled history below which nothing is proposed: fewer actioned incidents
    # cannot tell a better weighting from luck, and one week cannot be held out against another.
    MIN_POSITIVE_INCIDENTS = 20
    MIN_WEEKS = 2
    MIN_GAIN = 0.01  # held-out top-10 precision must rise by at least a point, recall@20 must not fall
    WEEK_COLUMNS = ["week", "precision_before", "precision_after", "recall_before", "recall_after"]


@app.function
def history_refusal(evidence: dict) -> str | None:
    """Why the history is too thin to calibrate on, in words; None when it is enough."""
    have, weeks = evidence["positive_incidents"], evidence["labelled_weeks"]
    if have >= MIN_POSITIVE_INCIDENTS and weeks >= MIN_WEEKS:
        return None
    return (f"Not enough history to calibrate the weights: it needs at least {MIN_POSITIVE_INCIDENTS} actioned "
            f"(or escalated, auto-mitigated) incidents linked to ranked alert groups, spread over at least "
            f"{MIN_WEEKS} weeks, so that each week can be checked against a fit on the others. This workspace has "
            f"{have} such incident{'s' if have != 1 else ''} over {weeks} week{'s' if weeks != 1 else ''} "
            f"({evidence['negative_incidents']} noise or duplicate). Upload incidents with their outcome "
            "(actioned, escalated, auto_mitigated, noise, duplicate) and their alert ids, then run it again.")


@app.function
def calibrate(workspace, profile_name: str | None = None) -> dict:
    """Fits the profile's weights and corroboration to the workspace's labelled history and validates the fit
    week by week (leave-one-week-out). Returns {status: "proposed" | "refused", reason, profile_name,
    base_version, evidence, weeks (DataFrame: held-out precision@10 and recall@20 before and after),
    overall, proposal (the profile to save, or None), diff [(setting, active, proposed)], importance,
    factors (sentences)}. Read-only: nothing is saved until someone accepts (calibration_store)."""
    loaded = load_profile(workspace, profile_name)
    base = loaded["profile"]
    result = {"status": "refused", "reason": "", "profile_name": loaded["name"], "base_version": loaded["version"],
              "weeks": pd.DataFrame(columns=WEEK_COLUMNS), "overall": {}, "proposal": None, "diff": [],
              "importance": [], "factors": []}
    con = connect(workspace)
    try:
        rank_alerts(con, base, load_playbooks(workspace), signals=False)
        result["evidence"] = label_history(con)
        result["reason"] = history_refusal(result["evidence"]) or ""
        if result["reason"]:
            return result
        evaluate, start = Evaluator(con, base), candidate_of(base)
        weeks = sorted(evaluate(start))
        held_out = pd.DataFrame(leave_one_week_out(evaluate, start, weeks), columns=WEEK_COLUMNS)
        fitted = fit(evaluate, start, weeks)
        importance = factor_importance(evaluate, fitted, weeks)
    finally:
        close_snapshot(con)
    overall = {column: float(held_out[column].mean()) for column in WEEK_COLUMNS[1:]}
    proposal = profile_of(base, fitted)
    result.update(weeks=held_out, overall=overall, importance=importance, factors=factor_sentences(importance),
                  diff=diff_payloads(base, proposal))
    gain = overall["precision_after"] - overall["precision_before"]
    if gain < MIN_GAIN or overall["recall_after"] < overall["recall_before"] - 1e-9:
        result["reason"] = (
            "Not proposed: on weeks it was not fitted on, re-weighting does not beat the active profile "
            f"(held-out top-10 precision {overall['precision_before']:.0%} → {overall['precision_after']:.0%}, "
            f"recall@20 {overall['recall_before']:.0%} → {overall['recall_after']:.0%}; it must gain at least "
            f"{MIN_GAIN:.0%} of precision without losing recall). Keep the active weights.")
        return result
    if not result["diff"]:
        result["reason"] = "Not proposed: the history supports the active weights as they are."
        return result
    result.update(status="proposed", proposal=proposal, reason=(
        f"On {len(weeks)} held-out weeks, top-10 precision {overall['precision_before']:.0%} → "
        f"{overall['precision_after']:.0%} and recall@20 {overall['recall_before']:.0%} → "
        f"{overall['recall_after']:.0%}."))
    return result


@app.function
def calibration_chart(weeks: pd.DataFrame) -> alt.Chart:
    """Per held-out week, top-10 precision and recall@20 under the active profile and the calibrated one."""
    long = weeks.melt(id_vars="week", var_name="measure", value_name="value")
    long["metric"] = long["measure"].str.split("_").str[0].map({"precision": "top-10 precision",
                                                                "recall": "recall@20"})
    long["profile"] = long["measure"].str.split("_").str[1].map({"before": "active", "after": "calibrated"})
    return alt.Chart(long, title="Held-out weeks: active against calibrated weights").mark_bar().encode(
        x=alt.X("week:N", title="ISO week (held out of the fit)"),
        xOffset=alt.XOffset("profile:N"),
        y=alt.Y("value:Q", title="share", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("profile:N", title="weights"),
        column=alt.Column("metric:N", title=None),
        tooltip=["week", "metric", "profile", alt.Tooltip("value:Q", format=".0%")],
    ).properties(width=260, height=220)


@app.cell(hide_code=True)
def _():
    import marimo as mo

    mo.md(
        r"""
        # Calibrate the score's weights from history

        The weekly retro's other half: which weighting would have put the incidents your team actually
        actioned at the top of the queue? A ranked alert group is **positive** when it is linked to an
        actioned, escalated or auto-mitigated incident, **negative** when only to noise or duplicates.
        Per ISO week, the queue's order gives

        $$\text{precision@10} = \frac{\text{positive groups in the week's first 10}}{\min(10, \text{groups})}
        \qquad \text{recall@20} = \frac{\text{positive groups in the first 20}}{\text{positive groups}}$$

        The fit keeps the formula: it moves the five `weights` (0.05 at a time, summing to 1) and
        `corroboration` (0.1 at a time) by coordinate search while the mean of (precision@10 + recall@20)/2
        rises. Each week is scored by a fit on the **other** weeks only (leave-one-week-out); nothing is
        proposed with fewer than 20 actioned incidents over 2 weeks, or when held-out precision does not
        rise by a point without recall falling. This notebook only reads: accept on the Retro page or with
        `journeylens calibrate --accept`.
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
    found = calibrate(require_workspace(mo, workspace_path.value))
    mo.callout(mo.md(found["reason"]), kind="success" if found["status"] == "proposed" else "warn")
    return (found,)


@app.cell
def _(found, mo):
    mo.stop(found["weeks"].empty, mo.md("_No held-out weeks to show._"))
    mo.vstack([
        calibration_chart(found["weeks"]),
        mo.md("\n".join(f"- {sentence}" for sentence in found["factors"])),
        mo.ui.table(pd.DataFrame(found["diff"], columns=["setting", "active", "calibrated"]), selection=None),
        mo.ui.table(found["weeks"], selection=None),
    ])
    return


if __name__ == "__main__":
    app.run()
