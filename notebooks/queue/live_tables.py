"""The SQL over the tables an open ranking keeps (notebooks/queue/live_queue.py, sql/queue/24-28): its rows
as ranking.queue_select gives them, one page of its entries, and the rows a page's member lists are made of.

A weight change re-orders the rows (live_group_order, narrow) and leaves what it never moves where it was
(live_group_facts); these joins put the two together for the rows a reader asks for only."""

from journeylens.notebooks.queue.queue_view import ROW_COLUMNS
from journeylens.notebooks.queue.ranking import SUPPRESSED_REASON
from journeylens.notebooks.workspace.snapshot import sql_text

MOST_LISTED = 100  # the page lists the members and instances of an entry's first member groups
# The queue's order over live_group_order's columns (sql/queue/25_live_group_order.sql, as r): ranking.queue_select's
# (suppressed, score desc, first_fired_at, group_id), with tie_rank for the last two.
ROW_ORDER = "r.suppressed, r.score desc, r.tie_rank"
# An entry's rows lead first (its alert groups, then its signals, each in the queue's order), as one value that
# arg_min compares: 27_live_entry_order.sql picks its lead by the same struct.
LEAD_FIRST = "{'is_signal': r.is_signal, 'suppressed': r.suppressed, 'score': -r.score, 'tie': r.tie_rank}"

# What a re-rank changes in a ranked row (sql/queue/25_live_group_order.sql, its texts joined here), and
# what the open ranking leaves unknown until a page shows the row (its alert details and rule suggestion).
REORDERED = {"score": "r.score", "suppressed": "r.suppressed", "suppressed_reason": SUPPRESSED_REASON,
             "signal": "r.signal", "corroboration": "r.corroboration", "playbook": "pb.playbook",
             "automation_tier": "pb.automation_tier"}
UNKNOWN = {"instances": "varchar", "alert_ids": "varchar", "suggested_rule": "varchar", "flapping": "boolean"}


def rows_sql(where: str) -> str:
    """The open ranking's rows matching `where` (SQL over live_group_facts as f and live_group_order as r),
    as ranking.queue_select gives them without the alert details: rank, queue_view.ROW_COLUMNS, position
    (= rank), numbered in the queue's order among the rows `where` keeps."""
    columns = ", ".join(f"{REORDERED[c]} as {c}" if c in REORDERED else f"null::{UNKNOWN[c]} as {c}"
                        if c in UNKNOWN else f"f.{c}" for c in ROW_COLUMNS)
    return (f"select row_number() over (order by {ROW_ORDER}) as rank, {columns}, rank as position "
            "from live_group_order as r "
            "join live_group_facts as f using (group_id) "
            "left join suppression_rules as sr on sr.position = r.suppression_position "
            f"left join playbook_rules as pb on pb.position = r.playbook_position where {where}")


def entry_rows_sql(chosen: str) -> str:
    """The entries `chosen` (a SELECT of entry_id) selects, in every column 22_queue_entries.sql gives them
    without member lists (sql/queue/28_live_entry_rows.sql), best first."""
    text = sql_text("live_entry_rows").replace("null /* suppressed_reason */", SUPPRESSED_REASON)
    return f"with chosen_entries as ({chosen}) {text}"


def first_members(entries: str) -> str:
    """A SELECT of the group_id of each entry's first MOST_LISTED rows in lead-first order (its alert groups
    first, then the queue's order), for the entries `entries` (a SELECT of entry ids) selects. A top-n per
    entry (arg_min's n), not a numbering of every member: an outage can have tens of thousands of groups."""
    return (f"select unnest(arg_min(r.group_id, {LEAD_FIRST}, {MOST_LISTED})) as group_id from live_group_order as r "
            f"where r.entry_key in ({entries}) group by r.entry_key")


def listed_rows() -> str:
    """The rows the lists of the page's entries (page_entries) are made of, with their known instances and
    flap cycles: each entry's first MOST_LISTED rows in lead-first order (first_members: the
    member_group_ids and instances a page lists), and the first row of each of its services and sources
    beyond them, so that its services and sources are listed in full and in the same order as from every
    member (an outage can have tens of thousands of groups, and a few dozen services). The rows are chosen
    over the narrow order first; only the chosen ones (a few thousand at most) are joined in full."""
    firsts = (f"select arg_min(r.group_id, {LEAD_FIRST}) from live_group_order as r join live_group_facts as f "
              "using (group_id) where r.entry_key in (select entry_id from page_entries) "
              "group by grouping sets ((r.entry_key, f.service), (r.entry_key, f.source))")
    chosen = f"{first_members('select entry_id from page_entries')} union {firsts}"
    members = rows_sql(f"f.group_id in ({chosen})")
    return ("select q.* replace (coalesce(k.instances, '') as instances, coalesce(k.flap_count, 0) >= "
            "(select flap_min_cycles from group_settings) as flapping) "
            f"from ({members}) as q left join known_details as k using (group_id)")
