-- live_entry_order: the entries (22_queue_entries.sql) in the queue's order after a re-rank, narrow: the
-- same rank, score, suppression, kind, lane and stage as 22 gives, and the entry's lead (its first alert
-- group in the queue's order, or its first row when it has none), whose columns 28_live_entry_rows.sql
-- joins for the entries a page shows. Only the order-dependent parts are worked out here, over narrow
-- rows (25 carries each row's entry and stage); what no re-rank moves is read from 24_live_group_facts.sql
-- and 26_live_entry_facts.sql.
create or replace temp table live_entry_order as
with together as (
    -- a row's place is (suppressed, score desc, tie_rank) (25): as a struct, -score for the descending part
    select
        entry_key,
        min({'suppressed': suppressed, 'score': -score, 'tie': tie_rank}) as entry_place,
        max(score) as best_score,
        bool_and(suppressed) as all_suppressed,
        arg_min(stage, {'is_signal': is_signal, 'suppressed': suppressed, 'score': -score, 'tie': tie_rank})
            filter (where stage is not null) as first_stage,
        arg_min(group_id, {'is_signal': is_signal, 'suppressed': suppressed, 'score': -score, 'tie': tie_rank})
            as lead_group_id
    from live_group_order
    group by entry_key
)

select
    row_number() over (order by t.entry_place) as rank,
    t.entry_key as entry_id,
    t.lead_group_id,
    t.best_score as score,
    t.all_suppressed as suppressed,
    case when e.members > 1 then 'incident' else l.kind end as kind,
    case when e.members = 1 then l.lane when e.all_unmapped then 'needs_mapping' else 'queue' end as lane,
    t.first_stage as stage
from together as t
join live_entry_facts as e using (entry_key)
join live_group_facts as l on l.group_id = t.lead_group_id
