-- group_incidents: every group's incident candidate (SPEC §4.1 rows keep their own rank; the ranked
-- queue shows one entry per candidate). incident_key is the candidate's lead member: its first alert
-- group to fire (a signal entry only when no alert group is a member), so the key stays put when weights
-- change; incident_size counts members, incident_reason says why they belong together. A group linked
-- to nothing is its own candidate: its own group_id, size 1, no reason.
-- Inputs: alert_groups, incident_links (14), incident_labels (island, label; 15, converged).
with group_labels as (
    -- a group's islands all reach one label: the component it belongs to
    select l.group_id, min(x.label) as label
    from incident_links as l
    join incident_labels as x on x.island = l.island_id
    group by l.group_id
),

members as (
    select x.label, g.group_id, g.kind, g.first_fired_at
    from group_labels as x
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
    -- the members of an island share its reason and its label: one row per island and reason
    select distinct island_id, reason
    from incident_links
),

reasons as (
    select x.label, string_agg(distinct r.reason, '; ' order by r.reason) as reasons
    from island_reasons as r
    join incident_labels as x on x.island = r.island_id
    group by x.label
)

select
    g.group_id,
    coalesce(c.incident_key, g.group_id) as incident_key,
    coalesce(c.incident_size, 1) as incident_size,
    coalesce('one outage of ' || c.incident_size || ' groups: ' || r.reasons, '') as incident_reason
from alert_groups as g
left join group_labels as x using (group_id)
left join candidates as c using (label)
left join reasons as r using (label)
