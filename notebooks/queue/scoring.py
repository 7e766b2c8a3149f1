import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")

with app.setup:
    import copy

    from journeylens.notebooks.queue.harm_inputs import create_harm_tables
    from journeylens.notebooks.queue.incidents import correlate_groups
    from journeylens.notebooks.queue.profile_checks import check_profile
    from journeylens.notebooks.queue.profile_defaults import DEFAULT_PROFILE
    from journeylens.notebooks.signals.journey_signals import journey_deviations
    from journeylens.notebooks.workspace.picker import require_workspace, workspace_picker
    from journeylens.notebooks.workspace.snapshot import sql_text

    COMPONENTS = ("severity_component", "exposure", "confidence_component", "duration_component",
                  "recurrence_component")
    WEIGHT_OF = dict(zip(COMPONENTS, ("severity", "exposure", "confidence", "duration", "recurrence"), strict=True))


@app.function
def resolve_profile(profile: dict | None = None) -> dict:
    """The profile with every missing value taken from DEFAULT_PROFILE (weights merged key by key).
    Every value given must be finite and in its range (profile_checks.PROFILE_LIMITS), else IngestError:
    this is where a profile from a file, the app or a retro decision enters, and every save passes here."""
    check_profile(profile or {})
    merged = copy.deepcopy(DEFAULT_PROFILE)
    for key, value in (profile or {}).items():
        if isinstance(merged.get(key), dict) and isinstance(value, dict):  # weights, ai_weights: key by key
            merged[key].update(value)
        else:
            merged[key] = value
    return merged


@app.function
def resolved(profile: dict | None) -> dict:
    """`profile` if it is resolved (every setting present, as resolve_profile and load_profile give it),
    the defaults for None. The steps of a ranking take a resolved profile, so that a ranking resolves
    (and checks) its profile once; a profile with settings missing is refused, not completed here."""
    if profile is None:
        return resolve_profile(None)
    missing = (DEFAULT_PROFILE.keys() - profile.keys()) | (DEFAULT_PROFILE["weights"].keys()
                                                           - (profile.get("weights") or {}).keys())
    if missing:
        raise ValueError(f"a profile without {', '.join(sorted(missing))}: resolve it first (resolve_profile)")
    return profile


@app.function
def score_parameters(p: dict) -> dict:
    """The SQL parameters of sql/queue/11-17 by file ({"windows": …, "impact": …, "components": …,
    "score": …}), from a resolved profile."""
    pick = {
        "windows": ("max_window_hours",),
        "impact": ("min_entered", "harm_z", "harm_observed_min"),
        "components": ("unmapped_impact", "unmapped_sensitivity", "no_map_impact", "no_map_sensitivity",
                       "default_exposure", "default_harm", "default_confidence", "duration_full_min",
                       "recurrence_full"),
        "score": ("corroboration", "harm_exponent"),
    }
    params = {step: {key: float(p[key]) for key in keys} for step, keys in pick.items()}
    params["score"].update({f"w_{name}": float(value) for name, value in p["weights"].items()})
    return params


@app.function
def score_groups(con, p: dict, deviations_ready: bool = False, route: bool = True) -> None:
    """Scores every row of `alert_groups` under the resolved profile `p`, set-based in DuckDB: stage_hourly,
    segment_hourly and metric_hourly (sql/queue/08-10) -> group_windows and group_journey_impact (11, 12) ->
    group_components (13) -> incident candidates (14-16, incidents.correlate_groups) -> routed_groups (18)
    -> scored_groups (17). See the markdown below for the formula; `reference_score` is the same formula in
    Python. deviations_ready: journey_deviations is already on `con` (rank_alerts with signals, or an earlier
    scoring), so it is not computed again."""
    params = score_parameters(p)
    if not deviations_ready:
        # the journey signals' baselines are harm's baselines; scoring reads the stage as a whole
        journey_deviations(con, segments=("all",))
    con.execute(f"create or replace temp table stage_hourly as {sql_text('stage_hourly')}")
    con.execute(f"create or replace temp table segment_hourly as {sql_text('segment_hourly')}")
    create_harm_tables(con, p)
    con.execute(f"create or replace temp table metric_hourly as {sql_text('metric_hourly')}")
    con.execute(f"create or replace temp table group_windows as {sql_text('group_windows')}", params["windows"])
    con.execute(f"create or replace temp table group_journey_impact as {sql_text('group_journey_impact')}",
                params["impact"])
    con.execute(f"create or replace temp table group_components as {sql_text('group_components')}",
                params["components"])
    correlate_groups(con, p)
    # new components are routed again: by ranking.route_groups (route=False), else here under no rule
    con.execute("create or replace temp table route_rules as select null::varchar as rules")
    if route:
        con.execute(f"create or replace temp table routed_groups as {sql_text('routed_groups')}")
        rescore(con, p)


@app.function
def rescore(con, p: dict) -> None:
    """Only the weighted part (17_scored_groups) under the resolved profile `p`: what a weight or corroboration
    change needs, over the narrow group_components table that score_groups left. The weights are one row
    (score_weights) and scored_groups a view over it: the scores are computed where they are read."""
    weights = score_parameters(p)["score"]
    con.execute("create or replace temp table score_weights as select " +
                ", ".join(f"cast(${name} as double) as {name}" for name in weights), weights)
    con.execute(f"create or replace temp view scored_groups as {sql_text('scored_groups')}")


@app.function
def reference_score(row: dict, profile: dict | None = None) -> float:
    """The documented formula, row by row, for explanation and for the SQL parity test:

    score = 100 * impact/10 * (0.5 + 0.5*sensitivity) * sum(w_k * c_k)/sum(w_k) * (1 - c + c*harm**e)

    over the components c_k of COMPONENTS (each in [0, 1]), c = the profile's corroboration and e its
    harm_exponent (`profile` resolved, None for the defaults)."""
    p = resolved(profile)
    weights = p["weights"]
    total = sum(weights[WEIGHT_OF[c]] for c in COMPONENTS)
    signal = sum(weights[WEIGHT_OF[c]] * row[c] for c in COMPONENTS) / total
    corroboration = 1 - p["corroboration"] + p["corroboration"] * row["harm"] ** p["harm_exponent"]
    return 100.0 * row["impact"] / 10.0 * (0.5 + 0.5 * row["sensitivity"]) * signal * corroboration


@app.cell(hide_code=True)
def _():
    import marimo as mo

    mo.md(
        r"""
        # Customer-impact score

        Every alert group gets a score from 0 to 100 that a governance review can read off its row:

        $$\text{score} = 100 \cdot \underbrace{\tfrac{\text{impact}}{10}\,(0.5 + 0.5\,\text{sensitivity})}_{\text{stage at stake}}
        \cdot \underbrace{\frac{\sum_k w_k\, c_k}{\sum_k w_k}}_{\text{signal}}
        \cdot \underbrace{(1 - c + c \cdot \text{harm}^{e})}_{\text{corroboration}}$$

        | component | meaning | in [0, 1] |
        |---|---|---|
        | severity | (6 − severity rank) / 5: critical 1 … info 0.2 | tool's word |
        | exposure | segment-weighted traffic at the stage during the window / the stage's 95th-percentile hour | customers there |
        | confidence | the AIOps tool's anomaly confidence (0.7 when absent) | |
        | duration | ln(1 + minutes) / ln(1 + 240) | |
        | recurrence | ln(alert count) / ln(20) | |
        | harm | conversion drop below its hour-of-day baseline (÷ 0.5), measured from the 99% Wilson upper bound of the window's conversion, or time-to-value rise (÷ 1.0), whichever is larger; read for the stage and for each segment, the largest counting; 0 on thin traffic and below 0.1; 0.35 when the stage has no metrics | corroboration, c = 0.9, e = 0.5 |

        Why a product: an alert on a system no customer touches (unmapped: impact 1) cannot outrank a
        customer stage however loud it is, and a quiet warning on the payment path rises above a loud one
        when conversion falls under it. Why c = 0.9 and e = 0.5: the stage's impact is the team's prior,
        observed harm is evidence. A loud alert on a stage that was measured and fine keeps a tenth of its
        signal, so a stage rated high cannot fill the queue with alerts customers never felt; the square
        root makes *that* a stage measurably got worse count more than by how much, since an hourly
        metric dilutes a short outage. Harm is read per segment too, so an enterprise-only outage is not
        averaged away, and harm under 0.1 counts as none, so that many segments do not make noise look
        corroborated. (Chosen on seeded worlds of `sample_data/world_variant.py`, not on the sample.)
        Groups scoring below the threshold are suppressed, except those with observed harm
        (`threshold_spares_harm`): a low score never hides it. The score is bounded, monotone in every
        component, impact and sensitivity, and does not depend on input order (tests/queue/test_scoring.py). Every
        number is a profile value. Below, on a workspace: its real queue, re-ranked as you drag the weights,
        c, e and the threshold (a weight change re-scores the components only: `live_queue`).
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
    from journeylens.notebooks.ingest.playbook_file import load_playbooks
    from journeylens.notebooks.queue.live_queue import LiveQueue
    from journeylens.notebooks.queue.profiles import load_profile

    workspace = require_workspace(mo, workspace_path.value)
    base = load_profile(workspace)["profile"]  # the workspace's default profile: where the sliders start
    playbooks = load_playbooks(workspace)
    live = LiveQueue(workspace)  # a snapshot, read only; ranked in full once, then re-ranked on the fast path
    live.update(base, playbooks)
    base_rank = live.queue().set_index("group_id")["rank"]
    return base, base_rank, live, playbooks


@app.cell
def _(base, mo):
    def _slider(low, high, step, value, label):
        return mo.ui.slider(min(low, value), max(high, value), step=step, value=value, label=label, show_value=True)

    settings = mo.ui.dictionary({
        "weights": mo.ui.dictionary({w: _slider(0.05, 1.0, 0.05, v, f"w {w}") for w, v in base["weights"].items()}),
        "corroboration": _slider(0.0, 1.0, 0.05, base["corroboration"], "corroboration c"),
        "harm_exponent": _slider(0.2, 2.0, 0.1, base["harm_exponent"], "harm exponent e"),
        "threshold": _slider(0.0, 100.0, 0.5, base["threshold"], "threshold"),
        "threshold_spares_harm": mo.ui.switch(value=base["threshold_spares_harm"],
                                              label="the threshold never hides observed harm"),
    })
    top = mo.ui.slider(5, 50, value=20, label="groups in the chart", show_value=True)
    mo.vstack([mo.md("**Drag to re-rank the workspace's queue** (starting from its default profile)"), settings, top])
    return settings, top


@app.cell
def _(base, base_rank, live, mo, playbooks, settings, top):
    import time

    import altair as alt

    started = time.perf_counter()
    path = live.update({**base, **settings.value, "weights": dict(settings.value["weights"])}, playbooks)
    seconds = time.perf_counter() - started
    queue = live.queue()
    kept = queue[~queue["suppressed"]].head(top.value).copy()
    kept["moved"] = [base_rank[g] - r for g, r in zip(kept["group_id"], kept["rank"], strict=True)]
    kept["group"] = "#" + kept["rank"].astype(str) + " " + kept["service"] + " · " + kept["name"]
    kept["stage"] = kept["stage"].fillna("unmapped")
    chart = alt.Chart(kept).mark_bar().encode(
        x=alt.X("score:Q", title="score (0-100)"), y=alt.Y("group:N", sort=None, title=None),
        color=alt.Color("stage:N", title="stage"),
        tooltip=["group:N", alt.Tooltip("score:Q", format=".1f"), alt.Tooltip("stage_factor:Q", format=".2f"),
                 alt.Tooltip("signal:Q", format=".2f"), alt.Tooltip("corroboration:Q", format=".2f"),
                 alt.Tooltip("harm:Q", format=".2f"), "moved:Q"],
    ).properties(title="The queue's top groups under these settings", width=560) + alt.Chart(
        alt.Data(values=[{"threshold": live.profile["threshold"]}])).mark_rule(color="#d62728", strokeDash=[4, 3]).encode(
        x="threshold:Q")
    first = queue.iloc[0] if len(queue) else None
    explained = None if first is None else reference_score(first.to_dict(), live.profile)  # the formula, by hand
    mo.vstack([
        mo.md(f"**{int((~queue['suppressed']).sum()):,} of {len(queue):,} groups in the queue, the rest suppressed** "
              f"(this update: `{path}`, {seconds:.2f} s; `moved` = places gained since the default profile)."),
        mo.md("" if first is None else
              f"The top group, {first['service']} · {first['name']}: score = 100 × {first['stage_factor']:.3f} × "
              f"{first['signal']:.3f} × {first['corroboration']:.3f} = **{explained:.1f}**"),
        chart,
        mo.ui.table(kept[["rank", "moved", "score", "stage", "service", "name", "stage_factor", "signal",
                          "corroboration", *COMPONENTS, "harm", "suppressed_reason"]], selection=None),
    ])
    return (queue,)


if __name__ == "__main__":
    app.run()
