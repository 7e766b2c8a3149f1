-- PagerDuty V3 webhooks ({"event": {id, event_type, resource_type, occurred_at, agent, client, data}})
-- -> one alert notice per incident event, as canonical text columns.
-- Input: the view `docs(__row, doc json)`, one webhook payload per row.
-- Only events whose data is an incident are notices (incident.triggered, .acknowledged, .resolved,
-- .reopened, .priority_updated, .escalated, ...); service.* events and incident sub-resources (notes,
-- responders, workflows) carry no incident state and are not alerts.
-- status: from the event type where it says (triggered/reopened/unacknowledged -> firing, acknowledged,
-- resolved), else the incident's own status in data. The incident id is the alert: alert_key and alert_id.
with events as (
    select
        __row,
        doc,
        doc -> 'event' as e,
        doc -> 'event' -> 'data' as d,
        lower(doc -> 'event' ->> 'event_type') as event_type
    from docs
    where doc -> 'event' -> 'data' ->> 'type' = 'incident'
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
            case lower(d ->> 'status')
                when 'triggered' then 'firing' when 'acknowledged' then 'acknowledged' when 'resolved' then 'resolved'
                else d ->> 'status'
            end
        ) as status
    from events
)

select
    __row,
    d ->> 'id' as alert_id,
    d ->> 'id' as alert_key,
    status,
    e ->> 'occurred_at' as event_at,
    coalesce(d ->> 'created_at', case when event_type = 'incident.triggered' then e ->> 'occurred_at' end) as fired_at,
    case when status = 'resolved' then coalesce(d ->> 'resolved_at', e ->> 'occurred_at') end as resolved_at,
    d -> 'service' ->> 'summary' as service,
    d ->> 'title' as name,
    -- a custom priority name the scale does not know (e.g. "SEV-2") falls back to the urgency
    coalesce(
        case when jl_severity_rank(d -> 'priority' ->> 'summary') is not null then d -> 'priority' ->> 'summary' end,
        d ->> 'urgency'
    ) as severity,
    coalesce(d -> 'priority' ->> 'summary', d ->> 'urgency') as severity_raw,
    'pagerduty' as source,
    coalesce(d ->> 'incident_key', d ->> 'id') as fingerprint,
    json_object(
        'urgency', d ->> 'urgency', 'priority', d -> 'priority' ->> 'summary',
        'escalation_policy', d -> 'escalation_policy' ->> 'summary', 'incident_type', d -> 'incident_type' ->> 'name'
    )::varchar as labels,
    coalesce(d -> 'body' ->> 'details', d ->> 'summary', d ->> 'title') as message,
    -- the whole payload but the fields the columns above hold: event id, agent, client, html_url,
    -- assignees, teams, escalation policy, conference bridge, number, ...
    json_merge_patch(
        doc, '{"event": {"event_type": null, "occurred_at": null, "data": {"title": null, "status": null}}}'
    )::varchar as __extra
from notices
