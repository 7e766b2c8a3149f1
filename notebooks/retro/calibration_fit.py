"""The weight calibration's mechanics: label the ranked history, measure a candidate's queue week by week,
search the weights, and validate the fit on weeks it never saw (calibration.py is the analyst's view).

- Labels (sql/retro/04-05): a ranked alert group is positive when it is linked to an incident whose outcome
  is actioned, escalated or auto_mitigated (all three are problems customers felt and someone or something
  had to act on), negative when it is linked only to noise or duplicate incidents.
- A candidate is the profile's five `weights` (normalised to sum 1, moved on a 0.05 grid) and its
  `corroboration` (how much observed harm counts, on a 0.1 grid); everything else in the profile stays.
  It is measured by re-scoring the kept components (scoring.rescore) and reading each week's queue order
  (sql/retro/06): top-10 precision and recall@20 per ISO week.
- The search is a coordinate search: from the active profile, move 0.05 of weight from one factor to
  another (or corroboration by 0.1) while the mean of (precision@10 + recall@20) / 2 over the fitted weeks
  rises. A tie keeps the current value: no change without evidence.
- Leave-one-week-out: each labelled week is scored by a fit on the other weeks only.
"""

from journeylens.notebooks.queue.groups import details_sql
from journeylens.notebooks.queue.scoring import COMPONENTS, WEIGHT_OF, rescore
from journeylens.notebooks.workspace.snapshot import sql_text

LINK_BEFORE_MINUTES = 30  # as the retro links incidents (weekly.link_incidents)
LINK_AFTER_MINUTES = 120
STEP = 0.05  # a weight moves by this much of the total
CORROBORATION_STEP = 0.1
MAX_PASSES = 40
FACTORS = tuple(WEIGHT_OF[c] for c in COMPONENTS)  # severity, exposure, confidence, duration, recurrence
HARM = "harm"  # the sixth factor: observed harm, through corroboration


def label_history(con) -> dict:
    """Leaves calibration_links and calibration_labels on `con` (after a ranking) and returns the evidence:
    {positive_incidents, negative_incidents, labelled_weeks (weeks with a positive group), groups,
    positive_groups, negative_groups}."""
    ctes, _ = details_sql("select group_id from alert_groups where kind = 'alert_group'")
    con.execute(f"create or replace temp table calibration_members as with {ctes} "
                "select group_id, alert_id from group_alert_members")
    con.execute(f"create or replace temp table calibration_links as {sql_text('calibration_links')}",
                {"link_before_minutes": LINK_BEFORE_MINUTES, "link_after_minutes": LINK_AFTER_MINUTES})
    con.execute(f"create or replace temp table calibration_labels as {sql_text('calibration_labels')}")
    incidents = con.execute("select count(distinct incident_id) filter (where label = 1), "
                            "count(distinct incident_id) filter (where label = 0) from calibration_links").fetchone()
    groups = con.execute("select count(*), count(*) filter (where positive), count(*) filter (where negative), "
                         "count(distinct week) filter (where positive) from calibration_labels").fetchone()
    return {"positive_incidents": int(incidents[0]), "negative_incidents": int(incidents[1]),
            "groups": int(groups[0]), "positive_groups": int(groups[1]), "negative_groups": int(groups[2]),
            "labelled_weeks": int(groups[3])}


def candidate_of(profile: dict) -> tuple:
    """(w_severity, …, w_recurrence, corroboration) of a resolved profile, the weights normalised to sum 1."""
    total = sum(float(profile["weights"][f]) for f in FACTORS) or 1.0
    return (*(round(float(profile["weights"][f]) / total, 4) for f in FACTORS),
            round(float(profile["corroboration"]), 4))


def profile_of(base: dict, candidate: tuple) -> dict:
    """`base` (resolved) with the candidate's weights and corroboration."""
    return {**base, "weights": {**base["weights"], **dict(zip(FACTORS, candidate[:-1], strict=True))},
            "corroboration": candidate[-1]}


class Evaluator:
    """Measures candidates on a ranked, labelled connection; each candidate once (memoised), all weeks at once."""

    def __init__(self, con, base: dict):
        self.con, self.base, self.seen = con, base, {}

    def __call__(self, candidate: tuple) -> dict:
        """{week: (precision_at_10, recall_at_20)} of the queue under `candidate`."""
        if candidate not in self.seen:
            if sum(candidate[:-1]) <= 0:  # no signal at all: not a formula
                self.seen[candidate] = {}
            else:
                rescore(self.con, profile_of(self.base, candidate))
                rows = self.con.execute(sql_text("calibration_metrics")).fetchall()
                self.seen[candidate] = {r[0]: (float(r[3]), float(r[4])) for r in rows}
        return self.seen[candidate]


def objective(metrics: dict, weeks: list) -> float:
    """Mean over `weeks` of (precision@10 + recall@20) / 2; a candidate that cannot score is -1."""
    if not metrics:
        return -1.0
    return sum((metrics[w][0] + metrics[w][1]) / 2 for w in weeks) / len(weeks)


def neighbours(candidate: tuple) -> list:
    """Every candidate one step away: STEP of weight from one factor to another, corroboration ± a step."""
    weights, corroboration = list(candidate[:-1]), candidate[-1]
    out = []
    for give in range(len(weights)):
        if weights[give] <= 0:
            continue
        moved = min(STEP, weights[give])
        for take in range(len(weights)):
            if take != give:
                new = list(weights)
                new[give], new[take] = round(new[give] - moved, 4), round(new[take] + moved, 4)
                out.append((*new, corroboration))
    for delta in (-CORROBORATION_STEP, CORROBORATION_STEP):
        value = round(min(1.0, max(0.0, corroboration + delta)), 4)
        if value != corroboration:
            out.append((*weights, value))
    return out


def fit(evaluate, start: tuple, weeks: list) -> tuple:
    """The candidate the coordinate search reaches from `start` on `weeks` (the best single step each pass,
    taken only when it strictly raises the objective)."""
    current, best = start, objective(evaluate(start), weeks)
    for _ in range(MAX_PASSES):
        scored = [(objective(evaluate(c), weeks), c) for c in neighbours(current)]
        top = max(scored, key=lambda s: s[0], default=(best, current))
        if top[0] <= best + 1e-9:
            break
        best, current = top
    return current


def leave_one_week_out(evaluate, start: tuple, weeks: list) -> list:
    """Per labelled week: before (the active profile) and after (fitted on the other weeks only), both
    measured on that week: [{week, precision_before, precision_after, recall_before, recall_after}]."""
    before = evaluate(start)
    rows = []
    for week in weeks:
        fitted = fit(evaluate, start, [w for w in weeks if w != week])
        after = evaluate(fitted)
        rows.append({"week": week, "precision_before": before[week][0], "precision_after": after[week][0],
                     "recall_before": before[week][1], "recall_after": after[week][1]})
    return rows


def factor_importance(evaluate, candidate: tuple, weeks: list) -> list:
    """Per factor of the fitted candidate: its weight share and the top-10 precision over every labelled
    week with the factor switched off (its weight 0, or corroboration 0 for harm): [{factor, share,
    precision_without, drop}], the largest drop first."""
    full = evaluate(candidate)
    base = sum(full[w][0] for w in weeks) / len(weeks)
    rows = []
    for index, factor in enumerate((*FACTORS, HARM)):
        zeroed = list(candidate)
        zeroed[index] = 0.0
        without = evaluate(tuple(zeroed))
        precision = sum(without[w][0] for w in weeks) / len(weeks) if without else None
        rows.append({"factor": factor, "share": candidate[index], "precision_with": base,
                     "precision_without": precision, "drop": None if precision is None else base - precision})
    return sorted(rows, key=lambda r: -(r["drop"] if r["drop"] is not None else 1.0))


def factor_sentences(importance: list) -> list:
    """The factors in words: which one explains most of the actioned incidents, which add little."""
    if not importance:
        return []
    lead = importance[0]
    leads = lead["drop"] is None or lead["drop"] > 0.005
    if leads:
        lost = ("the queue would have nothing left to rank on" if lead["drop"] is None else
                f"top-10 precision would fall from {lead['precision_with']:.0%} to {lead['precision_without']:.0%}")
        out = [f"{lead['factor'].capitalize()} explains most of your actioned incidents: without it {lost}."]
    else:
        out = ["No single factor explains your actioned incidents on its own: switching any one off "
               "leaves top-10 precision where it is."]
    rest = importance[1:] if leads else importance
    for row in rest:
        if row["drop"] is not None and row["drop"] > 0.05:
            out.append(f"{row['factor'].capitalize()} matters too: without it top-10 precision falls by "
                       f"{row['drop']:.0%} (to {row['precision_without']:.0%}).")
    little = [r["factor"] for r in rest if r["drop"] is not None and r["drop"] <= 0.005]
    if little and leads:
        verb = "adds little: switching it off does not" if len(little) == 1 else \
            "add little: switching any of them off does not"
        out.append(f"{', '.join(little).capitalize()} {verb} lower top-10 precision.")
    return out
