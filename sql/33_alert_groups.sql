-- alert_groups: one row per problem (SPEC §1 "alert group"): the buckets of 31_alert_buckets.sql
-- merged per (key, session), with the ids and flap cycles of 32_bucket_alerts.sql. Step 3 of 3.
--   stage      : the stage of the group's first alert that a touchpoint rule maps (first rule wins)
--   flapping   : at least $flap_min_cycles fire -> end -> fire cycles (32_bucket_alerts.sql)
--   last_resolved_at : max(resolved_at), NULL while the group's latest alert has no resolution
--   duration_min     : from the first fire to the latest end, in minutes
-- notebooks/alert_groups.py fills the rule_stages, rule_touchpoints and rule_journeys placeholders
-- (journey_mapping.rule_case); as written, the file runs and maps nothing.
create or replace temp table alert_groups as
with grouped as (
    select
        s.key_fingerprint,
        s.key_name,
        s.key_service,
        s.session,
        -- buckets are disjoint stretches of time, so their ids in bucket order are in firing order
        array_to_string(
            list_transform(list_sort(list({'bucket': s.bucket, 'ids': a.alert_ids})), lambda x: x.ids), ';'
        ) as alert_ids,
        sum(s.alert_count) as alert_count,
        arg_min(s.first_alert, s.first_alert.o) as first_alert,
        arg_min(s.first_mapped, s.first_mapped.o) as first_mapped,
        arg_min(s.first_source.v, s.first_source.o) as source,
        arg_min(s.first_fingerprint.v, s.first_fingerprint.o) as fingerprint,
        arg_min(s.first_region.v, s.first_region.o) as region,
        arg_min(s.first_labels.v, s.first_labels.o) as labels,
        min(s.first_fired_at) as first_fired_at,
        max(s.last_fired_at) as last_fired_at,
        -- NULL while the latest alert has no resolution: the problem may still be going on
        case when arg_max(s.last_alert.resolved, s.last_alert.o) then max(s.max_resolved_at) end as last_resolved_at,
        sum(s.unresolved_count) as unresolved_count,
        max(s.last_ended_at) as last_ended_at,
        min(s.severity_rank) as severity_rank,
        max(s.confidence) as confidence,
        sum(a.flap_count) as flap_count
    from alert_buckets as s
    join bucket_alerts as a
        on s.key_fingerprint is not distinct from a.key_fingerprint
        and s.key_name is not distinct from a.key_name
        and s.key_service is not distinct from a.key_service
        and s.bucket = a.bucket
    group by s.key_fingerprint, s.key_name, s.key_service, s.session
),

keyed_groups as (
    select
        *,
        case
            when key_fingerprint is not null then 'fingerprint:' || key_fingerprint
            else 'rule:' || key_name || ' @ ' || key_service
        end as group_key
    from grouped
)

select
    left(md5(group_key || '|' || first_alert.i), 16) as group_id,
    group_key,
    alert_ids,
    alert_count::bigint as alert_count,
    first_alert.service as service,
    first_alert.name as name,
    cast(null /* rule_stages */ as varchar[])[first_mapped.position] as stage,
    cast(null /* rule_touchpoints */ as varchar[])[first_mapped.position] as touchpoint,
    cast(null /* rule_journeys */ as varchar[])[first_mapped.position] as journey,
    source,
    fingerprint,
    region,
    labels,
    first_fired_at,
    last_fired_at,
    last_resolved_at,
    unresolved_count::bigint as unresolved_count,
    severity_rank,
    jl_severity_label(severity_rank) as severity,
    confidence,
    flap_count::bigint as flap_count,
    flap_count >= $flap_min_cycles as flapping,
    (epoch(last_ended_at) - epoch(first_fired_at)) / 60.0 as duration_min
from keyed_groups
order by first_fired_at, group_id
