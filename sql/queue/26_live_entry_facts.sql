-- live_entry_facts: per entry (22_queue_entries.sql), what no weight change moves: how many rows it
-- has, when its first fired and its last ended, its alerts, its worst severity and whether every member
-- waits for a mapping. Worked out with 24_live_group_facts.sql; 27_live_entry_order.sql reads it after
-- each re-rank.
create or replace temp table live_entry_facts as
select
    entry_key,
    count(*) as members,
    min(first_fired_at) as first_fired,
    max(last_fired_at) as last_fired,
    sum(alert_count) as alerts,
    min(jl_severity_rank(severity)) as worst_rank,
    bool_and(lane = 'needs_mapping') as all_unmapped
from live_group_facts
group by entry_key
