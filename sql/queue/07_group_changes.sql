-- group_changes: for each alert group, the changes (SPEC §2.7: deploy, config, feature flag, pricing, UI)
-- made shortly before it started: within $lookback_minutes before first_fired_at, on the group's own
-- service, or else on another service whose alerts map to the same stage. Best first (change_rank 1):
-- the group's own service, then the latest change. The queue links each group to its first change
-- ($per_group 1, every group); the Ranked page's drill-down lists all of one group's ($group_id), so
-- both give one answer.
-- Parameters: $lookback_minutes, $group_id (NULL: every group), $per_group (NULL: every change).
-- Inputs: alert_groups, changes.
with stage_services as (
    select distinct stage, service from alert_groups where stage is not null
),

candidates as (
    select
        g.group_id,
        c.ts,
        c.kind,
        c.service,
        c.description,
        c.service = g.service as same_service
    from alert_groups as g
    join changes as c
        on c.ts <= g.first_fired_at
        and c.ts >= g.first_fired_at - to_minutes(cast($lookback_minutes as bigint))
    left join stage_services as s on s.stage = g.stage and s.service = c.service
    where (c.service = g.service or s.service is not null)
        and ($group_id is null or g.group_id = $group_id)
),

ranked as (
    select
        *,
        row_number() over (
            partition by group_id order by same_service desc, ts desc, service, kind, description
        ) as change_rank
    from candidates
)

select
    group_id,
    change_rank,
    ts as change_at,
    kind as change_kind,
    service as change_service,
    description as change_description
from ranked
where $per_group is null or change_rank <= $per_group
