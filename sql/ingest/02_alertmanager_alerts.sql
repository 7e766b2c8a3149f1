-- Alertmanager webhook payloads (version 4) -> one row per alert, as canonical text columns.
-- Input: the view `alertmanager_payloads(__row, receiver, alerts)` (01_alertmanager_payloads.sql). __row may be
-- NULL (the fast path does not number rows: numbering serialises the scan), so nothing here depends on
-- it but min(__row).
-- The latest notification (greatest endsAt: the resolved one) gives labels and annotations.
-- Alertmanager counts one alert per fingerprint and startsAt, so re-notifications of a firing alert and
-- its resolved notice collapse into one row: fired_at = startsAt, resolved_at = the resolved endsAt.
-- While firing, endsAt is 0001-01-01T00:00:00Z (or a projected time), which is never a resolution.
with fields as (
    select
        __row,
        receiver,
        unnest(alerts, recursive := false) as alert
    from alertmanager_payloads
),

flat as (
    select
        __row,
        coalesce(alert.fingerprint, md5(coalesce(to_json(alert.labels)::varchar, ''))) as fingerprint,
        alert.startsAt as starts_at,
        alert.endsAt as ends_at,
        lower(alert.status) as status,
        alert.labels as labels,
        alert.annotations as annotations,
        alert.generatorURL as generator_url,
        receiver
    from fields
),

alerts as (
    select
        fingerprint,
        starts_at,
        min(__row) as __row,
        max(ends_at) filter (where status = 'resolved' and not starts_with(ends_at, '0001-')) as resolved_text,
        arg_max(labels, ends_at) as labels,
        arg_max(annotations, ends_at) as annotations,
        arg_max(generator_url, ends_at) as generator_url,
        arg_max(receiver, ends_at) as receiver,
        count(*) as notifications
    from flat
    group by fingerprint, starts_at
)

select
    __row,
    fingerprint || '@' || starts_at as alert_id,
    starts_at as fired_at,
    resolved_text as resolved_at,
    coalesce(labels['service'], labels['job'], labels['instance']) as service,
    labels['alertname'] as name,
    -- an alert without a severity label is common (rules that never set one); it is not refused but
    -- read as a warning, and severity_raw stays empty so the default is visible
    coalesce(labels['severity'], labels['priority'], 'warning') as severity,
    labels['severity'] as severity_raw,
    'alertmanager' as source,
    fingerprint,
    coalesce(labels['confidence'], annotations['confidence']) as confidence,
    coalesce(labels['region'], labels['zone'], labels['cluster']) as region,
    to_json(labels)::varchar as labels,
    coalesce(annotations['summary'], annotations['description'], annotations['message']) as message,
    json_object(
        'annotations', annotations, 'generatorURL', generator_url, 'receiver', receiver,
        'notifications', notifications
    )::varchar as __extra
from alerts
