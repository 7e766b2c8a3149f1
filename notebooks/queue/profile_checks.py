"""Weight-profile values, checked where they come in.

A weight profile comes from a file (`journeylens audit --profile`), the app's sliders or a retro
decision. Wherever it enters (`audit_report.read_profile_file`, `scoring.resolve_profile`, so every
save), each value must be a finite number in its documented range: an `.inf` weight or a negative harm
exponent would reorder or blank the whole queue."""

import math
import re

from journeylens.notebooks.ingest.rule_checks import check_rules
from journeylens.notebooks.workspace.contract import IngestError, number_text, shown

# The accepted range of every weight-profile setting (scoring.DEFAULT_PROFILE lists them), finite and
# inclusive. Lower bounds keep the formulas defined: duration divides by ln(1 + duration_full_min),
# recurrence by ln(recurrence_full), harm by harm_full_drop and ttv_full_rise. README "Value ranges".
PROFILE_LIMITS = {
    "weights": (0, 100),  # each weight; they are relative (a weighted mean)
    "corroboration": (0, 1),
    "harm_exponent": (0, 10),
    "unmapped_impact": (0, 10),
    "unmapped_sensitivity": (0, 1),
    "no_map_impact": (0, 10),
    "no_map_sensitivity": (0, 1),
    "default_exposure": (0, 1),
    "default_harm": (0, 1),
    "default_confidence": (0, 1),
    "duration_full_min": (1, 43_200),  # up to 30 days
    "recurrence_full": (2, 1_000_000),
    "harm_full_drop": (0.01, 1),
    "ttv_full_rise": (0.01, 100),
    "satisfaction_full_drop": (0.01, 1),
    "harm_metrics": None,  # a list of {metric, worse, full}
    "min_entered": (0, 1_000_000_000),
    "harm_z": (0, 10),
    "max_window_hours": (1, 720),
    "threshold": (0, 1_000),  # scores are 0-100: above 100 suppresses every group harm does not spare
    "threshold_spares_harm": None,  # true or false
    "harm_observed_min": (0, 2),  # harm is 0-1: above 1 no harm counts as observed
    "group_gap_minutes": (1, 10_080),  # up to a week
    "flap_window_minutes": (1, 10_080),
    "flap_min_cycles": (1, 1_000),
    "change_lookback_minutes": (0, 10_080),
    "change_window_hours": (1, 720),
    "change_min_window_hours": (0.5, 720),
    "change_alpha": (1e-9, 0.5),
    "change_min_alerts": (1, 1_000_000),
    "change_min_entered": (1, 1_000_000_000),
    "change_min_rate_ratio": (1, 1_000),
    "change_min_conversion_points": (0, 100),
    "change_min_relative_shift": (0, 100),
    "correlate_minutes": (0, 1_440),
    "incident_splits": None,  # a list of group ids
    "needs_mapping_spares_rank": (0, 5),
    "suppress": None,  # a list of rules (mappings)
    "feed_coverage": (0.5, 1),  # feed health (signals/feed_health.py)
    "feed_min_buckets": (2, 1_000_000),
    "feed_gap_periods": (1, 100_000),
    "feed_stale_periods": (1, 100_000),
    "feed_history_days": (2, 366),
    "feed_min_history": (1, 366),
    "feed_z_min": (0, 100),
    "feed_min_ratio": (1, 1_000),
    "feed_min_change": (0, 1_000_000_000),
    "feed_drift_min_rows": (1, 1_000_000_000),
    "ai_latency_budget_ms": (1, 3_600_000),  # p95 latency budget, ms (up to an hour)
    "ai_latency_budgets": (1, 3_600_000),  # {feature: ms}, each
    "ai_edit_rate_target": (0, 1),
    "ai_edit_rate_days": (1, 365),
    "ai_rejudge_sample": (1, 1_000_000),
    "ai_weights": (0, 100),  # each of task_completion, relevance, safety; relative (normalised to sum to 1)
    "outcome_values": (0, 1_000_000_000),  # {feature: USD per successful interaction}, each
    "shadow_min_days": (0, 365),
}


def check_profile(profile: dict, source: str = "weight profile") -> None:
    """Refuses (IngestError) a profile value that is not a finite number in PROFILE_LIMITS, a switch that
    is not true/false, weights that are not a mapping of numbers, or suppression rules that are not a list
    of mappings. Settings it does not know are left to the caller (old stored profiles may carry some)."""
    for key, value in profile.items():
        if key == "weights":
            if not isinstance(value, dict):
                raise IngestError(source, None, "weights", "a mapping of weights", shown(value))
            for weight, number in value.items():
                check_number(source, f"weights.{weight}", number, PROFILE_LIMITS["weights"])
        elif key == "threshold_spares_harm":
            if not isinstance(value, bool):
                raise IngestError(source, None, key, "true or false", shown(value))
        elif key == "suppress":
            check_rules(source, value)  # ingest/rule_checks: keys, patterns, window bounds
        elif key == "incident_splits":
            if not isinstance(value, list) or not all(isinstance(g, str) and 0 < len(g) <= 128 for g in value):
                raise IngestError(source, None, key, "a list of group ids", shown(value))
        elif key == "harm_metrics":
            check_harm_metrics(source, value)
        elif key == "ai_latency_budgets":
            if not isinstance(value, dict) or not all(isinstance(f, str) for f in value):
                raise IngestError(source, None, key, "a mapping of feature to milliseconds", shown(value))
            for feature, number in value.items():
                check_number(source, f"{key}.{feature}", number, PROFILE_LIMITS[key])
        elif key in ("ai_weights", "outcome_values"):
            check_ai_mapping(source, key, value)
        elif key in PROFILE_LIMITS:
            check_number(source, key, value, PROFILE_LIMITS[key])


AI_WEIGHT_NAMES = ("task_completion", "relevance", "safety")


def check_ai_mapping(source: str, key: str, value) -> None:
    """ai_weights: only task_completion, relevance and safety, each a number in range; outcome_values: feature
    names (text, at most 128 characters) to USD per success, each a number in range."""
    if not isinstance(value, dict) or not all(isinstance(name, str) and 0 < len(name) <= 128 for name in value):
        expected = "a mapping of weights" if key == "ai_weights" else "a mapping of feature to USD per success"
        raise IngestError(source, None, key, expected, shown(value))
    for name, number in value.items():
        if key == "ai_weights" and name not in AI_WEIGHT_NAMES:
            raise IngestError(source, None, f"{key}.{name}", "an AI weight: " + ", ".join(AI_WEIGHT_NAMES), repr(name))
        check_number(source, f"{key}.{name}", number, PROFILE_LIMITS[key])


# a metric is a column name of the team's export: it becomes a JSON path, so no quote or backslash
METRIC_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_ .\-]{0,63}")


def check_harm_metrics(source: str, value) -> None:
    """harm_metrics: a list of {metric: column name, worse: up|down, full: relative change 0.01-100}."""
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise IngestError(source, None, "harm_metrics", "a list of {metric, worse, full} mappings", shown(value))
    for n, entry in enumerate(value, start=1):
        where = f"harm_metrics[{n}]"
        metric = entry.get("metric")
        if not isinstance(metric, str) or not METRIC_NAME.fullmatch(metric):
            raise IngestError(source, None, f"{where}.metric",
                              "a column name (letters, digits, _ . - and spaces, at most 64)", shown(metric))
        if entry.get("worse") not in ("up", "down"):
            raise IngestError(source, None, f"{where}.worse", "up or down", shown(entry.get("worse")))
        check_number(source, f"{where}.full", entry.get("full"), (0.01, 100))
        unknown = set(entry) - {"metric", "worse", "full"}
        if unknown:
            raise IngestError(source, None, where, "only metric, worse and full", ", ".join(sorted(unknown)))


def check_number(source: str, key: str, value, limits: tuple) -> None:
    low, high = limits
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not low <= value <= high:
        raise IngestError(source, None, key, f"a number from {number_text(low)} to {number_text(high)}", shown(value))
