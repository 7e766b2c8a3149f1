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

    NON_INFERIORITY = 0.05  # the shadow may be at most 5% worse than production
    SMALL_SAMPLE = 1000  # up to this many rows per side: classical tests; above: distances
    DRIFT_P = 0.01  # K-S / chi-square: drift when p < 0.01
    DRIFT_DISTANCE = 0.1  # Wasserstein (in pooled standard deviations) / Jensen-Shannon (base 2)


@app.function
def paired_scores(con, weights: dict | None = None) -> pd.DataFrame:
    """Shadow rows paired with the production interaction they replayed (extra.shadow_of, else the same
    feature, user, prompt and ts), each side's weighted judge score (all three metrics needed)."""
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
        select p.interaction_id, sh.interaction_id as shadow_id, p.feature, p.segment,
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
def shadow_verdict(pairs: pd.DataFrame, margin: float = NON_INFERIORITY, seed: int = 5, rounds: int = 2000) -> dict:
    """Shadow against production on paired interactions: the mean weighted-score delta (shadow -
    production), its relative size, and a 95% percentile bootstrap interval of the relative delta
    (scipy.stats.bootstrap, pairs resampled together, seeded). Promotion is recommended only on
    non-inferiority: the interval's lower end is above -margin (the shadow is not worse by more than 5%,
    with 95% confidence)."""
    n = len(pairs)
    if n < 10:
        return {"pairs": n, "delta": np.nan, "relative": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                "promote": False, "reason": f"only {n} scored pairs: not enough to decide"}
    production, shadow = pairs["production"].to_numpy(float), pairs["shadow"].to_numpy(float)
    interval = stats.bootstrap((shadow, production), relative_delta, paired=True, vectorized=True,
                               n_resamples=rounds, method="percentile", rng=np.random.default_rng(seed))
    low, high = interval.confidence_interval
    delta = float(shadow.mean() - production.mean())
    promote = bool(low > -margin)
    reason = (f"non-inferior: with 95% confidence the shadow is at most {-low:.1%} worse (margin {margin:.0%})"
              if promote else f"not shown non-inferior: it may be up to {-low:.1%} worse (margin {margin:.0%})")
    return {"pairs": n, "delta": delta, "relative": delta / production.mean(), "ci_low": float(low),
            "ci_high": float(high), "promote": promote, "reason": reason}


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


@app.cell(hide_code=True)
def _():
    import marimo as mo

    mo.md(
        """
        # Shadow mode and drift

        A shadow model answers the same requests as production, unseen by users. On paired interactions
        the weighted judge score of each side is compared: mean delta and a 95% bootstrap interval of the
        relative delta. Promotion is recommended on **non-inferiority** only: the interval's lower end is
        above −5%, i.e. the shadow is not worse by more than 5% with 95% confidence.

        **Drift** between model versions or periods: up to 1,000 rows a side, K–S for numbers and
        chi-square for categories (drift when p < 0.01); above that, the Wasserstein distance (in pooled
        standard deviations) or the Jensen–Shannon divergence (drift above 0.1).
        """
    )
    return


if __name__ == "__main__":
    app.run()
