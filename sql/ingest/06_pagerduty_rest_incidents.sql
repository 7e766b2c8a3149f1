-- PagerDuty REST API incidents read as incidents (SPEC §2.6): GET /incidents {"incidents": [...]},
-- GET /incidents/{id} {"incident": {...}}, or an array of incident objects -> one incident row each.
-- Input: the view `docs(__row, doc json)`; a list response unnests to its incidents (they share its __row).
-- acknowledged_at: the first acknowledgement; resolved_at: resolved_at, else (resolved) the last status
-- change. severity: the priority's name, else the urgency (incidents keep it as text).
with records as (
    select
        __row,
        case
            when json_type(doc -> 'incidents') = 'ARRAY' then json_extract(doc, '$.incidents[*]')
            when json_type(doc -> 'incident') = 'OBJECT' then [doc -> 'incident']
            else [doc]
        end as items
    from docs
),

incidents as (
    select __row, unnest(items) as i from records
)

select
    __row,
    i ->> 'id' as incident_id,
    i ->> 'created_at' as opened_at,
    i -> 'acknowledgements' -> 0 ->> 'at' as acknowledged_at,
    coalesce(
        i ->> 'resolved_at',
        case when lower(i ->> 'status') = 'resolved' then coalesce(i ->> 'last_status_change_at', i ->> 'updated_at') end
    ) as resolved_at,
    i ->> 'incident_key' as fingerprints,
    coalesce(i -> 'service' ->> 'summary', i -> 'service' ->> 'name') as service,
    coalesce(i ->> 'title', i ->> 'summary') as title,
    coalesce(i -> 'priority' ->> 'summary', i -> 'priority' ->> 'name', i ->> 'urgency') as severity,
    json_merge_patch(i, '{"id": null, "title": null, "created_at": null, "resolved_at": null}')::varchar as __extra
from incidents
