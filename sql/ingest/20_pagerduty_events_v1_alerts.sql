-- PagerDuty Events API v1 events (service_key, event_type, incident_key, description, details, client,
-- client_url, contexts) -> one alert notice per event, as canonical text columns.
-- Input: the view `docs(__row, doc json)`, one event per row. Same notice model as Events v2
-- (03_pagerduty_event_alerts.sql): no pairing here, the core folds the notices of one incident_key.
-- v1 events carry no time and no severity: event_at stays empty (the core takes the upload's time), and a
-- trigger's severity is details.severity, else 'error' (the severity PagerDuty gives v1 alerts).
-- service: details.service, else details.component, else the sending client (service_key is the
-- integration's key, not a service name).
with events as (
    select
        __row,
        doc,
        lower(trim(doc ->> 'event_type')) as action,
        doc -> 'details' as details,
        coalesce(doc ->> 'timestamp', doc ->> 'created_at') as at_text
    from docs
)

select
    __row,
    coalesce(doc ->> 'incident_key', md5(coalesce(doc ->> 'description', ''))) as alert_key,
    case action
        when 'trigger' then 'firing' when 'acknowledge' then 'acknowledged' when 'resolve' then 'resolved'
        else doc ->> 'event_type'
    end as status,
    at_text as event_at,
    case when action = 'trigger' then at_text end as fired_at,
    case when action = 'resolve' then at_text end as resolved_at,
    coalesce(details ->> 'service', details ->> 'component', doc ->> 'client') as service,
    case when action = 'trigger' then doc ->> 'description' end as name,
    case when action = 'trigger' then coalesce(details ->> 'severity', 'error') end as severity,
    details ->> 'severity' as severity_raw,
    'pagerduty' as source,
    doc ->> 'incident_key' as fingerprint,
    details ->> 'region' as region,
    -- an acknowledge or resolve's description is a note for the incident log, not the alert's name
    doc ->> 'description' as message,
    json_merge_patch(doc, '{"event_type": null, "incident_key": null}')::varchar as __extra
from events
