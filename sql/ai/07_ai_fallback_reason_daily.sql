-- ai_fallback_reason_daily: per day, feature, slice and fallback reason the feature has shown, over the
-- rolling 7 days: interactions with that reason among those whose `fallback` is known (a spike of one
-- reason is a signal of its own). Input: ai_signal_rows (05_ai_signal_rows.sql, as a temp table).
with reasons as (
    select distinct feature, fallback_reason as reason
    from ai_signal_rows
    where fallback and fallback_reason is not null
),

grid as (
    select distinct d.day, d.feature, d.slice, r.reason
    from ai_signal_rows as d
    join reasons as r using (feature)
)

select
    g.day,
    g.feature,
    g.slice,
    g.reason,
    count(r.fallback) as fallback_known_7d,
    count(*) filter (where r.fallback and r.fallback_reason = g.reason) as reason_7d
from grid as g
join ai_signal_rows as r
    on r.feature = g.feature and r.slice = g.slice
    and r.day > g.day - interval 7 days and r.day <= g.day
group by g.day, g.feature, g.slice, g.reason
order by g.feature, g.slice, g.reason, g.day
