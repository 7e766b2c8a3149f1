-- Datadog monitor notifications and events -> one alert notice per event, as canonical text columns.
-- Input: the view `docs(__row, doc json)`, one record per row: a webhook payload (default or richer
-- template), an Events API v1 event (bare, or `{"event": …}`), an Events API list (`{"events": […]}`,
-- unnested here), an Events API v2 reply (`{"data": …}`), an EventBridge envelope (`{"detail": …}`), or one
-- row of an event CSV as an object.
--
-- A monitor notification is a transition of one alert: `[Triggered]`, `[Re-Triggered]`, `[Warn]`,
-- `[No Data]`, `[Renotify]` … say firing, `[Recovered]` says resolved (from `alert_transition`, the
-- EventBridge `meta.transition`, or the title's prefix). A monitor fires per group, so the lifecycle key
-- is the monitor id (else its name) and the group: `alert_scope`, else the title's `on {…}`, else the
-- host. Tags are not the group: a recovery can carry fewer tags than its trigger. The event id is per
-- notice (a recovery has its own), so a notification has no alert_id: the core derives key@fired_at.
-- An event that is no transition (a deploy, a custom event) is an alert of its own: its id is the
-- alert id, `alert_type: success` closes it at once. Resolve notices leave fired_at and severity empty
-- (a recovery says `info`/P5, which must not become the alert's severity).
-- Severity: priority P1-P5 (field, `alert_priority` or the title's `[P1]`), else `alert_type`, else the
-- severity Datadog itself gives the transition (Triggered: error, Warn and No Data: warning), else info
-- (the Events API's default alert_type). Service: a `service` field, the `service:` tag, the host (field,
-- `host:` tag, or the group's `host:`), else `unknown`, visibly. Source is the tool, `datadog`
-- (`source_type_name`, Datadog's integration name such as "Monitor Alert", stays in extra).
with records as (
    select
        __row,
        doc as payload,
        case
            when json_type(doc -> 'detail') = 'OBJECT' then doc -> 'detail'
            when json_type(doc -> 'event') = 'OBJECT' then doc -> 'event'
            else doc
        end as ev
    from docs
    where json_type(doc -> 'events') is distinct from 'ARRAY' and coalesce(json_type(doc -> 'data'), '') not in ('ARRAY', 'OBJECT')
    union all
    select
        __row,
        doc as payload,
        unnest(json_extract(doc, '$.events[*]')) as ev
    from docs
    where json_type(doc -> 'events') = 'ARRAY'
    union all
    -- Events API v2 (`{"data": [{"type": "event", "attributes": {"attributes": {…}, "message", "tags"}}]}`):
    -- the event's own attributes, with the message, tags, time, id and `status` (its alert type) lifted
    select
        __row,
        payload,
        json_merge_patch(coalesce(item -> 'attributes' -> 'attributes', '{}'), json_object(
            'id', item -> 'id', 'type', item -> 'type', 'message', item -> 'attributes' -> 'message',
            'tags', item -> 'attributes' -> 'tags',
            'timestamp', coalesce(item -> 'attributes' -> 'attributes' -> 'timestamp', item -> 'attributes' -> 'timestamp'),
            'alert_type', coalesce(item -> 'attributes' -> 'attributes' -> 'alert_type',
                                   item -> 'attributes' -> 'attributes' -> 'status')
        )) as ev
    from (
        select
            __row,
            doc as payload,
            unnest(case when json_type(doc -> 'data') = 'ARRAY' then json_extract(doc, '$.data[*]') else [doc -> 'data'] end)
                as item
        from docs
        where json_type(doc -> 'data') in ('ARRAY', 'OBJECT')
    )
),

fields as (
    select
        __row,
        payload,
        ev,
        nullif(trim(coalesce(f.id_str, f.event_id, f.id)), '') as event_id,
        nullif(trim(coalesce(f.title, f.event_title)), '') as title,
        nullif(trim(coalesce(f.alert_title, f.meta.monitor.name)), '') as alert_title,
        nullif(trim(coalesce(
            f.date_happened, f.date, f.date_posix, f.meta.result.result_ts, f.timestamp, f.last_updated, payload ->> 'time'
        )), '') as date_text,
        nullif(trim(lower(f.alert_type)), '') as alert_type,
        nullif(trim(coalesce(f.alert_priority, f.priority)), '') as priority,
        nullif(trim(coalesce(f.alert_transition, f.meta.transition.trans_name)), '') as given_transition,
        nullif(trim(coalesce(f.hostname, f.host)), '') as host,
        nullif(trim(f.alert_scope), '') as alert_scope,
        nullif(trim(f.service), '') as service,
        coalesce(
            nullif(trim(coalesce(f.monitor_id, f.meta.monitor.id, f.alert_id)), ''),
            -- the default template names its monitor only in the body's links (`/monitors#123`)
            nullif(regexp_extract(coalesce(f.body, f.text, ''), '/monitors[#/]([0-9]+)', 1), '')
        ) as monitor_id,
        nullif(trim(coalesce(f.aggregation_key, f.aggreg_key)), '') as aggregation_key,
        coalesce(f.tags, f.event_tags) as tags,
        nullif(coalesce(f.text, f.body, f.event_msg, f.text_only_msg, f.message), '') as message
    from (
        -- one parse of each event for every field read (each `->>` would parse it again): 6x faster
        select
            *,
            json_transform(ev, '{
                "id_str": "VARCHAR", "event_id": "VARCHAR", "id": "VARCHAR", "title": "VARCHAR",
                "event_title": "VARCHAR", "alert_title": "VARCHAR", "date_happened": "VARCHAR", "date": "VARCHAR",
                "date_posix": "VARCHAR", "timestamp": "VARCHAR", "last_updated": "VARCHAR", "alert_type": "VARCHAR",
                "alert_priority": "VARCHAR", "priority": "VARCHAR", "alert_transition": "VARCHAR",
                "hostname": "VARCHAR", "host": "VARCHAR", "alert_scope": "VARCHAR", "service": "VARCHAR",
                "monitor_id": "VARCHAR", "alert_id": "VARCHAR", "aggregation_key": "VARCHAR", "aggreg_key": "VARCHAR",
                "tags": "JSON", "event_tags": "JSON", "text": "VARCHAR", "body": "VARCHAR", "event_msg": "VARCHAR",
                "text_only_msg": "VARCHAR", "message": "VARCHAR",
                "meta": {"monitor": {"id": "VARCHAR", "name": "VARCHAR"}, "result": {"result_ts": "VARCHAR"},
                         "transition": {"trans_name": "VARCHAR"}}
            }') as f
        from records
    )
),

parsed as (
    select
        *,
        regexp_extract(
            coalesce(title, ''), '^\s*(?:\[([Pp][1-5])\]\s*)?\[([A-Za-z][A-Za-z -]*?)(?: on \{([^}]*)\})?\]\s*(.*)$',
            ['priority', 'transition', 'scope', 'rest']
        ) as t,
        -- Datadog tags are `key:value`, an array of them (API, EventBridge) or one text (`$TAGS`, a CSV cell);
        -- a plain tag (`monitor`) gets an empty value, a key given twice its first value (all stay in extra)
        jl_labels(case when json_type(tags) = 'VARCHAR' then tags ->> '$' when json_type(tags) = 'ARRAY' then tags::varchar end)
            as labels
    from fields
),

transitions as (
    select
        *,
        -- what a transition word says; NULL for a word that is none (`[TEST]`, an unknown one)
        list_transform([given_transition, t.transition], lambda w: case
            when lower(trim(w)) like 'recover%' or lower(trim(w)) in ('resolved', 'ok') then 'resolved'
            when lower(trim(w)) in (
                'triggered', 're-triggered', 'retriggered', 'warn', 're-warn', 'warning', 'no data', 're-no data',
                'nodata', 'renotify', 're-notify', 'alert'
            ) then 'firing'
        end) as says
    from parsed
),

notices as (
    select
        *,
        coalesce(says[1], says[2]) is not null as is_transition,
        coalesce(says[1], says[2], case when alert_type = 'success' then 'resolved' else 'firing' end) as status,
        lower(trim(case when says[1] is not null then given_transition when says[2] is not null then t.transition end))
            as transition,
        nullif(t.rest, '') as title_rest,
        nullif(t.scope, '') as title_scope,
        coalesce(
            upper(nullif(regexp_extract(coalesce(priority, ''), '^[Pp]?([1-5])$', 0), '')), upper(nullif(t.priority, ''))
        ) as p_priority
    from transitions
),

named as (
    select
        *,
        case when is_transition then coalesce(title_rest, alert_title, title) else coalesce(title, alert_title) end
            as name,
        coalesce(alert_scope, title_scope, host, '') as scope
    from notices
)

select
    __row,
    case when not is_transition then event_id end as alert_id,
    case when is_transition then coalesce(monitor_id, name) || '|' || scope end as alert_key,
    status,
    case when not (is_transition and status = 'resolved') then date_text end as fired_at,
    case when status = 'resolved' then date_text end as resolved_at,
    date_text as event_at,
    -- the service: a service field, else the service tag, else the host (field, tag, or the group `host:…`)
    coalesce(
        service, nullif(labels ->> 'service', ''), host, nullif(labels ->> 'host', ''),
        nullif(regexp_extract(scope, '(?:^|,)host:([^,]+)', 1), ''), 'unknown'
    ) as service,
    name,
    case when not (is_transition and status = 'resolved') then coalesce(
        'P' || right(p_priority, 1),
        case alert_type
            when 'error' then 'error' when 'warning' then 'warning' when 'info' then 'info'
            when 'success' then 'info' when 'user_update' then 'info' when 'recommendation' then 'info'
            when 'snapshot' then 'info'
        end,
        case
            when transition in ('warn', 're-warn', 'warning', 'no data', 're-no data', 'nodata') then 'warning'
            when is_transition then 'error'
        end,
        'info'
    ) end as severity,
    case when not (is_transition and status = 'resolved') then coalesce(p_priority, alert_type, transition) end
        as severity_raw,
    'datadog' as source,
    coalesce(monitor_id, aggregation_key) as fingerprint,
    labels,
    message,
    -- everything but the message text (stored as it is) stays, and what wrapped the event too
    case
        when envelope is null or envelope = '{}' then event_rest
        else json_merge_patch(event_rest, json_object('envelope', envelope))
    end::varchar as __extra
from (
    select
        *,
        json_merge_patch(ev, '{"text": null, "body": null, "event_msg": null, "text_only_msg": null, "message": null}')
            as event_rest,
        case when json_type(payload) = 'OBJECT' and payload <> ev
            then json_merge_patch(payload, '{"detail": null, "event": null, "events": null, "data": null}') end
            as envelope
    from named
)
