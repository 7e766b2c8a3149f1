-- incident_labels, one step: every group takes the smallest label among the groups it shares an island
-- with (14_incident_links.sql). notebooks/queue/incidents.py repeats the step until no label changes, so
-- that groups linked through a chain of islands (A and B by service, B and C by harm) end with one label:
-- the connected components, a few set-based passes rather than a loop over groups.
-- Input: incident_links, incident_labels (group_id, label; every linked group starts as its own label).
with island_labels as (
    select l.island_id, min(x.label) as label
    from incident_links as l
    join incident_labels as x using (group_id)
    group by l.island_id
)

select l.group_id, least(min(i.label), any_value(x.label)) as label
from incident_links as l
join island_labels as i using (island_id)
join incident_labels as x using (group_id)
group by l.group_id
