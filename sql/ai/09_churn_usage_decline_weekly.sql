-- churn_usage_decline_weekly: per-user usage decline. Each user's weekly production interactions with a
-- feature, against their own baseline (the mean of their previous 4 weeks, zero weeks included): a user
-- with a baseline of at least $min_baseline uses a week is watched, and declined when this week's use is
-- at most $decline_ratio of it (0.5: fell by half or more). Per feature x segment and feature x task_type
-- (and 'all') and complete week: users watched and users declined. A user who stops altogether counts as
-- declined until their baseline itself has fallen to nothing.
-- Parameters: $min_baseline, $decline_ratio. Input: ai_interactions (production rows with a user_id).
with production as (
    select user_id, feature, ts,
        coalesce(segment, 'unknown') as segment,
        coalesce(task_type, 'unknown') as task_type
    from ai_interactions
    where not shadow and user_id is not null
),

weeks as (
    -- complete weeks only, as in churn_adoption_weekly
    select week
    from (
        select unnest(generate_series(date_trunc('week', min(ts)), date_trunc('week', max(ts)), interval 7 day)) as week,
            max(ts) as last_ts
        from production
    )
    where week + interval 6 day <= last_ts
),

users as (
    -- a user's slice: the one most of their interactions with the feature carry
    select feature, user_id, mode(segment) as segment, mode(task_type) as task_type,
        date_trunc('week', min(ts)) as first_week
    from production
    group by feature, user_id
),

used as (
    select feature, user_id, date_trunc('week', ts) as week, count(*) as uses
    from production
    group by all
),

filled as (
    select u.feature, u.user_id, u.segment, u.task_type, w.week, coalesce(d.uses, 0) as uses
    from users as u
    join weeks as w on w.week >= u.first_week
    left join used as d on d.feature = u.feature and d.user_id = u.user_id and d.week = w.week
),

baselined as (
    select *,
        avg(uses) over past as baseline,
        count(*) over past as history_weeks
    from filled
    window past as (partition by feature, user_id order by week rows between 4 preceding and 1 preceding)
),

flagged as (
    select *,
        history_weeks = 4 and baseline >= $min_baseline as watched,
        history_weeks = 4 and baseline >= $min_baseline and uses <= baseline * $decline_ratio as declined
    from baselined
)

select feature,
    case when grouping(segment) = 1 then 'all' else segment end as segment,
    case when grouping(task_type) = 1 then 'all' else task_type end as task_type,
    week,
    count(*) filter (where watched) as users,
    count(*) filter (where declined) as declined
from flagged
group by grouping sets ((feature, week), (feature, segment, week), (feature, task_type, week))
order by feature, segment, task_type, week
