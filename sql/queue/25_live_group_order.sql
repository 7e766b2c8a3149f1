-- live_group_order: the ranked rows' order and what a re-rank changes (score, its weighted parts, the
-- suppression, the rule that suppressed it, the playbook's rule), narrow, for the app's open ranking after
-- every weight, threshold, suppression or playbook change; 24_live_group_facts.sql holds the rest. The
-- texts (the suppression reason, the playbook) are joined for the rows a page reads only
-- (notebooks/queue/live_queue.py, 28_live_entry_rows.sql): at a million alerts most rows are suppressed,
-- and nobody reads their reasons all at once.
--   position : the row's place in the queue, ranking.queue_select's rank: (suppressed, score desc,
--              first_fired_at, group_id)
-- Inputs: ranked_groups (19).
create or replace temp table live_group_order as
select
    row_number() over (order by suppressed, score desc, first_fired_at, group_id) as position,
    group_id,
    score,
    signal,
    corroboration,
    suppressed,
    suppression_position,
    playbook_position,
    threshold
from ranked_groups
