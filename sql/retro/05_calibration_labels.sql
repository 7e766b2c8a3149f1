-- calibration_labels: every ranked alert group with its ISO week and what history says of it.
--   positive : linked to an actioned, escalated or auto-mitigated incident (04_calibration_links.sql)
--   negative : linked only to noise or duplicate incidents
-- A group linked to nothing is neither: it still sits in its week's queue, where it takes a top-10 place
-- that no actioned incident needed (the retro counts precision the same way).
-- Inputs: alert_groups, calibration_links (04).
with labels as (
    select group_id, max(label) as label
    from calibration_links
    group by group_id
)

select
    g.group_id,
    strftime(g.first_fired_at, '%G-W%V') as week,
    coalesce(l.label = 1, false) as positive,
    coalesce(l.label = 0, false) as negative
from alert_groups as g
left join labels as l using (group_id)
where g.kind = 'alert_group'
