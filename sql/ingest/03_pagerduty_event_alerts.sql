-- PagerDuty Events API v2 events -> one alert notice per event, as canonical text columns.
-- Input: the view `docs(__row, doc json)`, one event per row.
-- No pairing here: every event is a notice, and the core folds the notices of one dedup_key into alerts
-- across uploads (a resolve in a later upload closes the alert; a trigger after a resolve opens a new one).
-- A resolve or acknowledge may carry only routing_key, dedup_key and event_action (as PagerDuty documents
-- it): service, name and severity are then empty, and so is the time unless the event gives one.
-- alert_id stays empty: the core derives alert_key@fired_at, the key an alert had when this file paired.
with events as (
    select
        __row,
        doc,
        lower(trim(doc ->> 'event_action')) as action,
        doc -> 'payload' as payload,
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
        md5(coalesce(payload ->> 'source', '') || '|' || coalesce(payload ->> 'summary', ''))
    ) as alert_key,
    -- an action PagerDuty does not define stays as it is, so the status check refuses it by row
    case action
        when 'trigger' then 'firing' when 'acknowledge' then 'acknowledged' when 'resolve' then 'resolved'
        else doc ->> 'event_action'
    end as status,
    at_text as event_at,
    case when action = 'trigger' then at_text end as fired_at,
    case when action = 'resolve' then at_text end as resolved_at,
    coalesce(
        payload -> 'custom_details' ->> 'service', payload ->> 'component', payload ->> 'group',
        payload ->> 'source'
    ) as service,
    payload ->> 'summary' as name,
    payload ->> 'severity' as severity,
    payload ->> 'severity' as severity_raw,
    'pagerduty' as source,
    coalesce(doc ->> 'dedup_key', doc ->> 'incident_key') as fingerprint,
    payload -> 'custom_details' ->> 'confidence' as confidence,
    payload -> 'custom_details' ->> 'region' as region,
    case when payload is not null then json_object(
        'class', payload ->> 'class', 'component', payload ->> 'component', 'group', payload ->> 'group',
        'source', payload ->> 'source'
    )::varchar end as labels,
    payload ->> 'summary' as message,
    -- everything else, losslessly: routing_key, client, client_url, links, images, the payload's
    -- source/component/group/class and custom_details (only what a column above holds is left out)
    -- (a patch of a key the event lacks would add it empty: the payload part applies only when there is one)
    json_merge_patch(
        doc, case when json_type(payload) = 'OBJECT'
            then '{"event_action": null, "dedup_key": null, "payload": {"summary": null, "severity": null, "timestamp": null}}'
            else '{"event_action": null, "dedup_key": null}' end
    )::varchar as __extra
from events
