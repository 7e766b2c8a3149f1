-- PagerDuty Events API v2 events -> one row per alert, as canonical text columns.
-- Input: the view `docs(__row, doc json)`, one event per row.
-- A trigger opens an alert for its dedup_key; further triggers with the same key are the same alert;
-- a resolve closes it, and the next trigger opens a new one. Events are taken in time order (file order
-- for ties and for events without a time). Acknowledge events do not change the alert.
with events as (
    select
        __row,
        lower(doc ->> 'event_action') as action,
        coalesce(
            doc ->> 'dedup_key', doc ->> 'incident_key',
            md5(coalesce(doc -> 'payload' ->> 'source', '') || '|' || coalesce(doc -> 'payload' ->> 'summary', ''))
        ) as dedup_key,
        doc -> 'payload' as payload,
        coalesce(
            doc -> 'payload' ->> 'timestamp', doc ->> 'timestamp', doc ->> 'received_at',
            doc ->> 'occurred_at', doc ->> 'created_at'
        ) as at_text
    from docs
),

episodes as (
    select
        *,
        coalesce(sum(case when action = 'resolve' then 1 else 0 end) over (
            partition by dedup_key order by jl_ts(at_text) nulls last, __row
            rows between unbounded preceding and 1 preceding
        ), 0) as episode
    from events
),

alerts as (
    select
        dedup_key,
        episode,
        min(__row) filter (where action = 'trigger') as __row,
        arg_min(at_text, __row) filter (where action = 'trigger') as fired_text,
        min(at_text) filter (where action = 'resolve') as resolved_text,
        arg_min(payload, __row) filter (where action = 'trigger') as payload,
        count(*) filter (where action = 'trigger') as triggers
    from episodes
    group by dedup_key, episode
    having count(*) filter (where action = 'trigger') > 0
)

select
    __row,
    dedup_key || '@' || coalesce(fired_text, '') as alert_id,
    fired_text as fired_at,
    resolved_text as resolved_at,
    coalesce(
        payload -> 'custom_details' ->> 'service', payload ->> 'component', payload ->> 'group',
        payload ->> 'source'
    ) as service,
    payload ->> 'summary' as name,
    payload ->> 'severity' as severity,
    payload ->> 'severity' as severity_raw,
    'pagerduty' as source,
    dedup_key as fingerprint,
    payload -> 'custom_details' ->> 'confidence' as confidence,
    payload -> 'custom_details' ->> 'region' as region,
    json_object(
        'class', payload ->> 'class', 'component', payload ->> 'component', 'group', payload ->> 'group',
        'source', payload ->> 'source'
    )::varchar as labels,
    payload ->> 'summary' as message,
    json_object('custom_details', payload -> 'custom_details', 'triggers', triggers)::varchar as __extra
from alerts
