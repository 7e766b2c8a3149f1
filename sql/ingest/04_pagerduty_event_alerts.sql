-- PagerDuty Events API v2 and v1 events -> one alert notice per event, as canonical text columns.
-- Input: the view `docs(__row, doc json)`, one event per row.
--   v2: event_action, dedup_key, payload{summary, source, severity, timestamp, component, group, class,
--       custom_details}, routing_key, client, client_url, links, images.
--   v1: event_type, incident_key, description, details, service_key, client, client_url, contexts.
-- No pairing here: every event is a notice, and the core folds the notices of one key into alerts across
-- uploads (a resolve in a later upload closes the alert; a trigger after a resolve opens a new one).
-- A resolve or acknowledge may carry only the key and the action (as PagerDuty documents it): service,
-- name and severity are then empty, and so is the time unless the event gives one.
-- alert_id stays empty: the core derives alert_key@fired_at (dedup_key@<timestamp as written>).
-- v1 events carry no time and no severity: a v1 trigger's severity is details.severity, else 'error'
-- (the severity PagerDuty gives v1 alerts); its service details.service, else details.component, else
-- the sending client (service_key is the integration's key, not a service name).
with events as (
    select
        __row,
        doc,
        doc ->> 'event_action' is null and doc ->> 'event_type' is not null as v1,
        lower(trim(coalesce(doc ->> 'event_action', doc ->> 'event_type'))) as action,
        doc -> 'payload' as payload,
        doc -> 'details' as details,
        coalesce(
            doc -> 'payload' ->> 'timestamp', doc ->> 'timestamp', doc ->> 'received_at',
            doc ->> 'occurred_at', doc ->> 'created_at'
        ) as at_text
    from docs
)

select
    __row,
    coalesce(
        doc ->> 'dedup_key', doc ->> 'incident_key',
        md5(coalesce(payload ->> 'source', '') || '|' || coalesce(payload ->> 'summary', doc ->> 'description', ''))
    ) as alert_key,
    -- the action as sent: the status parser reads trigger/acknowledge/resolve, and refuses by row an
    -- action PagerDuty does not define
    coalesce(doc ->> 'event_action', doc ->> 'event_type') as status,
    at_text as event_at,
    case when action = 'trigger' then at_text end as fired_at,
    case when action = 'resolve' then at_text end as resolved_at,
    coalesce(
        payload -> 'custom_details' ->> 'service', payload ->> 'component', payload ->> 'group',
        payload ->> 'source', details ->> 'service', details ->> 'component', case when v1 then doc ->> 'client' end
    ) as service,
    -- a v1 acknowledge or resolve's description is a note for the incident log, not the alert's name
    coalesce(payload ->> 'summary', case when v1 and action = 'trigger' then doc ->> 'description' end) as name,
    coalesce(
        payload ->> 'severity',
        case when v1 and action = 'trigger' then coalesce(details ->> 'severity', 'error') end
    ) as severity,
    coalesce(payload ->> 'severity', details ->> 'severity') as severity_raw,
    'pagerduty' as source,
    coalesce(doc ->> 'dedup_key', doc ->> 'incident_key') as fingerprint,
    coalesce(payload -> 'custom_details' ->> 'confidence', details ->> 'confidence') as confidence,
    coalesce(payload -> 'custom_details' ->> 'region', details ->> 'region') as region,
    case when json_type(payload) = 'OBJECT' then json_object(
        'class', payload ->> 'class', 'component', payload ->> 'component', 'group', payload ->> 'group',
        'source', payload ->> 'source'
    )::varchar end as labels,
    coalesce(payload ->> 'summary', doc ->> 'description') as message,
    -- everything else, losslessly: routing_key/service_key, client, client_url, links, images, contexts,
    -- details, the payload's source/component/group/class and custom_details (only what a column above
    -- holds is left out; a patch of a key the event lacks would add it empty, so each patch fits its event)
    json_merge_patch(doc, case
        when v1 then '{"event_type": null, "incident_key": null}'
        when json_type(payload) = 'OBJECT'
            then '{"event_action": null, "dedup_key": null, "payload": {"summary": null, "severity": null, "timestamp": null}}'
        else '{"event_action": null, "dedup_key": null}'
    end)::varchar as __extra
from events
