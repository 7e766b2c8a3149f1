import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import numpy as np
    import pandas as pd
    from scipy.stats import bootstrap
    from scipy.stats.contingency import crosstab

    from journeylens.notebooks.ai.judge_workspace import store_scores
    from journeylens.notebooks.ai.judge import RUBRICS
    from journeylens.notebooks.workspace.picker import require_workspace, workspace_picker
    from journeylens.notebooks.workspace.snapshot import close_snapshot, connect

    PASS = 0.5  # a score >= 0.5 is a pass
    BOOTSTRAP = 2000


@app.function
def judged_frame(con, name: str = "task_completion") -> pd.DataFrame:
    """Per interaction: its user signals, the llm verdict and the human verdict on `name` (mean per
    source), production and shadow alike."""
    return con.execute("""
        select i.interaction_id, i.ts, i.feature, i.segment, i.model_version, i.shadow, i.prompt, i.output,
            jl_completed(i.accepted, i.fallback, i.feedback, i.intent_mismatch) as completed,
            avg(s.value) filter (where s.source = 'llm') as judge,
            avg(s.value) filter (where s.source = 'human') as human,
            count(*) filter (where s.source = 'llm' and s.label = 'unknown') as judge_unknown
        from ai_interactions as i
        left join eval_scores as s on s.interaction_id = i.interaction_id and s.name = $name
        group by all
        order by i.ts, i.interaction_id""", {"name": name}).df()


@app.function
def review_queue(frame: pd.DataFrame, size: int = 40, seed: int = 7) -> pd.DataFrame:
    """What humans should label next: interactions the judge scored and no human has, as (1) edge cases
    first: the judge unsure (a middle score) or disagreeing with the user signals (judge pass on an
    interaction the user did not complete, judge fail on one they did), then (2) a sample stratified by
    feature, segment and judge verdict, so agreement is measured across the whole space."""
    open_ = frame[frame["judge"].notna() & frame["human"].isna()].copy()
    if open_.empty:
        return open_.assign(reason=pd.Series(dtype=str))
    judge_pass = open_["judge"] >= PASS
    seen = ~open_["shadow"].astype(bool)  # shadow answers were never shown: no user signal to contradict
    open_["reason"] = np.select(
        # completed is empty when `accepted` is unknown (telemetry): no user signal to contradict
        [(open_["judge"] > 0.25) & (open_["judge"] < 0.75), seen & judge_pass & open_["completed"].eq(False),
         seen & ~judge_pass & open_["completed"].eq(True)],
        ["judge unsure", "judge pass, user did not complete", "judge fail, user completed"], default="")
    edges = open_[open_["reason"] != ""].sample(frac=1.0, random_state=seed).head(size // 2)
    rest = open_.drop(edges.index).assign(reason="stratified sample", stratum=lambda d: d["feature"].astype(str)
                                          + "|" + d["segment"].astype(str) + "|" + (d["judge"] >= PASS).astype(str))
    if not rest.empty:
        strata = rest.groupby("stratum", sort=True)
        per = max(1, (size - len(edges)) // max(1, strata.ngroups))
        rest = strata.sample(n=per, replace=False, random_state=seed) if strata.size().min() >= per else \
            rest.groupby("stratum", sort=True, group_keys=False).apply(lambda g: g.head(per))
    return pd.concat([edges, rest.drop(columns=["stratum"])]).head(size).reset_index(drop=True)


@app.function
def save_human_labels(workspace, labels: list, reviewer: str) -> dict | None:
    """Stores human verdicts [{interaction_id, name, label}] as scores with source human (one upload per
    batch, so the audit log records who labelled what)."""
    rows = []
    for item in labels:
        rubric = RUBRICS[item["name"]]
        if item["label"] not in rubric["labels"]:
            raise ValueError(f"{item['name']}: label must be one of {', '.join(rubric['labels'])}")
        rows.append({"interaction_id": item["interaction_id"], "name": item["name"], "label": item["label"],
                     "value": rubric["labels"][item["label"]], "source": "human",
                     "explanation": f"labelled by {reviewer}" + (f": {item['comment']}" if item.get("comment") else "")})
    return store_scores(workspace, rows, f"human-labels-{reviewer}.csv")


@app.function
def kappa_rates(judge: np.ndarray, human: np.ndarray) -> dict:
    """Confusion counts, Cohen's kappa, TPR and TNR of binary judge verdicts against human ones.
    From the 2 x 2 contingency table (scipy.stats.contingency.crosstab) of proportions p:
    kappa = (p_o - p_e) / (1 - p_e), p_o = trace(p) (observed agreement), p_e = sum of row x column
    margins (agreement by chance); empty when p_e = 1."""
    table = crosstab(np.asarray(judge, bool), np.asarray(human, bool), levels=([False, True], [False, True])).count
    (tn, fn), (fp, tp) = table.tolist()
    n = int(table.sum())
    kappa = np.nan
    if n:
        p = table / n
        observed, chance = np.trace(p), float(p.sum(axis=1) @ p.sum(axis=0))
        kappa = (observed - chance) / (1 - chance) if chance < 1 else np.nan
    return {"tp": tp, "tn": tn, "fp": fp, "fn": fn, "n": n, "kappa": kappa,
            "tpr": tp / (tp + fn) if tp + fn else np.nan, "tnr": tn / (tn + fp) if tn + fp else np.nan}


@app.function
def rogan_gladen(observed: float, tpr: float, tnr: float) -> float:
    """The true pass rate behind an observed judge pass rate, given the judge's sensitivity (TPR) and
    specificity (TNR): (p_obs + TNR - 1) / (TPR + TNR - 1), clipped to [0, 1]; empty when the judge is
    no better than chance (TPR + TNR <= 1)."""
    denominator = tpr + tnr - 1
    if not np.isfinite(denominator) or denominator <= 0:
        return np.nan
    return float(np.clip((observed + tnr - 1) / denominator, 0.0, 1.0))


@app.function
def agreement(frame: pd.DataFrame, seed: int = 11, rounds: int = BOOTSTRAP) -> dict:
    """Judge against humans on the interactions both scored (pass = score >= 0.5): confusion matrix,
    kappa, TPR, TNR; the judge's raw pass rate over every judged production interaction, and the
    Rogan-Gladen corrected pass rate with a 95% percentile bootstrap interval (scipy.stats.bootstrap,
    seeded: each round resamples the labelled pairs and the judged interactions)."""
    pairs = frame[frame["judge"].notna() & frame["human"].notna()]
    judged = frame[frame["judge"].notna() & ~frame["shadow"].astype(bool)]
    judge, human = (pairs["judge"] >= PASS).to_numpy(), (pairs["human"] >= PASS).to_numpy()
    stats = kappa_rates(judge, human)
    observed = float((judged["judge"] >= PASS).mean()) if len(judged) else np.nan
    stats.update({"judged": len(judged), "judge_pass_rate": observed,
                  "corrected_pass_rate": rogan_gladen(observed, stats["tpr"], stats["tnr"]),
                  "ci_low": np.nan, "ci_high": np.nan})
    if stats["n"] >= 10 and len(judged):
        passes = (judged["judge"] >= PASS).to_numpy()

        def corrected(pick, judged_passes, axis=-1):
            # vectorised Rogan-Gladen of one resample: the labelled pairs (by index) and the judged interactions
            j, h = judge[pick], human[pick]
            with np.errstate(divide="ignore", invalid="ignore"):
                tpr, tnr = (j & h).sum(axis) / h.sum(axis), (~j & ~h).sum(axis) / (~h).sum(axis)
                rate = (judged_passes.mean(axis) + tnr - 1) / (tpr + tnr - 1)
            return np.where(tpr + tnr - 1 > 0, np.clip(rate, 0.0, 1.0), np.nan)

        draws = bootstrap((np.arange(len(judge)), passes), corrected, vectorized=True, n_resamples=rounds, batch=100,
                          method="percentile", rng=np.random.default_rng(seed)).bootstrap_distribution
        # a resample whose judge is no better than chance corrects nothing: the interval is over the others
        draws = draws[np.isfinite(draws)]
        if len(draws) >= rounds // 2:
            stats["ci_low"], stats["ci_high"] = (float(v) for v in np.percentile(draws, [2.5, 97.5]))
    return stats


@app.function
def workspace_agreement(workspace, name: str = "task_completion") -> dict:
    con = connect(workspace, tables=("ai_interactions", "eval_scores"))
    try:
        frame = judged_frame(con, name)
    finally:
        close_snapshot(con)
    return {"frame": frame, "agreement": agreement(frame)}


@app.cell(hide_code=True)
def _():
    import marimo as mo

    mo.md(
        r"""
        # Keeping the judge honest

        Humans label a **review queue**: edge cases first (the judge unsure, or contradicting what the
        user did), then a sample stratified by feature, segment and verdict. On the interactions both
        scored (pass = score $\ge 0.5$): the confusion matrix, Cohen's
        $\kappa = (p_o - p_e)/(1 - p_e)$ (observed against chance agreement), TPR and TNR. The judge's pass
        rate is corrected for its errors with **Rogan–Gladen**,
        $\hat p = (p_{obs} + \text{TNR} - 1)/(\text{TPR} + \text{TNR} - 1)$, with a 95% bootstrap interval.
        Below, on a workspace: the agreement on a rubric, and the next interactions to label (read-only
        here: label them on the app's AI page).
        """
    )
    return (mo,)


@app.cell
def _(mo):
    workspace_path = workspace_picker(mo)
    rubric = mo.ui.dropdown(list(RUBRICS), value="task_completion", label="Rubric")
    mo.hstack([workspace_path, rubric], justify="start")
    return rubric, workspace_path


@app.cell
def _(mo, rubric, workspace_path):
    found = workspace_agreement(require_workspace(mo, workspace_path.value), rubric.value)
    return (found,)


@app.cell
def _(found, mo, rubric):
    from journeylens.notebooks.signals.charts import count_matrix

    judge_stats = found["agreement"]
    mo.stop(not judge_stats["n"], mo.callout(mo.md(
        f"No interaction has both a judge and a human verdict on {rubric.value} yet."), kind="info"))
    cells = pd.DataFrame({"judge": ["pass", "pass", "fail", "fail"], "human": ["pass", "fail", "pass", "fail"],
                          "count": [judge_stats[k] for k in ("tp", "fp", "fn", "tn")]})
    matrix = count_matrix(cells, "human", "judge", f"{rubric.value}: judge against humans on {judge_stats['n']} "
                          "interactions", "Human verdict", "Judge verdict")
    figure = [("Cohen's κ", "kappa"), ("TPR", "tpr"), ("TNR", "tnr"), ("Judge pass rate", "judge_pass_rate"),
              ("Corrected pass rate", "corrected_pass_rate")]
    mo.vstack([
        mo.hstack([mo.stat(f"{judge_stats[key]:.2f}" if pd.notna(judge_stats[key]) else "—", label=label)
                   for label, key in figure]),
        mo.md(f"Corrected pass rate, 95% bootstrap interval: {judge_stats['ci_low']:.3f} to "
              f"{judge_stats['ci_high']:.3f} ({judge_stats['judged']:,} judged production interactions)."),
        matrix,
    ])
    return (judge_stats,)


@app.cell
def _(mo):
    queue_size = mo.ui.slider(10, 200, 10, value=20, label="Review queue size", show_value=True)
    queue_size
    return (queue_size,)


@app.cell
def _(found, mo, queue_size):
    queue = review_queue(found["frame"], size=queue_size.value)
    mo.vstack([mo.md(f"**Next {len(queue)} to label** (edge cases first)"),
               mo.ui.table(queue[["interaction_id", "feature", "segment", "judge", "completed", "reason", "prompt",
                                  "output"]], selection=None)])
    return (queue,)


if __name__ == "__main__":
    app.run()
