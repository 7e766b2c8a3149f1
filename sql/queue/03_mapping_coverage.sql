-- mapping_coverage: per service, how many of its alerts the touchpoint rules map (from mapped_alerts,
-- 02_mapped_alerts.sql). journey_mapping.coverage() reads it for the by-service table and for the
-- unmapped services it suggests rules for, so both always agree. `flag` marks the placeholder service
-- `unknown`, which a layout gives an alert that names no service (Grafana's fallback chain): such
-- alerts can only be mapped by name or labels until the source names a service.
with per_service as (
    select
        service,
        count(*) as alerts,
        count(stage) as mapped,
        count(*) - count(stage) as unmapped_alerts,
        string_agg(distinct stage, ', ' order by stage) as stages,
        string_agg(distinct coalesce(source, '(none)'), ', ' order by coalesce(source, '(none)')) as sources
    from mapped_alerts
    group by service
)

select
    service,
    alerts,
    mapped,
    mapped / alerts as mapped_share,
    stages,
    unmapped_alerts,
    sources,
    case when service = 'unknown' then 'no service in the source: map by name or labels, or give one '
        || '(--set service=…, --map service=labels.<key>)' end as flag
from per_service
order by alerts desc, service
