-- incident_labels, one step: every island takes the smallest label among itself and the islands it shares
-- a group with (14_incident_links.sql). notebooks/queue/incidents.py repeats the step until no label
-- changes, so that islands linked through a chain (A and B share a group by service, B and C by harm) end
-- with one label: the connected components, a few set-based passes over the islands (far fewer than the
-- groups) rather than a loop over groups.
-- Input: incident_island_pairs (island, neighbour: two islands sharing a group, both ways),
-- incident_labels (island, label; every island starts as its own label).
select
    l.island,
    least(l.label, coalesce(min(n.label), l.label)) as label,
    least(l.label, coalesce(min(n.label), l.label)) <> l.label as changed  -- not converged yet
from incident_labels as l
left join incident_island_pairs as p on p.island = l.island
left join incident_labels as n on n.island = p.neighbour
group by l.island, l.label
