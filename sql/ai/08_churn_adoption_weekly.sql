-- churn_adoption_weekly: adoption velocity, the users new to each feature per week (the week of their
-- first production interaction with it), by feature x segment and feature x task_type (and 'all', which
-- both slicings share). Each series runs from the feature's first week to the last complete week of the
-- data, zero-filled: a week with no newcomers is a zero, not a gap. The last, partial week is left out,
-- or every export cut mid-week would read as an adoption drop.
-- Input: ai_interactions (production rows with a user_id).
with production as (
    select user_id, feature, ts,
        coalesce(segment, 'unknown') as segment,
        coalesce(task_type, 'unknown') as task_type
    from ai_interactions
    where not shadow and user_id is not null
),

firsts as (
    -- a user's slice is the one of their first interaction with the feature
    select feature, user_id,
        arg_min(segment, ts) as segment,
        arg_min(task_type, ts) as task_type,
        date_trunc('week', min(ts)) as week
    from production
    group by feature, user_id
),

counted as (
    select feature,
        case when grouping(segment) = 1 then 'all' else segment end as segment,
        case when grouping(task_type) = 1 then 'all' else task_type end as task_type,
        week,
        count(*) as new_users
    from firsts
    group by grouping sets ((feature, week), (feature, segment, week), (feature, task_type, week))
),

weeks as (
    -- complete weeks only: a week counts once the data reaches its last day
    select week
    from (
        select unnest(generate_series(date_trunc('week', min(ts)), date_trunc('week', max(ts)), interval 7 day)) as week,
            max(ts) as last_ts
        from production
    )
    where week + interval 6 day <= last_ts
),

launches as (
    select feature, min(week) as launch
    from firsts
    group by feature
),

series as (
    select distinct feature, segment, task_type
    from counted
)

select s.feature, s.segment, s.task_type, w.week, coalesce(c.new_users, 0) as new_users
from series as s
join launches as l using (feature)
join weeks as w on w.week >= l.launch
left join counted as c using (feature, segment, task_type, week)
order by s.feature, s.segment, s.task_type, w.week
