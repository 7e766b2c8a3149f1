-- live_group_order: what a re-rank changes per ranked row (score, its weighted parts, the suppression,
-- the rule that suppressed it, the playbook's rule) and what orders it, narrow, for the app's open ranking
-- after every weight, threshold, suppression or playbook change; 24_live_group_facts.sql holds the rest. The
-- texts (the suppression reason, the playbook) are joined for the rows a page reads only
-- (notebooks/queue/live_queue.py, 28_live_entry_rows.sql): at a million alerts most rows are suppressed,
-- and nobody reads their reasons all at once.
-- No row is numbered here: the queue's order, ranking.queue_select's (suppressed, score desc, first_fired_at,
-- group_id), is (suppressed, score desc, tie_rank) over these columns (live_tables.ROW_ORDER), and whoever
-- reads rows in order sorts the rows it reads. Sorting half a million rows with their columns took most of a
-- re-rank at a million alerts, and a page reads a few hundred.
-- entry_key, is_signal and stage are what 27_live_entry_order.sql collapses the rows into entries by: carried
-- here so that it reads this table alone.
-- Inputs: ranked_groups (19, over 18's routed rows).
create or replace temp table live_group_order as
select
    group_id,
    score,
    signal,
    corroboration,
    suppressed,
    suppression_position,
    playbook_position,
    threshold,
    tie_rank,
    entry_key,
    kind <> 'alert_group' as is_signal,
    entry_stage as stage
from ranked_groups
