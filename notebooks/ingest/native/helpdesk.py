"""Help desks: Zendesk and Jira Service Management ticket CSV exports, read as `tickets` (SPEC §2.8).

Their headers load through the alias table of `workspace/contract.py` (Zendesk `Id`, `Requester id`,
`Organization`, `Ticket type`, `Priority`; Jira `Issue key`, `Reporter`, `Component/s`,
`Custom field (Request Type)`). Only their date texts need SQL: Zendesk writes `2024-03-04 09:15:00 +0000`
(a space before the offset, which a timestamp cast refuses) and Jira `04/Mar/24 9:15 AM` (its default
date format). Both become ISO text; any other text is passed on as it is, for the ingest checks to judge.
"""

from journeylens.notebooks.ingest.native.layout_types import TabularLayout, columns_by_name, quote_ident

# Date formats of the exports, tried in order (DuckDB strptime).
ZENDESK_FORMATS = ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
JIRA_FORMATS = ("%d/%b/%y %I:%M %p", "%d/%b/%Y %I:%M %p", "%d/%b/%y %H:%M", "%m/%d/%Y %H:%M")


def is_zendesk(names: set) -> bool:
    return {"id", "created_at"} <= names and bool({"requester", "requester_id", "via", "ticket_type"} & names)


def is_jira(names: set) -> bool:
    return {"issue_key", "created"} <= names


def date_sql(cell: str, formats: tuple) -> str:
    """ISO text of a cell in one of `formats`, else the cell as it is."""
    tries = ", ".join(
        f"strftime(try_strptime(trim({cell}), '{fmt}')::timestamp, '%Y-%m-%dT%H:%M:%S')" for fmt in formats)
    return f"coalesce({tries}, {cell})"


def dated_sql(time_column: str, formats: tuple):
    """SQL over `src` that rewrites the export's creation time as ISO text, every other column as it is."""

    def sql(columns: list) -> str:
        names = columns_by_name(columns)
        if time_column not in names:
            return "select * from src"
        cell = quote_ident(names[time_column])
        return f"select * replace ({date_sql(cell, formats)} as {cell}) from src"

    return sql


LAYOUTS = [
    TabularLayout("zendesk_tickets_csv", "tickets", "zendesk", is_zendesk, dated_sql("created_at", ZENDESK_FORMATS)),
    TabularLayout("jira_sm_csv", "tickets", "jira", is_jira, dated_sql("created", JIRA_FORMATS)),
]
