-- ai_retention_cohorts: retention_90d (SPEC §4.2) per signup cohort, the month of a user's first
-- production interaction: of the cohort's users first seen >= 90 days before the latest production ts,
-- the share with an interaction >= 90 days after their first. Younger users are not counted yet.
-- Parameters: none. Inputs: ai_interactions.
with production as (
    select user_id, ts from ai_interactions where not shadow
),

latest as (
    select max(ts) as latest_ts from production
),

users as (
    select user_id, min(ts) as first_ts, max(ts) as last_ts
    from production
    where user_id is not null
    group by user_id
)

select
    date_trunc('month', first_ts) as cohort,
    count(*) as users,
    count(*) filter (where first_ts <= latest_ts - interval 90 days) as eligible,
    count(*) filter (where first_ts <= latest_ts - interval 90 days and last_ts >= first_ts + interval 90 days)
        / nullif(count(*) filter (where first_ts <= latest_ts - interval 90 days), 0) as retention_90d
from users, latest
group by date_trunc('month', first_ts)
order by cohort
