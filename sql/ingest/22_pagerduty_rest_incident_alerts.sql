-- PagerDuty REST API incidents (GET /incidents {"incidents": [...]}, GET /incidents/{id} {"incident": {...}},
-- or an array of incident objects) -> one alert notice per incident: its state when it was exported.
-- Input: the view `docs(__row, doc json)`; a list response unnests to its incidents (they share its __row).
-- severity: the priority's name when the scale knows it, else the urgency (high -> high, low -> low).
-- event_at: last_status_change_at (else updated_at); a resolved incident without resolved_at was resolved
-- at its last status change.
with docs_items as (
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
    select __row, unnest(items) as i from docs_items
),

notices as (
    select
        *,
        case lower(i ->> 'status')
            when 'triggered' then 'firing' when 'acknowledged' then 'acknowledged' when 'resolved' then 'resolved'
            else i ->> 'status'
        end as status,
        coalesce(i ->> 'last_status_change_at', i ->> 'updated_at') as changed_at
    from incidents
)

select
    __row,
    i ->> 'id' as alert_id,
    i ->> 'id' as alert_key,
    status,
    changed_at as event_at,
    i ->> 'created_at' as fired_at,
    case when status = 'resolved' then coalesce(i ->> 'resolved_at', changed_at) end as resolved_at,
    coalesce(i -> 'service' ->> 'summary', i -> 'service' ->> 'name') as service,
    coalesce(i ->> 'title', i ->> 'summary') as name,
    coalesce(
        case when jl_severity_rank(i -> 'priority' ->> 'summary') is not null then i -> 'priority' ->> 'summary' end,
        case when jl_severity_rank(i -> 'priority' ->> 'name') is not null then i -> 'priority' ->> 'name' end,
        i ->> 'urgency'
    ) as severity,
    coalesce(i -> 'priority' ->> 'summary', i -> 'priority' ->> 'name', i ->> 'urgency') as severity_raw,
    'pagerduty' as source,
    coalesce(i ->> 'incident_key', i ->> 'id') as fingerprint,
    json_object(
        'urgency', i ->> 'urgency', 'priority', i -> 'priority' ->> 'summary',
        'escalation_policy', i -> 'escalation_policy' ->> 'summary', 'incident_type', i -> 'incident_type' ->> 'name'
    )::varchar as labels,
    coalesce(i -> 'body' ->> 'details', i ->> 'summary') as message,
    -- the incident but its modelled fields: number, html_url, assignments, acknowledgements, teams,
    -- escalation policy, alert counts, pending actions, conference bridge, ...
    json_merge_patch(i, '{"id": null, "title": null, "status": null, "created_at": null}')::varchar as __extra
from notices
