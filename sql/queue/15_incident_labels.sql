-- incident_labels, one step: every group takes the smallest label among the groups it shares an island
-- with (14_incident_links.sql). notebooks/queue/incidents.py repeats the step until no label changes, so
-- that groups linked through a chain of islands (A and B by service, B and C by harm) end with one label:
-- the connected components, a few set-based passes rather than a loop over groups.
-- Input: incident_edges (node, island_id: incident_links with each group as a number, incident_nodes),
-- incident_labels (node, label; every linked group starts as its own label).
with island_labels as (
    select e.island_id, min(x.label) as label
    from incident_edges as e
    join incident_labels as x using (node)
    group by e.island_id
)

select
    e.node,
    least(min(i.label), any_value(x.label)) as label,
    least(min(i.label), any_value(x.label)) <> any_value(x.label) as changed  -- not converged yet
from incident_edges as e
join island_labels as i using (island_id)
join incident_labels as x using (node)
group by e.node
