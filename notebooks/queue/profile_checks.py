"""Weight-profile values, checked where they come in.

A weight profile comes from a file (`journeylens audit --profile`), the app's sliders or a retro
decision. Wherever it enters (`audit_report.read_profile_file`, `scoring.resolve_profile`, so every
save), each value must be a finite number in its documented range: an `.inf` weight or a negative harm
exponent would reorder or blank the whole queue."""

import math
import re

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
    "correlate_minutes": (0, 1_440),
    "incident_splits": None,  # a list of group ids
    "needs_mapping_spares_rank": (0, 5),
    "suppress": None,  # a list of rules (mappings)
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
            if not isinstance(value, list) or not all(isinstance(rule, dict) for rule in value):
                raise IngestError(source, None, key, "a list of suppression rules (mappings)", shown(value))
        elif key == "incident_splits":
            if not isinstance(value, list) or not all(isinstance(g, str) and 0 < len(g) <= 128 for g in value):
                raise IngestError(source, None, key, "a list of group ids", shown(value))
        elif key == "harm_metrics":
            check_harm_metrics(source, value)
        elif key in PROFILE_LIMITS:
            check_number(source, key, value, PROFILE_LIMITS[key])


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
