-- incident_links: which groups are one outage. Groups (alert groups and the queue's signal entries) on
-- the same stage whose active spans overlap (within $correlate_minutes), and that are related, form an
-- island; groups sharing an island are one incident candidate (15_incident_labels.sql joins islands
-- that share a group). Related means, per island kind:
--   service    : the same service (an unmapped group: the same service, stage unknown)
--   touchpoint : the same touchpoint rule
--   change     : the same change linked before both (07_group_changes.sql)
--   harm       : both saw the stage's journey harm at the same level (harm_segment), measured above noise
--                (12_group_journey_impact.sql): the customers felt one thing
-- Instances and hosts differ between the members on purpose: two Alertmanager replicas, PagerDuty and
-- Datadog on the same failure are one problem. A group the profile's incident_splits names stands alone.
-- An active span is [first_fired_at, latest of last fire and last resolution], at most $max_window_hours;
-- an island is cut every $max_window_hours from its first start (an outage is not a month long).
-- One row per (group, island) of two or more groups; reason says why, in words.
-- Parameters: $correlate_minutes, $max_window_hours. Inputs: alert_groups, group_components (13),
-- group_changes (07), incident_splits (group_id).
with spans as (
    select
        g.group_id,
        g.stage,
        g.service,
        g.touchpoint,
        c.harm_observed,
        c.harm_segment,
        g.first_fired_at as span_start,
        least(greatest(g.last_fired_at, coalesce(g.last_resolved_at, g.last_fired_at)),
              g.first_fired_at + to_hours(cast($max_window_hours as bigint)))
            + to_minutes(cast($correlate_minutes as bigint)) as span_end
    from alert_groups as g
    join group_components as c using (group_id)
    where g.group_id not in (select group_id from incident_splits)
),

relations as (
    select group_id, span_start, span_end, 'service' as relation,
           coalesce(stage, '') || '|' || service as relation_key,
           'the same service ' || service as reason
    from spans where service is not null
    union all
    select group_id, span_start, span_end, 'touchpoint', stage || '|' || touchpoint,
           'the same touchpoint (' || touchpoint || ')'
    from spans where touchpoint is not null and stage is not null
    union all
    select s.group_id, s.span_start, s.span_end, 'change',
           coalesce(s.stage, '') || '|' || gc.change_service || '|' || cast(gc.change_at as varchar),
           'the same change before them (' || gc.change_kind || ' of ' || gc.change_service || ' at '
               || strftime(gc.change_at, '%Y-%m-%d %H:%M') || ')'
    from spans as s
    join group_changes as gc using (group_id)
    where s.stage is not null
    union all
    select group_id, span_start, span_end, 'harm', stage || '|' || harm_segment,
           stage || ' measurably hurt in the same hours ('
               || case when harm_segment = 'all' then 'the stage as a whole' else harm_segment end || ')'
    from spans where harm_observed and stage is not null
),

keyed as (
    -- the relation and its key as one 64-bit hash: sorting and partitioning by it is several times cheaper
    -- than by the strings, and two keys of a million colliding is a one-in-ten-million chance
    select *, hash(relation, relation_key) as key from relations
),

ordered as (
    select
        *,
        max(span_end) over (partition by key order by span_start, group_id
                            rows between unbounded preceding and 1 preceding) as reach
    from keyed
),

islands as (
    select
        *,
        sum(case when reach is null or span_start > reach then 1 else 0 end)
            over (partition by key order by span_start, group_id) as island
    from ordered
),

bounded as (
    -- an outage lasts at most $max_window_hours: an island of a service that alerts all day long (each
    -- span overlapping the next) is cut into that long pieces from its first start, so that transitive
    -- overlap does not make a month of one noisy service one "outage" (in whole microseconds: exact, and on
    -- Spark too, which takes no epoch of an interval)
    select
        *,
        hash(key, island, floor((epoch_us(span_start) - min(epoch_us(span_start)) over (partition by key, island))
                                / (3600000000 * $max_window_hours))) as island_id
    from islands
)

select group_id, island_id, reason
from bounded
qualify count(*) over (partition by island_id) >= 2
