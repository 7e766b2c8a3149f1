-- churn_ticket_weekly: support-ticket volume per feature x stage (and per segment, and 'all') and week,
-- from the tickets kind (SPEC §2.8). A ticket without a stage takes the stage most of its feature's AI
-- interactions name; a missing feature, stage or segment is 'unknown'. Each series runs from its first
-- ticket to the last complete week of the tickets, zero-filled.
-- Inputs: tickets, ai_interactions.
with feature_stages as (
    select feature, mode(stage) as stage
    from ai_interactions
    where stage is not null
    group by feature
),

rows as (
    select t.ts,
        coalesce(t.feature, 'unknown') as feature,
        coalesce(t.stage, f.stage, 'unknown') as stage,
        coalesce(t.segment, 'unknown') as segment
    from tickets as t
    left join feature_stages as f on f.feature = t.feature
),

counted as (
    select feature, stage,
        case when grouping(segment) = 1 then 'all' else segment end as segment,
        date_trunc('week', ts) as week,
        count(*) as tickets
    from rows
    group by grouping sets ((feature, stage, date_trunc('week', ts)), (feature, stage, segment, date_trunc('week', ts)))
),

weeks as (
    select week
    from (
        select unnest(generate_series(date_trunc('week', min(ts)), date_trunc('week', max(ts)), interval 7 day)) as week,
            max(ts) as last_ts
        from rows
    )
    where week + interval 6 day <= last_ts
),

series as (
    select feature, stage, segment, min(week) as first_week
    from counted
    group by all
)

select s.feature, s.stage, s.segment, w.week, coalesce(c.tickets, 0) as tickets
from series as s
join weeks as w on w.week >= s.first_week
left join counted as c using (feature, stage, segment, week)
order by s.feature, s.stage, s.segment, w.week
