import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import math
    import numpy as np
    import pandas as pd
    from scipy import stats
    from scipy.spatial.distance import jensenshannon as distance_jensenshannon

    from journeylens.notebooks.ai.outcomes import ai_weights
    from journeylens.notebooks.workspace.picker import require_workspace, workspace_picker
    from journeylens.notebooks.workspace.snapshot import connect

    NON_INFERIORITY = 0.05  # the shadow may be at most 5% worse than production
    SMALL_SAMPLE = 1000  # up to this many rows per side: classical tests; above: distances
    DRIFT_P = 0.01  # K-S / chi-square: drift when p < 0.01
    DRIFT_DISTANCE = 0.1  # Wasserstein (in pooled standard deviations) / Jensen-Shannon (base 2)
    DRIFT_COLUMNS = ("latency_ms", "cost_usd", "accepted", "feedback")  # compared between model versions
    SHADOW_MIN_DAYS = 7  # the shortest run (first to last pair) that may be promoted: the seed's 7-14 days


@app.function
def paired_scores(con, weights: dict | None = None) -> pd.DataFrame:
    """Shadow rows paired with the production interaction they replayed (extra.shadow_of, else the same
    feature, user, prompt and ts), each side's weighted judge score (all three metrics needed) and `ts`, when
    production answered (the run length is measured on it)."""
    w = ai_weights(weights)
    return con.execute("""
        with scores as (
            select interaction_id,
                $t * avg(value) filter (where name = 'task_completion')
                + $r * avg(value) filter (where name = 'relevance')
                + $s * avg(value) filter (where name = 'safety') as weighted
            from eval_scores
            where source in ('llm', 'human')
            group by interaction_id
        ),
        shadows as (
            select *, try(json_extract_string(extra, '$.shadow_of')) as shadow_of from ai_interactions where shadow
        )
        select p.interaction_id, sh.interaction_id as shadow_id, p.ts, p.feature, p.segment,
            p.model_version as production_model, sh.model_version as shadow_model,
            ps.weighted as production, ss.weighted as shadow
        from shadows as sh
        join ai_interactions as p on not p.shadow and (
            p.interaction_id = sh.shadow_of
            or (sh.shadow_of is null and p.feature = sh.feature and p.user_id is not distinct from sh.user_id
                and p.prompt is not distinct from sh.prompt and p.ts = sh.ts))
        join scores as ps on ps.interaction_id = p.interaction_id
        join scores as ss on ss.interaction_id = sh.interaction_id
        where ps.weighted is not null and ss.weighted is not null
        order by p.ts""", {"t": w["task_completion"], "r": w["relevance"], "s": w["safety"]}).df()


@app.function
def relative_delta(shadow, production, axis=-1):
    """(mean shadow - mean production) / mean production, along `axis` (vectorised for the bootstrap)."""
    return (np.mean(shadow, axis=axis) - np.mean(production, axis=axis)) / np.mean(production, axis=axis)


@app.function
def run_length(pairs: pd.DataFrame) -> dict:
    """{run_days, first, last}: days (fractional) between the first and the last paired interaction
    (`ts`); None each when the pairs carry no time."""
    ts = pd.to_datetime(pairs["ts"]).dropna() if "ts" in pairs and len(pairs) else pd.Series(dtype="datetime64[ns]")
    if ts.empty:
        return {"run_days": None, "first": None, "last": None}
    first, last = ts.min(), ts.max()
    return {"run_days": (last - first).total_seconds() / 86400, "first": first, "last": last}


@app.function
def days_text(days: float | None) -> str:
    """3.25 -> '3.2', 6.99 -> '6.9' (rounded down: a run just short of 7 days never reads '7'), None -> 'unknown'."""
    return "unknown" if days is None else f"{math.floor(float(days) * 10) / 10:g}"


@app.function
def shadow_verdict(pairs: pd.DataFrame, margin: float = NON_INFERIORITY, seed: int = 5, rounds: int = 2000,
                   min_days: float = SHADOW_MIN_DAYS) -> dict:
    """Shadow against production on paired interactions: the mean weighted-score delta (shadow -
    production), its relative size, and a 95% percentile bootstrap interval of the relative delta
    (scipy.stats.bootstrap, pairs resampled together, seeded). Promotion is recommended only on
    non-inferiority: the interval's lower end is above -margin (the shadow is not worse by more than 5%,
    with 95% confidence), and only after a run of at least `min_days` days between the first and the last
    pair (run_length; 0 = no minimum): before that the verdict is "hold: run too short, N of M days".
    Adds run_days, first, last and min_days to the verdict."""
    n = len(pairs)
    run = {**run_length(pairs), "min_days": min_days}
    short = bool(min_days) and (run["run_days"] is None or run["run_days"] < min_days)
    if n < 10:
        return {"pairs": n, "delta": np.nan, "relative": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                "promote": False, "reason": f"only {n} scored pairs: not enough to decide", **run}
    production, shadow = pairs["production"].to_numpy(float), pairs["shadow"].to_numpy(float)
    interval = stats.bootstrap((shadow, production), relative_delta, paired=True, vectorized=True,
                               n_resamples=rounds, method="percentile", rng=np.random.default_rng(seed))
    low, high = interval.confidence_interval
    delta = float(shadow.mean() - production.mean())
    inferior = not low > -margin
    reason = (f"non-inferior: with 95% confidence the shadow is at most {-low:.1%} worse (margin {margin:.0%})"
              if not inferior else f"not shown non-inferior: it may be up to {-low:.1%} worse (margin {margin:.0%})")
    if short:  # too short a run has not seen a week's cycle of traffic: no promotion, whatever the scores
        reason = (f"hold: run too short, {days_text(run['run_days'])} of {days_text(min_days)} days "
                  f"({n} pairs); so far {reason}")
    return {"pairs": n, "delta": delta, "relative": delta / production.mean(), "ci_low": float(low),
            "ci_high": float(high), "promote": not inferior and not short, "reason": reason, **run}


@app.function
def ks_test(a: np.ndarray, b: np.ndarray) -> tuple:
    """Two-sample Kolmogorov-Smirnov: (D, p). D = sup |F_a - F_b| (scipy.stats.ks_2samp); p from the
    asymptotic Kolmogorov distribution at (sqrt(n_e) + 0.12 + 0.11 / sqrt(n_e)) D, n_e = n_a n_b / (n_a +
    n_b) (Stephens' small-sample correction, as in Numerical Recipes)."""
    d = float(stats.ks_2samp(a, b).statistic)
    en = math.sqrt(len(a) * len(b) / (len(a) + len(b)))
    return d, float(stats.kstwobign.sf((en + 0.12 + 0.11 / en) * d))


@app.function
def drift(before: pd.Series, after: pd.Series) -> dict:
    """Has a column's distribution moved between two samples (model versions, periods)? Numbers: K-S
    (p-value) up to SMALL_SAMPLE rows a side, else the Wasserstein distance in pooled standard deviations.
    Categories: chi-square test of the 2 x k contingency table (no continuity correction) up to
    SMALL_SAMPLE, else the Jensen-Shannon divergence (base 2: the square of scipy's JS distance)."""
    a, b = before.dropna(), after.dropna()
    sizes = {"n_before": len(a), "n_after": len(b)}
    if len(a) < 5 or len(b) < 5:
        return {"test": "too few rows", "value": np.nan, "drift": False, **sizes}
    numeric = pd.api.types.is_numeric_dtype(a) and not pd.api.types.is_bool_dtype(a)
    small = max(len(a), len(b)) <= SMALL_SAMPLE
    if numeric:
        x, y = a.to_numpy(float), b.to_numpy(float)
        if small:
            p = ks_test(x, y)[1]
            return {"test": "K-S p", "value": p, "drift": p < DRIFT_P, **sizes}
        distance = stats.wasserstein_distance(x, y) / (float(np.std(np.concatenate([x, y]))) or 1.0)
        return {"test": "Wasserstein / SD", "value": distance, "drift": distance > DRIFT_DISTANCE, **sizes}
    counts = pd.concat([a.astype(str).value_counts().rename("a"), b.astype(str).value_counts().rename("b")],
                       axis=1).fillna(0)
    if small:
        p = float(stats.chi2_contingency(counts.to_numpy(), correction=False).pvalue)
        return {"test": "chi-square p", "value": p, "drift": p < DRIFT_P, **sizes}
    divergence = float(distance_jensenshannon(counts["a"], counts["b"], base=2) ** 2)
    return {"test": "Jensen-Shannon", "value": divergence, "drift": divergence > DRIFT_DISTANCE, **sizes}


@app.function
def model_versions(con) -> list:
    """The production model versions, in the order they first answered."""
    return [v for (v,) in con.execute("select model_version from ai_interactions where not shadow and model_version "
                                      "is not null group by model_version order by min(ts), model_version").fetchall()]


@app.function
def model_drift(con, before: str | None = None, after: str | None = None) -> dict | None:
    """Drift (see drift) of every DRIFT_COLUMNS column of production interactions from model version `before`
    to `after`; by default the two latest versions (model_versions). None with fewer than two versions.
    Returns {before, after, table}: one row per column with its test, value, verdict and sample sizes."""
    versions = model_versions(con)
    if len(versions) < 2 and not (before and after):
        return None
    before, after = before or versions[-2], after or versions[-1]
    rows = con.execute(f"select model_version, {', '.join(DRIFT_COLUMNS)} from ai_interactions "
                       "where not shadow and model_version in ($b, $a)", {"b": before, "a": after}).df()
    sides = {v: rows[rows["model_version"] == v] for v in (before, after)}
    table = pd.DataFrame([{"column": c, **drift(sides[before][c], sides[after][c])} for c in DRIFT_COLUMNS])
    return {"before": before, "after": after, "table": table}


@app.cell(hide_code=True)
def _():
    import altair as alt
    import marimo as mo

    mo.md(
        r"""
        # Shadow mode and drift

        A shadow model answers the same requests as production, unseen by users. On paired interactions
        the weighted judge score of each side is compared: the mean delta, and a 95% percentile bootstrap
        interval of the relative delta $(\bar s - \bar p)/\bar p$ (scipy, pairs resampled together, seeded).
        Promotion is recommended on **non-inferiority** only: the interval's lower end is above $-m$
        (margin $m$ = 5%), i.e. the shadow is not worse by more than 5% with 95% confidence, and only once
        the run, from the first to the last pair, lasts at least the shortest run (7 days by default).

        **Drift** of latency, cost, acceptance and feedback between two production model versions: up to
        1,000 rows a side, K–S for numbers and chi-square for categories (drift when p < 0.01); above that,
        the Wasserstein distance in pooled standard deviations or the Jensen–Shannon divergence (drift
        above 0.1). Pick the workspace, the margin and the two versions below.
        """
    )
    return alt, mo


@app.cell
def _(mo):
    workspace_path = workspace_picker(mo)
    workspace_path
    return (workspace_path,)


@app.cell
def _(mo, workspace_path):
    con = connect(require_workspace(mo, workspace_path.value))
    pairs = paired_scores(con)
    versions = model_versions(con)
    margin = mo.ui.slider(0.01, 0.2, 0.01, value=NON_INFERIORITY, label="Non-inferiority margin", show_value=True)
    min_days = mo.ui.slider(0, 28, 1, value=SHADOW_MIN_DAYS, label="Shortest run (days)", show_value=True)
    mo.hstack([margin, min_days], justify="start")
    return con, margin, min_days, pairs, versions


@app.cell
def _(alt, margin, min_days, mo, pairs):
    verdict = shadow_verdict(pairs, margin.value, min_days=min_days.value)
    summary = mo.md(f"**{verdict['pairs']:,} paired interactions over {days_text(verdict['run_days'])} days.** "
                    f"{verdict['reason']}.")
    if verdict["pairs"] >= 10:
        deltas = pairs.assign(delta=pairs["shadow"] - pairs["production"])
        bars = alt.Chart(deltas).mark_bar(opacity=0.8).encode(
            x=alt.X("delta:Q", bin=alt.Bin(maxbins=30), title="Weighted score, shadow − production (per pair)"),
            y=alt.Y("count():Q", title="Paired interactions"))
        marks = pd.DataFrame({"at": [0.0, verdict["delta"]], "what": ["no change", "mean delta"]})
        rules = alt.Chart(marks).mark_rule(strokeDash=[5, 4]).encode(
            x="at:Q", color=alt.Color("what:N", title=None, scale=alt.Scale(range=["#d62728", "#7f7f7f"])),
            tooltip=["what:N", alt.Tooltip("at:Q", format="+.3f")])
        title = (f"Shadow − production: mean {verdict['delta']:+.3f} ({verdict['relative']:+.1%}, 95% CI "
                 f"{verdict['ci_low']:+.1%} to {verdict['ci_high']:+.1%})")
        summary = mo.vstack([summary, (bars + rules).properties(title=title, height=220, width=600)])
    summary
    return (verdict,)


@app.cell
def _(mo, versions):
    version_pick = mo.ui.dictionary({
        "before": mo.ui.dropdown(versions, value=versions[-2] if len(versions) > 1 else None, label="From version"),
        "after": mo.ui.dropdown(versions, value=versions[-1] if versions else None, label="To version"),
    })
    version_pick
    return (version_pick,)


@app.cell
def _(con, mo, version_pick):
    chosen = version_pick.value
    model_change = (model_drift(con, chosen["before"], chosen["after"])
                    if chosen["before"] and chosen["after"] and chosen["before"] != chosen["after"] else None)
    (mo.vstack([mo.md(f"**Drift from {model_change['before']} to {model_change['after']}**"),
                mo.ui.table(model_change["table"], selection=None)])
     if model_change else mo.md("Pick two different production model versions to compare."))
    return (model_change,)


if __name__ == "__main__":
    app.run()
