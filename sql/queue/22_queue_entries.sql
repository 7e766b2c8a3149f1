-- queue_entries: the ranked queue a person works through, one row per entry (notebooks/queue/queue_view.py
-- says what an entry is). Over `queue_rows`: the ranked rows (ranking.RANKED_COLUMNS, or a frame with at
-- least the columns named below) with `position`, their order in the ranking (1 = best).
--
-- An entry is the rows sharing an incident_key (a row without one is its own). It stands where its best
-- member stands (its least position) and is shown by its lead: its first alert group in the ranking's
-- order, or its first row when it has none (a signal alone). Set-based on purpose: the app's queue of a
-- workspace of a million alerts is hundreds of thousands of rows, which pandas collapsed in seconds.
-- $listed = false leaves the lists of an entry of several rows empty: the app lists them for the
-- entries it shows only (notebooks/queue/live_queue.py).
with keyed as (
    select *, coalesce(incident_key, group_id) as entry_key, kind <> 'alert_group' as is_signal
    from queue_rows
),

together as (
    select
        entry_key,
        min(position) as entry_position,
        count(*) as members,
        max(score) as best_score,
        bool_and(suppressed) as all_suppressed,
        min(first_fired_at) as first_fired,
        max(last_fired_at) as last_fired,
        sum(alert_count) as alerts,
        min(case lower(severity) when 'critical' then 0 when 'high' then 1 when 'medium' then 2
            when 'low' then 3 when 'info' then 4 else 5 end) as worst,
        -- the first stage in (is_signal, position) order: position is unique, so arg_min picks what
        -- first(stage order by ...) did, in a form Spark SQL has too (min_by)
        arg_min(stage, {'is_signal': is_signal, 'position': position}) filter (where stage is not null)
            as first_stage,
        bool_and(lane = 'needs_mapping') as all_unmapped
    from keyed
    group by entry_key
),

leads as (
    select * from keyed
    qualify row_number() over (partition by entry_key order by is_signal, position) = 1
),

-- the members' ids, sources, services, instances and alert ids of an entry of several rows: each
-- distinct non-blank part once, where it first appears in the lead-first order
parts as (
    select k.entry_key, k.is_signal, k.position, p.listing,
        unnest(string_split(p.cell, ';')) as part, generate_subscripts(string_split(p.cell, ';'), 1) as i
    from keyed as k
    join together as t on t.entry_key = k.entry_key and t.members > 1 and $listed
    cross join lateral (values
        ('member_group_ids', k.group_id), ('sources', k.source), ('services', k.service),
        ('instances', k.instances), ('alert_ids', k.alert_ids)) as p(listing, cell)
    where p.cell is not null
),

firsts as (
    -- where each part first appears: a hash aggregate, not a sort of every part
    select entry_key, listing, part, min([is_signal::integer, position, i]) as first_seen
    from parts
    where trim(part) <> ''
    group by all
),

listed as (
    select entry_key,
        string_agg(part, ';' order by first_seen) filter (where listing = 'member_group_ids') as member_group_ids,
        string_agg(part, ';' order by first_seen) filter (where listing = 'sources') as sources,
        string_agg(part, ';' order by first_seen) filter (where listing = 'services') as services,
        string_agg(part, ';' order by first_seen) filter (where listing = 'instances') as instances,
        string_agg(part, ';' order by first_seen) filter (where listing = 'alert_ids') as alert_ids
    from firsts
    group by entry_key
)

select
    row_number() over (order by t.entry_position) as rank,
    case when t.members > 1 then 'incident' else l.kind end as kind,
    case when t.members = 1 then l.lane when t.all_unmapped then 'needs_mapping' else 'queue' end as lane,
    t.entry_key as entry_id,
    t.best_score as score,
    t.all_suppressed as suppressed,
    l.suppressed_reason,
    t.first_stage as stage,
    l.service,
    l.name,
    case when t.members = 1 then l.severity
        else case t.worst when 0 then 'critical' when 1 then 'high' when 2 then 'medium' when 3 then 'low' when 4 then 'info' end
    end as severity,
    t.first_fired as first_fired_at,
    t.last_fired as last_fired_at,
    t.members,
    case when t.members = 1 then l.group_id else coalesce(ls.member_group_ids, '') end as member_group_ids,
    case when t.members = 1 then coalesce(l.source, '') else coalesce(ls.sources, '') end as sources,
    case when t.members = 1 then coalesce(l.service, '') else coalesce(ls.services, '') end as services,
    case when t.members = 1 then coalesce(l.instances, '') else coalesce(ls.instances, '') end as instances,
    case when t.members = 1 then coalesce(l.alert_ids, '') else coalesce(ls.alert_ids, '') end as alert_ids,
    t.alerts as alert_count,
    l.incident_reason, l.suggested_rule, l.harm, l.harm_segment,
    l.impact, l.sensitivity, l.stage_factor, l.severity_component, l.exposure, l.confidence_component,
    l.duration_component, l.recurrence_component, l.signal, l.corroboration, l.harm_observed,
    -- the lead's routing, which the app shows beside the entry (not in ranked_queue.csv)
    l.group_id as lead_group_id, l.flapping, l.playbook, l.automation_tier, l.change_at, l.change_service,
    l.change_description, l.duration_min
from together as t
join leads as l using (entry_key)
left join listed as ls using (entry_key)
order by t.entry_position
