"""Input kinds: the contract of SPEC §2.

Every file journeylens stores is turned into one canonical table per kind. This module holds
the column list, the parser and value limits of each column, and the aliases that let exports from
other tools load without a mapping; and IngestError, the refusal that names the file, row and column
(SPEC §3). Edit an alias here and the app and the CLI pick it up.
"""

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """One canonical column of a kind: how to parse it and which source names mean it."""

    name: str
    parser: str = "text"  # text | ts | severity | status | bool | double | unit | count | labels | enum:a|b
    required: bool = False
    aliases: tuple = field(default=())
    limits: tuple = ()  # (lowest, highest) accepted value of a numeric column (double, unit, count)

def _cols(*specs):
    return tuple(Column(*s) if isinstance(s, tuple) else Column(s) for s in specs)

# Every timestamp of every kind lies in [TS_FROM, TS_UNTIL) (UTC), ISO and epoch alike: an export of
# the year 1970 (epoch 0), 9999 ("infinity") or the 29th millennium BC (epoch -1e15) is a broken
# export, not an alert. README "Value ranges" lists these with the numeric limits below.
TS_FROM, TS_UNTIL = "1990-01-01", "2100-01-01"
# Numeric columns carry their finite (lowest, highest) `limits` right in the lists below: a count of
# people per bucket up to 1e12, tokens per interaction up to 1e9, latency up to a day, time to value
# up to a year, cost up to 1e6 USD, satisfaction on any scale up to 100 (0-1, 1-5, 0-10, percent).
UNIT = (0, 1)

# The contract of SPEC §2, one entry per kind. Aliases are matched after `normalise_name`, in order,
# and when several aliases are present the first non-empty value per row wins (PagerDuty exports
# carry both `priority_name` and `urgency`; priority wins when it is set).
KINDS = {
    "alerts": {
        "table": "alerts",
        "columns": _cols(
            ("alert_id", "text", False, ("id", "alert_id", "event_id", "incident_id", "alertid")),
            ("fired_at", "ts", True, (
                "starts_at", "startsat", "start_time", "started_at", "triggered_at", "created_on",
                "created_at", "created", "date_happened", "opened_at", "event_time", "timestamp", "time",
                "date")),
            ("resolved_at", "ts", False, (
                "ends_at", "endsat", "end_time", "ended_at", "resolved_on", "resolved", "closed_at",
                "recovered_at")),
            ("service", "text", True, (
                "service_name", "component", "resource", "app", "application", "job", "host",
                "hostname", "instance")),
            ("name", "text", True, (
                "alertname", "alert_name", "title", "description", "monitor_name", "check", "check_name",
                "rule", "rule_name", "summary")),
            ("severity", "severity", True, (
                "priority_name", "priority", "urgency", "level", "sev", "alert_type", "alert_level")),
            ("source", "text", False, ("tool", "integration", "emitter")),
            ("fingerprint", "text", False, ("dedup_key", "incident_key", "aggregation_key", "monitor_id")),
            ("confidence", "unit", False, ("anomaly_confidence", "score", "probability"), UNIT),
            ("region", "text", False, ("location", "zone", "datacenter", "dc")),
            ("labels", "labels", False, ("tags", "label")),
            ("message", "text", False, ("text", "body", "details", "annotation")),
            # Each row is one notice of an alert; the view `alerts` folds them (sql/ingest/15_folded_alerts).
            ("status", "status", False, ("state", "alert_transition", "transition")),
            ("event_at", "ts", False, ("updated_at", "last_updated", "notified_at", "last_status_change_at")),
            ("alert_key", "text", False, ("lifecycle_key",)),
        ),
    },
    "metrics": {
        "table": "journey_metrics",
        "columns": _cols(
            ("ts", "ts", True, ("timestamp", "time", "bucket", "hour", "date", "window_start")),
            ("stage", "text", True, ("stage_id", "journey_stage", "step")),
            ("segment", "text", False, ("segment_id", "persona", "tier", "cohort")),
            ("entered", "count", True, ("sessions", "started", "visits", "users_entered"),
             (0, 1_000_000_000_000)),
            ("completed", "count", True, ("converted", "conversions", "finished", "users_completed"),
             (0, 1_000_000_000_000)),
            ("time_to_value_s", "double", False, ("ttv_s", "time_to_value", "ttv_seconds"),
             (0, 31_536_000)),
            ("satisfaction", "double", False, ("csat", "satisfaction_score"), (0, 100)),
        ),
    },
    "ai": {
        "table": "ai_interactions",
        "columns": _cols(
            ("interaction_id", "text", True, ("gen_ai_response_id", "id", "trace_id", "span_id")),
            ("ts", "ts", True, ("timestamp", "time", "start_time", "created_at")),
            ("feature", "text", True, ("feature_name", "gen_ai_operation_name")),
            ("accepted", "bool", False, ("is_accepted",)),
            ("user_id", "text", False, ("user", "enduser_id")),
            ("segment", "text", False, ("persona", "tier")),
            ("task_type", "text", False, ("task",)),
            ("model_version", "text", False, (
                "gen_ai_request_model", "gen_ai_response_model", "model", "model_name")),
            ("stage", "text", False, ("journey_stage",)),
            ("prompt", "text", False, ("input", "gen_ai_prompt")),
            ("output", "text", False, ("completion", "response", "gen_ai_completion")),
            ("edited", "bool", False, ("was_edited",)),
            ("edited_output", "text", False, ()),
            ("fallback", "bool", False, ("used_fallback",)),
            ("fallback_reason", "text", False, ()),
            ("feedback", "enum:up|down", False, ("thumbs", "user_feedback")),
            ("intent_mismatch", "bool", False, ()),
            ("latency_ms", "double", False, ("duration_ms", "latency"), (0, 86_400_000)),
            ("input_tokens", "count", False, ("gen_ai_usage_input_tokens", "gen_ai_usage_prompt_tokens",
                                              "prompt_tokens"), (0, 1_000_000_000)),
            ("output_tokens", "count", False, ("gen_ai_usage_output_tokens",
                                               "gen_ai_usage_completion_tokens", "completion_tokens"),
             (0, 1_000_000_000)),
            ("cost_usd", "double", False, ("cost",), (0, 1_000_000)),
            ("outcome", "text", False, ()),
            ("shadow", "bool", False, ("is_shadow",)),
        ),
    },
    "scores": {
        "table": "eval_scores",
        "columns": _cols(
            ("interaction_id", "text", True, ("id",)),
            ("name", "text", True, ("metric", "eval_name", "criterion")),
            ("value", "unit", False, ("score",), UNIT),
            ("label", "text", False, ("verdict",)),
            ("source", "enum:llm|human|code", True, ("evaluator", "annotator_kind")),
            ("explanation", "text", False, ("reason", "rationale")),
        ),
    },
    "incidents": {
        "table": "incidents",
        "columns": _cols(
            ("incident_id", "text", True, ("id", "incident_number", "number")),
            ("opened_at", "ts", True, ("created_on", "created_at", "created", "triggered_at", "started_at",
                                       "opened")),
            ("acknowledged_at", "ts", False, ("acknowledged_on", "first_acknowledged_at", "acked_at",
                                              "acknowledged")),
            ("resolved_at", "ts", False, ("resolved_on", "resolved", "closed_at", "ended_at")),
            ("journey_restored_at", "ts", False, ("restored_at",)),
            ("stage", "text", False, ("journey_stage",)),
            ("alert_ids", "text", False, ()),
            ("fingerprints", "text", False, ("dedup_keys", "incident_key")),
            ("outcome", "enum:actioned|auto_mitigated|escalated|noise|duplicate", False, ()),
            ("playbook", "text", False, ()),
            ("notes", "text", False, ("note",)),
            ("service", "text", False, ("service_name",)),
            ("title", "text", False, ("description", "summary")),
            ("severity", "text", False, ("priority_name", "priority", "urgency")),
        ),
    },
    "changes": {
        "table": "changes",
        "columns": _cols(
            ("ts", "ts", True, ("timestamp", "time", "deployed_at", "created_at", "date")),
            ("service", "text", True, ("service_name", "component", "source")),
            ("kind", "enum:deploy|config|feature_flag|pricing|ui", True, ("type", "change_type")),
            ("description", "text", False, ("summary", "title", "message")),
        ),
    },
    # Zendesk and Jira Service Management exports: their headers are aliases here; their own date texts are
    # read by notebooks/ingest/native/helpdesk.py. Jira's `Custom field (X)` normalises to `custom_field_x`,
    # Zendesk's custom field `X [list]` to `x_list`.
    "tickets": {
        "table": "tickets",
        "columns": _cols(
            ("ts", "ts", True, ("created_at", "created", "ticket_created_timestamp", "opened_at", "timestamp",
                                "time", "date")),
            ("ticket_id", "text", True, ("id", "issue_key", "ticket_number", "key", "number", "issue_id")),
            ("user_id", "text", False, ("requester_id", "requester_email", "requester", "reporter",
                                        "customer_id", "user", "enduser_id")),
            ("segment", "text", False, ("organization", "organization_name", "ticket_organization_name",
                                        "custom_field_organizations", "persona", "tier", "plan")),
            ("feature", "text", False, ("feature_list", "custom_field_feature", "product", "product_list",
                                        "component_s", "components", "component")),
            ("stage", "text", False, ("journey_stage", "journey_stage_list", "custom_field_journey_stage")),
            ("category", "text", False, ("custom_field_request_type", "custom_field_customer_request_type",
                                         "request_type", "ticket_type", "issue_type", "type")),
            ("priority", "text", False, ("ticket_priority", "urgency")),
        ),
    },
}

class IngestError(Exception):
    """A refused file. The message names the file, the row, the column, what was expected and what
    was found (SPEC §3). `row` is the 1-based data row (header excluded) or JSON Lines line, or
    "header" when a column is missing; None when the problem is the file as a whole. The message is the
    first problem; `problems` lists every one found (the diagnosis looks for up to 20), each a dict of
    row, column, expected and found, this one first."""

    def __init__(self, file, row, column, expected, found, problems=None):
        self.file, self.row, self.column = file, row, column
        self.expected, self.found = expected, found
        self.problems = list(problems) if problems else [
            {"row": row, "column": column, "expected": expected, "found": found}]
        where = [str(file)]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column}")
        super().__init__(f"{', '.join(where)}: expected {expected}, found {found}")

# Cells longer than this (in UTF-8 bytes) are refused: nothing in an alert or an interaction needs 1 MiB of text, and
# a runaway cell is usually a broken export (an unterminated quote swallowing the rest of the file).
MAX_CELL_BYTES = 1_048_576

# journey-map is YAML and has its own reader; it fills three tables.
KIND_NAMES = ("alerts", "journey-map", "metrics", "ai", "scores", "incidents", "changes", "tickets")
MAP_TABLES = ("stages", "touchpoints", "segments")
ALL_TABLES = ("alerts", "stages", "touchpoints", "segments", "journey_metrics", "ai_interactions",
              "eval_scores", "incidents", "changes", "tickets")
# Every table an upload may store: the canonical ones, and the keys of alerts whose notices must be folded
# across uploads (sql/ingest/15_folded_alerts.sql), which no reader sees as a table of its own.
STORED_TABLES = (*ALL_TABLES, "alert_fold_keys")
# The time column that gives each table its span in the workspace summary.
TIME_COLUMNS = {"alerts": "fired_at", "journey_metrics": "ts", "ai_interactions": "ts",
                "incidents": "opened_at", "changes": "ts", "tickets": "ts"}


def normalise_name(name) -> str:
    """Column names match without regard to case, spacing or punctuation: `Created On` == `created_on`,
    `gen_ai.request.model` == `gen_ai_request_model`; camelCase and PascalCase words are split, so
    `createdAt`, `CreatedAt` and `created_at` are one name (`traceId`, `startTime`, `HTTPStatus`)."""
    text = str(name).strip()
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", text)
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")


def kind_spec(kind: str) -> dict:
    """The spec of one tabular kind (not journey-map)."""
    if kind not in KINDS:
        raise KeyError(kind)
    return KINDS[kind]


def expected_text(column) -> str:
    """How a parser's expectation reads in an error message."""
    parser = column.parser
    if parser.startswith("enum:"):
        return "one of " + ", ".join(parser[5:].split("|"))
    if column.limits:
        low, high = (number_text(x) for x in column.limits)
        return f"{'a whole number' if parser == 'count' else 'a number'} from {low} to {high}"
    return {
        "text": "text",
        "ts": f"an ISO 8601 timestamp or epoch seconds/milliseconds between {TS_FROM[:4]} and {TS_UNTIL[:4]}",
        "severity": "a severity (critical/high/error/warning/medium/low/info, P1-P5 or 1-5)",
        "status": "an alert status (firing/triggered/open, acknowledged, resolved/recovered/closed/ok)",
        "bool": "a boolean (true/false, 1/0, yes/no)",
        "labels": "a JSON object or k=v;k=v pairs",
    }[parser]


def shown(value, limit: int = 80) -> str:
    """A found value as a refusal shows it: its repr, cut to `limit` characters (it may be a whole list)."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "…"


def number_text(value) -> str:
    """1000000 -> "1,000,000", 0.5 -> "0.5": a limit as a message or the README shows it."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"
