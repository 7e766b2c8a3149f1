-- group_incidents: every group's incident candidate (SPEC §4.1 rows keep their own rank; the ranked
-- queue shows one entry per candidate). incident_key is the candidate's lead member: its first alert
-- group to fire (a signal entry only when no alert group is a member), so the key stays put when weights
-- change; incident_size counts members, incident_reason says why they belong together. A group linked
-- to nothing is its own candidate: its own group_id, size 1, no reason.
-- Inputs: alert_groups, incident_links (14), incident_nodes (group_id, node), incident_labels (15, converged).
with members as (
    select x.label, g.group_id, g.kind, g.first_fired_at
    from incident_labels as x
    join incident_nodes as n using (node)
    join alert_groups as g using (group_id)
),

candidates as (
    select
        label,
        arg_min(group_id, (kind <> 'alert_group', first_fired_at, group_id)) as incident_key,
        count(*) as incident_size
    from members
    group by label
),

island_reasons as (
    -- the members of an island share its reason (and all reach the same label): one row per island and
    -- reason, through any one member, rather than one per link
    select island_id, reason, any_value(group_id) as member
    from incident_links
    group by island_id, reason
),

reasons as (
    select x.label, string_agg(distinct r.reason, '; ' order by r.reason) as reasons
    from island_reasons as r
    join incident_nodes as n on n.group_id = r.member
    join incident_labels as x using (node)
    group by x.label
)

select
    g.group_id,
    coalesce(c.incident_key, g.group_id) as incident_key,
    coalesce(c.incident_size, 1) as incident_size,
    coalesce('one outage of ' || c.incident_size || ' groups: ' || r.reasons, '') as incident_reason
from alert_groups as g
left join incident_nodes as n using (group_id)
left join incident_labels as x using (node)
left join candidates as c using (label)
left join reasons as r using (label)
