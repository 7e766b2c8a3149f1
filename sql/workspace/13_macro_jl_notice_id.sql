-- jl_notice_id(...) -> what makes an alert notice the same notice again: re-ingesting an overlapping
-- export stores only the notices that are new. Every part is spelled out (NULL as the empty text), so
-- a NULL in one place never reads as another column's value.
create or replace macro jl_notice_id(alert_key, status, event_at, fired_at, resolved_at, severity_raw, service, name) as (
    md5(concat_ws(
        '|', coalesce(alert_key, ''), coalesce(status, ''), coalesce(event_at::varchar, ''),
        coalesce(fired_at::varchar, ''), coalesce(resolved_at::varchar, ''), coalesce(severity_raw, ''),
        coalesce(service, ''), coalesce(name, '')
    ))
)
