-- retro_stages: SPEC §4.3, one row per stage (the journey map's stages, then any other stage incidents
-- name), over incidents opened in [$start, $end) (NULL bounds: all the data).
--   incidents        : outcome not noise and not duplicate (an incident without an outcome counts)
--   noise_incidents  : outcome noise
--   mtta_min / mttr_min / restore_min : mean minutes from opened_at to acknowledged_at / resolved_at /
--                      journey_restored_at over the counted incidents that have that timestamp
-- Incidents without a stage are not in any row (the retro lists them apart).
-- Parameters: $start, $end (timestamps or NULL). Inputs: incidents, stages.
with window_incidents as (
    select
        *,
        coalesce(outcome, '') not in ('noise', 'duplicate') as counted
    from incidents
    where stage is not null
        and ($start is null or opened_at >= $start)
        and ($end is null or opened_at < $end)
),

all_stages as (
    select stage, min(position) as position from stages group by stage
    union all
    select distinct stage, null as position from incidents
    where stage is not null and stage not in (select stage from stages)
)

select
    s.stage,
    count(i.incident_id) filter (where i.counted) as incidents,
    count(i.incident_id) filter (where i.outcome = 'noise') as noise_incidents,
    avg((epoch(i.acknowledged_at) - epoch(i.opened_at)) / 60.0) filter (where i.counted) as mtta_min,
    avg((epoch(i.resolved_at) - epoch(i.opened_at)) / 60.0) filter (where i.counted) as mttr_min,
    avg((epoch(i.journey_restored_at) - epoch(i.opened_at)) / 60.0) filter (where i.counted) as restore_min,
    count(i.incident_id) filter (where i.outcome = 'duplicate') as duplicate_incidents,
    count(i.incident_id) filter (where i.counted and i.acknowledged_at is not null) as acknowledged,
    count(i.incident_id) filter (where i.counted and i.resolved_at is not null) as resolved,
    count(i.incident_id) filter (where i.counted and i.journey_restored_at is not null) as restored
from all_stages as s
left join window_incidents as i on i.stage = s.stage
group by s.stage, s.position
order by s.position nulls last, s.stage
