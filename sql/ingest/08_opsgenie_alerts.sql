-- Opsgenie / Jira Service Management alerts -> one alert notice per alert or webhook, as canonical text.
-- Input: the view `docs(__row, doc json)`: Alert API responses ({"data": [...]} from List alerts,
-- {"data": {...}} from Get alert, or bare alert objects) and webhook payloads ({"action", "alert",
-- "source", "integrationName", ...}). Lists unnest to their alerts (which share the record's __row).
-- alert_key: the alias (Opsgenie's de-duplication key: one open alert per alias), else the alert id;
-- alert_id: the alert id, one per occurrence (a new alert after a close gets a new id).
-- status: API `status` closed -> resolved, else acknowledged when `acknowledged`, else firing. Webhook
-- actions: Create/UnAcknowledge -> firing, Acknowledge -> acknowledged, Close/Delete -> resolved; other
-- actions (AddNote, AddTags, TakeOwnership, ...) change no state and are not notices.
-- Times: the API gives ISO text; webhooks give createdAt in epoch ms and updatedAt in epoch ns (cut to ms).
-- service: details.service, else the alert's entity, else its source (Opsgenie has no service field).
-- severity: priority P1-P5 (webhooks may send the number 1-5); absent, Opsgenie's default P3.
-- labels: tags ["k:v", "plain"] -> {"k": "v", "plain": "true"} (first of a repeated key wins).
with items as (
    select
        __row,
        doc,
        case
            when json_type(doc -> 'alert') = 'OBJECT' then [doc -> 'alert']
            when json_type(doc -> 'data') = 'ARRAY' then json_extract(doc, '$.data[*]')
            when json_type(doc -> 'data') = 'OBJECT' then [doc -> 'data']
            else [doc]
        end as alerts,
        coalesce(json_type(doc -> 'alert') = 'OBJECT', false) as webhook
    from docs
),

flat as (
    select __row, doc, webhook, unnest(alerts) as a from items
),

notices as (
    select
        *,
        case
            when webhook then case lower(doc ->> 'action')
                when 'create' then 'firing' when 'unacknowledge' then 'firing'
                when 'acknowledge' then 'acknowledged' when 'close' then 'resolved' when 'delete' then 'resolved'
            end
            when lower(a ->> 'status') = 'closed' then 'resolved'
            when lower(a ->> 'status') = 'open' and a ->> 'acknowledged' = 'true' then 'acknowledged'
            when lower(a ->> 'status') = 'open' then 'firing'
            else a ->> 'status'
        end as status,
        -- epoch nanoseconds (19 digits) -> milliseconds, which the timestamp parser reads
        case when try_cast(a ->> 'updatedAt' as double) >= 1e17
            then cast(try_cast(a ->> 'updatedAt' as hugeint) // 1000000 as varchar)
            else a ->> 'updatedAt' end as updated_text,
        try_cast(a -> 'tags' as varchar[]) as tags
    from flat
)

select
    __row,
    coalesce(a ->> 'alertId', a ->> 'id') as alert_id,
    coalesce(nullif(a ->> 'alias', ''), a ->> 'alertId', a ->> 'id') as alert_key,
    status,
    updated_text as event_at,
    -- a webhook's later actions wait for their Create, which carries the priority (a Close has none)
    case when not webhook or status = 'firing' then a ->> 'createdAt' end as fired_at,
    case when status = 'resolved' then coalesce(
        -- report.closeTime is the milliseconds from creation to close
        strftime(jl_ts(a ->> 'createdAt') + to_milliseconds(try_cast(a -> 'report' ->> 'closeTime' as bigint)),
                 '%Y-%m-%dT%H:%M:%S.%g'),
        updated_text
    ) end as resolved_at,
    coalesce(
        a -> 'details' ->> 'service', nullif(a ->> 'entity', ''), nullif(a ->> 'source', ''),
        nullif(doc -> 'source' ->> 'name', '')
    ) as service,
    a ->> 'message' as name,
    case
        when json_type(a -> 'priority') in ('UBIGINT', 'BIGINT') then 'P' || (a ->> 'priority')
        when a ->> 'priority' is not null then a ->> 'priority'
        when status <> 'resolved' then 'P3'
    end as severity,
    a ->> 'priority' as severity_raw,
    'opsgenie' as source,
    coalesce(nullif(a ->> 'alias', ''), a ->> 'alertId', a ->> 'id') as fingerprint,
    a -> 'details' ->> 'region' as region,
    case when tags is not null then to_json(map_from_entries(jl_distinct_keys(list_transform(
        list_filter(tags, lambda t: trim(t) <> ''),
        lambda t: case when contains(t, ':')
            then {'k': trim(split_part(t, ':', 1)), 'v': trim(substr(t, strpos(t, ':') + 1))}
            else {'k': trim(t), 'v': 'true'} end
    ))))::varchar end as labels,
    coalesce(nullif(a ->> 'description', ''), a ->> 'message') as message,
    -- everything but what the columns hold: tinyId, owner, responders, teams, integration, report,
    -- count, seen/snoozed flags, details, the webhook's source, integration and flow context
    json_merge_patch(doc, case
        when webhook then '{"action": null, "alert": {"alertId": null, "alias": null, "message": null, "createdAt": null, "updatedAt": null, "priority": null}}'
        when json_type(doc -> 'data') is not null then '{}'
        else '{"id": null, "alias": null, "message": null, "createdAt": null, "updatedAt": null, "priority": null}'
    end)::varchar as __extra
from notices
where status is not null
