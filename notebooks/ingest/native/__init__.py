"""Native layouts: exports and payloads that load as their tools write them, with no mapping.

Each tool family has its own module here with a `LAYOUTS` list; `FAMILIES` fixes the order in which
layouts are tried (the first whose `detect` says yes wins). A layout is one of:

- `JsonLayout`: recognised by its first JSON record (a dict). Its SQL (`sql/ingest/NN_<sql>.sql`) reads
  the view `docs(__row bigint, doc json)`, one row per top-level record (an array element, a JSON Lines
  line, or the one object of the file), and returns canonical-named text columns plus `__row` and,
  optionally, `__extra` (a JSON object text of everything not modelled, kept losslessly).
- `TabularLayout`: recognised by its header (the set of normalised column names: `normalise_name`). It
  loads through the alias table of `workspace/contract.py`, or, with `sql`, through its own SQL over the
  view `src` (the file's all-text columns and `__row`), returning canonical-named text columns.

For alerts, a layout's rows are notices (one per notification): see `contract.py` (`status`,
`event_at`, `alert_key`) and `sql/ingest/15_folded_alerts.sql`.
"""

from journeylens.notebooks.ingest.native import (
    datadog,
    grafana,
    helpdesk,
    langfuse,
    opsgenie,
    otel,
    pagerduty,
    prometheus,
)
from journeylens.notebooks.ingest.native.layout_types import JsonLayout, TabularLayout

# The order in which layouts are tried. Grafana's webhook is Alertmanager's with more fields, so grafana
# comes first (its detector looks for those fields).
FAMILIES = (grafana, prometheus, pagerduty, opsgenie, datadog, otel, langfuse, helpdesk)
LAYOUTS = [layout for family in FAMILIES for layout in family.LAYOUTS]
JSON_LAYOUTS = [layout for layout in LAYOUTS if isinstance(layout, JsonLayout)]
TABULAR_LAYOUTS = [layout for layout in LAYOUTS if isinstance(layout, TabularLayout)]
BY_NAME = {layout.name: layout for layout in LAYOUTS}
# layout name -> function(con) -> [warning text]: what a file says about itself that the user must know
# (Alertmanager and Grafana left alerts out of a payload). Run on the connection the file was opened on.
WARNINGS = {name: warn for family in FAMILIES for name, warn in getattr(family, "WARNINGS", {}).items()}


def layout_warnings(con, layout: str) -> list:
    warn = WARNINGS.get(layout)
    return list(warn(con)) if warn else []


def json_layout_for(first: dict, kind: str | None = None):
    """The native JSON layout of a file by its first record, or None (plain records). One payload can be
    read as several kinds (PagerDuty REST incidents: alerts or incidents): a layout of the asked kind
    wins, else the first that recognises the record (whose kind then explains the refusal)."""
    found = [layout for layout in JSON_LAYOUTS if safe_detect(layout, first)]
    return next((layout for layout in found if layout.kind == kind), found[0] if found else None)


def tabular_layout_for(kind: str, names: set):
    """The native tabular layout of a file of `kind` by its normalised header names, or None."""
    return next((layout for layout in TABULAR_LAYOUTS if layout.kind == kind and safe_detect(layout, names)), None)


def safe_detect(layout, value) -> bool:
    """A detector looks at a user's file: whatever it holds, detection answers yes or no."""
    try:
        return bool(layout.detect(value))
    except (AttributeError, KeyError, TypeError, ValueError, IndexError):
        return False
