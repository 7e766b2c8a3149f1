"""Why a queue row scores what it scores: the score as parts that add back up to it, and one sentence
naming what moved it most. The Ranked page's drill-down draws these (app/ranked_drill.py); everything
here is arithmetic on a ranked row (ranking.RANKED_COLUMNS) and the resolved profile it was scored under.

The score (scoring.reference_score) is a product:

    score = 100 * stage_factor * signal * corroboration,   signal = sum(w_k * c_k) / sum(w_k)

so it splits exactly into parts that add up:

- one part per signal component k: 100 * stage_factor * w_k * c_k / sum(w) (their sum is the score
  before harm evidence, "what the alert says at this stage");
- one harm part: that sum times (corroboration - 1), zero or negative: what observed (or missing)
  harm took away. A corroboration of 0.1 shows as a part of minus nine tenths of the rest.

The parts add up to the score to rounding (tests/queue/test_explain.py checks it against
reference_score and the SQL's score)."""

from __future__ import annotations

import json
import math

import pandas as pd
from journeylens.notebooks.queue.scoring import COMPONENTS, WEIGHT_OF

# How each component reads in a sentence and on the chart's axis.
COMPONENT_LABELS = {
    "severity_component": "Severity",
    "exposure": "Exposure (customers at the stage)",
    "confidence_component": "Tool confidence",
    "duration_component": "Duration",
    "recurrence_component": "Recurrence",
}
HARM_LABEL = "Harm evidence (corroboration)"
# A corroboration at most this cut the score: the sentence leads with the cut.
CUT_BELOW = 0.75
# An unmapped group's stage factor (impact 1 of 10): under this the stage is what kept it low.
LOW_STAGE = 0.2
FRACTIONS = ((0.1, "a tenth"), (0.2, "a fifth"), (0.25, "a quarter"), (1 / 3, "a third"), (0.5, "half"))


def _number(value, default: float = 0.0) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return default if math.isnan(number) else number


def _given(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and str(value) != ""


def breakdown(row: dict, profile: dict) -> pd.DataFrame:
    """The score of `row` as parts that add up to it (module docstring), under the resolved `profile`.

    Columns: factor (a COMPONENTS name or 'harm'), label, value (the component in [0, 1], or the
    corroboration factor for harm), weight (w_k, None for harm), points (the part of the score), detail
    (a short text for the tooltip). Rows: the components in COMPONENTS order, then harm."""
    weights = profile["weights"]
    total = sum(weights[WEIGHT_OF[c]] for c in COMPONENTS)
    stake = 100.0 * _number(row["impact"]) / 10.0 * (0.5 + 0.5 * _number(row["sensitivity"]))
    corroboration = 1 - profile["corroboration"] + profile["corroboration"] * _number(row["harm"]) ** profile[
        "harm_exponent"]
    rows = []
    for component in COMPONENTS:
        weight = weights[WEIGHT_OF[component]]
        value = _number(row[component])
        points = stake * weight * value / total if total else 0.0
        rows.append({"factor": component, "label": COMPONENT_LABELS[component], "value": value, "weight": weight,
                     "points": points, "detail": f"{value:.2f} × weight {weight:g} of {total:g}"})
    before_harm = sum(r["points"] for r in rows)
    rows.append({"factor": "harm", "label": HARM_LABEL, "value": corroboration, "weight": None,
                 "points": before_harm * (corroboration - 1),
                 "detail": f"× {corroboration:.2f}: harm {_number(row['harm']):.2f}, "
                           f"corroboration {profile['corroboration']:g}, exponent {profile['harm_exponent']:g}"})
    return pd.DataFrame(rows, columns=["factor", "label", "value", "weight", "points", "detail"])


def explained_score(parts: pd.DataFrame) -> float:
    """The score the parts add up to (equal to reference_score of the row)."""
    return float(parts["points"].sum())


def fraction_words(share: float) -> str:
    """0.1 -> 'a tenth', 0.5 -> 'half', else a percentage ('37%')."""
    for value, words in FRACTIONS:
        if abs(share - value) < 0.005:
            return words
    return f"{share:.0%}"


def duration_words(minutes: float) -> str:
    """Minutes as a person says them: '45 min', '2 h', '1 h 30 min'."""
    minutes = round(_number(minutes))
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h" + (f" {rest} min" if rest else "")


def harm_words(row: dict) -> str:
    """What the harm evidence was, in words: 'a 53% conversion drop at checkout', 'time to value up 135%
    at onboarding', '' when no metric was measured worse."""
    metric, value, base = row.get("harm_metric"), _number(row.get("harm_value"), math.nan), _number(
        row.get("harm_baseline"), math.nan)
    stage = row.get("stage") if _given(row.get("stage")) else None
    at = f" at {stage}" if stage else ""
    if not _given(metric) or math.isnan(value) or math.isnan(base) or base == 0:
        return ""
    change = value / base - 1
    if metric == "conversion":
        return f"a {-change:.0%} conversion drop{at}"
    name = str(metric).removesuffix("_s").replace("_", " ")
    return f"{name} {'up' if change >= 0 else 'down'} {abs(change):.0%}{at}"


# One component of a row in words, as the sentence names it.
COMPONENT_WORDS = {
    "severity_component": lambda r: f"{r.get('severity') or 'its'} severity",
    "exposure": lambda r: f"exposure at {_number(r['exposure']):.0%} of the stage's busiest hour",
    "confidence_component": lambda r: f"tool confidence of {_number(r['confidence_component']):.0%}",
    "duration_component": lambda r: f"lasting {duration_words(r.get('duration_min'))}",
    "recurrence_component": lambda r: f"{int(_number(r.get('alert_count'), 1))} alerts in the group",
}


def component_words(row: dict, component: str) -> str:
    """One component of `row` in words (COMPONENT_WORDS)."""
    return COMPONENT_WORDS[component](row)


def harm_state(row: dict) -> str:
    """'observed' (a metric got measurably worse), 'none' (measured, and fine, or too little to count) or
    'unmeasured' (no metric could be read: the profile's default harm stands in)."""
    if bool(row.get("harm_observed")) and _number(row.get("harm")) > 0:
        return "observed"
    measured = not math.isnan(_number(row.get("harm_value"), math.nan))
    return "none" if measured or _number(row.get("harm")) == 0 else "unmeasured"


def sentence(row: dict, profile: dict) -> str:
    """One plain sentence naming what moved the score of `row` most under the resolved `profile`:
    a low stage factor for a row on no customer stage, a harm cut when the corroboration took at least a
    quarter off, else the two largest parts (and the harm seen, when there was some)."""
    parts = breakdown(row, profile)
    harm = parts.iloc[-1]
    components = parts.iloc[:-1].sort_values("points", ascending=False, kind="stable")
    state = harm_state(row)
    # the row's own score when it has one, so that the sentence and the table round alike
    score = _number(row.get("score"), explained_score(parts))
    if _number(row.get("stage_factor"), 1.0) < LOW_STAGE:
        where = f"stage {row['stage']}" if _given(row.get("stage")) else "no mapped customer stage"
        return (f"Little is at stake on {where} (stage factor {_number(row['stage_factor']):.2f}), which kept this "
                f"score at {score:.1f} however loud the alert.")
    if harm["value"] <= CUT_BELOW:
        share = fraction_words(harm["value"])
        if state == "unmeasured":
            why = "no journey metric could be read in its window, so the default harm"
        elif state == "none":
            why = "no measured harm in its window"
        else:
            why = f"only partial harm in its window ({harm_words(row) or 'harm ' + format(_number(row['harm']), '.2f')})"
        return f"{why[0].upper()}{why[1:]} cut this score to {share} (from {score - harm['points']:.1f} to {score:.1f})."
    named = [component_words(row, c) for c in components["factor"].head(2)]
    if state == "observed" and harm_words(row):
        named = [named[0], harm_words(row)]
    return f"{named[0][0].upper()}{named[0][1:]} and {named[1]} drove this score ({score:.1f})."


def explain(row: dict, profile: dict) -> tuple[pd.DataFrame, str]:
    """(breakdown, sentence) of a ranked row; the parts add up to reference_score(row, profile)."""
    return breakdown(row, profile), sentence(row, profile)


def waterfall(parts: pd.DataFrame) -> pd.DataFrame:
    """The parts as a waterfall: each from where the last ended (start, end), then the score itself as a
    bar from 0. Columns: label, start, end, points, detail, kind ('adds', 'harm cut' or 'score')."""
    frame = parts[["label", "points", "detail"]].copy()
    frame["end"] = frame["points"].cumsum()
    frame["start"] = frame["end"] - frame["points"]
    frame["kind"] = ["harm cut" if f == "harm" else "adds" for f in parts["factor"]]
    score = float(frame["end"].iloc[-1])
    total = pd.DataFrame([{"label": "Score", "points": score, "detail": f"{score:.1f} of 100", "end": score,
                           "start": 0.0, "kind": "score"}])
    return pd.concat([frame, total], ignore_index=True)[["label", "start", "end", "points", "detail", "kind"]]


# -- the raw evidence of an entry --------------------------------------------------------------------------

LINK_KEYS = ("generatorurl", "html_url", "client_url", "url", "href", "link", "runbook_url", "dashboard_url")
MAX_ALERTS = 500  # a drill-down lists at most this many member alerts (a flapping group can hold thousands)


def source_link(*json_texts) -> str | None:
    """The first http(s) link in the JSON texts (labels, extra): a tool's own page for the alert
    (Alertmanager's generatorURL, PagerDuty's html_url or client_url, links[].href...), else None."""
    def walk(value):
        if isinstance(value, dict):
            for key, inner in value.items():
                if str(key).lower() in LINK_KEYS and isinstance(inner, str) and inner.startswith(("http://", "https://")):
                    yield inner
            for inner in value.values():
                yield from walk(inner)
        elif isinstance(value, list):
            for inner in value:
                yield from walk(inner)

    for text in json_texts:
        if not _given(text):
            continue
        try:
            found = next(walk(json.loads(text)), None)
        except (TypeError, ValueError):
            continue
        if found:
            return found
    return None


def member_alerts(con, alert_ids: str) -> tuple[pd.DataFrame, int]:
    """The alerts (the `alerts` view of a snapshot) of ';'-separated `alert_ids`, first fired first, at most
    MAX_ALERTS, with each one's source link; and how many there are in all. Columns: alert_id, fired_at,
    resolved_at, source, service, name, severity, region, fingerprint, message, labels, link."""
    ids = [a for a in str(alert_ids or "").split(";") if a]
    columns = ["alert_id", "fired_at", "resolved_at", "source", "service", "name", "severity", "region",
               "fingerprint", "message", "labels"]
    if not ids:
        return pd.DataFrame(columns=[*columns, "link"]), 0
    frame = con.execute(
        f"select {', '.join(columns)}, extra from alerts where alert_id in (select unnest($ids)) "
        "order by fired_at, alert_id limit $most", {"ids": ids, "most": MAX_ALERTS}).df()
    frame["link"] = [source_link(labels, extra) for labels, extra in zip(frame["labels"], frame["extra"], strict=True)]
    return frame.drop(columns=["extra"]), len(set(ids))


def linked_incidents(con, alerts: pd.DataFrame, alert_ids: str) -> pd.DataFrame:
    """The incidents (the `incidents` view) that name one of the entry's alert ids or one of its alerts'
    fingerprints, opened first first: the incident the alerts were handled in."""
    ids = [a for a in str(alert_ids or "").split(";") if a]
    prints = sorted({str(f) for f in alerts["fingerprint"].dropna() if str(f)})
    return con.execute(
        "select incident_id, opened_at, resolved_at, outcome, stage, playbook, notes from incidents "
        "where list_has_any(string_split(alert_ids, ';'), $ids) "
        "or list_has_any(string_split(fingerprints, ';'), $prints) order by opened_at, incident_id",
        {"ids": ids, "prints": prints}).df()
