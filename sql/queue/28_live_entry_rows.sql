-- live_entry_rows: the entries that `chosen_entries` (a relation of entry_id the caller names) selects,
-- with every column 22_queue_entries.sql gives them when it lists no members ($listed = false): their
-- order and lead from 27_live_entry_order.sql, what no re-rank moves from 26_live_entry_facts.sql and
-- 24_live_group_facts.sql, and the lead's score parts, suppression and playbook from
-- 25_live_group_order.sql with their texts: ranking.SUPPRESSED_REASON fills `null /* suppressed_reason */`
-- (over the lead's row as r and suppression_rules as sr), and playbook_rules names the playbook. An entry of several rows gets its lists (members, sources, services,
-- instances) from notebooks/queue/live_queue.py, for the entries a page shows only.
select
    o.rank,
    o.kind,
    o.lane,
    o.entry_id,
    o.score,
    o.suppressed,
    null /* suppressed_reason */ as suppressed_reason,
    o.stage,
    l.service,
    l.name,
    case when e.members = 1 then l.severity else jl_severity_label(e.worst_rank) end as severity,
    e.first_fired as first_fired_at,
    e.last_fired as last_fired_at,
    e.members,
    case when e.members = 1 then l.group_id else '' end as member_group_ids,
    case when e.members = 1 then coalesce(l.source, '') else '' end as sources,
    case when e.members = 1 then coalesce(l.service, '') else '' end as services,
    '' as instances,
    '' as alert_ids,
    e.alerts as alert_count,
    l.incident_reason,
    null::varchar as suggested_rule,
    l.harm,
    l.harm_segment,
    l.impact,
    l.sensitivity,
    l.stage_factor,
    l.severity_component,
    l.exposure,
    l.confidence_component,
    l.duration_component,
    l.recurrence_component,
    r.signal,
    r.corroboration,
    l.harm_observed,
    o.lead_group_id,
    null::boolean as flapping,
    pb.playbook,
    pb.automation_tier,
    l.change_at,
    l.change_service,
    l.change_description,
    l.duration_min
from live_entry_order as o
join live_entry_facts as e on e.entry_key = o.entry_id
join live_group_facts as l on l.group_id = o.lead_group_id
join live_group_order as r on r.group_id = o.lead_group_id
left join suppression_rules as sr on sr.position = r.suppression_position
left join playbook_rules as pb on pb.position = r.playbook_position
where o.entry_id in (select entry_id from chosen_entries)
order by o.rank
