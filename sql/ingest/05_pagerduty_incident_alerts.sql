-- PagerDuty incidents -> one alert notice per incident state, as canonical text columns. Read from:
--   V3 webhooks: {"event": {id, event_type, resource_type, occurred_at, agent, client, data: incident}};
--   the REST API: GET /incidents {"incidents": [...]}, GET /incidents/{id} {"incident": {...}}, or an
--   array of incident objects (a list response unnests to its incidents, which share its __row).
-- Input: the view `docs(__row, doc json)`.
-- Only webhook events whose data is an incident are notices (incident.triggered, .acknowledged,
-- .resolved, .reopened, .priority_updated, ...); service.* events and incident sub-resources (notes,
-- responders, workflows) carry no incident state and are left out.
-- status: the event type where it says (triggered/reopened/unacknowledged -> firing, acknowledged,
-- resolved), else the incident's status. The incident id is the alert (alert_key and alert_id).
-- event_at: when the event occurred, else the incident's last status change (else updated_at).
-- fired_at: created_at (a webhook's incident.triggered without it: when it occurred).
-- resolved_at: resolved_at, else (resolved) when the event occurred or the status last changed.
-- severity: the priority's name when the scale knows it (a custom "SEV-2" does not), else the urgency.
with records as (
    select
        __row,
        doc,
        json_type(doc -> 'event') = 'OBJECT' as webhook,
        case
            when json_type(doc -> 'event') = 'OBJECT' then [doc -> 'event' -> 'data']
            when json_type(doc -> 'incidents') = 'ARRAY' then json_extract(doc, '$.incidents[*]')
            when json_type(doc -> 'incident') = 'OBJECT' then [doc -> 'incident']
            else [doc]
        end as items
    from docs
    where json_type(doc -> 'event') is distinct from 'OBJECT' or doc -> 'event' -> 'data' ->> 'type' = 'incident'
),

incidents as (
    select
        __row,
        doc,
        coalesce(webhook, false) as webhook,
        lower(doc -> 'event' ->> 'event_type') as event_type,
        doc -> 'event' ->> 'occurred_at' as occurred_at,
        unnest(items) as i
    from records
),

notices as (
    select
        *,
        coalesce(
            case event_type
                when 'incident.triggered' then 'firing' when 'incident.reopened' then 'firing'
                when 'incident.unacknowledged' then 'firing' when 'incident.acknowledged' then 'acknowledged'
                when 'incident.resolved' then 'resolved'
            end,
            i ->> 'status'  -- triggered/acknowledged/resolved, read by the status parser (jl_status)
        ) as status,
        coalesce(occurred_at, i ->> 'last_status_change_at', i ->> 'updated_at') as changed_at,
        coalesce(i -> 'priority' ->> 'summary', i -> 'priority' ->> 'name') as priority
    from incidents
)

select
    __row,
    i ->> 'id' as alert_id,
    i ->> 'id' as alert_key,
    status,
    changed_at as event_at,
    coalesce(i ->> 'created_at', case when event_type = 'incident.triggered' then occurred_at end) as fired_at,
    case when jl_status(status) = 'resolved' then coalesce(i ->> 'resolved_at', changed_at) end as resolved_at,
    coalesce(i -> 'service' ->> 'summary', i -> 'service' ->> 'name') as service,
    coalesce(i ->> 'title', i ->> 'summary') as name,
    coalesce(case when jl_severity_rank(priority) is not null then priority end, i ->> 'urgency') as severity,
    coalesce(priority, i ->> 'urgency') as severity_raw,
    'pagerduty' as source,
    coalesce(i ->> 'incident_key', i ->> 'id') as fingerprint,
    json_object(
        'urgency', i ->> 'urgency', 'priority', priority,
        'escalation_policy', i -> 'escalation_policy' ->> 'summary', 'incident_type', i -> 'incident_type' ->> 'name'
    )::varchar as labels,
    coalesce(i -> 'body' ->> 'details', i ->> 'summary', i ->> 'title') as message,
    -- the rest, losslessly: the event's id, agent and client; the incident's number, html_url,
    -- assignees/assignments, acknowledgements, teams, escalation policy, alert counts, pending actions,
    -- conference bridge... (a list response's paging fields are not alerts and are not kept)
    case when webhook
        then json_merge_patch(doc, '{"event": {"event_type": null, "occurred_at": null, "data": {"title": null, "status": null}}}')
        else json_merge_patch(i, '{"id": null, "title": null, "status": null, "created_at": null}')
    end::varchar as __extra
from notices
