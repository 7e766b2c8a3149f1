-- feed_rows: every stored row of every time-stamped feed, with the upload that brought it. A feed is one
-- kind of upload as the uploads register shows it (and, within alerts, the emitting tool, else the layout),
-- so a silent Alertmanager is seen even while PagerDuty keeps the alerts table busy. `part` splits a feed
-- where a hole can hide inside it: journey metrics per stage. An alert notice counts when it was sent
-- (event_at), else when its alert fired. Live uploads (journeylens serve) are `live`: their staleness is
-- also measured against the wall clock.
-- Parameters: none. Inputs: uploads, alert_notice_files, journey_metrics, ai_interactions, incidents,
-- changes, tickets.
with rows_of as (
    select upload_id, nullif(trim(source), '') as source, '' as part, coalesce(event_at, fired_at) as seen_at
    from alert_notice_files
    union all
    select upload_id, null, coalesce(stage, ''), ts from journey_metrics
    union all
    select upload_id, null, '', ts from ai_interactions
    union all
    select upload_id, null, '', opened_at from incidents
    union all
    select upload_id, null, '', ts from changes
    union all
    select upload_id, null, '', ts from tickets
),

registered as (
    select
        upload_id,
        kind,
        layout,
        starts_with(file_name, 'live-') as live
    from uploads
)

select
    case
        when u.kind = 'alerts' then 'alerts from ' || coalesce(r.source, u.layout)
        when u.layout = 'columns' then u.kind
        else u.kind || ' (' || u.layout || ')'
    end as feed,
    u.kind,
    r.part,
    r.seen_at,
    u.live,
    r.upload_id
from rows_of as r
join registered as u using (upload_id)
where r.seen_at is not null
