-- alert_groups: one row per problem (SPEC §1 "alert group"), from mapped_alerts (30_mapped_alerts.sql).
--
-- Alerts are the same problem when they share a key and are close in time:
--   key   : the fingerprint; an alert without one is keyed by its rule name and service
--   close : it fires no more than $gap_minutes after every earlier alert of its key has ended
--           (ended = resolved_at; an alert with no resolution ended when it fired: a point event)
-- This is sessionisation: a running max of when earlier alerts ended, a flag where the gap is exceeded,
-- and a running sum of the flags numbers the groups of a key. Every window orders by (fired_at,
-- alert_id), so the order alerts arrive in never changes a group.
--
-- Flapping: a fire -> end -> fire cycle is an alert of a group that fires after every earlier alert of
-- the group has ended, no more than $flap_window_minutes after the previous alert fired. A group flaps
-- when it has at least $flap_min_cycles such cycles.
create or replace temp table alert_groups as
with keyed as (
    -- narrow on purpose: the two window passes below sort every alert, so they carry only the key,
    -- the times and the table's rowid; the wide columns are joined back once, for the aggregation
    select
        rowid as rid,
        alert_id,
        fired_at,
        coalesce(resolved_at, fired_at) as ended_at,
        case
            when nullif(trim(fingerprint), '') is not null then 'fingerprint:' || fingerprint
            else 'rule:' || name || ' @ ' || service
        end as group_key
    from mapped_alerts
),

ordered as (
    select
        *,
        row_number() over by_key as seq,
        lag(fired_at) over by_key as previous_fired_at,
        max(ended_at) over (by_key rows between unbounded preceding and 1 preceding) as previous_ended_at
    from keyed
    window by_key as (partition by group_key order by fired_at, alert_id)
),

flagged as (
    select
        *,
        previous_ended_at is null
        or epoch(fired_at) - epoch(previous_ended_at) > $gap_minutes * 60 as starts_group
    from ordered
),

sessioned as (
    select
        rid,
        group_key,
        seq,
        ended_at,
        sum(starts_group::integer) over (
            partition by group_key order by fired_at, alert_id rows unbounded preceding
        ) as session,
        -- within a session every earlier alert of the key belongs to the session (earlier sessions
        -- ended before it began), so previous_* describe the group
        not starts_group
        and fired_at >= previous_ended_at
        and epoch(fired_at) - epoch(previous_fired_at) <= $flap_window_minutes * 60 as flap_cycle
    from flagged
),

joined as (
    select s.group_key, s.session, s.seq, s.ended_at, s.flap_cycle, m.*
    from sessioned as s
    join mapped_alerts as m on m.rowid = s.rid
),

grouped as (
    select
        group_key,
        session,
        arg_min(alert_id, seq) as first_alert_id,
        string_agg(alert_id, ';' order by seq) as alert_ids,
        count(*) as alert_count,
        arg_min(service, seq) as service,
        arg_min(name, seq) as name,
        -- the stage of the first alert that maps (alerts of one key almost always map alike)
        arg_min(stage, seq) filter (where stage is not null) as stage,
        arg_min(touchpoint, seq) filter (where stage is not null) as touchpoint,
        arg_min(journey, seq) filter (where stage is not null) as journey,
        arg_min(source, seq) filter (where source is not null) as source,
        arg_min(fingerprint, seq) filter (where fingerprint is not null) as fingerprint,
        arg_min(region, seq) filter (where region is not null) as region,
        arg_min(labels, seq) filter (where labels is not null) as labels,
        min(fired_at) as first_fired_at,
        max(fired_at) as last_fired_at,
        -- NULL while the latest alert has no resolution: the problem may still be going on
        case when arg_max(resolved_at is not null, seq) then max(resolved_at) end as last_resolved_at,
        count(*) filter (where resolved_at is null) as unresolved_count,
        max(ended_at) as last_ended_at,
        min(severity_rank) as severity_rank,
        max(confidence) as confidence,
        count(*) filter (where flap_cycle) as flap_count
    from joined
    group by group_key, session
)

select
    left(md5(group_key || '|' || first_alert_id), 16) as group_id,
    group_key,
    alert_ids,
    alert_count,
    service,
    name,
    stage,
    touchpoint,
    journey,
    source,
    fingerprint,
    region,
    labels,
    first_fired_at,
    last_fired_at,
    last_resolved_at,
    unresolved_count,
    severity_rank,
    jl_severity_label(severity_rank) as severity,
    confidence,
    flap_count,
    flap_count >= $flap_min_cycles as flapping,
    (epoch(last_ended_at) - epoch(first_fired_at)) / 60.0 as duration_min
from grouped
order by first_fired_at, group_id
